// The batch engine (batch/stance_batch.hpp): every lane against the scalar Odeint path on seeded
// random conditions (issue 5 accuracy bar), determinism across thread counts and lane order, lane
// refill, per-lane failure status, input errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/gait/condition.hpp"
#include "legsim/sim/simulate.hpp"

using namespace legsim;

namespace {

// Relative agreement of batch lanes with the scalar path, at what the two achieve (issue 20.7; issue
// 5's bar was 2e-3). Measured over 240 random lanes — touchdown states and controls all differ, and a
// third of the lanes carry a fatigued calf (their own muscle capacities) —, AVX-512 Release build,
// 2026-12-06, with the shared pipeline (sim/stance_pipeline.hpp: one toe-off rule, one accumulator,
// Odeint's step adjuster in both): peak PFJ 1.9e-6, peak GRF 1.4e-5, peak knee 2.2e-6, toe-off CoM vx
// 1.2e-6 — both paths integrate the same equations to the same tolerance and read the same peaks;
// contact time 4.6e-5 and effort 4.1e-5 — toe-off is located by each path's own dense output, and
// effort integrates up to it. (Before the shared step adjuster, whose product rounds differently:
// peak GRF 5.0e-6, the others within 20 %.) Bars: about 2–5× those. Measured at rtol 1e-6 / atol
// 1e-8, the model default then, which the test keeps (kAgreementTolerance): at the default since
// 2026-12-06, 1e-4 / 1e-5, the dense outputs of the two (Odeint's and Hairer's) differ more at toe-off
// (toe-off vx 2.7e-5).
constexpr double kPeakBar = 2.5e-5;      // peak PFJ force, peak vertical GRF, peak knee flexion, toe-off vx
constexpr double kToeOffBar = 2.5e-4;    // contact time and effort
constexpr double kAgreementRtol = 1e-6, kAgreementAtol = 1e-8;
// Issue 5 asks for at least 200 conditions; unoptimized (sanitizer) builds run a tenth of them.
#ifdef __OPTIMIZE__
constexpr int kConditions = 240, kMinBothOk = 200;
#else
constexpr int kConditions = 12, kMinBothOk = 10;
#endif
constexpr double kFootAngle = 15.0 * kDegToRad;  // rearfoot strike (foot_strike_angle)

/// A reasonable touchdown and controller around the model's defaults, perturbed (seeded).
StanceJob random_job(const Model& model, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  StanceJob job;
  TouchdownState& td = job.touchdown;
  td.trunk_lean = 0.105;
  td.hip_flexion = 0.45 + 0.20 * u(rng);
  td.knee_flexion = 0.25 + 0.15 * u(rng);
  const double shank_angle = (td.hip_flexion - td.trunk_lean) - td.knee_flexion;
  td.ankle_dorsiflexion = std::clamp(kFootAngle - shank_angle, -0.8, 0.6);
  td.hip_velocity_x = 3.0 + 1.0 * u(rng);
  td.hip_velocity_y = -0.7 + 0.4 * u(rng);
  td.hip_angular_velocity = -3.0;
  job.controller = model.controller();
  // Levels about twice the model file's starting guess: with energy-consistent muscle paths (issue
  // 18) the matched default gait needs soleus 0.59, gastrocnemius 0.65, quadriceps 0.47; around the
  // file's 0.3 only 176 of 240 perturbed stances ended in a toe-off (measured 2026-12-05).
  for (MuscleControl& m : job.controller.muscles) {
    m.level = std::clamp(2.0 * m.level * (0.8 + 0.4 * u(rng)), 0.0, 1.0);
    m.offset = std::max(m.offset * (0.9 + 0.2 * u(rng)), m.onset + 0.01);
  }
  // Every third job with a fatigued calf (per-lane capacity factors).
  if (u(rng) < 1.0 / 3.0) {
    GaitCondition gc;
    gc.speed = 3.5;
    gc.cadence = 170.0;
    gc.calf_fatigue = 0.5 * u(rng);
    job.capacity_factors = capacity_factors(model, gc);
  }
  return job;
}

/// The scalar path on a job; rtol/atol 0 = the model's, integrator as the batch engine's unless
/// `integrator` says otherwise.
StanceResult scalar_stance(const Model& model, const StanceJob& job, double rtol = 0.0, double atol = 0.0,
                           StanceIntegrator integrator = StanceIntegrator::kDormandPrince) {
  StanceOptions so;
  so.relative_tolerance = rtol;
  so.absolute_tolerance = atol;
  so.capacity_factors = job.capacity_factors;
  so.record = true;
  // By default the batch engine's method: both paths then integrate the same equations the same
  // way. The default (stiffness-switching) scalar integrator is held to the 0.5 % bar against a
  // tight reference in test_stiff_stance.cpp, and against the batch below.
  so.integrator = integrator;
  return simulate_stance(model, job.touchdown, job.controller, so);
}

double rel_diff(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-12); }

