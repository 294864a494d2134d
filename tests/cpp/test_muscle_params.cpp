// Tests of MuscleParams validation (src/muscle/params.cpp) and the calf-fatigue helpers
// (include/legsim/muscle/fatigue.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "legsim/core/error.hpp"
#include "legsim/muscle/fatigue.hpp"
#include "legsim/model_schema.hpp"
#include "legsim/muscle/params.hpp"

using legsim::MuscleParams;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

struct BadValue {
  std::function<void(MuscleParams&)> set;
  std::string message;
};
}  // namespace

TEST_CASE("default and published muscle parameters validate", "[muscle][params]") {
  CHECK_NOTHROW(legsim::validate(MuscleParams{}));
  MuscleParams p;
  p.pennation_angle_at_optimal = 0.0;
  p.fiber_damping = 0.0;
  p.min_activation = 0.0;
  p.capacity_factor = 1.0;
  CHECK_NOTHROW(legsim::validate(p, "muscles.soleus"));
}

TEST_CASE("every invalid muscle field throws InputError with the exact message", "[muscle][params]") {
  const std::string pre = "muscles.soleus.";
  const std::vector<BadValue> cases = {
      {[](MuscleParams& p) { p.max_isometric_force = -1.0; },
       pre + "max_isometric_force = -1 is out of range: allowed [1, 1e+05] N"},
      {[](MuscleParams& p) { p.max_isometric_force = 0.0; },
       pre + "max_isometric_force = 0 is out of range: allowed [1, 1e+05] N"},
      {[](MuscleParams& p) { p.max_isometric_force = kNaN; },
       pre + "max_isometric_force = nan is out of range: allowed [1, 1e+05] N"},
      {[](MuscleParams& p) { p.max_isometric_force = kInf; },
       pre + "max_isometric_force = inf is out of range: allowed [1, 1e+05] N"},
      {[](MuscleParams& p) { p.optimal_fiber_length = 0.0; },
       pre + "optimal_fiber_length = 0 is out of range: allowed [0.01, 0.5] m"},
      {[](MuscleParams& p) { p.optimal_fiber_length = kNaN; },
       pre + "optimal_fiber_length = nan is out of range: allowed [0.01, 0.5] m"},
      {[](MuscleParams& p) { p.tendon_slack_length = -0.2; },
       pre + "tendon_slack_length = -0.2 is out of range: allowed [0.005, 0.6] m"},
      {[](MuscleParams& p) { p.pennation_angle_at_optimal = -0.1; },
       pre + "pennation_angle_at_optimal = -0.1 is out of range: allowed [0, 0.7853981633974483] rad"},
      {[](MuscleParams& p) { p.pennation_angle_at_optimal = 1.5707963267948966; },
       pre + "pennation_angle_at_optimal = 1.5707963267948966 is out of range: allowed [0, 0.7853981633974483] rad"},
      {[](MuscleParams& p) { p.pennation_angle_at_optimal = kNaN; },
       pre + "pennation_angle_at_optimal = nan is out of range: allowed [0, 0.7853981633974483] rad"},
      {[](MuscleParams& p) { p.max_contraction_velocity = 0.0; },
       pre + "max_contraction_velocity = 0 is out of range: allowed [2, 20] optimal fiber lengths/s"},
      {[](MuscleParams& p) { p.tendon_strain_at_one_norm_force = 0.0; },
       pre + "tendon_strain_at_one_norm_force = 0 is out of range: allowed [0.01, 0.15]"},
      {[](MuscleParams& p) { p.tendon_strain_at_one_norm_force = 1.0; },
       pre + "tendon_strain_at_one_norm_force = 1 is out of range: allowed [0.01, 0.15]"},
      {[](MuscleParams& p) { p.tendon_strain_at_one_norm_force = kNaN; },
       pre + "tendon_strain_at_one_norm_force = nan is out of range: allowed [0.01, 0.15]"},
      {[](MuscleParams& p) { p.passive_fiber_strain_at_one_norm_force = -0.6; },
       pre + "passive_fiber_strain_at_one_norm_force = -0.6 is out of range: allowed [0.2, 1.5]"},
      {[](MuscleParams& p) { p.activation_time_constant = 0.0; },
       pre + "activation_time_constant = 0 is out of range: allowed [0.002, 0.1] s"},
      {[](MuscleParams& p) { p.deactivation_time_constant = -0.06; },
       pre + "deactivation_time_constant = -0.06 is out of range: allowed [0.01, 0.2] s"},
      {[](MuscleParams& p) { p.activation_smoothing = 0.0; },
       pre + "activation_smoothing = 0 is out of range: allowed [0.1, 100]"},
      {[](MuscleParams& p) { p.min_activation = -0.01; },
       pre + "min_activation = -0.01 is out of range: allowed [0, 0.2]"},
      {[](MuscleParams& p) { p.min_activation = 1.0; },
       pre + "min_activation = 1 is out of range: allowed [0, 0.2]"},
      {[](MuscleParams& p) { p.min_activation = kNaN; }, pre + "min_activation = nan is out of range: allowed [0, 0.2]"},
      {[](MuscleParams& p) { p.fiber_damping = -0.1; }, pre + "fiber_damping = -0.1 is out of range: allowed [0, 1]"},
      {[](MuscleParams& p) { p.fiber_damping = kInf; }, pre + "fiber_damping = inf is out of range: allowed [0, 1]"},
      // Absurd values that loaded before issue 18 (item 5) and gave NaN metrics.
      {[](MuscleParams& p) { p.max_isometric_force = 1e12; },
       pre + "max_isometric_force = 1e+12 is out of range: allowed [1, 1e+05] N"},
      {[](MuscleParams& p) { p.optimal_fiber_length = 1e308; },
       pre + "optimal_fiber_length = 1e+308 is out of range: allowed [0.01, 0.5] m"},
      {[](MuscleParams& p) { p.min_activation = 0.5; }, pre + "min_activation = 0.5 is out of range: allowed [0, 0.2]"},
      {[](MuscleParams& p) { p.capacity_factor = 0.0; }, pre + "capacity_factor = 0 is out of range: allowed (0, 1]"},
      {[](MuscleParams& p) { p.capacity_factor = 1.5; }, pre + "capacity_factor = 1.5 is out of range: allowed (0, 1]"},
      {[](MuscleParams& p) { p.capacity_factor = kNaN; }, pre + "capacity_factor = nan is out of range: allowed (0, 1]"},
      {[](MuscleParams& p) { p.tendon = static_cast<legsim::TendonModel>(7); },
       pre + "tendon = 7 is out of range: allowed 0 (compliant) or 1 (rigid)"},
  };
  for (const BadValue& bad : cases) {
    MuscleParams p;
    bad.set(p);
    INFO("expected: " << bad.message);
    CHECK_THROWS_AS(legsim::validate(p, "muscles.soleus"), legsim::InputError);
    CHECK_THROWS_WITH(legsim::validate(p, "muscles.soleus"), bad.message);
  }
  // Default prefix.
  MuscleParams p;
  p.max_isometric_force = -5.0;
  CHECK_THROWS_WITH(legsim::validate(p), "muscle.max_isometric_force = -5 is out of range: allowed [1, 1e+05] N");
  // InputError is a legsim::Error.
  CHECK_THROWS_AS(legsim::validate(p), legsim::Error);
}

