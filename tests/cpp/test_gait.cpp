// Gait conditions and matching: validation messages, impossible conditions reported as not
// converged, determinism, fatigue capacity factors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "legsim/gait/matching.hpp"

using namespace legsim;

TEST_CASE("conditions: any two of speed, cadence, step length, stride length") {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  const ResolvedCondition r = resolve(c);
  CHECK(r.step_length == Approx(3.5 * 60.0 / 170.0));
  CHECK(r.step_time == Approx(60.0 / 170.0));
  GaitCondition s;
  s.stride_length = 2.4;
  s.cadence = 160.0;
  CHECK(resolve(s).speed == Approx(1.2 * 160.0 / 60.0));
  GaitCondition l;
  l.speed = 3.0;
  l.step_length = 1.2;
  CHECK(resolve(l).cadence == Approx(150.0));
}

TEST_CASE("conditions: missing, redundant, inconsistent and out-of-range input is rejected") {
  GaitCondition c;
  c.speed = 3.5;
  CHECK_THROWS_WITH(resolve(c), "condition: give two of speed, cadence, step_length, stride_length (given: speed = 3.5)");
  c.cadence = 170.0;
  c.step_length = 2.0;
  CHECK_THROWS_WITH(resolve(c), Catch::StartsWith("condition: inconsistent (given: speed = 3.5, cadence = 170, step_length = 2)"));
  GaitCondition d;
  d.speed = 3.0;
  d.step_length = 1.0;
  d.stride_length = 2.0;
  CHECK_THROWS_WITH(resolve(d), Catch::Contains("step_length and stride_length both set the step length"));
  GaitCondition z;
  z.speed = 3.0;
  z.cadence = 0.0;
  CHECK_THROWS_WITH(resolve(z), "condition.cadence = 0 is out of range: allowed (0, inf) steps/min");
  GaitCondition f;
  f.speed = 3.0;
  f.cadence = 170.0;
  f.calf_fatigue = 0.95;
  CHECK_THROWS_WITH(resolve(f), "condition.calf_fatigue = 0.95 is out of range: allowed [0, 0.9]");
  f.calf_fatigue = 0.2;
  f.fatigue_override["biceps"] = 0.1;
  CHECK_THROWS_WITH(capacity_factors(Model::default_model(), f), Catch::Contains("unknown muscle 'biceps'"));
}

TEST_CASE("conditions: derived values are range-checked like given ones, naming what they derive from") {
  GaitCondition c;  // cadence 42,000 steps/min (issue 18, item 6)
  c.speed = 3.5;
  c.stride_length = 0.01;
  CHECK_THROWS_WITH(resolve(c), "condition.cadence (derived from speed = 3.5, stride_length = 0.01) = 42000 is out "
                                "of range: allowed [120, 240] steps/min (running)");
  GaitCondition fast;  // 9 m/s at 240 steps/min took 106 s of failing stances before
  fast.speed = 9.0;
  fast.cadence = 240.0;
  CHECK_THROWS_WITH(resolve(fast), "condition.speed = 9 is out of range: allowed [1.5, 7] m/s (running)");
  GaitCondition slow;
  slow.cadence = 170.0;
  slow.step_length = 0.3;
  CHECK_THROWS_WITH(resolve(slow), "condition.step_length = 0.3 is out of range: allowed [0.4, 2.5] m (running)");
  GaitCondition long_steps;  // 7.2 m steps
  long_steps.speed = 12.0;
  long_steps.cadence = 100.0;
  CHECK_THROWS_WITH(resolve(long_steps), "condition.cadence = 100 is out of range: allowed [120, 240] steps/min (running)");
  GaitCondition walk;
  walk.cadence = 150.0;
  walk.step_length = 0.5;  // 1.25 m/s
  CHECK_THROWS_WITH(resolve(walk), "condition.speed (derived from cadence = 150, step_length = 0.5) = 1.25 is out of "
                                   "range: allowed [1.5, 7] m/s (running)");
  GaitCondition edge;  // the corners of the ranges are accepted
  edge.speed = 7.0;
  edge.step_length = 2.5;
  CHECK(resolve(edge).cadence == Approx(168.0));
}

