"""``backup`` and ``restore``: copies of the service's database."""

from __future__ import annotations
