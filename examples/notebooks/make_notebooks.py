"""Writes the teaching notebooks of this folder (issue 21.6) from the cells below, outputs stripped.

The notebooks are generated so that their text and code are reviewed as plain Python in diffs, and
so that a committed notebook never carries outputs (they would go stale with every model change).
Run ``python examples/notebooks/make_notebooks.py`` after editing a cell; tests/python/test_notebooks.py
executes each notebook and checks that the committed file matches this script.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

# The kernel every notebook names: the Python 3 kernel of the environment that runs it.
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
          "language_info": {"name": "python"}}


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


MUSCLE_MECHANICS = [
    md("""
# Muscle mechanics: force–length, force–velocity, tendon and the calf raise

legsim's muscles are Hill-type muscle–tendon units with the curves of De Groote et al. (2016, Ann
Biomed Eng 44(10):2922–2936, doi:10.1007/s10439-016-1591-9) as refit in OpenSim's
`DeGrooteFregly2016Muscle`; the unit's equations are on the documentation site's physics page
(`docs/physics.md`). This notebook looks at each ingredient, then at one muscle of the default model,
then at the classic calf-raise question: why do seated (knee-bent) calf raises train the soleus?
Runs in a few seconds.
"""),
    code("""
import numpy as np
import matplotlib.pyplot as plt
import legsim

model = legsim.Model.default()
model.muscle_names
"""),
    md("""
## The normalized curves

Every quantity is normalized: fiber length by the optimal fiber length ($\\tilde l$), fiber velocity
by the maximum contraction velocity times the optimal length ($\\tilde v$, shortening negative),
tendon length by its slack length, force by the maximum isometric force.

- **Active force–length** $f_L$: the overlap of actin and myosin; largest at the optimal length.
- **Passive force–length** $f_{PE}$: the fiber's connective tissue, rising beyond the optimal length.
- **Force–velocity** $f_V$: a shortening muscle is weaker, a lengthening one stronger (up to
  about 1.8 times isometric).
- **Tendon** $f_T$: slack below its slack length, then stiff: one normalized force at 4.9 % strain.
"""),
    code("""
l = np.linspace(0.4, 1.7, 200)
v = np.linspace(-1.0, 1.0, 200)
lt = np.linspace(0.99, 1.06, 200)
fig, ax = plt.subplots(1, 3, figsize=(13, 3.5))
ax[0].plot(l, legsim.curves.active_force_length(l), label="active $f_L$")
ax[0].plot(l, legsim.curves.passive_force_length(l), label="passive $f_{PE}$")
ax[0].set(xlabel="normalized fiber length", ylabel="normalized force", title="force–length")
ax[0].legend()
ax[1].plot(v, legsim.curves.force_velocity(v))
ax[1].axvline(0, color="grey", lw=0.5)
ax[1].set(xlabel="normalized fiber velocity (shortening < 0)", title="force–velocity")
ax[2].plot(lt, legsim.curves.tendon_force_length(lt))
ax[2].set(xlabel="normalized tendon length", title="tendon")
fig.tight_layout()
"""),
    md("""
## One muscle–tendon unit: the soleus

`MuscleTendon.from_model` takes a muscle with the default model's parameters (strength and
pennation from Rajagopal et al. 2016). An isometric sweep holds the whole unit at each length, fully
active, and finds where fiber and tendon forces balance: the compliant tendon stretches under load,
so the fiber is shorter than the unit's length alone would say.
"""),
    code("""
soleus = legsim.MuscleTendon.from_model(model, "soleus")
{k: soleus.params[k] for k in ("max_isometric_force", "optimal_fiber_length", "tendon_slack_length",
                               "pennation_angle_at_optimal", "max_contraction_velocity")
 if k in soleus.params}
"""),
    code("""
