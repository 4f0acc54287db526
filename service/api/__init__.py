"""The HTTP API and the feeds, as a FastAPI app."""

from service.api.app import create_app

__all__ = ["create_app"]
