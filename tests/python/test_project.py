"""The project stands alone: what users read (CLI help and output, docstrings, dataset attributes)
cites documents inside the project, the README's `pip install .` route names its Debian packages, and
the declared Python dependencies are the ones legsim uses."""
import argparse
import importlib
import re
from pathlib import Path

import pytest

import legsim
from legsim import cli

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "legsim"
OUTSIDE = re.compile(r"DESIGN|\.\./shared")


def _help_texts():
    """(subcommand, option) → help text of every option of every subcommand."""
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {(name, action.option_strings[0]): action.help for name, sub in subparsers.choices.items()
            for action in sub._actions if not isinstance(action, argparse._HelpAction)}


def test_every_cli_option_has_help_with_its_unit():
    helps = _help_texts()
    assert all(h for h in helps.values()), [k for k, h in helps.items() if not h]
    units = {"--speed": "m/s", "--cadence": "steps/min", "--step-length": ", m", "--stride-length": ", m",
             "--calf-fatigue": "0 to 0.9", "--foot-velocity": "m/s", "--foot-strike": "degrees",
             "--threads": ">= 1", "--plot": "MPa", "--set": "SI unit", "--param": "SI unit"}
    for (cmd, option), text in helps.items():
        if option in units:
            assert units[option] in text, (cmd, option, text)
    assert not [k for k, h in helps.items() if OUTSIDE.search(h)]


def test_the_package_cites_only_documents_inside_the_project():
    cited = set()
    for path in PACKAGE.glob("*.py"):
        text = path.read_text()
        assert not OUTSIDE.search(text), f"{path.name} cites a document outside the project"
        cited |= set(re.findall(r"docs/[\w.]+\.md", text))
    assert cited, "the package points to its docs"
    for doc in cited:
        assert (ROOT / doc).is_file(), f"{doc} is cited but missing"


def test_sweep_dataset_attributes_cite_only_project_documents(model, monkeypatch):
    sweep_mod = importlib.import_module("legsim.sweep")
    names = legsim._core.gait_variable_names()
    monkeypatch.setattr(sweep_mod, "match", lambda m, c, **kw: legsim.GaitResult(
        converged=True, message="converged", metrics={"effort": 1.0}, residuals={},
        solution={n: 0.0 for n in names}, timeseries=None))
    ds = legsim.sweep(model, speed=3.5, cadence=170, backward_pass=False, method="matching")
    for key, value in ds.attrs.items():
        assert not OUTSIDE.search(str(value)), (key, value)
    assert "docs/gait_matching.md" in ds.attrs["periodicity"] and (ROOT / "docs/gait_matching.md").is_file()


def _apt_packages():
    text = (ROOT / "Makefile").read_text()
    block = re.search(r"APT_PKGS\s*:=\s*((?:.*\\\n)*.*)", text).group(1)
    return set(block.replace("\\\n", " ").split())


def test_readme_pip_route_names_the_debian_packages_it_needs():
    readme = (ROOT / "README.md").read_text()
    pip = readme[readme.index("`pip install .`"):]
    pip = pip[:pip.index("\n## ")]
    # catch2 and Google Benchmark build only the C++ tests and benchmarks, which pip does not build.
    needed = _apt_packages() - {"catch2", "libbenchmark-dev"}
    assert needed and not [p for p in sorted(needed) if p not in pip]


def _declared():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [re.split(r"[<>=\[ ;]", d)[0] for d in project["dependencies"]]
    extras = {k: [re.split(r"[<>=\[ ;]", d)[0] for d in v] for k, v in project.get("optional-dependencies", {}).items()}
    return runtime, extras


#: pip name → import name, where they differ.
_IMPORT_NAMES = {"Pillow": "PIL"}


def _imported():
    """Top-level names the package imports: import statements, and legsim._extras.require("name", ...)
    calls, which import an extra's package where it is used."""
    imported = set()
    for path in PACKAGE.glob("*.py"):
        text = path.read_text()
        imported |= set(re.findall(r"^\s*(?:import|from)\s+(\w+)", text, re.M))
        imported |= set(re.findall(r"\brequire\(\s*[\"'](\w+)", text))
    return imported


def test_declared_dependencies_are_imported():
    imported = _imported()
    runtime, extras = _declared()
    # netCDF4 is not imported by name: it is the backend xarray's to_netcdf writes out= files with.
    # casadi neither: legsim._core links the libcasadi of its wheel (site-packages/casadi).
    used_indirectly = {"netCDF4", "casadi"}
    assert [d for d in runtime if d not in imported and d not in used_indirectly] == []
    # The test extra holds what the tests import beyond the runtime: pytest and hypothesis
    # (tests/python/test_properties.py); .ci/run installs it to test the installed wheel.
    assert extras.get("test") == ["pytest", "hypothesis"]
    dev = [re.split(r"[<>=\[ ;]", line)[0] for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
           if line.strip() and not line.startswith("#")]
    # imageio-ffmpeg: an ffmpeg binary for the MP4 test (tests/python/test_animate.py); fmpy: the FMI
    # headers the FMU is built with and the client tests/python/test_fmu.py runs it in.
    build_and_test = {"pytest", "hypothesis", "pybind11", "scikit-build-core", "imageio-ffmpeg", "fmpy"}
    # Notebooks (examples/notebooks, run by the tests) and the documentation build need these too.
    notebooks_and_docs = {"nbclient", "nbformat", "ipykernel", "sphinx", "myst-parser", "breathe"}
    optional = {p for k, v in extras.items() if k != "test" for p in v}
    assert sorted(set(dev) - build_and_test - notebooks_and_docs) == sorted(set(runtime) | optional)


def test_extras_are_optional_and_imported_where_used():
    """Plotting and Dask are extras (legsim[plot], legsim[dask]), not runtime dependencies, so that a
    plain install and ``import legsim`` stay light; each extra's packages are imported somewhere
    (through legsim._extras.require, which names the extra when one is missing), and every extra
    legsim._extras names is declared."""
    from legsim import _extras
    runtime, extras = _declared()
    optional = {k: v for k, v in extras.items() if k != "test"}
    assert not {p for v in optional.values() for p in v} & set(runtime)
    assert "matplotlib" in optional.get("plot", []) and "matplotlib" not in runtime
    assert set(_extras.EXTRAS.values()) == set(optional)
    imported = _imported()
    # ipywidgets: imported by tqdm.auto, for its progress widget in Jupyter (legsim._progress).
    used_by_dependencies = {"ipywidgets"}
    unused = [p for v in optional.values() for p in v
              if _IMPORT_NAMES.get(p, p) not in imported and p not in used_by_dependencies]
    assert unused == [], f"declared as extras but imported nowhere in python/legsim: {unused}"
