"""Optional dependencies: plotting and animation (``legsim[plot]``: matplotlib, Pillow) and Dask
sweeps (``legsim[dask]``) are extras of pyproject.toml, imported only where they are used, so
``import legsim`` stays light (issue 21.8). ``require`` imports one and, when it is missing, says
which extra installs it."""
from __future__ import annotations

import importlib

from .errors import Error

#: Top-level import name → the extra of pyproject.toml ([project.optional-dependencies]) providing it.
EXTRAS = {"matplotlib": "plot", "PIL": "plot", "dask": "dask", "distributed": "dask"}


class MissingExtraError(Error, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it. A legsim
    Error, so the CLI prints it as a message, and an ImportError, as Python code expects."""


def require(module: str, extra: str | None = None):
    """Imports and returns ``module`` (e.g. ``"matplotlib.pyplot"``); when it is not installed, raises
    MissingExtraError naming the extra, e.g. ``pip install 'legsim[plot]'``."""
    top = module.partition(".")[0]
    extra = extra or EXTRAS[top]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name is not None and exc.name.partition(".")[0] != top:
            raise  # the package is there but broken (one of its own imports failed): its own error says more
        raise MissingExtraError(f"{top} is not installed; it comes with legsim's {extra!r} extra: "
                                f"pip install 'legsim[{extra}]'") from exc
