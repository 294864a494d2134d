// Stance simulation: convergence under tolerance refinement, failure reporting, no allocation in
// the right-hand side, toe-off location.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "legsim/core/constants.hpp"
#include "legsim/model.hpp"
#include "legsim/sim/metrics.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_pipeline.hpp"
#include "../../src/sim/series.hpp"
#include "legsim/sim/stance_dynamics.hpp"

// Allocation counter for the "right-hand side allocates nothing" test. AddressSanitizer replaces
// the allocator itself, so the counter is compiled only without it (the Release run checks it).
namespace {
std::atomic<long> g_allocations{0};
}
#if defined(__SANITIZE_ADDRESS__)
#define LEGSIM_COUNT_ALLOCATIONS 0
#else
#define LEGSIM_COUNT_ALLOCATIONS 1
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// GCC 12 reports free() on memory from this very operator new as mismatched once it inlines
// std::function's manager into the delete (-Wmismatched-new-delete; both sides are malloc/free).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

using namespace legsim;

namespace {

FeedforwardExcitation teaching_pattern(const Model& model) {
  FeedforwardExcitation ff;
  for (const auto& m : model.muscles()) {
    double level = 0.05;
    if (m.name == "soleus" || m.name == "gastrocnemius") level = 0.5;
    if (m.name == "quadriceps") level = 0.4;
    if (m.name == "gluteus" || m.name == "hamstrings") level = 0.2;
    ff.times.push_back({0.0, 0.15, 0.3});
    ff.levels.push_back({level, level, 0.02});
  }
  return ff;
}

TouchdownState touchdown_for(const Model& model, const FeedforwardExcitation& ff) {
  TouchdownState td;
  for (std::size_t i = 0; i < model.muscles().size(); ++i) td.activations.push_back(ff.levels[i][0]);
  return td;
}

double rel_diff(double a, double b) { return std::abs(a - b) / std::abs(b); }

}  // namespace

TEST_CASE("stance: the default pattern lands, loads and toes off") {
  const Model& model = Model::default_model();
  const auto ff = teaching_pattern(model);
  const StanceResult r = simulate_stance(model, touchdown_for(model, ff), ff);
  REQUIRE(r.ok());
  CHECK(r.contact_time > 0.08);
  CHECK(r.contact_time < 0.4);
  // At toe-off the total normal force is zero and just before it positive.
  const auto& fy = r.column("grf_y_n");
  CHECK(fy.back() == Approx(0.0).margin(1e-9));
  CHECK(r.metrics.at("peak_vertical_grf_bw") > 1.0);
  // The recorded time series starts at touchdown and ends at toe-off.
  CHECK(r.column("time_s").front() == 0.0);
  CHECK(r.column("time_s").back() == Approx(r.contact_time).margin(1e-12));
}

TEST_CASE("stance: without a kept series the metrics are the same, bit for bit") {
  // options.record = false records only the columns stance_metrics reads (src/sim/series.cpp); the
  // metrics must not notice, and the result names the same columns with no rows. The stance computes
  // its metrics from the recorder's block; the public stance_metrics(model, result) from the kept
  // series must give the same numbers.
  const Model& model = Model::default_model();
  StanceOptions o;
  const StanceResult kept = simulate_stance(model, TouchdownState{}, model.controller(), o);
  o.record = false;
  const StanceResult dropped = simulate_stance(model, TouchdownState{}, model.controller(), o);
  REQUIRE((kept.ok() && dropped.ok()));
  CHECK(dropped.series.empty());
  CHECK(dropped.columns == kept.columns);
  CHECK(kept.series.size() == kept.columns.size());
  const std::map<std::string, double> from_series = stance_metrics(model, kept);
  for (const std::map<std::string, double>* other : {&dropped.metrics, &from_series}) {
    REQUIRE(other->size() == kept.metrics.size());
    for (const auto& [key, value] : kept.metrics) {
      INFO(key);
      if (std::isnan(value))
        CHECK(std::isnan(other->at(key)));
      else
        CHECK(other->at(key) == value);
    }
  }
}

TEST_CASE("stance: GRF impulse metrics obey impulse–momentum for the centre of mass") {
  const Model& model = Model::default_model();
  const auto ff = teaching_pattern(model);
  const StanceResult r = simulate_stance(model, touchdown_for(model, ff), ff);
  REQUIRE(r.ok());
  const double m = model.body_mass(), bw = model.body_weight();
  const auto& vx = r.column("com_velocity_x_m_per_s");
  const auto& fx = r.column("grf_x_n");
  const double braking = r.metrics.at("braking_impulse_bw_s") * bw;
  const double propulsive = r.metrics.at("propulsive_impulse_bw_s") * bw;
  CHECK(braking < 0.0);
  CHECK(propulsive > 0.0);
  // ∫ F_x dt = m Δv_x; trapezoidal error on the 0.5 ms dense output ≈ 0.1 % of the braking impulse.
  CHECK(braking + propulsive == Approx(m * (vx.back() - vx.front())).margin(0.01 * -braking));
  CHECK(r.metrics.at("peak_braking_grf_bw") == Approx(-*std::min_element(fx.begin(), fx.end()) / bw));
  // ∫ (F_y − m g) dt = m (v_y,toe-off − v_y,touchdown), with the velocities the metrics report.
  const auto& t = r.column("time_s");
  const auto& fy = r.column("grf_y_n");
  double net_vertical = 0.0;
  for (std::size_t i = 1; i < t.size(); ++i) net_vertical += 0.5 * (fy[i] + fy[i - 1] - 2.0 * bw) * (t[i] - t[i - 1]);
  const double dv = r.metrics.at("toe_off_com_vertical_velocity_m_per_s") -
                    r.metrics.at("touchdown_com_vertical_velocity_m_per_s");
  CHECK(m * dv == Approx(net_vertical).epsilon(0.005));
  CHECK(r.metrics.at("touchdown_com_vertical_velocity_m_per_s") < 0.0);  // landing
}