/// Bitwise equality of two outcomes (determinism).
void require_identical(const BatchStanceOutcome& a, const BatchStanceOutcome& b) {
  REQUIRE(a.status == b.status);
  REQUIRE(a.message == b.message);
  REQUIRE(a.contact_time == b.contact_time);
  REQUIRE(a.effort == b.effort);
  REQUIRE(a.peak_pfj_force == b.peak_pfj_force);
  REQUIRE(a.peak_vertical_grf == b.peak_vertical_grf);
  REQUIRE(a.peak_knee_flexion == b.peak_knee_flexion);
  REQUIRE(a.com_toeoff.vx == b.com_toeoff.vx);
  REQUIRE(a.toeoff_state == b.toeoff_state);
  REQUIRE(a.steps == b.steps);
}

}  // namespace

TEST_CASE("batch lanes agree with the scalar Odeint path on random conditions", "[batch]") {
  const Model model = Model::default_model();
  const double bw = model.body_weight();
  std::mt19937_64 rng(20240605);
  std::vector<StanceJob> jobs;
  for (int i = 0; i < kConditions; ++i) jobs.push_back(random_job(model, rng));
  BatchOptions bo;
  bo.threads = 2;
  bo.relative_tolerance = kAgreementRtol;
  bo.absolute_tolerance = kAgreementAtol;
  bo.integrator = StanceIntegrator::kDormandPrince;  // the scalar path's method below
  const std::vector<BatchStanceOutcome> out = simulate_stances(model, jobs, bo);
  REQUIRE(out.size() == jobs.size());

  int both_ok = 0, status_mismatch = 0;
  double worst_pfj = 0.0, worst_tc = 0.0, worst_grf = 0.0, worst_effort = 0.0, worst_knee = 0.0, worst_vx = 0.0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const StanceResult r = scalar_stance(model, jobs[i], kAgreementRtol, kAgreementAtol);
    if (r.ok() != out[i].ok()) ++status_mismatch;
    if (!r.ok() || !out[i].ok()) {
      if (!r.ok() && !out[i].ok()) CHECK(r.status == out[i].status);
      continue;
    }
    ++both_ok;
    const BatchStanceOutcome& o = out[i];
    worst_pfj = std::max(worst_pfj, rel_diff(o.peak_pfj_force, r.metrics.at("peak_pfj_force_bw") * bw));
    worst_tc = std::max(worst_tc, rel_diff(o.contact_time, r.contact_time));
    worst_grf = std::max(worst_grf, rel_diff(o.peak_vertical_grf, r.metrics.at("peak_vertical_grf_bw") * bw));
    worst_effort = std::max(worst_effort, rel_diff(o.effort, r.metrics.at("effort")));
    worst_knee = std::max(worst_knee, rel_diff(o.peak_knee_flexion * kRadToDeg, r.metrics.at("peak_knee_flexion_deg")));
    worst_vx = std::max(worst_vx, rel_diff(o.com_toeoff.vx, r.column("com_velocity_x_m_per_s").back()));
    // Centre of mass at touchdown is the first output sample.
    CHECK(o.com_touchdown.y == Approx(r.column("com_y_m").front()).epsilon(1e-9));
  }
  INFO("both ok: " << both_ok << " of " << jobs.size() << "; status mismatches: " << status_mismatch);
  INFO("worst relative differences: peak PFJ " << worst_pfj << ", contact time " << worst_tc << ", peak GRF "
                                               << worst_grf << ", effort " << worst_effort << ", peak knee "
                                               << worst_knee << ", toe-off CoM vx " << worst_vx);
  std::printf("batch vs scalar over %d lanes: peak PFJ %.2e, contact time %.2e, peak GRF %.2e, effort %.2e, "
              "peak knee %.2e, toe-off vx %.2e\n",
              both_ok, worst_pfj, worst_tc, worst_grf, worst_effort, worst_knee, worst_vx);
  REQUIRE(both_ok >= kMinBothOk);
  CHECK(status_mismatch == 0);
  CHECK(worst_pfj < kPeakBar);
  CHECK(worst_grf < kPeakBar);
  CHECK(worst_knee < kPeakBar);
  CHECK(worst_vx < kPeakBar);
  CHECK(worst_tc < kToeOffBar);
  CHECK(worst_effort < kToeOffBar);
}

