"""``legsim animate``: predicts the gait at one condition and writes the animation of its stride
(GIF, or MP4 when ffmpeg is on PATH) and, with --stance-plot, the figure of the step's time series."""
from __future__ import annotations

from pathlib import Path

from ._cli_inputs import _check_writable, _load_model, _method_options
from ._cli_simulate import _condition


def cmd_animate(args) -> int:
    from ._animate import animate, check_path
    from .predict import predict
    # Every option is checked before the prediction's half minute.
    condition = _condition(args, "animate")
    options = _method_options(args, "animate")
    out = check_path(args.out)
    _check_writable("--out", out)
    stance_plot = Path(args.stance_plot) if args.stance_plot else None
    if stance_plot is not None:
        _check_writable("--stance-plot", stance_plot)
    model = _load_model(args.model, args.set, False)
    print(f"predicting {condition} ...", flush=True)
    res = predict(model, condition, **options)
    sv = res.solver
    print(f"  {sv['status']} after {sv['iterations']} iterations, {sv['seconds']:.1f} s")
    if not res.converged:
        print(f"  {res.message}")
        return 1
    if stance_plot is not None:
        from ._extras import require

        require("matplotlib", "plot").use("Agg")  # files only: no display needed
        from . import plot
        plot.stance(res, model=model).savefig(stance_plot, dpi=110)
        print(f"wrote {stance_plot}")
    animate(res, out, model=model, fps=args.fps, dpi=args.dpi)
    print(f"wrote {out}")
    return 0