TEST_CASE("stance: work–energy — joint work plus contact work is the change of mechanical energy") {
  const Model& model = Model::default_model();
  const auto ff = teaching_pattern(model);
  const StanceResult r = simulate_stance(model, touchdown_for(model, ff), ff);
  REQUIRE(r.ok());
  const auto& m = r.metrics;
  double joints = 0.0, gross = 0.0;
  for (const char* j : {"hip", "knee", "ankle"}) {
    const double pos = m.at(std::string(j) + "_positive_work_j_per_kg");
    const double neg = m.at(std::string(j) + "_negative_work_j_per_kg");
    CHECK(pos >= 0.0);
    CHECK(neg <= 0.0);
    joints += pos + neg;
    gross += pos - neg;
  }
  // d(T + V)/dt = Σ M·q̇ + Σ F·v exactly; what is left is the trapezoidal rule on the 0.5 ms dense
  // output (measured 2026-12-01: 5e-5 J/kg here; 0.0014 of 5.0 J/kg gross at the gait-matched default).
  CHECK(joints + m.at("contact_work_j_per_kg") ==
        Approx(m.at("mechanical_energy_change_j_per_kg")).margin(0.001 * gross));
  // The contact is passive and its springs start unloaded: over a stance it can only take energy,
  // through its normal (Hunt–Crossley) part and its friction part each.
  CHECK(m.at("contact_work_j_per_kg") < 0.0);
  CHECK(m.at("friction_work_j_per_kg") < 0.0);
  CHECK(m.at("contact_work_j_per_kg") < m.at("friction_work_j_per_kg"));
  CHECK(m.at("contact_negative_work_j_per_kg") <= m.at("contact_work_j_per_kg"));
  CHECK(gross > 0.5);  // the audit is about real work, not numerical noise
}

TEST_CASE("stance: the touchdown foot velocity is that of the landing foot point") {
  const Model& model = Model::default_model();
  const auto ff = teaching_pattern(model);
  TouchdownState td = touchdown_for(model, ff);
  SECTION("pure translation: the foot moves with the hip") {
    td.trunk_angular_velocity = td.hip_angular_velocity = td.knee_angular_velocity = td.ankle_angular_velocity = 0.0;
    td.hip_velocity_x = 3.1;
    td.hip_velocity_y = -0.6;
    const StanceResult r = simulate_stance(model, td, ff);
    REQUIRE(r.ok());
    CHECK(r.metrics.at("touchdown_foot_velocity_x_m_per_s") == Approx(3.1).margin(1e-12));
    CHECK(r.metrics.at("touchdown_foot_velocity_y_m_per_s") == Approx(-0.6).margin(1e-12));
  }
  SECTION("a non-rotating foot moves with the ankle, whose velocity the leg's joint rates set") {
    set_touchdown_ankle_velocity(model, td, 0.8, -0.9);
    td.ankle_angular_velocity = -(td.hip_angular_velocity - td.knee_angular_velocity);  // foot ω = 0
    const StanceResult r = simulate_stance(model, td, ff);
    REQUIRE(r.ok());
    CHECK(r.metrics.at("touchdown_foot_velocity_x_m_per_s") == Approx(0.8).margin(1e-9));
    CHECK(r.metrics.at("touchdown_foot_velocity_y_m_per_s") == Approx(-0.9).margin(1e-9));
  }
}

TEST_CASE("stance: halving the tolerance changes peak PFJ force and contact time by < 0.5 %") {
  const Model& model = Model::default_model();
  const auto ff = teaching_pattern(model);
  const auto td = touchdown_for(model, ff);
  StanceOptions o;
  o.relative_tolerance = 1e-6;
  o.absolute_tolerance = 1e-8;
  const StanceResult a = simulate_stance(model, td, ff, o);
  o.relative_tolerance = 5e-7;
  o.absolute_tolerance = 5e-9;
  const StanceResult b = simulate_stance(model, td, ff, o);
  o.relative_tolerance = 1e-10;
  o.absolute_tolerance = 1e-12;
  const StanceResult ref = simulate_stance(model, td, ff, o);
  REQUIRE((a.ok() && b.ok() && ref.ok()));
  constexpr double kBar = 0.005;
  CHECK(rel_diff(a.metrics.at("peak_pfj_force_bw"), b.metrics.at("peak_pfj_force_bw")) < kBar);
  CHECK(rel_diff(a.contact_time, b.contact_time) < kBar);
  // And both approach the tight-tolerance reference.
  CHECK(rel_diff(b.metrics.at("peak_pfj_force_bw"), ref.metrics.at("peak_pfj_force_bw")) < kBar);
  CHECK(rel_diff(b.contact_time, ref.contact_time) < kBar);
  CHECK(b.steps > a.steps);  // the finer tolerance really took more steps
}

