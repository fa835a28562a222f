"""Renderers: from core values to tables, CSV, JSON and graphs (no file I/O)."""
