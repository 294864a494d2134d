// StanceStepper (sim/stance_stepper.hpp): a stance in communication steps with held excitations
// reproduces simulate_stance with the same constant excitations — at every sample time, not only
// the peaks — and a change of excitation at a communication point changes the stance.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_stepper.hpp"

namespace {

using legsim::Model;

// Constant excitations by muscle name (others 0.01), as the FMU test uses.
std::vector<double> constant_excitations(const Model& model) {
  std::vector<double> u;
  for (const auto& m : model.muscles())
    u.push_back(m.name == "soleus" || m.name == "gastrocnemius" ? 0.5 : m.name == "quadriceps" ? 0.4 : 0.01);
  return u;
}

legsim::StanceResult reference(const Model& model, const std::vector<double>& u) {
  legsim::FeedforwardExcitation ff;
  for (const double e : u) {
    ff.times.push_back({0.0});
    ff.levels.push_back({e});
  }
  return legsim::simulate_stance(model, {}, ff);
}

// Relative agreement of two integrations of the same stance that restart at different times: both
// hold the error per step below rtol = 1e-6 (the model's then), so samples agree to ~1e-5 of the scale
// (measured 3e-6 for the vertical GRF); a 2 % change of one excitation moves them by 2e-3 to 1e-2. At the
// model's 1e-4 / 1e-5 since 2026-12-06 (and simulate_stance's stiffness-switching integrator) they
// still agree within the bar.
constexpr double kAgreement = 1e-4;
constexpr double kToeOffAgreement = 2e-5;  // s: two event tolerances (1e-5 s)

}  // namespace

TEST_CASE("stepping with held constant excitations reproduces simulate_stance", "[stance_stepper]") {
  const Model& model = Model::default_model();
  const std::vector<double> u = constant_excitations(model);
  const legsim::StanceResult ref = reference(model, u);
  REQUIRE(ref.ok());
  const auto& time = ref.column("time_s");
  const auto& grf_y = ref.column("grf_y_n");
  const auto& pfj = ref.column("pfj_force_n");
  const auto& knee = ref.column("knee_flexion_deg");
  const double grf_scale = *std::max_element(grf_y.begin(), grf_y.end());
  const double pfj_scale = *std::max_element(pfj.begin(), pfj.end());

  legsim::StanceStepper stepper(model, {});
  stepper.set_excitations(u);
  // Communication points on the recorded samples (every output_interval), to compare there.
  for (std::size_t k = 1; k + 1 < time.size(); ++k) {
    REQUIRE(stepper.advance_to(time[k]) == legsim::StanceStatus::kOk);
    const auto& s = stepper.signals();
    CHECK(std::abs(s.grf_y - grf_y[k]) < kAgreement * grf_scale);
    CHECK(std::abs(s.pfj_force - pfj[k]) < kAgreement * pfj_scale);
    CHECK(std::abs(stepper.state()[legsim::kStateQ + 4] * 180.0 / M_PI - knee[k]) < kAgreement * 90.0);
  }
  REQUIRE(stepper.advance_to(ref.contact_time + 0.01) == legsim::StanceStatus::kOk);
  CHECK(std::abs(stepper.toe_off_time() - ref.contact_time) < kToeOffAgreement);
  CHECK(stepper.signals().grf_y == 0.0);  // after toe-off the foot is off the ground
}

TEST_CASE("an excitation change at a communication point changes the stance from there on", "[stance_stepper]") {
  const Model& model = Model::default_model();
  std::vector<double> u = constant_excitations(model);
  legsim::StanceStepper held(model, {}), changed(model, {});
  held.set_excitations(u);
  changed.set_excitations(u);
  REQUIRE(held.advance_to(0.05) == legsim::StanceStatus::kOk);
  REQUIRE(changed.advance_to(0.05) == legsim::StanceStatus::kOk);
  CHECK(held.signals().grf_y == changed.signals().grf_y);
  u[model.muscle_index("soleus")] = 1.0;
  changed.set_excitations(u);
  REQUIRE(held.advance_to(0.08) == legsim::StanceStatus::kOk);
  REQUIRE(changed.advance_to(0.08) == legsim::StanceStatus::kOk);
  const std::size_t soleus = model.muscle_index("soleus");
  // a fully excited soleus pulls harder 30 ms later
  CHECK(changed.signals().force[soleus] > 1.2 * held.signals().force[soleus]);
}

TEST_CASE("stance stepper input errors name the field", "[stance_stepper]") {
  const Model& model = Model::default_model();
  legsim::TouchdownState bad;
  bad.knee_flexion = 5.0;
  CHECK_THROWS_WITH(legsim::StanceStepper(model, bad), Catch::Contains("touchdown.knee_flexion"));
  legsim::StanceStepper stepper(model, {});
  std::vector<double> u(model.muscles().size(), 0.1);
  u[model.muscle_index("quadriceps")] = 1.5;
  CHECK_THROWS_WITH(stepper.set_excitations(u), Catch::Contains("excitation.quadriceps"));
  CHECK_THROWS_WITH(stepper.set_excitations(std::vector<double>(3, 0.1)), Catch::Contains("expected 7 values"));
  REQUIRE(stepper.advance_to(0.01) == legsim::StanceStatus::kOk);
  CHECK_THROWS_WITH(stepper.advance_to(0.01), Catch::Contains("t_end"));
  CHECK(std::isnan(stepper.toe_off_time()));
}

TEST_CASE("a relaxed leg whose steps collapse at a slack tendon stops with the reason", "[stance_stepper]") {
  // Zero excitations from the default touchdown: the gastrocnemius fibre ends below the force–length
  // curves' domain with its tendon slack, where Dormand–Prince's steps shrink to fractions of a
  // microsecond (crawl_problem, sim/stance_pipeline.hpp). Without the check it ran into the
  // 20,000-step limit inside one communication step.
  const Model& model = Model::default_model();
  legsim::StanceStepper stepper(model, {});
  stepper.set_excitations(std::vector<double>(model.muscles().size(), 0.0));
  const legsim::StanceStatus st = stepper.advance_to(0.3);
  INFO(stepper.message());
  CHECK(st == legsim::StanceStatus::kStepSizeUnderflow);
  CHECK(stepper.message().rfind("step-size underflow: the steps shrank to ", 0) == 0);
  CHECK(stepper.message().find(" fibre at ") != std::string::npos);
  CHECK(stepper.message().find("(its tendon slack)") != std::string::npos);
  CHECK(stepper.advance_to(0.4) == st);  // a failed stepper stays failed
}