TEST_CASE("stance: failures are reported with a reason, never as numbers") {
  const Model& model = Model::default_model();
  const auto ff = teaching_pattern(model);
  const auto td = touchdown_for(model, ff);
  SECTION("no toe-off within the time limit") {
    const Model short_limit = model.with_params({{"integrator.max_stance_time", 0.05}});
    const StanceResult r = simulate_stance(short_limit, td, ff);
    CHECK(r.status == StanceStatus::kNoToeOff);
    CHECK(r.message == "no toe-off: the foot did not leave the ground within 0.05 s");
    CHECK(r.metrics.empty());
    CHECK(r.series.empty());
  }
  SECTION("a runner with half the muscle excitation collapses, and the stance ends there") {
    ControllerParams weak = model.controller();
    for (MuscleControl& m : weak.muscles) m.level *= 0.5;
    const StanceResult r = simulate_stance(model, TouchdownState{}, weak);
    INFO(r.message);
    CHECK(r.status == StanceStatus::kNoToeOff);
    REQUIRE(r.message.rfind("no toe-off: the runner collapsed: the hip sank to ", 0) == 0);
    CHECK(r.message.find("below 50 % of its touchdown height") != std::string::npos);
    CHECK(r.metrics.empty());
    CHECK(r.series.empty());
    // It ends when the hip crosses the line, before the 0.6 s limit: the time in the message.
    const std::size_t at = r.message.find("at t = ");
    REQUIRE(at != std::string::npos);
    const double t = std::stod(r.message.substr(at + 7));
    CHECK(t > kMinContactTime);
    CHECK(t < 0.9 * model.integrator().max_stance_time);
  }
  SECTION("a relaxed runner's steps collapse at a slack tendon, and the stance stops with the reason") {
    ControllerParams relaxed = model.controller();  // no feedforward, no reflexes
    for (MuscleControl& m : relaxed.muscles) m.level = m.force_gain = m.length_gain = m.trunk_gain = 0.0;
    const StanceResult r = simulate_stance(model, TouchdownState{}, relaxed);
    INFO(r.message);
    CHECK(r.status == StanceStatus::kStepSizeUnderflow);
    CHECK(r.message.rfind("step-size underflow: the steps shrank to ", 0) == 0);
    CHECK(r.message.find("gastrocnemius fibre at ") != std::string::npos);
    CHECK(r.message.find("outside the force–length curves' domain [0.2, 1.8] (its tendon slack)") != std::string::npos);
    // Without the check it crawled on to the 20,000-step limit (183,183 evaluations, t = 0.12 s).
    CHECK(r.steps < kMaxStanceSteps / 10);
  }
  SECTION("the collapse line lies far below a running stance's hip") {
    // The default stance's hip stays above 0.9 of its touchdown height (spring–mass running sinks
    // by centimetres), so the 0.5 line cannot end a healthy stance.
    StanceOptions o;
    o.record = true;
    const StanceResult r = simulate_stance(model, td, ff, o);
    REQUIRE(r.ok());
    const auto& hip = r.column("hip_y_m");
    const double lowest = *std::min_element(hip.begin(), hip.end());
    CHECK(lowest > 0.9 * r.touchdown_state[kStateQ + 1]);
    CHECK(ToeOffRule::collapsed(0.44, 0.9));
    CHECK_FALSE(ToeOffRule::collapsed(0.46, 0.9));
  }
  SECTION("a non-finite excitation makes a non-finite state") {
    const ExcitationFn bad = [](double t, std::span<const double>, std::span<double> u) {
      for (double& v : u) v = t > 0.01 ? std::nan("") : 0.1;
    };
    const StanceResult r = simulate_stance(model, td, bad);
    CHECK(r.status == StanceStatus::kNonFiniteState);
    CHECK(r.message.rfind("non-finite state: the state became non-finite at t = ", 0) == 0);
    CHECK(r.metrics.empty());
  }
  SECTION("the foot never loads") {
    TouchdownState up;        // relaxed muscles (minimum activation, zero excitation)
    up.hip_velocity_y = 4.5;  // leaves the ground at once; a 0.9 s flight outlasts the 0.6 s limit
    const ExcitationFn relaxed = [](double, std::span<const double>, std::span<double> u) {
      for (double& v : u) v = 0.0;
    };
    const StanceResult r = simulate_stance(model, up, relaxed);
    CHECK(r.message == "no contact: the normal force never reached 20 % of body weight within 0.6 s");
    CHECK(r.status == StanceStatus::kNoContact);
  }
}

