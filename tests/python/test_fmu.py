"""The stance-leg FMUs (`make fmu`: build/fmu/legsim_stance.fmu, FMI 2.0, and legsim_stance_fmi3.fmu,
FMI 3.0) checked from outside with FMPy: their model descriptions validate, and a co-simulation with
constant excitations reproduces legsim.simulate_stance with the same constant excitations within
integration tolerance."""
import os
import pathlib

import numpy as np
import pytest

import legsim

ROOT = pathlib.Path(__file__).resolve().parents[2]
FMU_DIR = pathlib.Path(os.environ.get("LEGSIM_FMU_DIR", ROOT / "build" / "fmu"))
FMUS = {"2.0": FMU_DIR / "legsim_stance.fmu", "3.0": FMU_DIR / "legsim_stance_fmi3.fmu"}

fmpy = pytest.importorskip("fmpy", reason="fmpy is not installed (pip install -r requirements-dev.txt)")
from fmpy.validation import validate_fmu  # noqa: E402  (after the skip for a missing fmpy)



@pytest.fixture(scope="module", params=sorted(FMUS))
def fmu_file(request):
    """(FMI version, path) of each FMU; skipped when it was not built."""
    path = FMUS[request.param]
    if not path.is_file():
        pytest.skip(f"the FMU was not built ({path}; run `make fmu`)")
    return request.param, str(path)

#: Constant excitations (others 0.01, as simulate_stance's default for a muscle left out).
EXCITATIONS = {"soleus": 0.5, "gastrocnemius": 0.5, "quadriceps": 0.4}
#: Communication step = the recorded sample spacing of simulate_stance (output_interval), so both
#: give values at the same times.
STEP = 5e-4
#: Two integrations of the same stance (rtol 1e-6) that restart at different times agree to 3e-6 (vertical
#: GRF) to 1.1e-4 (fore-aft GRF, from the stiff bristle-friction states) of a signal's scale; a 2 % change
#: of one excitation moves them by 2e-3 to 1e-2. The toe-off time is located to the event tolerance
#: 1e-5 s in both.
AGREEMENT = 5e-4
TOE_OFF_AGREEMENT = 2e-5


@pytest.fixture(scope="module")
def co_simulation(fmu_file):
    start = {f"excitation.{m}": v for m, v in EXCITATIONS.items()}
    return fmpy.simulate_fmu(fmu_file[1], start_time=0.0, stop_time=0.3, step_size=STEP, output_interval=STEP,
                             start_values=start, output=["grf_x", "grf_y", "knee_flexion", "pfj_force",
                                                         "toe_off_time", "muscle_force.soleus"])


@pytest.fixture(scope="module")
def reference():
    model = legsim.Model.default()
    excitation = {m: ([0.0], [v]) for m, v in EXCITATIONS.items()}
    res = legsim.simulate_stance(model, legsim.Touchdown(), excitation=excitation).raise_if_failed()
    return model, res


def test_model_description_validates(fmu_file):
    version, path = fmu_file
    assert validate_fmu(path) == []
    md = fmpy.read_model_description(path)
    assert md.fmiVersion == version and md.coSimulation is not None
    names = {v.name: v for v in md.modelVariables}
    model = legsim.Model.default()
    for m in model.muscle_names:
        assert names[f"excitation.{m}"].causality == "input"
        assert names[f"muscle_force.{m}"].causality == "output"
        assert names[f"touchdown.activation.{m}"].causality == "parameter"
    for out in ("grf_x", "grf_y", "hip_flexion", "knee_flexion", "ankle_dorsiflexion", "pfj_force"):
        assert names[out].causality == "output"
    # parameters start at the C++ TouchdownState defaults
    assert float(names["touchdown.knee_flexion"].start) == legsim.Touchdown().knee_flexion


