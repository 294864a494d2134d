"""Issue 18, item 5: a result reported as ok has finite metrics and a real stance.

Property: mutate the numbers of the default model file (models/runner.toml's text) by random factors,
extreme ones included. Either loading fails with a ModelFileError that names the mutated key, or the
model loads and a stance simulated on it is either a failure with a reason or an ok result with every
metric finite (bar the impact-peak landmarks, NaN by definition without an impact peak) and a contact
of at least 0.05 s.
"""
import math
import re

import numpy as np
import pytest

import legsim

TEXT = legsim.Model.default().to_toml()
# Every numeric value of the file: "key = number" (comments and strings are not touched).
NUMBER = re.compile(r"^(\w+) = (-?[0-9][0-9.eE+\-]*)", re.MULTILINE)
SITES = [(m.start(2), m.end(2), m.group(1)) for m in NUMBER.finditer(TEXT)]
FACTORS = [0.0, -1.0, 1e-300, 1e-20, 1e-6, 1e-3, 0.1, 0.5, 0.9, 1.1, 2.0, 10.0, 1e3, 1e6, 1e20, 1e300]
# Metrics that are NaN by definition when the stance has no impact peak (legsim/sim/metrics.hpp).
MAY_BE_NAN = {"impact_peak_vertical_grf_bw", "vertical_average_loading_rate_bw_per_s",
              "vertical_instantaneous_loading_rate_bw_per_s"}


def mutate(text, edits):
    """Applies (site index, factor) edits, from the end of the text so offsets stay valid."""
    out = text
    for i, factor in sorted(edits, key=lambda e: -SITES[e[0]][0]):
        start, end, _ = SITES[i]
        value = float(text[start:end]) * factor
        out = out[:start] + repr(value if math.isfinite(value) else 1e308) + out[end:]
    return out


def random_edits(rng):
    """1-3 distinct numbers, each times a factor: half the time an extreme one, else log-uniform."""
    sites = rng.choice(len(SITES), size=rng.integers(1, 4), replace=False)
    return [(int(i), float(rng.choice(FACTORS)) if rng.random() < 0.5 else float(10 ** rng.uniform(-2, 2)))
            for i in sites]


def check_stance(model):
    r = legsim.simulate_stance(model, record=False)
    if r.status != "ok":
        assert not r.converged and r.message and r.metrics == {}
        return r.status
    bad = {k: v for k, v in r.metrics.items() if k not in MAY_BE_NAN and not math.isfinite(v)}
    assert not bad, f"status ok with non-finite metrics {bad}"
    assert r.metrics["contact_time_s"] >= 0.05
    return "ok"


def test_mutated_model_files_load_with_a_named_error_or_give_finite_results():
    # A seeded loop (no hypothesis in the dev requirements): 2000 mutated files, a stance for one
    # loaded model in four (about 250 stances, ~10 s).
    rng = np.random.default_rng(18_5)
    outcomes = {"rejected": 0}
    for n in range(2000):
        edits = random_edits(rng)
        try:
            model = legsim.Model.from_toml(mutate(TEXT, edits), "mutated.toml")
        except legsim.ModelFileError as e:
            msg = str(e)
            assert msg.startswith("mutated.toml: ")
            # It names a mutated key (or the key a relative bound belongs to: min_step <= initial_step,
            # a muscle's offset > onset).
            keys = {SITES[i][2] for i, _ in edits}
            assert any(k in msg for k in keys) or "min_step" in msg or "offset" in msg, (edits, msg)
            outcomes["rejected"] += 1
            continue
        if n % 4 == 0:
            status = check_stance(model)
            outcomes[status] = outcomes.get(status, 0) + 1
    # The loop exercised all three outcomes: rejected files, ok stances and failed stances.
    assert outcomes["rejected"] > 500 and outcomes.get("ok", 0) > 20, outcomes


@pytest.mark.parametrize("path, value, allowed", [
    ("contact.stiffness", 1e20, "allowed [10000, 1e+08] N/m^exponent"),
    ("muscles.soleus.max_isometric_force", 1e12, "allowed [1, 1e+05] N"),
    ("muscles.soleus.optimal_fiber_length", 1e308, "allowed [0.01, 0.5] m"),
    ("muscles.soleus.joints.0.angle_ref_deg", 341.1, "allowed [30, 150] deg"),
])
def test_absurd_values_of_the_issue_are_rejected_naming_key_value_and_range(model, path, value, allowed):
    with pytest.raises(legsim.ModelFileError) as exc:
        model.with_params({path: value})
    msg = str(exc.value)
    assert path in msg and allowed in msg and "out of range" in msg