TEST_CASE("stance: bad input throws InputError naming the field") {
  const Model& model = Model::default_model();
  const auto ff = teaching_pattern(model);
  TouchdownState td = touchdown_for(model, ff);
  td.knee_flexion = std::nan("");
  CHECK_THROWS_WITH(simulate_stance(model, td, ff), "touchdown.knee_flexion = nan is out of range: allowed [0, 1.5]");
  td = touchdown_for(model, ff);
  td.activations.pop_back();
  CHECK_THROWS_WITH(simulate_stance(model, td, ff), Catch::Contains("touchdown.activations: expected 7 values"));
  FeedforwardExcitation bad = ff;
  const std::size_t gas = model.muscle_index("gastrocnemius");
  bad.levels[gas][1] = 1.5;
  CHECK_THROWS_WITH(validate(bad, model), "excitation.gastrocnemius.levels[1] = 1.5 is out of range: allowed [0, 1]");
  StanceOptions o;
  o.capacity_factors.assign(model.muscles().size(), 1.0);
  o.capacity_factors[gas] = 0.0;
  CHECK_THROWS_WITH(simulate_stance(model, touchdown_for(model, ff), ff, o),
                    "options.capacity_factors[gastrocnemius] = 0 is out of range: allowed (0, 1]");
}

TEST_CASE("stance: the right-hand side allocates nothing") {
  const Model& model = Model::default_model();
  const StanceConstants<double> c = make_stance_constants(model);
  const auto ff = teaching_pattern(model);
  std::vector<double> x = touchdown_state_vector(model, c, touchdown_for(model, ff));
  std::vector<double> dx(x.size());
  std::array<double, kMaxMuscles> u{};
  u.fill(0.3);
  StanceSignals<double> sig;
  const long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) stance_rhs(c, 0.01 * i, x.data(), u.data(), dx.data(), &sig);
  for (int i = 0; i < 100; ++i) stance_signals(c, 0.01 * i, x.data(), u.data(), sig);
  if (LEGSIM_COUNT_ALLOCATIONS) {
    CHECK(g_allocations.load() == before);
    // The counter works: one allocation is seen.
    auto* probe = new std::vector<double>(8);
    CHECK(g_allocations.load() > before);
    delete probe;
  }
  for (double v : dx) CHECK(std::isfinite(v));
}

TEST_CASE("stance: the signals-only evaluation gives the right-hand side's signals") {
  // stance_signals (the recorder's evaluation) skips the mass-matrix solve; every signal must equal
  // stance_rhs's to round-off, at touchdown, mid-stance and toe-off, with the controller and with
  // caller excitations.
  const Model& model = Model::default_model();
  const StanceResult r = simulate_stance(model, TouchdownState{}, model.controller());
  REQUIRE(r.ok());
  const auto values = [](const StanceSignals<double>& s, int n) {
    std::vector<double> v{s.grf_x, s.grf_y, s.contact_power, s.friction_power, s.quadriceps_force,
                          s.knee_flexion_deg, s.pfj_force, s.pfj_stress, s.pfj_force_moment_method,
                          s.body_com_x, s.body_com_y, s.body_com_vx, s.body_com_vy};
    for (int p = 0; p < kNumContacts; ++p) v.insert(v.end(), {s.normal_force[p], s.friction_force[p]});
    for (int j = 0; j < kNumJoints; ++j) v.insert(v.end(), {s.joint_moment[j], s.joint_velocity[j]});
    for (int i = 0; i < n; ++i)
      v.insert(v.end(), {s.excitation[i], s.mtu_length[i], s.mtu_velocity[i], s.force[i], s.activation[i],
                         s.fiber_length[i], s.norm_fiber_length[i], s.fiber_velocity[i], s.tendon_strain[i],
                         s.fiber_force[i]});
    return v;
  };
  // A third state: the toe-off posture with the touchdown muscle states (off the trajectory, which
  // does not matter: the two evaluations must agree at any state).
  std::vector<double> mixed = r.toeoff_state;
  for (int i = kStateBase; i < static_cast<int>(mixed.size()); ++i) mixed[i] = r.touchdown_state[i];
  for (const bool controller : {true, false}) {
    const StanceConstants<double> c = controller ? make_stance_constants(model, nullptr, &model.controller())
                                                 : make_stance_constants(model);
    std::array<double, kMaxMuscles> u{};
    u.fill(0.4);
    for (const auto& [t, x] : {std::pair{0.0, r.touchdown_state}, std::pair{0.1, mixed},
                               std::pair{r.contact_time, r.toeoff_state}}) {
      std::vector<double> dx(x.size());
      StanceSignals<double> full, only;
      stance_rhs(c, t, x.data(), u.data(), dx.data(), &full);
      stance_signals(c, t, x.data(), u.data(), only);
      const std::vector<double> a = values(full, c.n_muscles), b = values(only, c.n_muscles);
      double scale = 0.0;
      for (double v : a) scale = std::max(scale, std::abs(v));
      for (std::size_t k = 0; k < a.size(); ++k) {
        INFO("controller " << controller << ", t = " << t << ", signal " << k);
        CHECK(std::abs(a[k] - b[k]) <= 1e-13 * std::max(std::abs(a[k]), 1e-3 * scale));
      }
    }
  }
}