fl = soleus.isometric_force_length()
fig, ax = plt.subplots(1, 2, figsize=(11, 3.5))
ax[0].plot(fl.norm_fiber_length, fl.active_fiber_force, label="active fiber force")
ax[0].plot(fl.norm_fiber_length, fl.passive_fiber_force, label="passive fiber force")
ax[0].plot(fl.norm_fiber_length, fl.tendon_force, label="tendon force")
ax[0].set(xlabel="normalized fiber length", ylabel="force (N)", title="soleus, isometric, full activation")
ax[0].legend()
ax[1].plot(fl.mtu_length, fl.tendon_length - soleus.tendon_slack_length)
ax[1].set(xlabel="muscle–tendon length (m)", ylabel="tendon stretch (m)", title="the tendon takes up length")
fig.tight_layout()
"""),
    md("""
The force–velocity relation of the same muscle at its optimal length (an isokinetic sweep): the
concentric side falls to zero at the maximum shortening velocity; the eccentric side rises to about
1.8 times the isometric force.
"""),
    code("""
fv = soleus.isokinetic_force_velocity()
ax = fv.plot(x="fiber_velocity", y="fiber_force", legend=False, figsize=(5.5, 3.5))
ax.axvline(0, color="grey", lw=0.5)
ax.set(xlabel="fiber velocity (m/s, shortening < 0)", ylabel="fiber force (N)", title="soleus, isokinetic");
"""),
    md("""
## The tendon in action: a quick release

Hold the fully active soleus isometrically, then shorten the whole unit by a tenth of the optimal
fiber length within 5 ms. The stiff tendon recoils at once and the force drops; the force then
recovers as the fiber shortens against the force–velocity curve (a classic experiment of muscle
physiology). `quick_release` integrates the unit with Boost.Odeint.
"""),
    code("""
qr = soleus.quick_release()
fig, ax = plt.subplots(1, 2, figsize=(11, 3.5))
ax[0].plot(qr.time, qr.tendon_force)
ax[0].set(xlabel="time (s)", ylabel="tendon force (N)", title="soleus quick release")
ax[1].plot(qr.time, qr.fiber_length, label="fiber")
ax[1].plot(qr.time, qr.tendon_length - soleus.tendon_slack_length, label="tendon stretch")
ax[1].set(xlabel="time (s)", ylabel="length (m)", title="who shortens")
ax[1].legend()
fig.tight_layout()
"""),
    md("""
## The calf raise: straight knee against bent knee

Soleus and gastrocnemius share the Achilles tendon, but only the gastrocnemius also crosses the knee.
Bending the knee shortens the gastrocnemius (its path: Geyer & Herr 2010) until it works far down
its force–length curve and its plantarflexion moment collapses; the soleus does not notice the
knee. `calf_raise_moments` computes the isometric plantarflexion moment each calf muscle can produce
at full activation over ankle angles, with the knee straight and bent 90°.
"""),
    code("""
cr = legsim.calf_raise_moments(model)
fig, ax = plt.subplots(1, 2, figsize=(11, 3.5), sharey=True)
for a, knee in zip(ax, sorted(cr.knee_flexion_deg.unique())):
    rows = cr[cr.knee_flexion_deg == knee]
    for muscle in ("soleus", "gastrocnemius"):
        a.plot(rows.ankle_dorsiflexion_deg, rows[f"{muscle}_plantarflexion_moment_nm"], label=muscle)
    a.set(title=f"knee flexed {knee:.0f}°", xlabel="ankle dorsiflexion (deg)")
ax[0].set_ylabel("plantarflexion moment (N·m)")
ax[0].legend()
fig.tight_layout()
"""),
    code("""
# At the neutral ankle: each muscle's moment and normalized fiber length, knee straight and bent.
neutral = cr[np.isclose(cr.ankle_dorsiflexion_deg, 0.0)]
neutral[["knee_flexion_deg", "soleus_plantarflexion_moment_nm", "gastrocnemius_plantarflexion_moment_nm",
         "soleus_norm_fiber_length", "gastrocnemius_norm_fiber_length"]].round(3)
"""),
    md("""