TEST_CASE("validate() checks every field of the model-file schema", "[muscle][params]") {
  // The schema (src/io/schema.hpp) is the one list of MuscleParams' fields; validate() states each
  // field's physiological range. A field added to the schema without a range fails here.
  for (const auto& f : legsim::muscle_parameter_fields()) {
    MuscleParams p;
    p.*f.member = kNaN;
    INFO(f.key);
    CHECK_THROWS_WITH(legsim::validate(p, "m"), Catch::Contains("m." + std::string(f.key) + " = nan"));
  }
}

TEST_CASE("calf fatigue weights from fast-twitch fractions (Uchida et al. 2016)", "[muscle][fatigue]") {
  const std::vector<double> slow = {legsim::kSlowFractionSoleus, legsim::kSlowFractionGastrocnemiusMedialis};
  const std::vector<double> w = legsim::calf_fatigue_weights(slow);
  REQUIRE(w.size() == 2);
  CHECK(w[1] == 1.0);                                           // gastrocnemius: most fatigable
  CHECK(w[0] == Approx((1.0 - 0.803) / (1.0 - 0.566)).epsilon(1e-15));  // soleus ≈ 0.454
  CHECK(w[0] == Approx(0.4539).margin(1e-4));
  // Capacity factor 1 − φ·w.
  CHECK(legsim::fatigue_capacity_factor(0.3, w[1]) == Approx(0.7).epsilon(1e-15));
  CHECK(legsim::fatigue_capacity_factor(0.3, w[0]) == Approx(1.0 - 0.3 * w[0]).epsilon(1e-15));
  CHECK(legsim::fatigue_capacity_factor(0.0, 1.0) == 1.0);
  CHECK(legsim::fatigue_capacity_factor(0.9, 1.0) == Approx(0.1).epsilon(1e-14));
  // With the lateral head included, it is the most fatigable (slow fraction 0.507).
  const std::vector<double> three = {0.803, 0.566, 0.507};
  const std::vector<double> w3 = legsim::calf_fatigue_weights(three);
  CHECK(w3[2] == 1.0);
  CHECK(w3[1] < 1.0);
}

TEST_CASE("calf fatigue inputs are validated with exact messages", "[muscle][fatigue]") {
  CHECK_THROWS_WITH(legsim::fatigue_capacity_factor(0.95, 1.0),
                    "calf_fatigue = 0.95 is out of range: allowed [0, 0.9]");
  CHECK_THROWS_WITH(legsim::fatigue_capacity_factor(-0.1, 1.0),
                    "calf_fatigue = -0.1 is out of range: allowed [0, 0.9]");
  CHECK_THROWS_WITH(legsim::fatigue_capacity_factor(kNaN, 1.0), "calf_fatigue = nan is out of range: allowed [0, 0.9]");
  CHECK_THROWS_WITH(legsim::fatigue_capacity_factor(0.3, 1.2), "fatigue_weight = 1.2 is out of range: allowed [0, 1]");
  const std::vector<double> bad = {0.8, 1.3};
  CHECK_THROWS_WITH(legsim::calf_fatigue_weights(bad), "slow_fractions[1] = 1.3 is out of range: allowed [0, 1]");
  const std::vector<double> all_slow = {1.0, 1.0};
  CHECK_THROWS_WITH(legsim::calf_fatigue_weights(all_slow),
                    "max fast-twitch fraction (1 - slow fraction) = 0 is out of range: allowed (0, 1]");
  const std::vector<double> none;
  CHECK_THROWS_WITH(legsim::calf_fatigue_weights(none), "slow_fractions.size = 0 is out of range: allowed at least 1");
  CHECK_THROWS_AS(legsim::calf_fatigue_weights(none), legsim::InputError);
}
