"""Conduit: a RealWorld publishing backend."""

__version__ = "1.0.0"
