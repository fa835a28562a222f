"""The site's build hooks, on small hand-made inputs (no build)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT


def _hook(name: str) -> ModuleType:
    # MkDocs loads hooks by path, not as a package; so does the test.
    spec = importlib.util.spec_from_file_location(
        f"hook_{name}", ROOT / "docs/hooks" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cli_reference = _hook("cli_reference")
changelog = _hook("changelog")
rest_in_docstrings = _hook("rest_in_docstrings")
griffe_examples = _hook("griffe_examples")


def test_a_cell_escapes_pipes_outside_code_only() -> None:
    assert cli_reference._cell("organiser | marshal") == "organiser \\| marshal"
    assert cli_reference._cell("`a|b` or c|d") == "`a|b` or c\\|d"
    assert cli_reference._cell("two\nlines") == "two lines"


def test_help_text_is_text_not_tags() -> None:
    assert cli_reference._prose("FILE <path> & `<kept>`") == "FILE &lt;path&gt; &amp; `<kept>`"


def test_defaults_and_limits_are_set_apart() -> None:
    assert cli_reference._with_extra("TCP port  [default: 8000; 1<=x<=65535]") == (
        "TCP port *default: 8000; 1&lt;=x&lt;=65535*"
    )
    assert cli_reference._with_extra("[required]") == "*required*"
    assert cli_reference._with_extra("Only this guest id") == "Only this guest id"


@given(st.text(alphabet="ab|`\n <>", max_size=40))
def test_a_cell_is_one_line_and_never_splits(text: str) -> None:
    cell = cli_reference._cell(text)
    assert "\n" not in cell
    outside = cell.split("`")[::2]
    assert not any(re.search(r"(?<!\\)\|", part) for part in outside)


def test_the_changelog_loses_its_title_and_links_into_docs(tmp_path: Path) -> None:
    source = tmp_path / "CHANGELOG.md"
    source.write_text(
        "# Changelog\n\n## 0.2.0\n\n- [timing](docs/timing.md#findings), [the README](README.md),"
        " [issue 12](https://example.org/12), [below](#010), ![logo](logo.png)\n",
        encoding="utf-8",
    )
    assert changelog.changelog_markdown(source) == (
        "\n## 0.2.0\n\n- [timing](timing.md#findings), the README,"
        " [issue 12](https://example.org/12), [below](#010), ![logo](logo.png)\n"
    )


def test_a_missing_changelog_is_said(tmp_path: Path) -> None:
    assert changelog.changelog_markdown(tmp_path / "CHANGELOG.md") == (
        "The repository has no `CHANGELOG.md` yet."
    )


def test_sphinx_roles_become_optional_references() -> None:
    html = "see :func:<code>load_plan</code> and :class:<code>~paradeops.errors.UserError</code>"
    assert rest_in_docstrings.on_page_content(html) == (
        'see <autoref identifier="paradeops.load_plan" optional><code>load_plan</code></autoref>'
        ' and <autoref identifier="paradeops.errors.UserError" optional>'
        "<code>UserError</code></autoref>"
    )


def test_a_literal_block_is_introduced_by_one_colon() -> None:
    html = '<p>For scripts::</p>\n<div class="highlight"><pre>x</pre></div><p>a::</p>'
    assert rest_in_docstrings.on_page_content(html) == (
        '<p>For scripts:</p>\n<div class="highlight"><pre>x</pre></div><p>a::</p>'
    )


@given(st.text(alphabet="ab:<>/ `.~", max_size=60))
def test_text_without_roles_passes_unchanged(text: str) -> None:
    if not re.search(r":(attr|class|data|exc|func|meth|mod|obj):<code>|::</p>", text):
        assert rest_in_docstrings.on_page_content(text) == text


def test_an_example_section_is_read_as_examples() -> None:
    doc = "Load it.\n\nExample:\n    >>> load()\n\nAn Example: in prose stays.\n"
    assert griffe_examples.plural_examples(doc) == (
        "Load it.\n\nExamples:\n    >>> load()\n\nAn Example: in prose stays.\n"
    )


def test_a_command_section_gives_usage_arguments_and_options() -> None:
    import typer
    import typer.main

    app = typer.Typer(add_completion=False)

    @app.command()
    def greet(
        name: str = typer.Argument(help="Who | whom"),
        times: int = typer.Option(1, "--times", "-n", help="How often"),
    ) -> None:
        """Say hello.

        Twice if asked.
        """

    @app.command()
    def part() -> None:
        """Say goodbye."""

    group = typer.main.get_command(app)
    root = group.make_context("demo", [], resilient_parsing=True)
    greet_ctx = next(c for c in cli_reference._subcommands(root) if c.info_name == "greet")
    assert cli_reference._section(greet_ctx) == (
        "## greet { #greet }\n"
        "\n"
        "Say hello.\n\nTwice if asked.\n"
        "\n"
        "```text\n"
        "demo greet [OPTIONS] {name}\n"
        "```\n"
        "\n"
        "| argument | help |\n"
        "| --- | --- |\n"
        "| `name <str>` | Who \\| whom *required* |\n"
        "\n"
        "| option | help |\n"
        "| --- | --- |\n"
        "| `-n, --times <int>` | How often *default: 1* |\n"
    )
