"""Failed authentications per client address: a sliding window in bounded memory."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from datetime import datetime, timedelta

from service.clock import Clock


class FailureWindow:
    """Counts failures per client over the last `window`; at `limit`, the client must wait.

    At most `max_clients` addresses are remembered (the least recently failing are dropped),
    so a flood from many addresses cannot grow memory without bound.
    """

    def __init__(
        self, limit: int, window: timedelta, clock: Clock, max_clients: int = 10_000
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._max_clients = max_clients
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str) -> timedelta | None:
        """How long `client` must wait before failing again, or None if it may try now."""
        now = self._clock()
        with self._lock:
            recent = self._recent(client, now)
            if len(recent) < self._limit:
                return None
            return recent[0] + self._window - now

    def record(self, client: str) -> None:
        now = self._clock()
        with self._lock:
            recent = self._recent(client, now)
            recent.append(now)
            self._failures[client] = recent
            self._failures.move_to_end(client)
            while len(self._failures) > self._max_clients:
                self._failures.popitem(last=False)

    def _recent(self, client: str, now: datetime) -> deque[datetime]:
        recent = self._failures.get(client, deque(maxlen=self._limit))
        while recent and recent[0] <= now - self._window:
            recent.popleft()
        return recent