TEST_CASE("at default settings (stiffness switching) the batch lanes agree with the scalar path", "[batch]") {
  // Both paths switch between Dormand–Prince and the Rosenbrock–W step by the same rule at the same
  // tolerance, each within 0.5 % of a tight reference (issue 22.5; test_stiff_stance.cpp). What
  // still differs: the dense output of the explicit steps (Odeint's and Hairer's), so toe-off and
  // the output samples inside a step, and through them the switching instants by a step now and
  // then. Measured 2026-12-06 over these lanes (AVX-512, Release): worst 4.3e-5 over peak PFJ force,
  // contact time, effort and peak vertical GRF (214 lanes both ok); implicit steps 10,162 (batch)
  // and 10,173 (scalar), at most 7 apart in one stance. Bars: about 10× those.
  const Model model = Model::default_model();
  const double bw = model.body_weight();
  std::mt19937_64 rng(20240605);
  std::vector<StanceJob> jobs;
  for (int i = 0; i < kConditions; ++i) jobs.push_back(random_job(model, rng));
  // Half of them at the model file's muscle levels (±20 %), like the benchmarks' stances: with the
  // weaker push-off, late stance is stiff for longer (the default stance takes half its steps with
  // the Rosenbrock–W step), so both methods and the switching are exercised.
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < kConditions; i += 2)
    for (std::size_t m = 0; m < jobs[i].controller.muscles.size(); ++m)
      jobs[i].controller.muscles[m].level = model.controller().muscles[m].level * (0.8 + 0.4 * u(rng));
  const std::vector<BatchStanceOutcome> out = simulate_stances(model, jobs, BatchOptions{});
  int both_ok = 0, status_mismatch = 0;
  double worst = 0.0;
  long implicit_batch = 0, implicit_scalar = 0, worst_implicit_gap = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const StanceResult r = scalar_stance(model, jobs[i], 0.0, 0.0, StanceIntegrator::kStiffSwitching);
    if (r.ok() != out[i].ok()) ++status_mismatch;
    if (!r.ok() || !out[i].ok()) continue;
    ++both_ok;
    implicit_batch += out[i].implicit_steps;
    implicit_scalar += r.implicit_steps;
    worst_implicit_gap = std::max(worst_implicit_gap, std::abs(out[i].implicit_steps - r.implicit_steps));
    const BatchStanceOutcome& o = out[i];
    worst = std::max({worst, rel_diff(o.peak_pfj_force, r.metrics.at("peak_pfj_force_bw") * bw),
                      rel_diff(o.contact_time, r.contact_time), rel_diff(o.effort, r.metrics.at("effort")),
                      rel_diff(o.peak_vertical_grf, r.metrics.at("peak_vertical_grf_bw") * bw)});
  }
  std::printf("default settings, switching scalar vs batch over %d lanes: worst relative difference %.2e "
              "(peak PFJ, contact time, effort, peak GRF), %d status mismatches; implicit steps: batch %ld, "
              "scalar %ld, worst gap per stance %ld\n",
              both_ok, worst, status_mismatch, implicit_batch, implicit_scalar, worst_implicit_gap);
  REQUIRE(both_ok >= kMinBothOk);
  CHECK(status_mismatch == 0);
  CHECK(worst < 5e-4);
  // Both switched, on the same stances, at about the same instants: a third or more of the steps of
  // these stances are stiff (late stance).
  CHECK(implicit_batch > 20 * both_ok);
  CHECK(std::abs(implicit_batch - implicit_scalar) < implicit_scalar / 50);
}

