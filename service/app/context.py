"""What every use case shares, and the one place that says what a committed write sets off."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from service.alerts import Engine, Planner
from service.clock import Clock
from service.feeds import FeedCache, Publishing
from service.settings import Settings
from service.store import Store, Tx


@dataclass(slots=True)
class Context:
    """The store and the rules over it, built once per process by `App.open`."""

    settings: Settings
    store: Store
    clock: Clock
    planner: Planner
    publishing: Publishing
    feed_cache: FeedCache
    engine: Engine | None = field(default=None)
    """The alert engine when it runs in this process; a separate worker polls on its own."""

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write: committed when the block ends, then followed by its effects (`committed`)."""
        with self.store.transaction() as tx:
            yield tx
        self.committed(tx)

    def read(self, *, snapshot: bool = False) -> AbstractContextManager[Tx]:
        return self.store.read(snapshot=snapshot)

    def committed(self, tx: Tx) -> None:
        """Every effect of a committed write, and nothing else sets one off:

        - the data version moved: this process's feed cache asks for it again, so its own
          writes show in the next poll (other processes see them within feed_version_ttl);
        - alerts were planned, messages queued or an endpoint enabled: an engine running in
          this process looks for work now (a separate worker finds it on its next poll).
        """
        if tx.versions.moved:
            self.feed_cache.expire_version()
        if tx.queued_work and self.engine is not None:
            self.engine.poke()
