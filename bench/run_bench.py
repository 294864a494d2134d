#!/usr/bin/env python3
"""Run legsim's Google Benchmark suite and report the ratios of issue 5.

Runs bench_muscle, bench_body, bench_flops, bench_stance and bench_predict (when built) from <build>/bench with JSON output
(--benchmark_out, format json; the console output is passed through), prints a table of the
figures and ratios, optionally rewrites the table in bench/README.md (--update-readme), and ends
with one line ``BENCH-SUMMARY {json}`` holding:

  muscle_kernel_batch_over_scalar  compliant df_T/dt, N = 4096 muscles, batch / scalar items/s
  rhs_batch_over_scalar            full stance RHS, lane evaluations/s of one batch / scalar
  stance_scalar_ms                 one default stance (the model's touchdown and controller, default
                                   options) in the scalar path, wall ms (issue 22.5: ≤ 0.6 on the
                                   issue's AVX-512 machine, i.e. ≥ 4.2× less time than the issue's
                                   base 04dfb95 timed in the same run: docs/decisions.md)
  rhs_per_stance                   derivative evaluations of that stance (the integrator's count; the
                                   output samples and the toe-off search evaluate the derivative too)
  stance_scalar_dopri5_ms, rhs_per_stance_dopri5   the same with Dormand–Prince throughout (the
                                   batch engine's method), when the build has that variant
  stance_batch_over_scalar         batch engine (1 thread) / scalar path, stances/s, on the same 512 jobs;
                                   informative, not a target: the scalar path runs its muscles in SIMD
                                   lanes itself (docs/decisions.md, "Issue 22.5's speed targets")
                                   (the jobs differ in cost: the first 64 take 3,137 derivative evaluations
                                   per stance on the scalar path, the first 512 4,178, all 4,096 4,911)
  stance_batch4096_over_scalar64   the ratio as defined before 2026-12-06: batch (1 thread, N = 4096) /
                                   scalar (N = 64), two different job mixes
  stance_two_threads_over_one      batch engine N = 4096, 2 threads / 1 thread (wall clock)
  stances_per_second               batch engine N = 4096, 2 threads (wall clock)
  gait_matching_seconds_per_condition  mean wall time of a cold-start match_gait, all cores, 170 and 180 spm
  gait_matching_seconds_one_core   the same at 170 spm with one worker thread (issue 4: target < 2 s)
  predict_cold_seconds             gait prediction by collocation (bench_predict), default condition, one
                                   core, from the generic guess (issue 19 goal: ≤ 60 s)
  predict_warm_seconds             the same warm-started from the 175 steps/min solution, on the Predictor
                                   that solved it (the problem already built, as in a sweep; goal: ≤ 5 s)
  predict_cold_iterations, predict_warm_iterations   IPOPT iterations of the two solves
  sweep_seconds_per_condition      wall time per condition of a predicted sweep (legsim.sweep, 3.5 m/s,
                                   170/160/180 steps/min: one cold point, two warm-started from it); the
                                   points run one after another, each solve on one core
  fraction_of_peak_flops           weighted flops per RHS (bench_flops) × RHS evaluations per stance
                                   × stances/s (2 threads) ÷ the peak (see --peak-gflops)

All ratios come from this one run. Wall-clock figures are sensitive to other load on the machine;
the load average is printed with the table.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Peak double-precision rate assumed for fraction_of_peak_flops: 2 cores × 2 FMA pipes × 8 doubles
# (AVX-512) × 2 flops per FMA × 2.6 GHz (the TSC rate; boost clocks would make the fraction lower).
DEFAULT_PEAK_GFLOPS = 2 * 2 * 8 * 2 * 2.6


def run(binary: Path, extra: list[str]) -> list[dict]:
    """Runs one benchmark binary; returns its JSON benchmark entries."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    cmd = [str(binary), f"--benchmark_out={out}", "--benchmark_out_format=json", *extra]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    data = json.loads(out.read_text())
    out.unlink()
    return data["benchmarks"]


def index(entries: list[dict]) -> dict[str, dict]:
    return {e["name"]: e for e in entries if e.get("run_type", "iteration") == "iteration"}


def ips(entries: dict[str, dict], name: str) -> float:
    e = entries.get(name)
    if e is None:
        raise KeyError(f"benchmark {name!r} missing from the run (have: {sorted(entries)[:8]}…)")
    return float(e["items_per_second"])


