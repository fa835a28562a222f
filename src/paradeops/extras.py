"""Which optional extra brings which library, and the message when one is missing.

The base install plans and times a parade; charts, simulation, guests and
seating, the service and the printed papers each come with an extra (``pip install
'paradeops[sim]'``). A command that needs a missing library says which extra
to install instead of failing with an import traceback.
"""

from __future__ import annotations

import importlib.util

from paradeops.errors import UserError

#: Top-level module → the extra that installs it.
EXTRA_OF_MODULE: dict[str, str] = {
    "matplotlib": "charts",
    "numba": "sim",
    "llvmlite": "sim",
    "ortools": "seating",
    "pycountry": "protocol",
    "pyuca": "protocol",
    "openpyxl": "protocol",
    "fastapi": "service",
    "starlette": "service",
    "uvicorn": "service",
    "sqlalchemy": "service",
    "alembic": "service",
    "psycopg": "service",
    "argon2": "service",
    "jinja2": "service",
    "multipart": "service",
    "python_multipart": "service",
    "orjson": "service",
    "typst": "print",
    "segno": "print",
}


def installed(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_extra_error(
    module: str, what: str | None = None, *, extra: str | None = None
) -> UserError:
    """The user error for a command whose library ``module`` is not installed.

    ``extra`` names the extra to install when it is not the module's own: a
    command whose extra includes another (``seating`` brings ``protocol``)
    names the one that gives it everything.
    """
    top = module.split(".")[0]
    extra = extra or EXTRA_OF_MODULE.get(top)
    needs = f"{what} needs {top}" if what else f"this command needs {top}"
    if extra is None:
        return UserError(f"{needs}, which is not installed", hint=f"pip install {top}")
    return UserError(
        f"{needs}, which comes with the '{extra}' extra",
        hint=f"pip install 'paradeops[{extra}]' (or 'paradeops[all]' for everything)",
    )


def require(*modules: str, what: str | None = None) -> None:
    """Raise the missing-extra :class:`UserError` unless every module is installed."""
    for module in modules:
        if not installed(module):
            raise missing_extra_error(module, what)
