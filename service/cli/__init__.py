"""The `treatycal` command: serve, worker, migrate, load, upcoming, export, extract, keys,
subscriptions. Each group of commands lives in its own module and registers on `app`."""

from __future__ import annotations

from service.cli import data, keys, reading, serving, subscriptions
from service.cli.common import app

__all__ = ["app", "data", "keys", "main", "reading", "serving", "subscriptions"]


def main() -> None:
    app()
