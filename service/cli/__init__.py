"""The `treatycal` command: serve, worker, migrate, load, import, upcoming, export, extract,
keys, subscriptions. Each group of commands lives in its own module and registers on `app`."""

from __future__ import annotations

from service.cli import data, importing, keys, reading, serving, subscriptions
from service.cli.common import app

__all__ = ["app", "data", "importing", "keys", "main", "reading", "serving", "subscriptions"]


def main() -> None:
    app()