def test_constant_excitations_reproduce_simulate_stance(co_simulation, reference):
    model, res = reference
    ts = res.timeseries
    fmu = co_simulation
    n = len(ts)
    # same sample times up to toe-off (the FMU carries on in flight to stop_time)
    np.testing.assert_allclose(fmu["time"][: n - 1], ts["time_s"].to_numpy()[: n - 1], rtol=0, atol=1e-12)
    for fmu_key, ref_key, scale in (("grf_y", "grf_y_n", ts["grf_y_n"].abs().max()),
                                    ("grf_x", "grf_x_n", ts["grf_x_n"].abs().max()),
                                    ("pfj_force", "pfj_force_n", ts["pfj_force_n"].abs().max()),
                                    ("muscle_force.soleus", "soleus_force_n", ts["soleus_force_n"].abs().max())):
        diff = np.abs(fmu[fmu_key][: n - 1] - ts[ref_key].to_numpy()[: n - 1])
        assert diff.max() < AGREEMENT * scale, f"{fmu_key}: max deviation {diff.max():.4g} of scale {scale:.4g}"
    np.testing.assert_allclose(np.degrees(fmu["knee_flexion"][: n - 1]), ts["knee_flexion_deg"].to_numpy()[: n - 1],
                               rtol=0, atol=AGREEMENT * 90)
    # the metrics: peak vertical GRF and PFJ force (body weights), contact time
    bw = ts["grf_y_n"].max() / res.metrics["peak_vertical_grf_bw"]  # body weight (N), the metrics' unit
    assert abs(fmu["grf_y"].max() / bw - res.metrics["peak_vertical_grf_bw"]) < AGREEMENT * res.metrics["peak_vertical_grf_bw"]
    assert abs(fmu["pfj_force"].max() / bw - res.metrics["peak_pfj_force_bw"]) < AGREEMENT * res.metrics["peak_pfj_force_bw"]
    assert fmu["toe_off_time"][0] == -1.0
    assert abs(fmu["toe_off_time"][-1] - res.metrics["contact_time_s"]) < TOE_OFF_AGREEMENT
    assert np.all(fmu["grf_y"][fmu["time"] > res.metrics["contact_time_s"] + STEP] == 0.0)


def test_an_excitation_out_of_range_is_refused_with_its_name(fmu_file):
    # FMPy's exception says only "fmi2SetReal failed" (3.0: fmi3SetFloat64); the FMU's log says why.
    logged = []
    logger = lambda *args: logged.append(args[-1].decode())  # noqa: E731  (FMI 2.0: 5 arguments, 3.0: 4)
    with pytest.raises(Exception, match="fmi[23]Set(Real|Float64)"):
        fmpy.simulate_fmu(fmu_file[1], stop_time=0.01, step_size=STEP, start_values={"excitation.soleus": 1.5},
                          logger=logger)
    assert any("excitation.soleus = 1.5 is out of range: allowed [0, 1]" in m for m in logged), logged


def test_touchdown_parameters_reach_the_stance(fmu_file):
    """A touchdown parameter set in the FMU gives the stance simulate_stance gives from that touchdown
    (and not the default one); an out-of-range one is refused at initialization with its name."""
    touchdown = legsim.Touchdown(hip_velocity_x=3.3)
    model = legsim.Model.default()
    res = legsim.simulate_stance(model, touchdown, excitation={m: ([0.0], [v]) for m, v in EXCITATIONS.items()})
    res.raise_if_failed()
    start = {f"excitation.{m}": v for m, v in EXCITATIONS.items()} | {"touchdown.hip_velocity_x": 3.3}
    fmu = fmpy.simulate_fmu(fmu_file[1], stop_time=0.3, step_size=STEP, output_interval=STEP, start_values=start)
    assert abs(fmu["toe_off_time"][-1] - res.metrics["contact_time_s"]) < TOE_OFF_AGREEMENT
    default_contact = legsim.simulate_stance(
        model, legsim.Touchdown(), excitation={m: ([0.0], [v]) for m, v in EXCITATIONS.items()}).metrics["contact_time_s"]
    assert abs(res.metrics["contact_time_s"] - default_contact) > 10 * TOE_OFF_AGREEMENT

    logged = []
    with pytest.raises(Exception, match="ExitInitializationMode"):
        fmpy.simulate_fmu(fmu_file[1], stop_time=0.01, step_size=STEP, start_values={"touchdown.knee_flexion": 5.0},
                          logger=lambda *args: logged.append(args[-1].decode()))
    assert any("touchdown.knee_flexion = 5 is out of range" in m for m in logged), logged