TEST_CASE("batch outcomes do not depend on thread count, job order or lane fill", "[batch]") {
  const Model model = Model::default_model();
  std::mt19937_64 rng(7);
  const std::size_t n = 3 * batch_lanes() + 3;  // not a multiple of the width: lanes are refilled
  std::vector<StanceJob> jobs;
  for (std::size_t i = 0; i < n; ++i) jobs.push_back(random_job(model, rng));
  BatchOptions one, two;
  one.threads = 1;
  two.threads = 2;
  const auto a = simulate_stances(model, jobs, one);
  const auto b = simulate_stances(model, jobs, two);
  std::vector<StanceJob> reversed(jobs.rbegin(), jobs.rend());
  const auto c = simulate_stances(model, reversed, two);
  for (std::size_t i = 0; i < n; ++i) {
    INFO("job " << i);
    require_identical(a[i], b[i]);
    require_identical(a[i], c[n - 1 - i]);
  }
  // Each job alone (one busy lane, the others parked) gives the same outcome.
  for (std::size_t i : {std::size_t{0}, n / 2, n - 1}) {
    const auto solo = simulate_stances(model, std::span<const StanceJob>(&jobs[i], 1), one);
    INFO("job " << i << " alone");
    require_identical(a[i], solo[0]);
  }
}

TEST_CASE("failing lanes report a status and do not disturb their neighbours", "[batch]") {
  const Model model = Model::default_model();
  std::mt19937_64 rng(11);
  std::vector<StanceJob> jobs;
  for (int i = 0; i < 5; ++i) jobs.push_back(random_job(model, rng));
  // No contact: launched upward, the foot is still in the air at the maximum stance time.
  StanceJob up = jobs[0];
  up.touchdown.hip_velocity_y = 3.0;
  jobs.insert(jobs.begin() + 2, up);
  const auto out = simulate_stances(model, jobs, BatchOptions{});
  const StanceResult r = scalar_stance(model, jobs[2]);
  INFO("batch '" << out[2].message << "', scalar '" << r.message << "'");
  CHECK(out[2].status == StanceStatus::kNoContact);
  CHECK(r.status == StanceStatus::kNoContact);
  CHECK(out[2].message.rfind("no contact: ", 0) == 0);
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{5}}) {
    const auto solo = simulate_stances(model, std::span<const StanceJob>(&jobs[i], 1), BatchOptions{});
    INFO("job " << i);
    REQUIRE(out[i].ok());
    require_identical(out[i], solo[0]);
  }

  SECTION("no toe-off within a shortened maximum stance time, as the scalar path says") {
    const Model short_model = model.with_params({{"integrator.max_stance_time", 0.12}});
    const auto out_short = simulate_stances(short_model, jobs, BatchOptions{});
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const StanceResult rs = scalar_stance(short_model, jobs[i]);
      INFO("job " << i << ": batch '" << out_short[i].message << "', scalar '" << rs.message << "'");
      CHECK(out_short[i].status == (i == 2 ? StanceStatus::kNoContact : StanceStatus::kNoToeOff));
      CHECK(out_short[i].status == rs.status);
      CHECK(out_short[i].message == rs.message);
    }
  }
}