TEST_CASE("stance: the muscles evaluated in SIMD lanes equal the muscles evaluated one at a time") {
  // make_stance_constants packs the muscles one per lane (c.muscle_lanes; the rigid-tendon hip flexor
  // shares the compliant muscles' batch); with none packed stance_rhs runs the same kernel per
  // muscle. xsimd's exp and log differ from libm's by a few ulps.
  const Model& model = Model::default_model();
  const StanceResult r = simulate_stance(model, TouchdownState{}, model.controller());
  REQUIRE(r.ok());
  for (const bool controller : {true, false}) {
    const StanceConstants<double> lanes = controller ? make_stance_constants(model, nullptr, &model.controller())
                                                     : make_stance_constants(model);
    REQUIRE(lanes.muscle_lanes.n == 7);  // every muscle, the rigid-tendon hip flexor last
    StanceConstants<double> alone = lanes;
    alone.muscle_lanes = MuscleLanes{};
    std::array<double, kMaxMuscles> u{};
    for (int i = 0; i < kMaxMuscles; ++i) u[i] = 0.1 + 0.05 * i;  // a different excitation per muscle
    for (const auto& [t, x] : {std::pair{0.0, r.touchdown_state}, std::pair{r.contact_time, r.toeoff_state}}) {
      std::vector<double> da(x.size()), db(x.size());
      StanceSignals<double> sa, sb;
      stance_rhs(lanes, t, x.data(), u.data(), da.data(), &sa);
      stance_rhs(alone, t, x.data(), u.data(), db.data(), &sb);
      double scale = 0.0;
      for (double v : db) scale = std::max(scale, std::abs(v));
      for (std::size_t k = 0; k < da.size(); ++k) {
        INFO("controller " << controller << ", t = " << t << ", dx/dt[" << k << "]: " << da[k] << " vs " << db[k]);
        CHECK(std::abs(da[k] - db[k]) <= 1e-11 * std::max(std::abs(db[k]), 1e-6 * scale));
      }
      // Without signals the lanes copy out only the outputs the derivative reads: the same derivative.
      std::vector<double> dc(x.size());
      stance_rhs(lanes, t, x.data(), u.data(), dc.data());
      CHECK(dc == da);
      for (int i = 0; i < lanes.n_muscles; ++i) {
        INFO("controller " << controller << ", t = " << t << ", muscle " << i);
        CHECK(sa.excitation[i] == Approx(sb.excitation[i]).epsilon(1e-12).margin(1e-15));
        CHECK(sa.force[i] == Approx(sb.force[i]).epsilon(1e-12).margin(1e-9));
        CHECK(sa.fiber_length[i] == Approx(sb.fiber_length[i]).epsilon(1e-12));
        CHECK(sa.fiber_velocity[i] == Approx(sb.fiber_velocity[i]).epsilon(1e-11).margin(1e-12));
        CHECK(sa.fiber_force[i] == Approx(sb.fiber_force[i]).epsilon(1e-12).margin(1e-9));
        CHECK(sa.tendon_strain[i] == Approx(sb.tendon_strain[i]).epsilon(1e-11).margin(1e-14));
        // The paths too run in the lanes (crossing_kinematics per lane; issue 22.5).
        CHECK(sa.mtu_length[i] == sb.mtu_length[i]);
        CHECK(sa.mtu_velocity[i] == sb.mtu_velocity[i]);
      }
    }
  }
}

