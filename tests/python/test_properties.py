"""Property-based tests of the Python API (issue 20, item 10; hypothesis).

Random conditions and parameter overrides, valid and not, give either a result whose metrics are
finite or a ``legsim.Error`` with a message: never another exception type, NaN in a result reported
as ok, or a hang (every example has a deadline). Gait prediction is left out (seconds to minutes per
call); its inputs pass through the same ``Condition`` and ``with_params`` validated here.
"""
import math
import tomllib

from hypothesis import HealthCheck, given, settings, strategies as st

import legsim

MODEL = legsim.Model.default()
# Metrics that are NaN by definition when the stance has no impact peak (legsim/sim/metrics.hpp).
MAY_BE_NAN = {"impact_peak_vertical_grf_bw", "vertical_average_loading_rate_bw_per_s",
              "vertical_instantaneous_loading_rate_bw_per_s"}


def _numeric_paths(table, prefix=""):
    """Dotted paths of the numeric leaves of the model file's tables (the paths with_params takes)."""
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _numeric_paths(value, path + ".")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield path


def _accepted(path):
    try:
        MODEL.param(path)
        return True
    except legsim.Error:
        return False


PARAM_PATHS = sorted(p for p in _numeric_paths(tomllib.loads(MODEL.to_toml())) if _accepted(p))

#: Any double, the awkward ones weighted in.
ANY_FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                      st.sampled_from([0.0, -0.0, -1.0, 1e-300, 1e300, math.nan, math.inf, -math.inf]))


def _finite_or_refused(call):
    """Runs ``call``; a legsim.Error must carry a message. Returns the result or None if refused."""
    try:
        return call()
    except legsim.Error as e:
        assert str(e), f"{type(e).__name__} without a message"
        return None


def test_the_model_file_has_parameters_to_draw_from():
    assert len(PARAM_PATHS) > 100 and "body.mass" in PARAM_PATHS, PARAM_PATHS[:10]


@settings(max_examples=300, deadline=2000)
@given(speed=ANY_FLOAT, cadence=ANY_FLOAT, fatigue=ANY_FLOAT,
       strike=st.one_of(st.sampled_from(["rearfoot", "midfoot", "forefoot", "heel"]), ANY_FLOAT))
def test_a_condition_is_resolved_to_finite_values_or_refused_with_a_message(speed, cadence, fatigue, strike):
    c = _finite_or_refused(lambda: legsim.Condition(speed=speed, cadence=cadence, calf_fatigue=fatigue,
                                                    foot_strike=strike))
    if c is None:
        return
    resolved = c.resolved
    for key in ("speed", "cadence", "step_length", "step_time"):
        if key in resolved:
            assert math.isfinite(resolved[key]) and resolved[key] > 0, (key, resolved)


@settings(max_examples=60, deadline=20000, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PARAM_PATHS), factor=st.one_of(
    st.sampled_from([0.0, -1.0, 1e-6, 0.5, 0.9, 1.1, 2.0, 1e6, math.nan, math.inf]),
    st.floats(min_value=0.2, max_value=5.0)))
def test_a_parameter_override_gives_a_model_whose_stance_is_finite_or_fails_with_a_reason(path, factor):
    value = MODEL.param(path) * factor if math.isfinite(factor) else factor
    model = _finite_or_refused(lambda: MODEL.with_params({path: value}))
    if model is None:
        return
    r = legsim.simulate_stance(model, record=False)
    if r.status != "ok":
        assert not r.converged and r.message and r.metrics == {}, (path, value, r.status)
        return
    bad = {k: v for k, v in r.metrics.items() if k not in MAY_BE_NAN and not math.isfinite(v)}
    assert not bad, (path, value, bad)


@settings(max_examples=12, deadline=60000, suppress_health_check=[HealthCheck.too_slow])
@given(speed=st.floats(min_value=2.5, max_value=5.0), cadence=st.floats(min_value=150.0, max_value=200.0),
       fatigue=st.floats(min_value=0.0, max_value=0.5),
       strike=st.sampled_from(["rearfoot", "midfoot", "forefoot"]))
def test_gait_matching_of_a_valid_condition_is_finite_or_says_why(speed, cadence, fatigue, strike):
    cond = legsim.Condition(speed=speed, cadence=cadence, calf_fatigue=fatigue, foot_strike=strike)
    r = _finite_or_refused(lambda: legsim.simulate(MODEL, cond, method="matching", max_evaluations=40,
                                                   record=False))
    if r is None:
        return
    if not r.converged:
        assert r.message, (speed, cadence, fatigue, strike)
        return
    bad = {k: v for k, v in r.metrics.items() if k not in MAY_BE_NAN and not math.isfinite(v)}
    assert not bad, (speed, cadence, fatigue, strike, bad)