TEST_CASE("batch: a collapsing runner and a crawling one end as the scalar path ends them", "[batch]") {
  // Half the model's excitation levels: the runner sinks until the hip crosses half its touchdown
  // height (ToeOffRule::collapsed); both engines stop there. Relaxed muscles (no feedforward, no
  // reflexes): the steps collapse at a slack gastrocnemius tendon whose fibre chatters around the
  // curves' lower bound 0.2 l_opt (crawl_problem). Whether a crawl check finds the fibre outside the
  // domain, or the lane crawls through and the runner then collapses, depends on round-off: touchdown
  // speeds 1e-13 apart end the batch engine's lane either way (a crawl after 320–832 steps, or a
  // collapse after 1,021), so the test asks that each engine ends the relaxed runner within a tenth
  // of the step limit with one of these two reasons. The healthy job beside them is unaffected.
  const Model model = Model::default_model();
  std::mt19937_64 rng(5);
  std::vector<StanceJob> jobs = {random_job(model, rng), StanceJob{}, StanceJob{}};
  jobs[1].controller = jobs[2].controller = model.controller();
  for (MuscleControl& m : jobs[1].controller.muscles) m.level *= 0.5;
  for (MuscleControl& m : jobs[2].controller.muscles) m.level = m.force_gain = m.length_gain = m.trunk_gain = 0.0;
  const auto out = simulate_stances(model, jobs, BatchOptions{});
  const std::pair<StanceStatus, std::string> collapse = {StanceStatus::kNoToeOff,
                                                         "no toe-off: the runner collapsed: the hip sank to "};
  const std::pair<StanceStatus, std::string> crawl = {StanceStatus::kStepSizeUnderflow,
                                                      "step-size underflow: the steps shrank to "};
  const auto ended_by = [](StanceStatus status, const std::string& message,
                           const std::pair<StanceStatus, std::string>& reason) {
    return status == reason.first && message.rfind(reason.second, 0) == 0;
  };
  for (std::size_t i : {std::size_t{1}, std::size_t{2}}) {
    const StanceResult r = scalar_stance(model, jobs[i], 0.0, 0.0, StanceIntegrator::kStiffSwitching);
    INFO("job " << i << ": batch '" << out[i].message << "', scalar '" << r.message << "'");
    if (i == 1) {
      CHECK(ended_by(out[i].status, out[i].message, collapse));
      CHECK(ended_by(r.status, r.message, collapse));
    } else {
      CHECK((ended_by(out[i].status, out[i].message, crawl) || ended_by(out[i].status, out[i].message, collapse)));
      CHECK((ended_by(r.status, r.message, crawl) || ended_by(r.status, r.message, collapse)));
    }
    CHECK(out[i].steps < kMaxStanceSteps / 10);
    CHECK(r.steps < kMaxStanceSteps / 10);
  }
  const auto solo = simulate_stances(model, std::span<const StanceJob>(&jobs[0], 1), BatchOptions{});
  REQUIRE(out[0].ok());
  require_identical(out[0], solo[0]);
}

TEST_CASE("batch input errors name the job", "[batch]") {
  const Model model = Model::default_model();
  std::mt19937_64 rng(3);
  std::vector<StanceJob> jobs = {random_job(model, rng), random_job(model, rng)};
  jobs[1].touchdown.knee_flexion = 2.0;
  REQUIRE_THROWS_WITH(simulate_stances(model, jobs), Catch::Contains("jobs[1].touchdown.knee_flexion"));
  jobs[1] = jobs[0];
  jobs[1].capacity_factors = {1.0};
  REQUIRE_THROWS_AS(simulate_stances(model, jobs), InputError);
  REQUIRE_THROWS_WITH(simulate_stances(model, jobs), Catch::Contains("jobs[1].capacity_factors"));
  jobs[1] = jobs[0];
  jobs[1].controller.muscles.pop_back();
  REQUIRE_THROWS_WITH(simulate_stances(model, jobs), Catch::Contains("jobs[1].controller"));
  BatchOptions bad;
  bad.threads = -1;
  REQUIRE_THROWS_AS(simulate_stances(model, jobs, bad), InputError);
  CHECK(simulate_stances(model, std::span<const StanceJob>{}).empty());
}