TEST_CASE("stance: samples recorded a SIMD batch at a time equal the signals evaluated one at a time") {
  // The recorder queues samples and evaluates them one per lane (src/sim/series.cpp); every column
  // must be the signal of its own sample's (t, x, u), in time order, also for a last batch that does
  // not fill the lanes (11 samples), with the controller and with caller excitations.
  const Model& model = Model::default_model();
  const StanceResult r = simulate_stance(model, TouchdownState{}, model.controller());
  REQUIRE(r.ok());
  const std::vector<std::string> cols = series_columns(model);
  const auto col = [&](const std::string& name) {
    const auto it = std::find(cols.begin(), cols.end(), name);
    REQUIRE(it != cols.end());
    return static_cast<std::size_t>(it - cols.begin());
  };
  const int n = static_cast<int>(model.muscles().size());
  const ExcitationFn excitation = [](double t, std::span<const double>, std::span<double> u) {
    for (std::size_t i = 0; i < u.size(); ++i) u[i] = 0.1 + 0.05 * static_cast<double>(i) + t;
  };
  for (const bool controller : {true, false}) {
    const StanceConstants<double> c = controller ? make_stance_constants(model, nullptr, &model.controller())
                                                 : make_stance_constants(model);
    Recorder rec(model, c, controller ? nullptr : &excitation, true);
    constexpr int kSamples = 11;
    std::vector<std::vector<double>> xs;
    for (int k = 0; k < kSamples; ++k) {
      const double s = k / (kSamples - 1.0);
      std::vector<double> x(r.touchdown_state.size());
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = (1 - s) * r.touchdown_state[i] + s * r.toeoff_state[i];
      rec.record(s * r.contact_time, x);
      xs.push_back(x);
    }
    const std::vector<std::vector<double>>& series = rec.series();
    REQUIRE(series.size() == cols.size());
    REQUIRE(series[0].size() == kSamples);
    for (int k = 0; k < kSamples; ++k) {
      const double t = k / (kSamples - 1.0) * r.contact_time;
      std::array<double, kMaxMuscles> u{};
      if (!controller) excitation(t, xs[k], std::span<double>(u.data(), n));
      StanceSignals<double> s;
      stance_signals(c, t, xs[k].data(), u.data(), s);
      INFO("controller " << controller << ", sample " << k);
      CHECK(series[col("time_s")][k] == t);
      CHECK(series[col("knee_flexion_deg")][k] == Approx(xs[k][kStateQ + 4] * kRadToDeg).epsilon(1e-14));
      CHECK(series[col("grf_y_n")][k] == Approx(s.grf_y).epsilon(1e-12).margin(1e-9));
      CHECK(series[col("grf_x_n")][k] == Approx(s.grf_x).epsilon(1e-12).margin(1e-9));
      CHECK(series[col("knee_extension_moment_nm")][k] == Approx(-s.joint_moment[1]).epsilon(1e-12).margin(1e-9));
      CHECK(series[col("com_velocity_y_m_per_s")][k] == Approx(s.body_com_vy).epsilon(1e-12).margin(1e-12));
      CHECK(series[col("pfj_force_n")][k] == Approx(s.pfj_force).epsilon(1e-12).margin(1e-9));
      for (int i = 0; i < n; ++i) {
        const std::string& m = model.muscles()[i].name;
        INFO("muscle " << m);
        CHECK(series[col(m + "_excitation")][k] == Approx(s.excitation[i]).epsilon(1e-12).margin(1e-15));
        CHECK(series[col(m + "_activation")][k] == Approx(s.activation[i]).epsilon(1e-14));
        CHECK(series[col(m + "_force_n")][k] == Approx(s.force[i]).epsilon(1e-11).margin(1e-9));
        CHECK(series[col(m + "_fiber_velocity_m_per_s")][k] == Approx(s.fiber_velocity[i]).epsilon(1e-11).margin(1e-12));
        CHECK(series[col(m + "_mtu_length_m")][k] == Approx(s.mtu_length[i]).epsilon(1e-14));
      }
    }
  }
}

TEST_CASE("stance: a recording longer than the rows it reserved keeps every row") {
  // The recorder reserves 0.4 s of rows in one block and doubles it when a stance runs longer
  // (src/sim/series.cpp): 1,700 samples of 0.5 ms need two doublings. Every row must survive them,
  // in the block the metrics read (column) as in the copied series, and equal its own sample.
  const Model& model = Model::default_model();
  const StanceResult r = simulate_stance(model, TouchdownState{}, model.controller());
  REQUIRE(r.ok());
  const StanceConstants<double> c = make_stance_constants(model, nullptr, &model.controller());
  for (const bool all : {true, false}) {
    Recorder rec(model, c, nullptr, all);
    constexpr int kSamples = 1700;
    const auto state = [&](int k) {
      const double s = k / (kSamples - 1.0);
      std::vector<double> x(r.touchdown_state.size());
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = (1 - s) * r.touchdown_state[i] + s * r.toeoff_state[i];
      return x;
    };
    for (int k = 0; k < kSamples; ++k) rec.record(5e-4 * k, state(k));
    const std::span<const double> t = rec.column("time_s"), fy = rec.column("grf_y_n");
    const std::vector<std::vector<double>> series = rec.series();
    const std::vector<std::string> cols = series_columns(model, all);
    REQUIRE(series.size() == cols.size());
    REQUIRE(t.size() == kSamples);
    for (std::size_t k = 0; k < cols.size(); ++k) {
      INFO(cols[k]);
      const std::span<const double> col = rec.column(cols[k]);
      CHECK(std::equal(col.begin(), col.end(), series[k].begin(), series[k].end()));
    }
    for (const int k : {0, 7, 8, 805, 811, 1615, 1623, kSamples - 1}) {
      INFO("all " << all << ", sample " << k);
      CHECK(t[k] == 5e-4 * k);
      const std::vector<double> x = state(k);
      StanceSignals<double> s;
      const std::array<double, kMaxMuscles> u{};
      stance_signals(c, 5e-4 * k, x.data(), u.data(), s);
      CHECK(fy[k] == Approx(s.grf_y).epsilon(1e-12).margin(1e-9));
    }
    CHECK_THROWS_AS(rec.column("no_such_column"), InputError);
    if (!all) CHECK_THROWS_AS(rec.column("hip_x_m"), InputError);  // not a column metrics read
  }
}

