"""The sandbox's web page: act as any member of an emulated server from a browser (see API.md)."""

from sandbox.web.app import page_app

__all__ = ["page_app"]
