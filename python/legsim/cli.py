"""The ``legsim`` command line: ``legsim run`` (the main job of ``make run``), ``legsim simulate``
(``legsim predict``), ``legsim sweep`` and ``legsim animate`` (a predicted stride as GIF or MP4), by gait prediction unless ``--method matching``. Model parameters can be changed with ``--set PATH=VALUE`` and swept with
``--param PATH=VALUES`` (paths as in ``Model.with_params``).

Here: the parser and ``main`` (the console script). Each command is a private module of its own
(``_cli_run``, ``_cli_simulate``, ``_cli_sweep``, ``_cli_animate``), reading its inputs with ``_cli_inputs`` and printing
a condition's metrics and plausibility with ``_cli_print``."""
from __future__ import annotations

import argparse
import math
import sys

from . import __version__
from ._cli_animate import cmd_animate
from ._cli_run import cmd_run
from ._cli_simulate import cmd_simulate
from ._cli_sweep import MAX_GRID_POINTS, cmd_sweep
from .errors import Error

#: The help of --calf-fatigue-split (simulate, predict) and the start of sweep's.
_SPLIT_HELP = ("how calf fatigue divides among the calf muscles (1 = loses the full fraction): fiber_type "
               "(default; by fast-twitch fraction), equal, or weights in [0, 1] per calf muscle, e.g. "
               "gastrocnemius=1,soleus=0.5")


