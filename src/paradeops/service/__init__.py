"""The ParadeOps service: HTTP API and web pages for live operations.

One package per domain object (``plans``, ``checkins``, ``guests``, ``users``,
``control``), each with ``models.py`` (tables and API schemas), ``service.py``
(functions taking a session) and ``views.py`` (thin routes); ``pages``
renders the web pages. :func:`create_app` wires them together.
"""

from paradeops.service.app import create_app

__all__ = ["create_app"]