TEST_CASE("effort is Σ wᵢ ∫ aᵢ³ dt with the model controller's effort weights, on both paths", "[batch]") {
  const Model model = Model::default_model();
  std::mt19937_64 rng(7);
  const StanceJob job = random_job(model, rng);
  const std::string sol = "controller.muscles.soleus.effort_weight";
  std::map<std::string, double> doubled;
  for (const auto& m : model.muscles()) doubled["controller.muscles." + m.name + ".effort_weight"] = 2.0;
  const Model twice = model.with_params(doubled);
  const Model no_soleus = model.with_params({{sol, 0.0}});

  // Scalar path (metrics from the recorded series): linear in the weights, exactly.
  const StanceResult r1 = scalar_stance(model, job), r2 = scalar_stance(twice, job), r0 = scalar_stance(no_soleus, job);
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  REQUIRE(r0.ok());
  const double e1 = r1.metrics.at("effort");
  CHECK(e1 > 0.0);
  CHECK(r2.metrics.at("effort") == Approx(2.0 * e1).epsilon(1e-12));
  // Dropping the soleus removes its own ∫ a³ dt (trapezoidal on the recorded samples).
  const auto& t = r1.column("time_s");
  const auto& a = r1.column("soleus_activation");
  double soleus = 0.0;
  for (std::size_t i = 1; i < t.size(); ++i)
    soleus += 0.5 * (t[i] - t[i - 1]) * (a[i] * a[i] * a[i] + a[i - 1] * a[i - 1] * a[i - 1]);
  CHECK(soleus > 0.01 * e1);
  CHECK(r0.metrics.at("effort") == Approx(e1 - soleus).epsilon(1e-9));

  // Batch path: the same weights.
  BatchOptions bo;
  bo.threads = 1;
  const std::vector<StanceJob> jobs = {job};
  const auto b1 = simulate_stances(model, jobs, bo), b2 = simulate_stances(twice, jobs, bo);
  REQUIRE(b1[0].ok());
  REQUIRE(b2[0].ok());
  CHECK(b2[0].effort == Approx(2.0 * b1[0].effort).epsilon(1e-12));
  CHECK(rel_diff(b1[0].effort, e1) < 0.01);  // the two paths integrate the same quantity

  CHECK_THROWS_WITH(model.with_params({{sol, -1.0}}),
                    Catch::Contains("controller.muscles.soleus.effort_weight = -1 is out of range: allowed [0, 100]"));
}

TEST_CASE("effort-only mode (gait matching) gives the full mode's contact time, centre of mass and effort bits",
          "[batch]") {
  const Model model = Model::default_model();
  std::mt19937_64 rng(11);
  std::vector<StanceJob> jobs;
  for (std::size_t i = 0; i < 2 * batch_lanes() + 1; ++i) jobs.push_back(random_job(model, rng));
  BatchOptions full, light;
  full.threads = light.threads = 1;
  light.effort_only = true;
  const auto a = simulate_stances(model, jobs, full);
  const auto b = simulate_stances(model, jobs, light);
  int ok = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO("job " << i);
    REQUIRE(a[i].status == b[i].status);
    if (!a[i].ok()) continue;
    ++ok;
    CHECK(b[i].contact_time == a[i].contact_time);
    CHECK(b[i].effort == a[i].effort);
    CHECK(b[i].effort > 0.0);
    for (const auto& [x, y] : {std::pair{a[i].com_touchdown, b[i].com_touchdown}, std::pair{a[i].com_toeoff, b[i].com_toeoff}}) {
      CHECK(y.x == x.x);
      CHECK(y.y == x.y);
      CHECK(y.vx == x.vx);
      CHECK(y.vy == x.vy);
    }
    CHECK(b[i].steps == a[i].steps);
    // The metrics it skips are left at zero, not at partial maxima.
    CHECK(a[i].peak_pfj_force > 0.0);
    CHECK(b[i].peak_pfj_force == 0.0);
    CHECK(b[i].peak_vertical_grf == 0.0);
  }
  CHECK(ok >= static_cast<int>(jobs.size()) - 1);
}