TEST_CASE("fatigue: gastrocnemius (most fast-twitch) loses the full fraction, soleus less, others none") {
  const Model& m = Model::default_model();
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  c.calf_fatigue = 0.0;
  for (double cap : capacity_factors(m, c)) CHECK(cap == 1.0);  // no fatigue = the unfatigued model
  c.calf_fatigue = 0.4;
  const auto caps = capacity_factors(m, c);
  const double gas = caps[m.muscle_index("gastrocnemius")], sol = caps[m.muscle_index("soleus")];
  CHECK(gas == Approx(0.6));
  // w_sol = (1 − 0.803)/(1 − 0.566) (Uchida 2016 slow fractions).
  CHECK(sol == Approx(1.0 - 0.4 * (1.0 - 0.803) / (1.0 - 0.566)));
  CHECK(caps[m.muscle_index("quadriceps")] == 1.0);
}

TEST_CASE("matching: an impossible condition is reported as not converged, with residuals, never numbers") {
  GaitCondition c;
  c.speed = 7.0;  // the fastest condition accepted, 2.47 m steps: beyond this model within 60 stances
  c.cadence = 170.0;
  MatchingOptions o;
  o.max_stances = 60;
  const GaitResult r = match_gait(Model::default_model(), c, o);
  CHECK_FALSE(r.converged);
  CHECK(r.message.rfind("not converged: ", 0) == 0);
  CHECK(r.metrics.empty());
}

TEST_CASE("matching: a condition far beyond the model fails fast, with the reason") {
  // 1.5 m/s at 120 steps/min: the derivative-free search crept from a residual norm of 112 to 104
  // tolerances over 650 stances before issue 18 (item 6).
  GaitCondition c;
  c.speed = 1.5;
  c.cadence = 120.0;
  const GaitResult r = match_gait(Model::default_model(), c);
  CHECK_FALSE(r.converged);
  CHECK(r.metrics.empty());
  CHECK_THAT(r.message, Catch::StartsWith("not converged: the periodicity residuals stay ") &&
                            Catch::EndsWith(": the condition is beyond what the model can run"));
  CHECK(r.evaluations < 250);
}

TEST_CASE("matching: deterministic — the same input gives the same bits") {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  MatchingOptions o;
  o.max_stances = 40;  // a short budget: determinism does not depend on convergence
  const GaitResult a = match_gait(Model::default_model(), c, o);
  const GaitResult b = match_gait(Model::default_model(), c, o);
  REQUIRE(a.solution.size() == b.solution.size());
  for (std::size_t i = 0; i < a.solution.size(); ++i) CHECK(a.solution[i] == b.solution[i]);
  CHECK(a.residuals == b.residuals);
  CHECK(a.evaluations == b.evaluations);
  o.threads = 1;  // the batch engine's results do not depend on the thread count
  const GaitResult c1 = match_gait(Model::default_model(), c, o);
  CHECK(c1.solution == a.solution);
}

TEST_CASE("matching: progress goes to the caller's log callback and changes nothing") {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  MatchingOptions o;
  o.max_stances = 40;
  const GaitResult silent = match_gait(Model::default_model(), c, o);
  std::vector<std::string> lines;
  o.log = [&](const std::string& line) { lines.push_back(line); };
  const GaitResult logged = match_gait(Model::default_model(), c, o);
  CHECK(logged.solution == silent.solution);
  REQUIRE(!lines.empty());
  CHECK(lines.front().rfind("it 0 |r| ", 0) == 0);  // the first Gauss–Newton step
  CHECK(std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("after feasibility", 0) == 0; }));
}