TEST_CASE("stance: lanes mixing rigid and compliant tendons equal each tendon model bit for bit") {
  // detail::mixed_tendon_mtu evaluates a rigid lane as a compliant tendon at f_T = 0 (tendon at slack
  // length) and then takes the rigid tendon's velocity and forces: every output of every lane must
  // equal evaluate_rigid_mtu's or evaluate_compliant_mtu's on the same batch exactly.
  using B = BatchD;
  constexpr std::size_t kL = B::size;
  const Model& model = Model::default_model();
  const StanceConstants<double> c = make_stance_constants(model);
  std::vector<MtuCoefficients<double>> per_lane;
  alignas(64) double rigid_flag[kL], length[kL], velocity[kL], activation[kL], tendon_state[kL];
  for (std::size_t l = 0; l < kL; ++l) {
    const MuscleConstants<double>& m = c.muscles[l % static_cast<std::size_t>(c.n_muscles)];
    per_lane.push_back(m.mtu);
    rigid_flag[l] = l % 2 == 1 || m.rigid_tendon ? 1.0 : 0.0;  // rigid and compliant lanes side by side
    length[l] = m.reference_length * (0.95 + 0.02 * static_cast<double>(l));
    velocity[l] = -0.8 + 0.3 * static_cast<double>(l);
    activation[l] = 0.05 + 0.12 * static_cast<double>(l);
    tendon_state[l] = 0.1 + 0.15 * static_cast<double>(l);
  }
  MtuCoefficients<B> coefficients = pack_mtu_coefficients<B>(per_lane.data());
  const auto rigid = B::load_aligned(rigid_flag) > B(0.5);
  const B L = B::load_aligned(length), V = B::load_aligned(velocity), a = B::load_aligned(activation),
          f = B::load_aligned(tendon_state);
  const MtuOutputs<B> mixed = detail::mixed_tendon_mtu(coefficients, rigid, L, V, a, f);
  const MtuOutputs<B> r = evaluate_rigid_mtu(coefficients, L, V, a);
  const MtuOutputs<B> k = evaluate_compliant_mtu(coefficients, L, V, a, f);
  using O = MtuOutputs<B>;
  static_assert(sizeof(O) == 19 * sizeof(B), "every field below");
  int field = 0;
  for (B O::*member : {&O::fiber_length, &O::norm_fiber_length, &O::fiber_velocity, &O::norm_fiber_velocity,
                       &O::cos_pennation, &O::tendon_length, &O::tendon_strain, &O::tendon_velocity, &O::activation,
                       &O::active_force_length, &O::passive_force_length, &O::force_velocity, &O::active_fiber_force,
                       &O::passive_fiber_force, &O::damping_fiber_force, &O::total_fiber_force, &O::tendon_force,
                       &O::norm_tendon_force, &O::norm_tendon_force_derivative}) {
    for (std::size_t l = 0; l < kL; ++l) {
      const double expected = (rigid_flag[l] > 0.5 ? r.*member : k.*member).get(l);
      INFO("field " << field << ", lane " << l << (rigid_flag[l] > 0.5 ? " (rigid)" : " (compliant)"));
      CHECK((mixed.*member).get(l) == expected);
    }
    ++field;
  }
}

TEST_CASE("stance: fatigue lowers the calf's force capacity") {
  const Model& model = Model::default_model();
  const auto ff = teaching_pattern(model);
  const auto td = touchdown_for(model, ff);
  StanceOptions o;
  o.capacity_factors.assign(model.muscles().size(), 1.0);
  const StanceResult fresh = simulate_stance(model, td, ff, o);
  o.capacity_factors[model.muscle_index("soleus")] = 0.6;
  const StanceResult tired = simulate_stance(model, td, ff, o);
  REQUIRE((fresh.ok() && tired.ok()));
  CHECK(tired.metrics.at("peak_soleus_force_bw") < fresh.metrics.at("peak_soleus_force_bw"));
}