def seconds(e: dict) -> float:
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[e.get("time_unit", "ns")]
    return float(e["real_time"]) * scale


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="CMake build directory (benchmarks in <build>/bench)")
    ap.add_argument("--min-time", default="0.2", help="--benchmark_min_time for the short benchmarks (s)")
    ap.add_argument("--peak-gflops", type=float, default=DEFAULT_PEAK_GFLOPS,
                    help="machine peak in GFLOP/s for fraction_of_peak_flops (default: %(default).1f)")
    ap.add_argument("--update-readme", action="store_true", help="rewrite the table in bench/README.md")
    ap.add_argument("--only", choices=["stance"], help="run only the stance benchmarks (bench_stance, no gait "
                    "matching) and report the stance keys")
    args = ap.parse_args()

    bench = Path(args.build) / "bench"
    mt = [f"--benchmark_min_time={args.min_time}"]
    if args.only == "stance":
        stance = index(run(bench / "bench_stance", [*mt, "--benchmark_filter=Rhs|Stance(Scalar|Batch/)"]))
        r = stance_keys(stance)
        print("BENCH-SUMMARY " + json.dumps({k: round(v, 6) for k, v in r.items()}), flush=True)
        return 0
    muscle = index(run(bench / "bench_muscle", [*mt, "--benchmark_filter=/n:4096/"]))
    flops = index(run(bench / "bench_flops", []))
    stance = index(run(bench / "bench_stance", [*mt, "--benchmark_filter=Rhs|Stance"]))
    gait = index(run(bench / "bench_stance", ["--benchmark_filter=GaitMatching"]))

    r = stance_keys(stance)
    r["muscle_kernel_batch_over_scalar"] = ips(muscle, "BM_MuscleKernelBatch/n:4096/damping:0") / ips(
        muscle, "BM_MuscleKernelScalar/n:4096/damping:0")
    scalar_sps = ips(stance, "BM_StanceScalar/n:512/real_time")
    two = ips(stance, "BM_StanceBatch/n:4096/threads:2/real_time")
    all_cores = [seconds(e) for name, e in gait.items() if "threads:0" in name]
    one_core = [seconds(e) for name, e in gait.items() if "threads:1" in name]
    r["gait_matching_seconds_per_condition"] = sum(all_cores) / len(all_cores) if all_cores else float("nan")
    r["gait_matching_seconds_one_core"] = one_core[0] if one_core else float("nan")
    predict_bin = bench / "bench_predict"
    predict = index(run(predict_bin, [])) if predict_bin.exists() else {}
    for key, name in (("predict_cold_seconds", "BM_PredictCold"), ("predict_warm_seconds", "BM_PredictWarm")):
        e = next((e for n, e in predict.items() if n.startswith(name)), None)
        r[key] = seconds(e) if e else float("nan")
        if e:
            r[key.replace("seconds", "iterations")] = float(e.get("iterations", float("nan")))
    psweep_s, psweep_n = predicted_sweep_timing()
    r["sweep_seconds_per_condition"] = psweep_s / psweep_n if psweep_n else float("nan")
    fc = flops["BM_RhsFlopCount/iterations:1000"]
    rhs_per_stance = float(stance["BM_StanceBatch/n:4096/threads:2/real_time"]["rhs_per_stance"])
    achieved = float(fc["weighted_flops_per_rhs"]) * rhs_per_stance * two
    r["fraction_of_peak_flops"] = achieved / (args.peak_gflops * 1e9)

    rows = [
        ("muscle kernel evaluations/s (N = 4096)", ips(muscle, "BM_MuscleKernelScalar/n:4096/damping:0"),
         ips(muscle, "BM_MuscleKernelBatch/n:4096/damping:0")),
        ("stance RHS evaluations/s (lane evaluations)", ips(stance, "BM_RhsScalar"), ips(stance, "BM_RhsBatch")),
    ]
    for n in (1, 8, 64, 512, 4096):
        for t in (1, 2):
            name = f"BM_StanceBatch/n:{n}/threads:{t}/real_time"
            if name in stance:
                rows.append((f"stances/s, N = {n}, {t} thread{'s' if t > 1 else ''}", scalar_sps, ips(stance, name)))
    for name, e in sorted(stance.items()):
        if name.startswith("BM_StanceBatchFixedStep"):
            rows.append((f"fixed-step lockstep {e['step_us']:.0f} µs, N = 64, 1 thread (max rel. err "
                         f"{e['max_rel_error']:.1e}, {e['failed']:.0f} failed)", scalar_sps, float(e["items_per_second"])))

    lines = ["| figure | scalar | batch | batch / scalar |", "|---|---:|---:|---:|"]
    for label, s, b in rows:
        lines.append(f"| {label} | {s:,.0f} | {b:,.0f} | {b / s:.2f} |")
    lines.append("")
    for name, e in sorted(gait.items()):
        lines.append(f"- gait matching, {'/'.join(name.split('/')[1:3])}: {seconds(e):.1f} s "
                     f"(converged: {bool(e.get('converged', 0))}, {e.get('stance_evaluations', 0):.0f} stances)")
    sweep_s, sweep_n, sweep_conv = default_sweep_timing()
    if sweep_n:
        lines.append(f"- default gait-matching sweep (3.5 m/s, cadence 150–190 by 10, calf fatigue 0/0.2/0.4): {sweep_n} conditions in "
                     f"{sweep_s:.1f} s = {sweep_n / sweep_s:.2f} conditions/s ({sweep_conv} converged; Python legsim.sweep)")
    if psweep_n:
        lines.append(f"- predicted sweep (3.5 m/s, 170/160/180 steps/min, legsim.sweep): {psweep_n} conditions in "
                     f"{psweep_s:.0f} s = {psweep_s / psweep_n:.0f} s per condition")
    lines.append(f"- flops per RHS: {fc['flops_per_rhs']:.0f} arithmetic + {fc['calls_per_rhs']:.0f} function calls "
                 f"= {fc['weighted_flops_per_rhs']:.0f} weighted; {rhs_per_stance:.0f} RHS evaluations per stance; "
                 f"{achieved / 1e9:.1f} GFLOP/s achieved of {args.peak_gflops:.0f} peak")
    lines.append(f"- load average during the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores)")
    table = "\n".join(lines)
    print()
    print(table)

    if args.update_readme:
        readme = HERE / "README.md"
        text = readme.read_text()
        new = re.sub(r"(<!-- BENCH-TABLE-START -->\n).*?(<!-- BENCH-TABLE-END -->)",
                     lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
        readme.write_text(new)
        print(f"updated {readme}")

    print("BENCH-SUMMARY " + json.dumps({k: round(v, 6) for k, v in r.items()}), flush=True)
    return 0


def stance_keys(stance: dict[str, dict]) -> dict[str, float]:
    """The stance figures of the summary (see the module docstring) from bench_stance's entries."""
    r = {}
    r["rhs_batch_over_scalar"] = ips(stance, "BM_RhsBatch") / ips(stance, "BM_RhsScalar")
    for suffix, arg in (("", 0), ("_dopri5", 1)):
        e = stance.get(f"BM_StanceScalarDefault/integrator:{arg}/real_time")
        if e:
            r[f"stance_scalar{suffix}_ms"] = seconds(e) * 1e3
            r[f"rhs_per_stance{suffix}"] = float(e["rhs_per_stance"])
    scalar_sps = ips(stance, "BM_StanceScalar/n:512/real_time")
    one = ips(stance, "BM_StanceBatch/n:4096/threads:1/real_time")
    two = ips(stance, "BM_StanceBatch/n:4096/threads:2/real_time")
    r["stance_batch_over_scalar"] = ips(stance, "BM_StanceBatch/n:512/threads:1/real_time") / scalar_sps
    r["stance_batch4096_over_scalar64"] = one / ips(stance, "BM_StanceScalar/n:64/real_time")
    r["stance_two_threads_over_one"] = two / one
    r["stances_per_second"] = two
    return r


def default_sweep_timing():
    """Wall time of the default gait-matching sweep through the Python front (legsim.sweep), if importable."""
    import time
    try:
        import legsim
    except ImportError:
        return 0.0, 0, 0
    t0 = time.perf_counter()
    ds = legsim.sweep(legsim.Model.default(), speed=3.5, cadence=[150, 160, 170, 180, 190],
                      calf_fatigue=[0.0, 0.2, 0.4], method="matching")
    return time.perf_counter() - t0, int(ds.converged.size), int(ds.converged.sum())


def predicted_sweep_timing():
    """Wall time of the predicted sweep of `legsim run`'s cadences (legsim.sweep, method "predict"),
    if this build has the gait prediction."""
    import time
    try:
        import legsim
        from legsim.predict import available
    except ImportError:
        return 0.0, 0
    if not available():
        return 0.0, 0
    t0 = time.perf_counter()
    ds = legsim.sweep(legsim.Model.default(), speed=3.5, cadence=[170, 160, 180])
    return time.perf_counter() - t0, int(ds.converged.size)


if __name__ == "__main__":
    sys.exit(main())
