"""A clock a test moves on by hand, for an app built with `clock=`."""

from __future__ import annotations

from datetime import datetime


class Clock:
    """Stands at `now` until the test moves it, to the microsecond where that matters."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