TEST_CASE("stance: a muscle's pretension blends its touchdown tendon force from relaxed to loaded") {
  const Model& base = Model::default_model();
  const int n = static_cast<int>(base.muscles().size());
  const int ta = static_cast<int>(base.muscle_index("tibialis_anterior"));
  TouchdownState td;
  td.activations.assign(n, 0.05);
  td.activations[ta] = 0.6;  // a tibialis anterior active through late swing
  const auto tendon_state = [&](double p) {
    const Model m = base.with_params({{"controller.muscles.tibialis_anterior.pretension", p}});
    return touchdown_state_vector(m, make_stance_constants(m), td);
  };
  const std::vector<double> x0 = tendon_state(0.0), xh = tendon_state(0.5), x1 = tendon_state(1.0);
  const std::vector<double> unset = touchdown_state_vector(base, make_stance_constants(base), td);
  const int k = tendon_state_index(n, ta);
  CHECK(x0 == unset);  // pretension 0 (the default) is the relaxed tendon, as before the field existed
  // The loaded equilibrium at activation 0.6 carries far more force than the relaxed one (≈ 0.01).
  CHECK(x0[k] < 0.05);
  CHECK(x1[k] > 10.0 * x0[k]);
  CHECK(xh[k] == Approx(0.5 * (x0[k] + x1[k])).epsilon(1e-12));
  for (int i = 0; i < static_cast<int>(x0.size()); ++i)
    if (i != k) CHECK(x1[i] == x0[i]);  // only that muscle's tendon changes

  // Physics: a pre-tensioned dorsiflexor resists the foot's toe-down rotation about the heel after a
  // heel strike, so the ankle plantarflexes less in the first 8 ms (same touchdown, same controller).
  const auto plantarflexion_in_8ms = [&](double p) {
    const Model m = base.with_params({{"controller.muscles.tibialis_anterior.pretension", p},
                                      {"controller.muscles.tibialis_anterior.level", 0.6},
                                      {"controller.muscles.tibialis_anterior.onset", -0.08}});
    TouchdownState t;
    t.trunk_lean = 0.3;  // a rearfoot touchdown close to the matched default gait: foot ≈ 15° toe-up
    t.hip_flexion = 0.85;
    t.knee_flexion = 0.43;
    t.ankle_dorsiflexion = 0.15;
    t.hip_velocity_x = 3.5;
    t.hip_velocity_y = -0.8;
    t.hip_angular_velocity = -3.0;
    t.activations.assign(n, 0.0);
    for (int i = 0; i < n; ++i) t.activations[i] = std::max(0.01, m.controller().muscles[i].level);
    const StanceResult r = simulate_stance(m, t, m.controller());
    REQUIRE(r.status == StanceStatus::kOk);
    const auto& time = r.column("time_s");
    const auto& ankle = r.column("ankle_dorsiflexion_deg");
    std::size_t i = 0;
    while (i + 1 < time.size() && time[i] < 0.008) ++i;
    return ankle.front() - ankle[i];  // degrees of plantarflexion
  };
  const double relaxed = plantarflexion_in_8ms(0.0), pretensioned = plantarflexion_in_8ms(1.0);
  CHECK(relaxed > 2.0);  // the foot does rotate toe-down after a heel strike
  CHECK(pretensioned < 0.8 * relaxed);
}

TEST_CASE("stance: pretension outside [0, 1] is rejected with its path") {
  CHECK_THROWS_WITH(Model::default_model().with_params({{"controller.muscles.tibialis_anterior.pretension", 1.5}}),
                    Catch::Contains("controller.muscles.tibialis_anterior.pretension = 1.5 is out of range: allowed [0, 1]"));
}

TEST_CASE("stance: the touchdown tendon equilibrium uses the fatigued muscle") {
  // A soleus pre-tensioned at touchdown (pretension 1: tendon at equilibrium with its activation)
  // with half its contractile capacity must start from the equilibrium of the fatigued muscle.
  const Model m = Model::default_model().with_params({{"controller.muscles.soleus.pretension", 1.0}});
  const int n = static_cast<int>(m.muscles().size());
  const int sol = static_cast<int>(m.muscle_index("soleus"));
  TouchdownState td;
  td.activations.assign(n, 0.05);
  td.activations[sol] = 0.6;
  std::vector<double> caps(n, 1.0);
  caps[sol] = 0.5;
  const std::vector<double> x_fresh = touchdown_state_vector(m, make_stance_constants(m), td);
  const std::vector<double> x_tired = touchdown_state_vector(m, make_stance_constants(m, caps.data()), td);
  const int k = tendon_state_index(n, sol);
  // The same path length as the state builder (soleus crosses the ankle only).
  const MuscleSpec& spec = m.muscles()[sol];
  const std::array<double, kNumJoints> q{td.hip_flexion, td.knee_flexion, td.ankle_dorsiflexion};
  const std::array<double, kNumJoints> qd{td.hip_angular_velocity, td.knee_angular_velocity, td.ankle_angular_velocity};
  const PathGeometry path =
      path_geometry(spec.joints, spec.params.optimal_fiber_length + spec.params.tendon_slack_length, q, qd);
  MuscleParams tired = spec.params;
  tired.capacity_factor = 0.5;
  const double expected = solve_mtu_equilibrium(tired, path.length, path.velocity, 0.6).norm_tendon_force;
  const double unfatigued = solve_mtu_equilibrium(spec.params, path.length, path.velocity, 0.6).norm_tendon_force;
  REQUIRE(unfatigued > 1.2 * expected);  // the two equilibria are far apart: the check below can fail
  CHECK(x_tired[k] == Approx(expected).epsilon(1e-9));
  CHECK(x_fresh[k] == Approx(unfatigued).epsilon(1e-9));
}

TEST_CASE("stance: a stance shorter than the physiological minimum or with a non-finite number is no result") {
  // The one rule the scalar path and the batch engine apply after toe-off (issue 18, item 5).
  const NamedValue finite[] = {{"effort", 0.3}, {"peak_pfj_force_bw", 3.1}};
  CHECK(stance_result_problem(0.25, finite).empty());
  CHECK(stance_result_problem(1e-7, finite) ==
        "the contact lasted 1e-07 s, shorter than the 0.05 s of the shortest running stance");
  const NamedValue nan[] = {{"effort", 0.3}, {"peak_pfj_force_bw", std::nan("")}};
  CHECK(stance_result_problem(0.25, nan) == "peak_pfj_force_bw = nan is not finite");
  CHECK(std::string(to_string(StanceStatus::kInvalidResult)) == "non-physiological stance");
}
