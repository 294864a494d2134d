"""legsim.MuscleTendon: equilibrium, derivative consistency, experiments, calf raise, pickling, errors."""
import pickle

import numpy as np
import pytest

import legsim

SOLEUS = dict(max_isometric_force=6194.8, optimal_fiber_length=0.04, tendon_slack_length=0.26,
              pennation_angle_at_optimal=0.382, max_contraction_velocity=6.0)


def test_equilibrium_residual_and_zero_derivative():
    mt = legsim.MuscleTendon(name="soleus", **SOLEUS)
    for l in np.linspace(0.27, 0.32, 11):
        for a in (0.01, 0.3, 1.0):
            eq = mt.equilibrium(l, 0.0, a)
            assert abs(eq["residual"]) < 1e-9
            # At equilibrium with v_MT = 0 the tendon-force state does not change.
            d = mt.state_derivative(l, 0.0, a, eq["norm_tendon_force"])["norm_tendon_force"]
            assert abs(d) < 1e-6


def test_state_derivative_matches_central_difference_of_simulation():
    # d f_T/dt reported by the kernel equals the slope of the integrated trajectory.
    mt = legsim.MuscleTendon(**SOLEUS)
    df = mt.simulate([0.0, 0.2], [0.30, 0.30], [1.0, 1.0], initial_activation=0.2, output_interval=1e-4)
    i = 50
    slope = (df.norm_tendon_force[i + 1] - df.norm_tendon_force[i - 1]) / (df.time[i + 1] - df.time[i - 1])
    d = mt.state_derivative(0.30, 0.0, df.activation[i], df.norm_tendon_force[i])["norm_tendon_force"]
    assert d == pytest.approx(slope, rel=1e-3)


def test_isometric_sweep_peaks_near_optimal_fiber_length():
    mt = legsim.MuscleTendon(**SOLEUS)
    df = mt.isometric_force_length()
    active = df.active_fiber_force / SOLEUS["max_isometric_force"]
    peak_l = df.norm_fiber_length[active.idxmax()]
    assert abs(peak_l - 1.0) < 0.05
    assert np.all(np.diff(df.passive_fiber_force) >= -1e-9)


def test_isokinetic_force_velocity_shape():
    mt = legsim.MuscleTendon(**SOLEUS)
    df = mt.isokinetic_force_velocity()
    f0 = df.fiber_force[np.argmin(np.abs(df.v_norm))]
    assert df.fiber_force.iloc[0] < 0.05 * f0          # v = −1: no active force
    assert df.fiber_force.iloc[-1] > 1.7 * 0.95 * f0   # eccentric enhancement


def test_quick_release_force_drops_then_recovers():
    mt = legsim.MuscleTendon(**SOLEUS)
    df = mt.quick_release(release_at=0.2, duration=0.6)
    before = df.tendon_force[df.time < 0.19].iloc[-1]
    after = df.tendon_force[(df.time > 0.205) & (df.time < 0.215)].min()
    end = df.tendon_force.iloc[-1]
    assert after < 0.9 * before
    assert end > after and abs(end - before) / before < 0.2


def test_ramp_stretch_eccentric_force_exceeds_isometric():
    mt = legsim.MuscleTendon(**SOLEUS)
    df = mt.ramp_stretch(hold=0.2)
    iso = df.tendon_force[df.time < 0.19].iloc[-1]
    assert df.tendon_force.max() > 1.2 * iso


def test_calf_raise_gastrocnemius_slack_with_knee_bent(model):
    df = legsim.calf_raise_moments(model, [0.0, 10.0], [0.0, 90.0])
    straight = df[df.knee_flexion_deg == 0]
    bent = df[df.knee_flexion_deg == 90]
    # Soleus does not cross the knee: identical moments.
    np.testing.assert_allclose(straight.soleus_plantarflexion_moment_nm.values,
                               bent.soleus_plantarflexion_moment_nm.values, rtol=1e-12)
    # Gastrocnemius loses (almost) all of its moment with the knee bent 90°.
    assert (bent.gastrocnemius_plantarflexion_moment_nm.values <
            0.05 * straight.gastrocnemius_plantarflexion_moment_nm.values).all()
    assert (straight.gastrocnemius_plantarflexion_moment_nm > 50).all()


def test_two_instances_keep_their_own_parameters():
    a = legsim.MuscleTendon(**SOLEUS)
    b = legsim.MuscleTendon(**{**SOLEUS, "max_isometric_force": 1000.0, "tendon_slack_length": 0.25})
    ea1 = a.equilibrium(0.30)["tendon_force"]
    eb = b.equilibrium(0.30)["tendon_force"]
    ea2 = a.equilibrium(0.30)["tendon_force"]
    assert ea1 == ea2 and eb != ea1


def test_pickle_round_trip(model):
    mt = legsim.MuscleTendon.from_model(model, "gastrocnemius")
    back = pickle.loads(pickle.dumps(mt))
    assert back == mt and back.equilibrium(0.45)["tendon_force"] == mt.equilibrium(0.45)["tendon_force"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(SOLEUS, max_isometric_force=-1.0), "soleus.max_isometric_force = -1 is out of range: allowed [1, 1e+05] N"),
    (dict(SOLEUS, optimal_fiber_length=float("nan")), "soleus.optimal_fiber_length = nan is out of range"),
    (dict(SOLEUS, pennation_angle_at_optimal=1.6), "soleus.pennation_angle_at_optimal = 1.6 is out of range"),
    (dict(SOLEUS, max_force=1.0), "unknown parameter(s) ['max_force']"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(legsim.InputError) as exc:
        legsim.MuscleTendon(name="soleus", **kwargs)
    assert message in str(exc.value)


def test_bad_state_input():
    mt = legsim.MuscleTendon(**SOLEUS)
    with pytest.raises(legsim.InputError, match="mtu_length = -0.3 is out of range"):
        mt.evaluate(-0.3, 0.0, 0.5, 0.1)
    with pytest.raises(legsim.InputError, match="activation = 1.5 is out of range"):
        mt.evaluate(0.3, 0.0, 1.5, 0.1)
    with pytest.raises(legsim.InputError, match="norm_tendon_force: required"):
        mt.evaluate(0.3, 0.0, 0.5)
    with pytest.raises(ValueError, match="shape mismatch|broadcast"):
        mt.evaluate(np.ones(3), np.ones(2), 0.5, 0.1)