With the knee bent the gastrocnemius's fibers sit far below their optimal length, so the soleus
carries the calf raise: seated calf raises load the soleus, standing ones both muscles. The same
split matters when the calf tires (the calf-fatigue notebook).
"""),
]


RUNNING_AND_KNEE = [
    md("""
# Running and the knee: cadence, step length and patellofemoral load

At a given speed, a higher cadence (steps per minute) means shorter steps. Running studies report
that it lowers the patellofemoral joint (PFJ) load per step: a step rate 10 % above the preferred
one lowered peak PFJ force by 14 % in a musculoskeletal model driven by 30 runners' motion (Lenhart
et al. 2014, Med Sci Sports Exerc 46(3):557–564, doi:10.1249/MSS.0b013e3182a78c3a), and 10 % longer
steps raised PFJ stress by 31 % per step and 14 % per mile (Willson et al. 2014, Clin Biomech
29(3):243–247). This notebook
runs the same experiment on the model with **gait matching** (`method="matching"`): the stance-only
model, a few seconds per condition, made for teaching and quick looks; `docs/gait_matching.md` says
what it solves and where it is wrong (its landing is too hard, and its PFJ force runs above the
published range at the default condition). The whole-step gait prediction (`legsim.simulate`'s
default) takes about a minute per condition. PFJ force is $k(\\theta)\\,F_Q$, the quadriceps force
times a knee-angle-dependent ratio (van Eijden et al. 1986); stress divides it by the contact area
(Brechter & Powers 2002). Runs in well under two minutes.
"""),
    code("""
import numpy as np
import matplotlib.pyplot as plt
import legsim

model = legsim.Model.default()
speed = 3.5   # m/s
cadences = [160, 165, 170, 175, 180]   # steps/min
"""),
    md("""
## A cadence sweep at 3.5 m/s

`legsim.sweep` solves every condition of the grid, each warm-started from its neighbour, then a
backward pass keeps the lower-effort result; the answer is an `xarray.Dataset` with a variable per
metric (NaN where a point did not converge).
"""),
    code("""
ds = legsim.sweep(model, method="matching", speed=speed, cadence=cadences).squeeze()
table = ds[["converged", "step_length_m", "peak_knee_flexion_deg", "peak_knee_extension_moment_nm_per_kg",
            "peak_quadriceps_force_bw", "peak_pfj_force_bw", "peak_pfj_stress_mpa",
            "pfj_impulse_per_km_bw_s"]].to_dataframe()
table.round(3)
"""),
    code("""
fig, ax = plt.subplots(1, 3, figsize=(13, 3.5))
ax[0].plot(ds.cadence, ds.peak_pfj_force_bw, "o-")
ax[0].set(xlabel="cadence (steps/min)", ylabel="peak PFJ force (BW)", title="per step")
ax[1].plot(ds.step_length_m, ds.peak_pfj_stress_mpa, "o-")
ax[1].set(xlabel="step length (m)", ylabel="peak PFJ stress (MPa)", title="longer steps")
ax[2].plot(ds.cadence, ds.pfj_impulse_per_km_bw_s, "o-")
ax[2].set(xlabel="cadence (steps/min)", ylabel="PFJ impulse per km (BW·s)", title="per kilometre")
fig.tight_layout()
"""),
    md("""
Per step the load falls with cadence. Per kilometre there are more steps, each lighter and shorter
in contact; the right panel sums them, so compare its relative change with the left panel's (Willson
et al. 2014 measured both, per step and per mile). Which of the two matters for patellofemoral pain
is not settled by the model.

## Inside one step: the knee at 160 and 180 steps/min

The time series of one stance (touchdown to toe-off) at both ends of the sweep: the knee angle, the
quadriceps force and the PFJ force.
"""),
    code("""
results = {c: legsim.simulate(model, legsim.Condition(speed=speed, cadence=c), method="matching")
           for c in (160, 180)}
fig, ax = plt.subplots(1, 3, figsize=(13, 3.5))
for c, r in results.items():
    ts = r.timeseries
    ax[0].plot(ts.time_s, ts.knee_flexion_deg, label=f"{c} steps/min")
    ax[1].plot(ts.time_s, ts.quadriceps_force_n)
    ax[2].plot(ts.time_s, ts.pfj_force_n)
