"""The public surface of ``import paradeops``: names, docstrings, lightness."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import paradeops
from paradeops import api

#: Libraries that come with extras (or are optional): importing the package must not load them.
HEAVY = ("numba", "matplotlib", "pandas", "ortools", "fastapi", "sqlalchemy", "pycountry")


def test_every_name_of_all_is_importable() -> None:
    for name in paradeops.__all__:
        assert getattr(paradeops, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from paradeops import *", namespace)
    assert set(paradeops.__all__) - {"__version__"} <= set(namespace)


def test_the_api_functions_are_the_ones_of_paradeops_api() -> None:
    functions = set(paradeops.__all__) - {"Problem", "UserError", "__version__"}
    assert functions == set(api.__all__)
    for name in functions:
        assert getattr(paradeops, name) is getattr(api, name)


def test_dir_lists_the_api_before_first_use() -> None:
    assert set(paradeops.__all__) <= set(dir(paradeops))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'shedule'"):
        paradeops.shedule  # type: ignore[attr-defined]  # noqa: B018


def test_version_is_a_literal_string() -> None:
    assert isinstance(paradeops.__version__, str)
    assert paradeops.__version__.count(".") == 2


@pytest.mark.parametrize("name", api.__all__)
def test_every_function_is_documented_in_one_style(name: str) -> None:
    """Google style, as mkdocstrings renders it: Args, Returns, Raises, Example."""
    function = getattr(paradeops, name)
    doc = inspect.getdoc(function)
    assert doc, name
    sections = ["Returns:", "Raises:", "Example:"]
    if inspect.signature(function).parameters:
        sections.insert(0, "Args:")
    positions = [doc.find(s) for s in sections]
    assert -1 not in positions, (name, sections, positions)
    assert positions == sorted(positions), name
    for parameter in inspect.signature(function).parameters:
        assert f"\n    {parameter}:" in doc, (name, parameter)
    assert ">>> " in doc


def test_the_package_docstring_shows_the_api() -> None:
    assert "paradeops.load_plan(" in (paradeops.__doc__ or "")


def _modules_after(code: str, *, top: bool = True) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return {m.split(".")[0] if top else m for m in out.split()}


def test_import_paradeops_loads_only_its_errors() -> None:
    """The CLI imports the package first: the API must wait for its first use."""
    ours = {m for m in _modules_after("import paradeops", top=False) if m.startswith("paradeops")}
    assert ours == {"paradeops", "paradeops.errors"}


def test_import_paradeops_loads_no_heavy_library() -> None:
    loaded = _modules_after("import paradeops")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert "paradeops" in loaded


def test_reading_a_plan_through_the_api_loads_no_heavy_library(examples) -> None:  # type: ignore[no-untyped-def]
    plan = examples / "victory-day-2025" / "plan.yaml"
    loaded = _modules_after(f"import paradeops\nparadeops.load_plan({str(plan)!r})")
    assert not loaded & {"numba", "matplotlib", "pandas", "ortools", "fastapi", "sqlalchemy"}
