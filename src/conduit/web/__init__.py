"""The server-rendered web application: HTML pages on the same service layer as the JSON API."""

from conduit.web.install import install

__all__ = ["install"]
