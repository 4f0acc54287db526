"""/docs: Swagger UI from assets that ship with a package, so it works with no internet.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script; this one
serves the files the `fastapi-offline` package carries and starts them with a script file of
its own, under a policy that lets the page load nothing from anywhere else.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, HTMLResponse

from service.errors import NotFound

router = APIRouter(include_in_schema=False)

DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
_OWN = Path(__file__).with_name("static")
_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon.png": "image/png",
}
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>treatycal API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon.png">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""


def _bundled() -> Path:
    """Where the installed fastapi-offline package keeps Swagger UI (found without importing it)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the fastapi-offline package is not installed: reinstall treatycal")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@router.get("/docs")
def docs_page() -> HTMLResponse:
    return HTMLResponse(_PAGE, headers={"Content-Security-Policy": DOCS_POLICY})


@router.get("/docs/start.js")
def docs_start() -> Response:
    return FileResponse(_OWN / "docs.js", media_type="text/javascript")


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    if name not in _ASSETS:
        raise NotFound(f"no documentation asset named {name!r}")
    return FileResponse(
        _bundled() / name,
        media_type=_ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )
