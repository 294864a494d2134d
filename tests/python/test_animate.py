"""legsim.animate: the stride built from a predicted step and its mirror, each muscle drawn along a
path that passes every joint it crosses at its moment arm on the side of its action, and a short GIF
whose frames change."""
import numpy as np
import pandas as pd
import pytest

import legsim

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")
# The module is private: legsim.animate is the function (a public module of that name would shadow it
# as soon as it was imported, the import system setting legsim.animate to the module).
from legsim import _animate as animate_module  # noqa: E402
from legsim import _muscle_drawing as drawing  # noqa: E402

ANGLES = {"hip": "hip_flexion_{}_deg", "knee": "knee_flexion_{}_deg", "ankle": "ankle_dorsiflexion_{}_deg"}
ARM_RTOL = 1e-9


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


def test_mp4_frames_change(step, tmp_path):
    """An MP4 (H.264) when an ffmpeg exists (on PATH or from the imageio-ffmpeg wheel, which
    requirements-dev.txt installs); decoded back with that ffmpeg, its frames differ."""
    if animate_module.ffmpeg() is None:
        pytest.skip("no ffmpeg (PATH or imageio-ffmpeg)")
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = animate_module.animate(step, tmp_path / "stride.mp4", frames=6, dpi=40)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    frames = [np.frombuffer(f, dtype=np.uint8).reshape(h, w, 3).astype(int) for f in reader]
    assert len(frames) == 6 and h > 50 and w > 100
    for f in frames[1:]:  # lossy coding: a changed pixel is one that moved by more than noise
        assert (np.abs(f - frames[0]).max(axis=2) > 40).mean() > 0.005


def test_mp4_without_ffmpeg_is_a_clear_error(step, tmp_path, monkeypatch):
    monkeypatch.setattr(animate_module, "ffmpeg", lambda: None)
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
    monkeypatch.setattr(animate_module, "ffmpeg", lambda: None)
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


def _synthetic_poses(side="r"):
    """Poses over the running range (hip −20..70°, knee 0..120°, ankle −30..25°), the trunk leaning."""
    rows = [{"pelvis_x_m": 0.4, "pelvis_y_m": 0.95, "trunk_lean_deg": 8.0, f"hip_flexion_{side}_deg": h,
             f"knee_flexion_{side}_deg": k, f"ankle_dorsiflexion_{side}_deg": a}
            for h in (-20.0, 0.0, 35.0, 70.0) for k in (0.0, 25.0, 60.0, 120.0) for a in (-30.0, 0.0, 25.0)]
    return pd.DataFrame(rows)


def _closest(centre, pts):
    """Distance from ``centre`` to the polyline, the closest point and the unit direction of the
    segment holding it, pointing back towards the muscle's origin (the pull on the distal segment)."""
    a, b = pts[:-1], pts[1:]
    d = b - a
    t = np.clip(((centre - a) * d).sum(axis=1) / (d * d).sum(axis=1), 0.0, 1.0)
    q = a + t[:, None] * d
    dist = np.hypot(*(q - centre).T)
    i = int(np.argmin(dist))
    return dist[i], q[i], -d[i] / np.hypot(*d[i])


def _ccw_sense(geo, pose, side, joint):
    """+1 if raising ``joint``'s coordinate turns its distal segment counter-clockwise in the picture,
    found by turning it (independent of the drawing's own table)."""
    distal = {"hip": "thigh", "knee": "shank", "ankle": "foot_x"}[joint]
    turned = pose.copy()
    turned[ANGLES[joint].format(side)] += 1.0
    u0 = drawing.leg_axes(pose, geo, side)[distal][0]
    u1 = drawing.leg_axes(turned, geo, side)[distal][0]
    return np.sign(u0[0] * u1[1] - u0[1] * u1[0])


