"""legsim.curves: key values pinned by OpenSim's tests, shapes, inverses, and input errors."""
import numpy as np
import pytest

import legsim
from legsim import curves

TIGHT = 1e-10


def test_key_points_opensim_pins():
    # testDeGrooteFregly2016Muscle.cpp values (reference muscle_curves.md).
    assert curves.tendon_force_length(1.0) == pytest.approx(0.0, abs=TIGHT)
    assert curves.tendon_force_length(1.049) == pytest.approx(1.0, abs=TIGHT)
    assert curves.passive_force_length(1.0) == pytest.approx(0.0182288, abs=1e-6)
    assert curves.passive_force_length(0.2) == pytest.approx(0.0, abs=TIGHT)
    assert curves.passive_force_length(1.6) == pytest.approx(1.0, abs=TIGHT)
    assert curves.active_force_length(1.0) == pytest.approx(1.0, abs=1e-9)
    assert curves.force_velocity(-1.0) == pytest.approx(0.0, abs=TIGHT)
    assert curves.force_velocity(0.0) == pytest.approx(1.0, abs=1e-9)
    assert curves.force_velocity(1.0) == pytest.approx(1.794, abs=1e-3)


def test_shapes_scalar_in_scalar_out_array_in_same_shape():
    assert isinstance(curves.active_force_length(1.0), float)
    x = np.linspace(0.5, 1.5, 12).reshape(3, 4)
    for f in (curves.active_force_length, curves.passive_force_length):
        assert f(x).shape == (3, 4)
    assert curves.force_velocity(np.zeros((2, 5))).shape == (2, 5)
    np.testing.assert_allclose(curves.active_force_length([0.9, 1.0]), [curves.active_force_length(0.9), 1.0], rtol=1e-14)


def test_inverse_round_trips_over_domain():
    v = np.linspace(-1.0, 1.0, 2001)
    np.testing.assert_allclose(curves.force_velocity_inverse(curves.force_velocity(v)), v, atol=1e-12)
    lt = np.linspace(0.95, 1.1, 1001)
    np.testing.assert_allclose(curves.tendon_force_length_inverse(curves.tendon_force_length(lt)), lt, atol=1e-12)


def test_monotonicity():
    v = np.linspace(-1, 1, 1000)
    assert np.all(np.diff(curves.force_velocity(v)) > 0)
    l = np.linspace(0.2, 1.8, 1000)
    assert np.all(np.diff(curves.passive_force_length(l)) > 0)
    lt = np.linspace(0.99, 1.1, 1000)
    assert np.all(np.diff(curves.tendon_force_length(lt)) > 0)
    fl = curves.active_force_length(l)
    peak = l[np.argmax(fl)]
    # The refit Gaussians put the maximum slightly above l = 1 (fL(1) = 1 exactly, max ≈ 1.0011 at l ≈ 1.0133).
    assert abs(peak - 1.0133) < 0.002 and fl.max() < 1.0012
    assert np.all(np.diff(fl[l < 1.013]) > 0) and np.all(np.diff(fl[l > 1.014]) < 0)


@pytest.mark.parametrize("call, message", [
    (lambda: curves.active_force_length(np.nan), "l_norm = nan is out of range: allowed a finite number"),
    (lambda: curves.active_force_length([1.0, -0.5]), "l_norm = -0.5 is out of range: allowed [0, inf)"),
    (lambda: curves.force_velocity("fast"), "v_norm: expected a number or an array of numbers"),
    (lambda: curves.tendon_force_length(0.0), "l_tendon_norm = 0 is out of range: allowed (0, inf)"),
    (lambda: curves.tendon_force_length_inverse(-0.5), "f = -0.5 is out of range: allowed (-0.2, inf)"),
    (lambda: curves.passive_force_length(1.0, strain_at_one_norm_force=0.0), "strain_at_one_norm_force = 0 is out of range"),
])
def test_bad_input_raises_input_error(call, message):
    with pytest.raises(legsim.InputError) as exc:
        call()
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)
