"""The teaching notebooks of examples/notebooks/ (issue 21.6) run top to bottom, each within its
two-minute budget, and are committed as make_notebooks.py writes them: outputs stripped.

Executed with nbclient in the Python 3 kernel of the environment running the tests, in a temporary
working directory (a notebook that writes files leaves nothing in the checkout). Skipped where
nbclient, nbformat or ipykernel are missing (the installed-wheel run of .ci/run has only the [test]
extra; `make test` has them from requirements-dev.txt), and where the notebooks are not on disk."""
from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

import legsim  # noqa: E402

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "examples" / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
# The budget per notebook; the timeout per cell is the looser bound that stops a hang.
BUDGET_S = 120.0
CELL_TIMEOUT_S = 300


def test_the_three_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} == {"muscle_mechanics.ipynb", "running_and_the_knee.ipynb",
                                           "calf_fatigue.ipynb"}


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS_DIR / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_the_generated_one_without_outputs(path):
    gen = _generator()
    nb = nbformat.read(path, as_version=4)
    # Cells compared by type and text, not the file's bytes: another nbformat version may lay out the
    # same notebook differently.
    expected = gen.build(gen.NOTEBOOKS[path.name])
    assert [(c.cell_type, c.source) for c in nb.cells] == [(c.cell_type, c.source) for c in expected.cells], \
        f"{path.name} differs from make_notebooks.py: run python examples/notebooks/make_notebooks.py"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_within_budget(path, tmp_path, monkeypatch):
    # The kernel is a new process started in tmp_path: it must find the same legsim as this test
    # (the source tree under `make test`, whose PYTHONPATH is relative, or the installed wheel).
    package_root = str(Path(legsim.__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")]))
    # A headless backend; inline figures are still captured by the kernel.
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    print(f"{path.name}: {seconds:.1f} s", file=sys.stderr)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert seconds < BUDGET_S, f"{path.name} took {seconds:.1f} s, over its {BUDGET_S:.0f} s budget"


def test_progress_in_a_jupyter_kernel_is_tqdm_widget(tmp_path, monkeypatch):
    """In a running kernel a legsim bar is on by default and is tqdm's notebook widget (ipywidgets,
    which the plot extra brings), not text on stderr, and no warning about missing ipywidgets."""
    pytest.importorskip("ipywidgets")
    package_root = str(Path(legsim.__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from legsim._progress import Progress\n"
        "bar = Progress('sweep', None)\n"
        "print(bar.enabled)\n"
        "bar.update(1, 2, converged=1)\n"
        "bar.update(2, 2, converged=2)\n"
        "bar.close()")])
    nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type == "stream" and o.text.strip() == "True" for o in outputs)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), outputs
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"], outputs
