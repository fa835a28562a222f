"""The Victory Day notebook: stored without outputs, and it runs, giving the right numbers.

It is run with nbclient on a kernel of this very interpreter (a kernel spec
written to a temporary folder), so it sees the paradeops under test, not
whatever a ``python3`` kernel of the machine or the user would start.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES

NOTEBOOK = EXAMPLES / "victory-day-2025.ipynb"
KERNEL = "paradeops-tests"

nbformat = pytest.importorskip("nbformat", reason="the dev extra brings nbformat")


def test_the_notebook_is_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_the_notebook_reads_files_of_the_repository_only() -> None:
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert "/work" not in text and "../" not in text
    for name in re.findall(r'"(victory-day-\d{4}/[\w.]+)"', json.dumps(json.loads(text))):
        assert (EXAMPLES / name).is_file(), name


def _kernel_manager(folder: Path) -> Any:
    """A kernel manager that starts ipykernel with ``sys.executable`` and nothing else."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "paradeops tests", "language": "python"})
    )
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")])
    return KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)


def _text(cell: Any) -> str:
    """What a cell showed: its printed text, then its result as plain text."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run the notebook once; the text each tagged cell showed, by tag."""
    nbclient = pytest.importorskip("nbclient", reason="the dev extra brings nbclient")
    pytest.importorskip("ipykernel", reason="the dev extra brings ipykernel")
    folder = tmp_path_factory.mktemp("notebook")
    mp = pytest.MonkeyPatch()
    # The kernel's IPython history and connection files go to the temporary folder.
    mp.setenv("IPYTHONDIR", str(folder / "ipython"))
    mp.setenv("JUPYTER_RUNTIME_DIR", str(folder / "runtime"))
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        client = nbclient.NotebookClient(
            nb, km=_kernel_manager(folder), timeout=600,
            resources={"metadata": {"path": str(EXAMPLES)}},  # the kernel's cwd, as Jupyter's
        )  # fmt: skip
        client.execute()
    finally:
        mp.undo()
    tagged: dict[str, str] = {}
    for cell in nb.cells:
        for tag in cell.metadata.get("tags", []):
            tagged[tag] = _text(cell)
    return tagged


@pytest.mark.slow
def test_the_plan_has_its_44_units(outputs: dict[str, str]) -> None:
    assert "Victory Day Parade 2025 2025-05-09 Europe/Moscow" in outputs["plan"]
    assert "44 units, 5 checkpoints" in outputs["plan"]


@pytest.mark.slow
def test_the_colour_guard_passes_the_tribune_at_the_hand_worked_time(
    outputs: dict[str, str],
) -> None:
    # 120 steps/min × 0.75 m = 1.5 m/s; the tribune is 632.3 m along the route
    # (the plan's comment): 632.3 / 1.5 = 421.5 s after 10:00:00. Tail: 3 ranks
    # 1.4 m apart + 0.5 m = 3.3 m deep, 3.3 / 1.5 = 2.2 s behind.
    text = outputs["colour-guard"]
    found = re.search(r"head 10:07:(\d\d\.\d{3}) \((\d+\.\d) s after the start\), tail (\d+\.\d) s", text)
    assert found, text
    assert float(found[1]) == pytest.approx(1.5, abs=0.1)
    assert float(found[2]) == pytest.approx(632.3 / 1.5, abs=0.1)
    assert float(found[3]) == pytest.approx(3.3 / 1.5)
    assert "+03:00" in outputs["movement"]


@pytest.mark.slow
def test_findings_and_window(outputs: dict[str, str]) -> None:
    assert re.search(r"findings: \d+; last tail at the tribune 10:\d\d:\d\d, window ends 10:45:00",
                     outputs["findings"])  # fmt: skip


@pytest.mark.slow
def test_the_simulation_gives_probabilities(outputs: dict[str, str]) -> None:
    found = re.search(r"200 runs, seed 7: P\(breaking the window\) = (\d+\.\d)%",
                      outputs["simulation"])  # fmt: skip
    assert found, outputs["simulation"]
    assert 0 <= float(found[1]) <= 100
    assert "held_probability" in outputs["simulation"]


@pytest.mark.slow
def test_29_leaders_announced_then_27(outputs: dict[str, str]) -> None:
    text = outputs["announcements"]
    assert re.search(r"announced 29; the history gives 29: matches", text), text
    assert re.search(r"announced 27; the history gives 27: matches", text), text
    assert "-la-president (cancelled" in text and "-az-president (cancelled" in text
    # 44 guests in the book: the host (listed), 41 confirmed, 2 cancelled.
    assert re.search(r"confirmed\s+41", outputs["status"])
    assert re.search(r"cancelled\s+2", outputs["status"])


@pytest.mark.slow
def test_the_seating_seats_everyone_expected(outputs: dict[str, str]) -> None:
    # Everyone but the two who cancelled: 44 - 2 = 42 (the host and both interpreters too).
    assert "42 guests seated; solver: OPTIMAL, gap 0.00%" in outputs["seating"]
    assert re.search(r"centre\s+1\s+8\s+0\s+Vladimir Putin", outputs["seating"])


@pytest.mark.slow
def test_three_times_the_vehicles_of_2023(outputs: dict[str, str]) -> None:
    text = outputs["comparison"]
    assert "3.0× the vehicles of Victory Day Parade 2023" in text
    assert re.search(r"vehicles\s+99\s+33", text), text
