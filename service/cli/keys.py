"""`keys`: API keys for writes, whose secrets are shown once and stored hashed."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from service.cli.common import DbOption, JsonOption, app, opened, settings_for
from service.cli.texttable import render_table
from service.domain import Scope

keys_app = typer.Typer(no_args_is_help=True, help="API keys for writes.")
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    scope: Annotated[
        Scope, typer.Option(metavar="SCOPE", help="read, write or admin")
    ] = Scope.WRITE,
    name: Annotated[str, typer.Option(metavar="NAME", help="Who or what uses the key")] = "api key",
    db: DbOption = None,
) -> None:
    """Make an API key. Its secret is printed once and only its hash is kept."""
    with opened(settings_for(db)) as use_cases:
        key, token = use_cases.keys.create(name, scope)
    typer.echo(token)
    typer.echo(
        f"key {key.id} ({key.scope.value}, {key.name!r}): store the line above now; "
        "it cannot be shown again",
        err=True,
    )


@keys_app.command("list")
def keys_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """The keys, without their secrets."""
    with opened(settings_for(db)) as use_cases:
        keys = use_cases.keys.all()
    if as_json:
        typer.echo(json.dumps([k.model_dump(mode="json") for k in keys], indent=2))
        return
    rows = [
        (
            k.id,
            k.scope.value,
            k.name,
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "",
        )
        for k in keys
    ]
    typer.echo(render_table(("id", "scope", "name", "created", "revoked"), rows))


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id")], db: DbOption = None
) -> None:
    """Revoke a key: requests with it are refused from now on."""
    with opened(settings_for(db)) as use_cases:
        key = use_cases.keys.revoke(key_id)
    typer.echo(f"key {key.id} ({key.name!r}) revoked at {key.revoked_at:%Y-%m-%d %H:%M} UTC")
