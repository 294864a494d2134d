"""``import legsim`` stays light (issue 21.8): plotting, Dask and netCDF load only when used, and a
missing extra is named in the error."""
import subprocess
import sys

import pytest

import legsim
from legsim import _extras
from legsim.errors import Error


def test_import_legsim_loads_no_optional_or_heavy_library():
    code = ("import sys, legsim\n"
            "print(' '.join(m for m in ('matplotlib', 'dask', 'distributed', 'netCDF4', 'PIL', 'tqdm', 'IPython')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == []


def test_require_returns_the_module():
    import json
    assert _extras.require("json", "plot") is json


def test_a_missing_extra_names_the_extra_to_install(monkeypatch):
    # As if not installed: a None entry makes the import raise ImportError (pyplot too, as another
    # test may have imported it already).
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'legsim\[plot\]'") as info:
        _extras.require("matplotlib.pyplot")
    assert isinstance(info.value, Error)  # the CLI prints legsim errors as messages, not tracebacks


def test_the_extras_table_matches_pyproject():
    tomllib = pytest.importorskip("tomllib")
    from pathlib import Path
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    extras = set(project["optional-dependencies"])
    assert set(_extras.EXTRAS.values()) <= extras


def test_an_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        legsim.no_such_thing