def _number(unit: str):
    """An argparse type: a finite number, else an error naming what is allowed (with its unit)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r}: expected a number ({unit})")
        return value
    return parse


def _threads(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of threads >= 1")
    return n


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line ('legsim sweep: error: argument --x: ...'), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _model_options(p) -> None:
    p.add_argument("--model", metavar="FILE", help="model file (TOML, SI units); default: the built-in runner")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="change a model parameter, in the SI unit of its model-file key, e.g. "
                        "contact.stiffness=4.9e5 (N/m^exponent) (repeatable)")
    p.add_argument("--volume-weights", dest="volume_weights", action="store_true",
                   help="weight each muscle's effort by its volume (F_max·l_opt, mean weight 1) instead of the "
                        "plain sum of activation cubed")
    p.add_argument("--foot-velocity", dest="foot_velocity", metavar="VX,VY",
                   help="gait matching: state the landing foot point's touchdown velocity (m/s, forward and up) instead of "
                        "the default swing-leg joint rates, e.g. 1.0,-0.9")
    p.add_argument("--periodic-trunk-lean", dest="periodic_trunk_lean", action="store_true",
                   help="gait matching: also match the trunk lean (rad) at toe-off to that at touchdown, a fifth periodicity "
                        "condition beyond the four on the centre of mass (docs/gait_matching.md)")
    p.add_argument("--threads", type=_threads, metavar="N",
                   help="gait matching: worker threads of each matching (a count, >= 1; default: every hardware thread)")


def _method_option(p, choose: bool = True) -> None:
    """--method (unless the command is one method's) and the gait prediction's --mesh-intervals."""
    if choose:
        p.add_argument("--method", choices=("predict", "matching"), default="predict",
                       help="gait prediction by direct collocation (default; seconds to minutes per condition, "
                            "docs/gait_prediction.md) or the stance-only gait matching (milliseconds to seconds, "
                            "docs/gait_matching.md)")
    p.add_argument("--mesh-intervals", dest="mesh_intervals", type=int, metavar="N",
                   help="gait prediction: collocation intervals over the step (default 150, graded over the impact; mesh-converged)")


def _condition_options(p) -> None:
    """One gait condition (simulate, predict)."""
    p.add_argument("--speed", type=_number("m/s"), default=3.5, help="running speed, m/s (default 3.5)")
    p.add_argument("--cadence", type=_number("steps/min"), default=170.0,
                   help="cadence, steps/min (default 170); give two of speed, cadence, step and stride length")
    p.add_argument("--step-length", dest="step_length", type=_number("m"), help="step length, m")
    p.add_argument("--stride-length", dest="stride_length", type=_number("m"), help="stride length (two steps), m")
    p.add_argument("--calf-fatigue", dest="calf_fatigue", type=_number("fraction of calf force lost, 0 to 0.9"),
                   default=0.0, help="fraction of calf force lost, 0 to 0.9 (default 0)")
    p.add_argument("--calf-fatigue-split", dest="calf_fatigue_split", default="fiber_type", metavar="SPLIT",
                   help=_SPLIT_HELP)
    p.add_argument("--foot-strike", dest="foot_strike",
                   help="rearfoot (default), midfoot, forefoot, or a touchdown ankle dorsiflexion angle in degrees")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="legsim", description="Muscle-driven running-leg simulation")
    parser.add_argument("--version", action="version", version=f"legsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="main job: muscle demo, one stance, the default sweep, plots")
    p.add_argument("--model", metavar="FILE", help="model file (TOML, SI units); default: the built-in runner")
    p.add_argument("--out", default="out", metavar="FOLDER", help="output folder (default: out)")
    p.add_argument("--method", choices=("predict", "matching"), default="predict",
                   help="the default sweep by gait prediction (default: 3 cadences, a few minutes) or by gait "
                        "matching (15 conditions, cadence and calf fatigue)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("simulate", help="the gait at one condition (predicted; --method matching: matched) and its "
                                        "metrics")
    _condition_options(p)
    _method_option(p)
    _model_options(p)
    p.add_argument("--out", metavar="FILE", help="CSV file for the time series (SI units, one column per quantity; "
                                                 "a prediction: the whole step, both legs)")
    p.set_defaults(func=cmd_simulate)
    p = sub.add_parser("predict", help="the same as simulate --method predict")
    _condition_options(p)
    _method_option(p, choose=False)
    _model_options(p)
    p.add_argument("--out", metavar="FILE", help="CSV file for the time series of the step (both legs)")
    p.set_defaults(func=cmd_simulate, method="predict")
    p = sub.add_parser("sweep", help="sweep conditions (values as 'a,b,c' or 'lo:hi:step'); resumable")
    p.add_argument("--speed", default="3.5", metavar="VALUES", help="running speeds, m/s (default 3.5)")
    p.add_argument("--cadence", default="150:190:10", metavar="VALUES",
                   help="cadences, steps/min (default 150:190:10)")
    p.add_argument("--step-length", dest="step_length", metavar="VALUES", help="step lengths, m")
    p.add_argument("--stride-length", dest="stride_length", metavar="VALUES", help="stride lengths (two steps), m")
    p.add_argument("--calf-fatigue", dest="calf_fatigue", default="0,0.2,0.4", metavar="VALUES",
                   help="fractions of calf force lost, 0 to 0.9 (default 0,0.2,0.4)")
    p.add_argument("--calf-fatigue-split", dest="calf_fatigue_split", metavar="SPLITS",
                   help=_SPLIT_HELP + "; several separated by ';' sweep them (default fiber_type)")
    p.add_argument("--foot-strike", dest="foot_strike",
                   help="e.g. 'rearfoot,forefoot' or touchdown ankle dorsiflexion angles in degrees")
    p.add_argument("--param", action="append", metavar="PATH=VALUES",
                   help="sweep a model parameter in the SI unit of its model-file key, e.g. "
                        "muscles.soleus.tendon_slack_length=0.24,0.26 (m) (repeatable)")
    _method_option(p)
    p.add_argument("--also-cold", dest="also_cold", action="store_true",
                   help="gait prediction: also solve every warm-started point from the generic guess and keep the "
                        "lower objective (about twice the time)")
    _model_options(p)
    p.add_argument("--out", default="out/sweep.nc", metavar="FILE",
                   help="netCDF results, metrics in the units their names end in (journaled as they finish; "
                        "rerun resumes; default out/sweep.nc)")
    p.add_argument("--no-backward-pass", dest="no_backward_pass", action="store_true",
                   help="gait matching: skip the backward pass (re-matching each point from its successor; about "
                        "halves the time)")
    p.add_argument("--plot", default="out/sweep_pfj_stress.png", metavar="FILE",
                   help="PNG of peak PFJ stress (MPa) along the first swept axis (default out/sweep_pfj_stress.png)")
    p.add_argument("--allow-large-grid", dest="allow_large_grid", action="store_true",
                   help=f"run grids of more than {MAX_GRID_POINTS} points (a point takes seconds)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the points on a Dask cluster (pip install 'legsim[dask]'): a scheduler address, "
                        "e.g. tcp://host:8786, or local:N for N worker processes on this machine")
    p.set_defaults(func=cmd_sweep)
    p = sub.add_parser("animate", help="predict one condition and animate its stride: stick figure, muscles "
                                       "coloured by activation, GRF, PFJ force (GIF; MP4 with ffmpeg)")
    _condition_options(p)
    _method_option(p, choose=False)
    _model_options(p)
    p.add_argument("--out", default="out/predicted_stride.gif", metavar="FILE",
                   help="animation file, .gif (Pillow) or .mp4 (needs ffmpeg on PATH or pip install imageio-ffmpeg) "
                        "(default out/predicted_stride.gif)")
    p.add_argument("--stance-plot", dest="stance_plot", metavar="FILE",
                   help="also a PNG of the step's time series (GRF, joint angles and moments, muscle forces, PFJ "
                        "force and stress; stance phases shaded)")
    p.add_argument("--fps", type=int, default=25, help="frames per second; the stride plays 4 times slower than "
                                                       "real time (default 25)")
    p.add_argument("--dpi", type=int, default=100, help="resolution, dots per inch of a 10 × 4.6 inch frame (default 100)")
    p.set_defaults(func=cmd_animate, method="predict")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Error as exc:
        print(f"legsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