TEST_CASE("matching: bad options are rejected with the field, the value and the allowed range") {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  MatchingOptions o;
  o.touchdown_knee_angular_velocity = std::nan("");
  CHECK_THROWS_WITH(match_gait(Model::default_model(), c, o),
                    Catch::StartsWith("options.touchdown_knee_angular_velocity = nan is out of range: allowed [-20, 20]"));
  o.touchdown_knee_angular_velocity = 0.0;
  o.touchdown_hip_angular_velocity = -30.0;
  CHECK_THROWS_WITH(match_gait(Model::default_model(), c, o),
                    Catch::StartsWith("options.touchdown_hip_angular_velocity = -30 is out of range"));
  o.touchdown_hip_angular_velocity = -3.0;
  o.max_stances = 0;
  CHECK_THROWS_WITH(match_gait(Model::default_model(), c, o), Catch::StartsWith("options.max_stances = 0"));
  o.max_stances = 10;
  o.threads = -1;
  CHECK_THROWS_WITH(match_gait(Model::default_model(), c, o), Catch::StartsWith("options.threads = -1"));
  o.threads = 0;
  o.touchdown_foot_velocity = std::array<double, 2>{0.6, -12.0};
  CHECK_THROWS_WITH(match_gait(Model::default_model(), c, o),
                    Catch::StartsWith("options.touchdown_foot_velocity[1] = -12 is out of range: allowed [-10, 10]"));
}

TEST_CASE("matching: a stated touchdown foot velocity is the matched stance's landing velocity") {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  MatchingOptions o;
  o.record = false;
  o.touchdown_foot_velocity = std::array<double, 2>{0.6, -0.9};
  const GaitResult r = match_gait(Model::default_model(), c, o);
  REQUIRE(r.converged);
  CHECK(r.metrics.at("touchdown_foot_velocity_x_m_per_s") == Approx(0.6).margin(1e-9));
  CHECK(r.metrics.at("touchdown_foot_velocity_y_m_per_s") == Approx(-0.9).margin(1e-9));
  // The periodicity tolerances still hold (docs/gait_matching.md).
  CHECK(std::abs(r.residuals.at("vertical_velocity_mismatch_m_per_s")) < o.vertical_velocity_tolerance);
}

TEST_CASE("matching: the trunk-lean change is reported, and matched to zero with periodic_trunk_lean") {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  MatchingOptions o;
  const auto lean_change = [](const GaitResult& r) {  // from the solution's own time series
    const auto& lean = r.stance.column("trunk_lean_deg");
    return (lean.back() - lean.front()) * kDegToRad;
  };
  const GaitResult free = match_gait(Model::default_model(), c, o);
  REQUIRE(free.converged);
  CHECK(free.residuals.at("trunk_lean_change_rad") == Approx(lean_change(free)).margin(1e-12));
  o.periodic_trunk_lean = true;
  const GaitResult r = match_gait(Model::default_model(), c, o);
  REQUIRE(r.converged);
  CHECK(std::abs(lean_change(r)) < o.trunk_lean_tolerance);
  CHECK(std::abs(r.residuals.at("trunk_lean_change_rad")) < o.trunk_lean_tolerance);
  // The four centre-of-mass conditions (docs/gait_matching.md) still hold.
  CHECK(std::abs(r.residuals.at("speed_change_rel")) < o.speed_tolerance);
  CHECK(std::abs(r.residuals.at("vertical_velocity_mismatch_m_per_s")) < o.vertical_velocity_tolerance);
  CHECK(std::abs(r.residuals.at("height_mismatch_m")) < o.height_tolerance);
  CHECK(std::abs(r.residuals.at("step_length_error_rel")) < o.step_length_tolerance);
  o.trunk_lean_tolerance = 0.0;
  CHECK_THROWS_WITH(match_gait(Model::default_model(), c, o),
                    Catch::StartsWith("options.trunk_lean_tolerance = 0 is out of range: allowed (0, inf)"));
}

