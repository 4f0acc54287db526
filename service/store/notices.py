"""Wake-ups across processes on PostgreSQL: a write that queues work NOTIFYs, workers LISTEN.

A transaction that planned alerts, queued messages or resumed a subscription sends a notice on
`WORK_CHANNEL` as it commits (`Tx.announce_work`); PostgreSQL drops it if the transaction rolls
back. Each worker holds one connection of its own that listens and calls back at once, so an
alert planned on an API replica reaches a worker in milliseconds instead of on its next poll.
Notices are wake-ups only, never the record of work: a worker that was not listening (it was
reconnecting) finds the work in the tables on its next round.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

WORK_CHANNEL = "treatycal_work"
_POLL_SECONDS = 0.5
"""How long one wait for notices lasts before the thread checks whether it should stop."""
_RECONNECT_SECONDS = 2.0


class WorkNotices:
    """A thread that listens on `WORK_CHANNEL` and calls `wake` for every notice."""

    def __init__(self, url: URL, wake: Callable[[], None]) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._wake = wake
        self._stopping = threading.Event()
        self.listening = threading.Event()
        """Set while the listening connection is up (tests wait for it)."""
        self._thread = threading.Thread(target=self._run, name="treatycal-notices", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._listen()
            except psycopg.Error as exc:
                log.warning(
                    "lost the connection that listens for work (%s); reconnecting",
                    exc,
                    extra={"action": "notices_reconnecting"},
                )
            self.listening.clear()
            self._stopping.wait(_RECONNECT_SECONDS)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {WORK_CHANNEL}")
            self.listening.set()
            self._wake()  # whatever was queued while no one listened
            while not self._stopping.is_set():
                for _notice in conn.notifies(timeout=_POLL_SECONDS):
                    self._wake()
