"""legsim.animate: the stride built from a predicted step and its mirror, and a short GIF whose
frames change."""
import numpy as np
import pytest

import legsim

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")
# The module is private: legsim.animate is the function (a public module of that name would shadow it
# as soon as it was imported, the import system setting legsim.animate to the module).
from legsim import _animate as animate_module  # noqa: E402


@pytest.fixture(scope="module")
def step():
    # A coarse mesh keeps the prediction near 10 s; the animation does not depend on the mesh.
    r = legsim.predict(legsim.Model.default(), legsim.Condition(speed=3.5, cadence=170), mesh_intervals=30)
    assert r.converged, r.message
    return r


def test_stride_is_the_step_then_its_mirror(step):
    ts = step.timeseries
    full = animate_module.stride_timeseries(step)
    n = len(ts)
    assert len(full) == 2 * n - 1
    assert np.all(np.diff(full.time_s) > 0)
    second = full.iloc[n - 1:].reset_index(drop=True)
    np.testing.assert_allclose(second.hip_flexion_r_deg, ts.hip_flexion_l_deg)
    np.testing.assert_allclose(second.soleus_l_activation, ts.soleus_r_activation)
    travel = ts.pelvis_x_m.iloc[-1] - ts.pelvis_x_m.iloc[0]
    np.testing.assert_allclose(second.pelvis_x_m, ts.pelvis_x_m + travel)
    np.testing.assert_allclose(second.cop_x_l_m, ts.cop_x_r_m + travel)
    assert full.pelvis_x_m.iloc[-1] == pytest.approx(2 * travel)


def test_body_geometry_matches_the_models_proportions():
    g = animate_module.body_geometry(legsim.Model.default())
    # A 1.75 m man: thigh and shank about a quarter of height each, the foot about 0.26 m.
    assert 0.40 < g["thigh"] < 0.45 and 0.41 < g["shank"] < 0.46
    assert g["toe"][0] - g["heel"][0] == pytest.approx(0.2581 * 1.75 / 1.741)


def test_gif_frames_change(step, tmp_path):
    path = animate_module.animate(step, tmp_path / "stride.gif", frames=6, dpi=40)
    assert path.exists()
    with Image.open(path) as im:
        assert im.n_frames >= 2
        frames = []
        for k in range(im.n_frames):
            im.seek(k)
            frames.append(np.asarray(im.convert("RGB"), dtype=int))
    assert frames[0].shape[0] > 50 and frames[0].shape[1] > 100
    # Each frame differs from the first: the figure moves and the PFJ cursor advances.
    for f in frames[1:]:
        assert np.abs(f - frames[0]).sum(axis=2).astype(bool).mean() > 0.005


def test_mp4_without_ffmpeg_is_a_clear_error(step, tmp_path, monkeypatch):
    monkeypatch.setattr(animate_module.shutil, "which", lambda name: None)
    with pytest.raises(legsim.InputError, match="ffmpeg"):
        animate_module.animate(step, tmp_path / "stride.mp4", frames=3)


def test_unknown_format_is_refused(step, tmp_path):
    with pytest.raises(legsim.InputError, match=r"\.gif or \.mp4"):
        animate_module.animate(step, tmp_path / "stride.avi", frames=3)


def test_a_single_stance_is_refused(tmp_path):
    res = legsim.simulate_stance(legsim.Model.default())
    with pytest.raises(legsim.InputError, match="both legs"):
        animate_module.animate(res, tmp_path / "stance.gif", frames=3)


def test_cli_animate_checks_the_path_before_predicting(tmp_path, monkeypatch, capsys):
    from legsim import cli
    monkeypatch.setattr(animate_module.shutil, "which", lambda name: None)
    assert cli.main(["animate", "--out", str(tmp_path / "s.mp4")]) == 2
    assert "ffmpeg" in capsys.readouterr().err


def test_cli_animate_writes_gif_and_stance_plot(tmp_path, capsys):
    from legsim import cli
    gif, png = tmp_path / "s.gif", tmp_path / "s.png"
    assert cli.main(["animate", "--mesh-intervals", "30", "--dpi", "30", "--fps", "10",
                     "--out", str(gif), "--stance-plot", str(png)]) == 0
    with Image.open(gif) as im:
        assert im.n_frames >= 2
    assert png.stat().st_size > 0
    assert f"wrote {gif}" in capsys.readouterr().out
