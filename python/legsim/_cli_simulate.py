"""``legsim simulate`` and ``legsim predict``: the gait at one condition given on the command line."""
from __future__ import annotations

from pathlib import Path

from ._cli_inputs import _check_writable, _load_model, _method_options, _parse_splits, _parse_strikes
from ._cli_print import _print_metrics, _print_plausibility_table
from .errors import InputError


def _condition(args, command: str):
    """The one gait condition of _condition_options' arguments; `command` names the subcommand in errors."""
    from . import Condition
    split = _parse_splits(args.calf_fatigue_split, "--calf-fatigue-split")
    if len(split) != 1:
        raise InputError(f"--calf-fatigue-split {args.calf_fatigue_split!r}: {command} takes one split")
    kw = {k: getattr(args, k) for k in ("speed", "cadence", "step_length", "stride_length") if getattr(args, k) is not None}
    strikes = _parse_strikes(args.foot_strike)
    if strikes is not None:
        if len(strikes) != 1:
            raise InputError(f"--foot-strike {args.foot_strike!r}: {command} takes one foot strike")
        kw["foot_strike"] = strikes[0]
    return Condition(calf_fatigue=args.calf_fatigue, calf_fatigue_split=split[0], **kw)


def cmd_simulate(args) -> int:
    """The gait at one condition (gait prediction by default, --method matching for gait matching):
    the solver's report, for a prediction the plausibility table (published ranges), and the metrics."""
    from . import simulate
    condition = _condition(args, args.command)
    options = _method_options(args, args.command)
    if args.out:
        _check_writable("--out", Path(args.out))
    model = _load_model(args.model, args.set, args.volume_weights and args.method == "matching")
    res = simulate(model, condition, method=args.method, **options)
    sv = res.solver
    if args.method == "matching":
        print(res.message)
        for k, v in res.residuals.items():
            print(f"  residual {k}: {v:.5f}")
    else:
        print(f"{sv['method']}: {sv['status']} after {sv['iterations']} iterations, {sv['seconds']:.1f} s; "
              f"objective {sv['objective']:.5f} (effort {sv['objective_effort']:.5f})")
        print("  variables resting on a bound: " + (", ".join(sv["variables_on_bounds"]) or "none"))
        if not res.converged:
            print(f"  {res.message}")
    if not res.converged:
        return 1
    if args.method == "predict":
        print("Plausibility against published ranges (docs/published_ranges.md):")
        _print_plausibility_table(res.metrics)
    _print_metrics(res.metrics)
    if args.out:
        res.timeseries.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0
