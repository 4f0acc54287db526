"""The use cases: one method per operation, each in one transaction, called by every adapter.

    app = App.open(settings)
    app.commitments.create(data, note, actor)     # plans its alerts in the same transaction
    app.agenda.upcoming(where, "P90D", as_of)
    app.reading.read(article, actor)
    app.subscriptions.subscribe(data, actor)
    app.feeds.publish(data)

The API, the CLI and the pages parse their input, call one operation and format its answer;
what a committed write sets off (feed cache, engine wake-up) is in `Context.committed`.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from service.alerts import Engine, EngineSettings, Planner, PlanningRules
from service.app.changelog import ChangeLog
from service.app.commitments import Commitments
from service.app.context import Context
from service.app.feeds import Feeds, PublishedFeed, SyncReport, feed_files
from service.app.keys import Caller, Keys
from service.app.operations import Backlog, Operations
from service.app.reading import Reading
from service.app.sessions import Session, Sessions, SignedIn
from service.app.subscriptions import Subscriptions
from service.app.upcoming import Agenda
from service.clock import Clock, utc_now
from service.feeds import FeedCache, Publishing
from service.settings import Settings
from service.store import Store, readable


class App:
    """Every use case, grouped by what it is about, over one store."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.commitments = Commitments(context)
        self.agenda = Agenda(context)
        self.reading = Reading(context, self.agenda)
        self.subscriptions = Subscriptions(context)
        self.feeds = Feeds(context)
        self.changelog = ChangeLog(context, self.feeds)
        self.keys = Keys(context)
        self.sessions = Sessions(context, self.keys)
        self.operations = Operations(context)

    @classmethod
    def open(cls, settings: Settings, clock: Clock = utc_now, *, create: bool = True) -> App:
        """The use cases over the database the settings name, migrated to the current schema.

        With `create` off, the database must already be there and current (DatabaseMissing).
        """
        store = Store.open(settings.database_url, clock, migrate=True, create=create)
        context = Context(
            settings=settings,
            store=store,
            clock=clock,
            planner=Planner(planning_rules(settings)),
            publishing=Publishing(
                settings.base_url, settings.feed_refresh_interval, settings.default_alerts
            ),
            feed_cache=FeedCache(
                version_ttl=settings.feed_version_ttl.total_seconds(),
                max_bytes=settings.feed_memory_limit,
            ),
        )
        return cls(context)

    @property
    def settings(self) -> Settings:
        return self.context.settings

    def today(self) -> date:
        """Today by this app's clock (UTC), the day countdowns count from."""
        return self.context.clock().date()

    def engine(self) -> Engine:
        """The alert engine for this process; writes made here wake it once they commit."""
        ctx = self.context
        ctx.engine = Engine(ctx.store, ctx.planner, engine_settings(ctx.settings), ctx.clock)
        return ctx.engine

    def ready(self) -> bool:
        """Whether the database answers with the current schema (StoreError if it cannot)."""
        return not self.context.store.needs_migration()

    def close(self) -> None:
        self.reading.close()
        self.context.store.close()


def database_label(settings: Settings) -> str:
    """The database the settings name, as a person should read it (no password)."""
    return readable(settings.database_url)


def planning_rules(settings: Settings) -> PlanningRules:
    return PlanningRules(settings.default_alerts, ZoneInfo(settings.all_day_zone))


def engine_settings(settings: Settings) -> EngineSettings:
    return EngineSettings(
        late_after=settings.late_after,
        late_alert_grace=settings.late_alert_grace,
        webhook_allow=settings.webhook_allow,
        webhook_timeout=settings.webhook_timeout,
        delivery_concurrency=settings.delivery_concurrency,
        batch=settings.delivery_batch,
        lease=settings.delivery_lease,
        give_up_after=settings.disable_failing_after,
        safety_interval=settings.engine_safety_interval,
        listening_safety_interval=settings.engine_listening_safety_interval,
        maintenance_interval=settings.engine_maintenance_interval,
    )


__all__ = [
    "App",
    "Backlog",
    "Caller",
    "Context",
    "PublishedFeed",
    "Session",
    "SignedIn",
    "SyncReport",
    "database_label",
    "feed_files",
]