def _check_paths_against_muscle_path(model, poses, side):
    geo = animate_module.body_geometry(model)
    paths = drawing.muscle_polylines(model, poses, side, geo)
    axes = drawing.leg_axes(poses, geo, side)
    assert set(paths) == set(model.muscle_names)
    for k in range(len(poses)):
        pose = poses.iloc[[k]].reset_index(drop=True)
        angles = {j: np.radians(float(pose[c.format(side)].iloc[0])) for j, c in ANGLES.items()}
        for name in model.muscle_names:
            _, arms = legsim.muscle_path(model, name, angles)
            for joint, arm in arms.items():
                dist, point, pull = _closest(axes[joint][k], paths[name][k])
                assert dist == pytest.approx(abs(arm), rel=ARM_RTOL, abs=1e-12), (name, joint, k)
                # The drawn pull's moment on the distal segment (counter-clockwise, per newton) is the
                # model's moment arm about +q turned into the picture: same size, same sense.
                lever = point - axes[joint][k]
                moment = lever[0] * pull[1] - lever[1] * pull[0]
                assert moment == pytest.approx(_ccw_sense(geo, pose, side, joint) * arm, rel=1e-9, abs=1e-12)


def test_muscles_pass_each_crossed_joint_at_its_moment_arm_in_synthetic_poses(model):
    for side in ("r", "l"):
        _check_paths_against_muscle_path(model, _synthetic_poses(side), side)


def test_muscles_pass_each_crossed_joint_at_its_moment_arm_in_a_predicted_stride(step):
    model = legsim.Model.default()
    full = animate_module.stride_timeseries(step)
    poses = full.iloc[np.linspace(0, len(full) - 1, 7).astype(int)].reset_index(drop=True)
    for side in ("r", "l"):
        _check_paths_against_muscle_path(model, poses, side)


#: Role tag → (joint, +1 in front of the joint, −1 behind): the anatomy the drawing must show.
ROLE_SIDES = {"knee_extensor": ("knee", 1), "knee_flexor": ("knee", -1), "plantarflexor": ("ankle", -1),
              "dorsiflexor": ("ankle", 1), "hip_extensor": ("hip", -1), "hip_flexor": ("hip", 1)}


def test_muscles_lie_on_the_side_of_their_role(model):
    # Knee flexion up to 80°: beyond 90° the model's hamstring knee arm r0·cos(φ − π) changes sign.
    poses = _synthetic_poses()
    poses = poses[poses.knee_flexion_r_deg <= 80.0].reset_index(drop=True)
    geo = animate_module.body_geometry(model)
    paths = drawing.muscle_polylines(model, poses, "r", geo)
    axes = drawing.leg_axes(poses, geo, "r")
    # Forward normals of the segments meeting at each joint (x forward, y up).
    fwd = {"up": lambda v: np.column_stack([v[:, 1], -v[:, 0]]),
           "thigh": lambda v: np.column_stack([-v[:, 1], v[:, 0]]),
           "shank": lambda v: np.column_stack([-v[:, 1], v[:, 0]]), "foot_x": lambda v: v}
    front = {"hip": fwd["up"](axes["up"]) + fwd["thigh"](axes["thigh"]),
             "knee": fwd["thigh"](axes["thigh"]) + fwd["shank"](axes["shank"]),
             "ankle": fwd["shank"](axes["shank"]) + axes["foot_x"]}
    checked = set()
    for name in model.muscle_names:
        for tag in model.muscle_tags(name):
            if tag not in ROLE_SIDES:
                continue
            joint, sense = ROLE_SIDES[tag]
            for k in range(len(poses)):
                _, point, _ = _closest(axes[joint][k], paths[name][k])
                assert sense * (point - axes[joint][k]) @ front[joint][k] > 0.0, (name, tag, k)
            checked.add(tag)
    assert checked == set(ROLE_SIDES)


def test_drawing_follows_the_models_muscles_whatever_their_names(model):
    renamed = legsim.Model.from_toml(model.to_toml().replace("gastrocnemius", "calf_two_joint"))
    geo = animate_module.body_geometry(model)
    poses = _synthetic_poses().iloc[:3]
    before = drawing.muscle_polylines(model, poses, "r", geo)
    after = drawing.muscle_polylines(renamed, poses, "r", geo)
    for a, b in zip(before["gastrocnemius"], after["calf_two_joint"]):
        np.testing.assert_array_equal(a, b)
