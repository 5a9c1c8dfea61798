"""Runnable examples of sessionware; each module exposes a WSGI ``app``."""