namespace {

/// The default model file's text with every occurrence of `from` replaced by `to`.
std::string default_text_with(const std::string& from, const std::string& to) {
  std::string t(Model::default_model_toml());
  for (std::size_t at = t.find(from); at != std::string::npos; at = t.find(from, at + to.size())) t.replace(at, from.size(), to);
  return t;
}

/// The default condition (3.5 m/s, 170 steps/min).
GaitCondition default_condition() {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  return c;
}

}  // namespace

TEST_CASE("matching: the metric names are the keys of a real result, muscle keys included") {
  const GaitCondition c = default_condition();
  MatchingOptions o;
  o.record = false;
  const GaitResult r = match_gait(Model::default_model(), c, o);
  REQUIRE(r.converged);
  std::vector<std::string> keys;
  for (const auto& [key, value] : r.metrics) keys.push_back(key);
  CHECK(keys == gait_metric_names(Model::default_model()));
  const std::vector<std::string> renamed = gait_metric_names(Model::from_toml(default_text_with("soleus", "soleus_m")));
  CHECK(std::count(renamed.begin(), renamed.end(), "peak_soleus_m_force_bw") == 1);
  CHECK(std::count(renamed.begin(), renamed.end(), "peak_soleus_force_bw") == 0);
}

TEST_CASE("matching: variables act on muscles by role tag, not by name") {
  const GaitCondition c = default_condition();
  MatchingOptions o;
  o.max_stances = 40;  // short: only that both models take the same path matters
  o.record = false;
  const GaitResult a = match_gait(Model::default_model(), c, o);
  // A renamed soleus keeps its tags, so it keeps its variables: the same matching, bit for bit.
  const Model renamed = Model::from_toml(default_text_with("soleus", "soleus_m"));
  CHECK(default_gait_guess(renamed) == default_gait_guess(Model::default_model()));
  const GaitResult b = match_gait(renamed, c, o);
  CHECK(b.solution == a.solution);
  CHECK(b.residuals == a.residuals);
  // A model without a muscle of a role is refused, naming the variable and the tag to add.
  const Model untagged =
      Model::from_toml(default_text_with("\"calf\", \"plantarflexor\", \"uniarticular_plantarflexor\"", "\"calf\""));
  CHECK_THROWS_WITH(match_gait(untagged, c, o), Catch::Contains("no muscle of the model is tagged \"uniarticular_plantarflexor\"") &&
                                                    Catch::Contains("soleus_level"));
  CHECK_THROWS_AS(default_gait_guess(untagged), InputError);
  // A muscle with two level roles would get two levels: refused.
  const Model twice = Model::from_toml(default_text_with("\"uniarticular_hip_extensor\"", "\"uniarticular_hip_extensor\", \"knee_extensor\""));
  CHECK_THROWS_WITH(match_gait(twice, c, o), Catch::Contains("muscle 'gluteus' has the tags of two roles"));
}

TEST_CASE("volume effort weights: proportional to F_max·l_opt, mean 1, valid model parameters") {
  const Model& model = Model::default_model();
  const std::map<std::string, double> w = volume_effort_weights(model);
  REQUIRE(w.size() == model.muscles().size());
  double sum = 0.0;
  for (const auto& [path, v] : w) sum += v;
  CHECK(sum / static_cast<double>(w.size()) == Approx(1.0).epsilon(1e-12));
  const auto& sol = model.muscles()[model.muscle_index("soleus")].params;
  const auto& ta = model.muscles()[model.muscle_index("tibialis_anterior")].params;
  CHECK(w.at("controller.muscles.soleus.effort_weight") / w.at("controller.muscles.tibialis_anterior.effort_weight") ==
        Approx(sol.max_isometric_force * sol.optimal_fiber_length / (ta.max_isometric_force * ta.optimal_fiber_length)));
  const Model weighted = model.with_params(w);
  CHECK(weighted.controller().muscles[model.muscle_index("soleus")].effort_weight ==
        Approx(w.at("controller.muscles.soleus.effort_weight")));
}
