"""Command-line text into legsim's inputs: the model with ``--set`` changes, ``PATH=VALUE``
assignments, foot strikes, calf-fatigue splits, the solver options of ``--method``'s method, and output
paths checked before any work."""
from __future__ import annotations

from pathlib import Path

from .errors import InputError


def _load_model(path, sets=None, volume_weights=False):
    """The model file (or the built-in runner) with ``--set PATH=VALUE`` changes applied, and with
    volume-weighted effort (legsim.volume_effort_weights) when asked."""
    from . import Model, volume_effort_weights
    model = Model.load(path) if path else Model.default()
    params = volume_effort_weights(model) if volume_weights else {}
    for text in sets or []:
        path_, value = _split_assignment(text, "--set", "PATH=VALUE, e.g. contact.stiffness=4.9e5")
        try:
            params[path_] = float(value)
        except ValueError:
            raise InputError(f"--set {text!r}: the value {value!r} is not a number") from None
    return model.with_params(params) if params else model


def _split_assignment(text: str, option: str, usage: str):
    """'PATH=VALUE' → (path, value); ``usage`` is the expected form with an example, for the error."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip() or not value.strip():
        raise InputError(f"{option} {text!r}: expected {usage}")
    return path.strip(), value.strip()


def _parse_strikes(text: str | None):
    """'rearfoot', 'midfoot,forefoot' or touchdown ankle angles in degrees ('-10,5')."""
    if text is None:
        return None
    out = []
    for item in text.split(","):
        item = item.strip()
        try:
            out.append(float(item))
        except ValueError:
            out.append(item)
    return out


def _parse_splits(text: str | None, option: str):
    """';'-separated calf-fatigue splits in their canonical text; InputError naming the option."""
    if text is None:
        return None
    from .gait import _split_text
    try:
        return [_split_text(item.strip()) for item in text.split(";")]
    except InputError as e:
        raise InputError(f"{option} {text!r}: {e}") from None


def _check_writable(option: str, path: Path) -> None:
    """Fails now, not after the work, when ``path`` cannot be written: creates its folder and a
    scratch file beside it."""
    import tempfile
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        raise InputError(f"{option} {str(path)!r}: cannot write there ({exc.strerror or exc}); "
                         "give a file path in a writable folder") from None


#: Options of one method only: option name → the method it belongs to.
_METHOD_ONLY = {"mesh_intervals": "predict", "also_cold": "predict", "foot_velocity": "matching",
                "periodic_trunk_lean": "matching", "threads": "matching", "no_backward_pass": "matching"}


def _method_options(args, command: str) -> dict:
    """The solver keywords of --method's method from the command line (for legsim.simulate, or the
    per-point options of legsim.sweep); an option of the other method is an InputError."""
    for name, method in _METHOD_ONLY.items():
        given = getattr(args, name, None)
        if given not in (None, False) and method != args.method:
            raise InputError(f"--{name.replace('_', '-')}: an option of --method {method}, not of "
                             f"--method {args.method} ({command})")
    if args.method == "predict":
        kw = {"volume_weighted_effort": True} if args.volume_weights else {}
        if args.mesh_intervals is not None:
            kw["mesh_intervals"] = args.mesh_intervals
        return kw
    kw = _swing_leg(args.foot_velocity)
    if args.periodic_trunk_lean:
        kw["periodic_trunk_lean"] = True
    if args.threads is not None:
        kw["threads"] = args.threads
    return kw


def _swing_leg(text):
    """--foot-velocity 'VX,VY' → the simulate/sweep keyword for the stated touchdown foot velocity."""
    if text is None:
        return {}
    try:
        v = [float(x) for x in text.split(",")]
    except ValueError:
        v = []
    if len(v) != 2:
        raise InputError(f"--foot-velocity {text!r}: expected VX,VY (m/s, forward and up), e.g. 1.0,-0.9")
    return {"touchdown_foot_velocity": tuple(v)}