ax[0].set(xlabel="time (s)", ylabel="knee flexion (deg)")
ax[1].set(xlabel="time (s)", ylabel="quadriceps force (N)")
ax[2].set(xlabel="time (s)", ylabel="PFJ force (N)")
ax[0].legend()
fig.tight_layout()
{c: r.converged for c, r in results.items()}
"""),
    md("""
## Against the published ranges

`legsim.plausibility_table` puts a result beside the published ranges for a healthy runner at
3.5 m/s and 170 steps/min (sources in `docs/published_ranges.md`). It is a check, never a fitting
target: a value outside says where the model (here: gait matching) is wrong.
"""),
    code("""
r170 = legsim.simulate(model, legsim.Condition(speed=speed, cadence=170), method="matching")
legsim.plausibility_table(r170.metrics).round(2)
"""),
    md("""
## The animation

`legsim.animate` draws a whole predicted stride: both legs, each muscle coloured by its activation
and drawn along its path (past every joint it crosses at its moment arm, on the side it acts: the
quadriceps in front of the knee, the calf behind the ankle), the ground reaction force at the centre
of pressure, and the PFJ force beside it. It needs the
gait *prediction* (both legs over a step; gait matching simulates one stance), here on a coarse mesh
of 30 intervals so that it takes seconds.
"""),
    code("""
from IPython.display import Image

predicted = legsim.predict(model, legsim.Condition(speed=speed, cadence=180), mesh_intervals=30)
gif = legsim.animate(predicted, "stride_180.gif", model=model, frames=40, dpi=60)
Image(filename=str(gif))
"""),
]


CALF_FATIGUE = [
    md("""
# Calf fatigue: what changes when the calf tires, muscle by muscle

In legsim a calf fatigue $\\varphi$ leaves each calf muscle the contractile capacity $1 - \\varphi
w_i$: it weakens the active fiber force only, not the tendon or the passive fiber (the decisions
record explains why). How $\\varphi$ divides between soleus and gastrocnemius, the weights $w_i$, is
an input without a calibration source: by default from the muscles' fast-twitch fractions (Uchida et
al. 2016, PLoS One 11(3):e0150378), and the README warns that this split decides the sign of the
fatigue effect on PFJ load. This notebook uses gait matching (`method="matching"`, seconds per
condition; `docs/gait_matching.md`). Runs in well under two minutes.
"""),
    code("""
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import legsim

model = legsim.Model.default()
fatigue = 0.3
"""),
    md("""
## The muscles alone

First the soleus and gastrocnemius on their own, fresh and with the capacity the default split
leaves them at 30 % calf fatigue: the active force falls, the passive force and the tendon do not.
"""),
    code("""
tired = legsim.Condition(speed=3.5, cadence=170, calf_fatigue=fatigue)
fresh = legsim.Condition(speed=3.5, cadence=170)
r_tired = legsim.simulate(model, tired, method="matching")
r_fresh = legsim.simulate(model, fresh, method="matching")
pd.Series(r_tired.capacity, name="contractile capacity at 30 % calf fatigue")
"""),
    code("""
fig, ax = plt.subplots(1, 2, figsize=(11, 3.5), sharey=True)
for a, name in zip(ax, ("soleus", "gastrocnemius")):
    for label, cap in (("fresh", 1.0), ("tired", r_tired.capacity[name])):
        fl = legsim.MuscleTendon.from_model(model, name, capacity=cap).isometric_force_length()
        a.plot(fl.norm_fiber_length, fl.tendon_force, label=f"{label} (capacity {cap:.2f})")
    a.set(title=name, xlabel="normalized fiber length")
ax[0].set_ylabel("isometric force (N)")
ax[0].legend()
fig.tight_layout()
"""),
    md("""
## The running step, muscle by muscle

