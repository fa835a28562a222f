"""Web pages rendered by the service (Jinja2); scripts and styles ship in ``static/``."""
