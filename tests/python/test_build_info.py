"""legsim.build_info(): the batch engine's SIMD target in use is a real, compiled target this CPU
runs, the widest one unless LEGSIM_SIMD names another (issue 22.2)."""
import json
import os
import platform
import subprocess
import sys

import pytest

import legsim


def _cpu_flags() -> set:
    """The CPU's feature flags from /proc/cpuinfo (Linux), or an empty set."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


# What each extra target's flags need (cmake/LegsimSimdTargets.cmake).
_NEEDS = {"sse2": {"sse2"}, "avx2": {"avx2", "fma"},
          "avx512": {"avx2", "fma", "avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl"}}


def _with_env(**env) -> subprocess.CompletedProcess:
    code = "import json, legsim; print(json.dumps(legsim.build_info()))"
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)


def test_build_info_reports_the_widest_compiled_target_this_cpu_runs(monkeypatch):
    info = legsim.build_info()
    targets = {t["name"]: t for t in info["simd_targets"]}
    assert info["simd_target"] in targets
    used = targets[info["simd_target"]]
    assert used["supported"]
    assert (info["instruction_set"], info["simd_lanes"]) == (used["instruction_set"], used["lanes"])
    if "LEGSIM_SIMD" not in os.environ:
        assert info["simd_lanes"] == max(t["lanes"] for t in targets.values() if t["supported"])
    # A copy: changing it does not change what legsim reports.
    info["simd_targets"].clear()
    assert legsim.build_info()["simd_targets"]


@pytest.mark.skipif(not _cpu_flags(), reason="needs /proc/cpuinfo")
def test_supported_targets_match_the_cpu_flags():
    flags = _cpu_flags()
    for t in legsim.build_info()["simd_targets"][1:]:  # the first is the library's own: always runs
        if t["name"] in _NEEDS:
            assert t["supported"] == _NEEDS[t["name"]].issubset(flags), t
            assert t["lanes"] == {"sse2": 2, "avx2": 4, "avx512": 8}[t["name"]]


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="the extra targets are x86-64's")
def test_legsim_simd_forces_a_narrower_target_and_rejects_unknown_ones():
    names = [t["name"] for t in legsim.build_info()["simd_targets"] if t["supported"]]
    forced = "sse2" if "sse2" in names else names[0]
    r = _with_env(LEGSIM_SIMD=forced)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["simd_target"] == forced
    assert info["simd_lanes"] == {t["name"]: t["lanes"] for t in info["simd_targets"]}[forced]
    bad = _with_env(LEGSIM_SIMD="altivec")
    assert bad.returncode != 0
    assert "LEGSIM_SIMD (environment variable) = 'altivec': not a SIMD target of this build" in bad.stderr