The matched stance at 3.5 m/s and 170 steps/min, fresh and tired: each muscle's peak force, the
joint moments and the PFJ load. When the calf weakens, the step is re-matched: the optimizer finds
the least-effort gait the tired leg can run, and other muscles take over part of the work. With the
default split the gastrocnemius loses the most capacity: look at which muscles' peaks rise, and
what happens to the quadriceps and with it the PFJ.
"""),
    code("""
muscles = model.muscle_names
rows = {}
for label, r in (("fresh", r_fresh), ("tired", r_tired)):
    m = r.metrics
    row = {f"{name} peak force (BW)": m.get(f"peak_{name}_force_bw", np.nan) for name in muscles}
    row.update({
        "ankle plantarflexion moment (N·m/kg)": m["peak_ankle_plantarflexion_moment_nm_per_kg"],
        "knee extension moment (N·m/kg)": m["peak_knee_extension_moment_nm_per_kg"],
        "Achilles force (BW)": m["peak_achilles_force_bw"],
        "peak PFJ force (BW)": m["peak_pfj_force_bw"],
        "peak PFJ stress (MPa)": m["peak_pfj_stress_mpa"],
        "contact time (s)": m["contact_time_s"],
    })
    rows[label] = row
compare = pd.DataFrame(rows)
compare["change %"] = 100 * (compare.tired / compare.fresh - 1)
compare.round(3)
"""),
    code("""
ts_f, ts_t = r_fresh.timeseries, r_tired.timeseries
fig, ax = plt.subplots(1, 3, figsize=(13, 3.5))
for ts, label in ((ts_f, "fresh"), (ts_t, "tired")):
    ax[0].plot(ts.time_s, ts.soleus_force_n, label=label)
    ax[1].plot(ts.time_s, ts.gastrocnemius_force_n, label=label)
    ax[2].plot(ts.time_s, ts.quadriceps_force_n, label=label)
for a, t in zip(ax, ("soleus", "gastrocnemius", "quadriceps")):
    a.set(title=t, xlabel="time (s)")
ax[0].set_ylabel("force (N)")
ax[0].legend()
fig.tight_layout()
{"fresh": r_fresh.converged, "tired": r_tired.converged}
"""),
    md("""
## Who tires decides the answer

The same 30 % calf fatigue, put on the soleus alone, on the gastrocnemius alone, and on both equally.
Compare the sign of the change in peak PFJ force: a conclusion about fatigue and knee load is only as
good as the split behind it, so report the split with the result.
"""),
    code("""
splits = {"fiber_type (default)": "fiber_type", "equal": "equal",
          "soleus only": {"soleus": 1.0}, "gastrocnemius only": {"gastrocnemius": 1.0}}
base = r_fresh.metrics["peak_pfj_force_bw"]
out = []
for label, split in splits.items():
    r = legsim.simulate(model, fresh.replace(calf_fatigue=fatigue, calf_fatigue_split=split), method="matching")
    out.append({"split": label, "converged": r.converged,
                "soleus capacity": r.capacity.get("soleus"), "gastrocnemius capacity": r.capacity.get("gastrocnemius"),
                "peak PFJ force (BW)": r.metrics.get("peak_pfj_force_bw", np.nan),
                "change vs fresh (BW)": r.metrics.get("peak_pfj_force_bw", np.nan) - base})
pd.DataFrame(out).round(3)
"""),
]


NOTEBOOKS = {
    "muscle_mechanics.ipynb": MUSCLE_MECHANICS,
    "running_and_the_knee.ipynb": RUNNING_AND_KNEE,
    "calf_fatigue.ipynb": CALF_FATIGUE,
}


def build(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells, metadata=KERNEL)
    # Fixed cell ids, so regenerating an unchanged notebook gives the same file.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


def text(cells) -> str:
    return nbformat.writes(build(cells)) + "\n"


def main() -> int:
    for name, cells in NOTEBOOKS.items():
        (HERE / name).write_text(text(cells), encoding="utf-8")
        print("wrote", HERE / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
