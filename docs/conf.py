"""Sphinx configuration of legsim's documentation site (issue 21.7): the API reference from the
docstrings (autodoc), the physics with its sources, and the existing Markdown pages of docs/
(decisions, gait prediction, gait matching, published ranges, plausibility) through myst-parser.
`make docs` builds it with -W: every warning fails the build, as in CI."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The package from the source tree (python/legsim with its built _core) unless one is importable
# already (CI's installed wheel), so the reference documents the code being built.
sys.path.insert(0, str(HERE.parent / "python"))

import legsim  # noqa: E402  (after the path set-up above)

project = "legsim"
author = "legsim contributors"
release = legsim.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "myst_parser",
    "breathe",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
# _build: the output; README-like pages of other folders are not part of the site.
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Markdown: dollar maths for the physics page, heading anchors so that links like
# decisions.md#some-heading resolve (the existing pages link to each other's sections).
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# The docstrings are reStructuredText prose (``literal``, :func:, :data:), not numpy or Google
# sections, so napoleon is not needed. Members in source order read like the module.
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
# Signatures keep the annotations as written; unresolvable forward references ("PredictionResult |
# None" strings) would otherwise be warnings.
autodoc_typehints = "none"

html_theme = "alabaster"
html_title = f"legsim {release}"
html_static_path: list[str] = []

# The published-ranges table is generated from legsim.PUBLISHED_RANGES and legsim.STRIDE_RANGES, the
# one place the ranges are defined (docs/published_ranges.md), so the site cannot drift from them.
def _write_ranges_table() -> None:
    rows = ["| metric | low | high | unit |", "|---|---|---|---|"]
    for key, (lo, hi, unit) in {**legsim.PUBLISHED_RANGES, **legsim.STRIDE_RANGES}.items():
        rows.append(f"| `{key}` | {lo:g} | {hi:g} | {unit} |")
    out = HERE / "_generated"
    out.mkdir(exist_ok=True)
    text = "\n".join(rows) + "\n"
    path = out / "ranges_table.md"
    # Rewritten only when it changes, so an incremental build does not redo every page.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


_write_ranges_table()
exclude_patterns.append("_generated")


# The C++ reference (cpp_api.rst): Doxygen reads the public headers' /// comments into XML, which
# breathe renders. The headers a user of the library calls; the internals (stance_dynamics.hpp, the
# body's kinematics, the batch lanes) are documented in their files.
PUBLIC_HEADERS = ["model.hpp", "core/error.hpp", "sim/simulate.hpp", "sim/metrics.hpp", "batch/stance_batch.hpp",
                  "gait/condition.hpp", "gait/matching.hpp", "joint_load/pfj.hpp", "muscle/params.hpp",
                  "muscle/curves.hpp", "muscle/experiments.hpp", "control/controller.hpp", "predict/predict.hpp",
                  "legsim.h", "legsim_predict.h"]


def _run_doxygen() -> Path:
    doxygen = shutil.which("doxygen")
    if doxygen is None:
        raise RuntimeError("the C++ API pages need doxygen (Debian package doxygen; `make docs` installs it)")
    include = HERE.parent / "include" / "legsim"
    out = HERE / "_generated" / "doxygen"
    out.mkdir(parents=True, exist_ok=True)
    config = "\n".join([
        "PROJECT_NAME = legsim",
        "INPUT = " + " ".join(str(include / h) for h in PUBLIC_HEADERS),
        f"OUTPUT_DIRECTORY = {out}", "XML_OUTPUT = xml", "GENERATE_XML = YES", "GENERATE_HTML = NO",
        "GENERATE_LATEX = NO", "EXTRACT_ALL = YES", "QUIET = YES", "WARN_IF_UNDOCUMENTED = NO",
        # legsim.h's export macro expands to visibility attributes, which breathe cannot parse.
        "MACRO_EXPANSION = YES", "EXPAND_ONLY_PREDEF = YES", "PREDEFINED = LEGSIM_C_API=",
        # A warning of Doxygen's (a comment it cannot parse) fails the build, as Sphinx's do.
        "WARN_AS_ERROR = FAIL_ON_WARNINGS"])
    subprocess.run([doxygen, "-"], input=config, text=True, check=True)
    return out / "xml"


breathe_projects = {"legsim": str(_run_doxygen())}
breathe_default_project = "legsim"
# legsim.h is C: its `typedef enum legsim_status {…} legsim_status;` is one name in C, two
# declarations of one name in the C++ domain.
breathe_domain_by_extension = {"h": "c"}
