"""The pages: server-rendered HTML over the same use cases as the API and the CLI.

Each module is one page (or a few that belong together); a handler parses its input, calls
one use case and renders a template. Templates format; they decide nothing.
"""

from __future__ import annotations

from service.web.site import install

__all__ = ["install"]
