"""``python -m paradeops.cli`` is ``paradeops``."""

from paradeops.cli import main

main()
