// Tests of the CasADi side of legsim_predict: the physics templates instantiated for casadi::SX give
// the double instantiation's values (the collocation problem is built from those SX expressions),
// and the IPOPT plugin of the casadi wheel loads and solves.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <casadi/casadi.hpp>

#include "legsim/body/contact.hpp"
#include "legsim/core/error.hpp"
#include "legsim/muscle/activation.hpp"
#include "legsim/muscle/curves.hpp"
#include "legsim/muscle/geometry.hpp"
#include "legsim/muscle/metabolics.hpp"
#include "legsim/muscle/mtu.hpp"
#include "legsim/predict/casadi_check.hpp"
#include "legsim/predict/predict.hpp"
#include "../test_muscle_util.hpp"

using casadi::SX;

namespace {

// The SX expression graph performs the double path's operations in the same order (select becomes
// if_else, whose unselected branch is discarded exactly; min/max become fmin/fmax), so the two agree
// to rounding. Not bit for bit: GCC contracts a·b + c into one fused multiply–add by default (also
// with -std=c++20) when the instruction set has FMA (LEGSIM_NATIVE=ON), while CasADi's virtual
// machine rounds the product and the sum separately; fV(−1) = 0 comes out as −4.7e-17 in double and
// 0 in SX. So the tolerance is 1e-12 relative to max(|value|, scale), scale being the magnitude of
// the terms that cancel (1 for normalized quantities).
constexpr double kRelTol = 1e-12;

/// Builds a casadi::Function of n scalar inputs from the SX instantiation of `expr`, evaluates it at
/// every point, and compares with the double instantiation of the same callable.
template <class Expr>
void check_sx_matches_double(const std::string& name, int n_inputs, Expr expr,
                             const std::vector<std::vector<double>>& points, double scale = 1.0) {
  std::vector<SX> symbols;
  for (int i = 0; i < n_inputs; ++i) symbols.push_back(SX::sym("x" + std::to_string(i)));
  const SX out = expr(symbols);
  // (CasADi function names must be identifiers; `name` is only the label in failure messages.)
  const casadi::Function f("f", symbols, {out});
  for (const std::vector<double>& x : points) {
    REQUIRE(static_cast<int>(x.size()) == n_inputs);
    std::vector<casadi::DM> args(x.begin(), x.end());
    const double value_sx = static_cast<double>(f(args).at(0));
    const double value_double = expr(x);
    INFO(name << " at x = " << casadi::DM(x) << ": SX " << value_sx << ", double " << value_double);
    REQUIRE(std::isfinite(value_double));
    CHECK(std::abs(value_sx - value_double) <= kRelTol * std::max(std::abs(value_double), scale));
  }
}

/// Cartesian product of per-input value lists.
std::vector<std::vector<double>> grid(const std::vector<std::vector<double>>& axes) {
  std::vector<std::vector<double>> out{{}};
  for (const std::vector<double>& axis : axes) {
    std::vector<std::vector<double>> next;
    for (const std::vector<double>& prefix : out) {
      for (double v : axis) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace

TEST_CASE("casadi_version reports the loaded library") {
  const std::string v = legsim::predict::casadi_version();
  CHECK(v == casadi::CasadiMeta::version());
  CHECK(v.rfind("3.", 0) == 0);
}

TEST_CASE("SX ops: select, min and max build if_else, fmin and fmax") {
  static_assert(legsim::SymbolicScalar<SX>);
  static_assert(!legsim::SymbolicScalar<double>);
  static_assert(!legsim::SymbolicScalar<legsim::BatchD>);
  // Both branches are evaluated; the unselected one's inf must not leak (as for batches).
  check_sx_matches_double("select", 1, [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    return legsim::select(x[0] > T(0.0), x[0], T(1.0) / T(0.0) * x[0]);  // ±inf or nan when unselected
  }, {{2.0}, {0.5}});
  check_sx_matches_double("min", 2, [](const auto& x) { return legsim::min(x[0], x[1]); },
                          grid({{-1.0, 0.5, 3.0}, {-2.0, 0.5, 4.0}}));
  check_sx_matches_double("max", 2, [](const auto& x) { return legsim::max(x[0], x[1]); },
                          grid({{-1.0, 0.5, 3.0}, {-2.0, 0.5, 4.0}}));
  check_sx_matches_double("clamp", 1, [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    return legsim::clamp(x[0], T(-1.0), T(1.0));
  }, {{-3.0}, {-0.25}, {0.75}, {2.0}});
}

TEST_CASE("SX curves equal the double curves") {
  namespace c = legsim::curves;
  // Normalized fiber lengths inside, at the edges of and beyond [0.2, 1.8].
  const std::vector<double> lengths{0.1, 0.2, 0.45, 0.8, 1.0, 1.013, 1.3, 1.8, 2.5};
  const std::vector<double> velocities{-1.5, -1.0, -0.6, -0.046, 0.0, 0.02, 0.3, 1.0, 2.0};
  const std::vector<double> fv_values{-0.2, 0.0, 0.3, 0.8825, 1.0, 1.5, 1.79, 2.2};
  const std::vector<double> tendon_lengths{0.9, 0.99, 1.0, 1.02, 1.049, 1.08};
  const std::vector<double> tendon_forces{-0.5, -0.19, 0.0, 0.1, 1.0, 3.0};
  const auto as_points = [](const std::vector<double>& v) { return grid({v}); };

  check_sx_matches_double("active_force_length", 1,
                          [](const auto& x) { return c::active_force_length(x[0]); }, as_points(lengths));
  check_sx_matches_double("active_force_length_derivative", 1,
                          [](const auto& x) { return c::active_force_length_derivative(x[0]); },
                          as_points(lengths));
  check_sx_matches_double("passive_force_length", 2,
                          [](const auto& x) { return c::passive_force_length(x[0], x[1]); },
                          grid({lengths, {0.4, 0.6}}));
  check_sx_matches_double("force_velocity", 1, [](const auto& x) { return c::force_velocity(x[0]); },
                          as_points(velocities));
  check_sx_matches_double("force_velocity_derivative", 1,
                          [](const auto& x) { return c::force_velocity_derivative(x[0]); },
                          as_points(velocities));
  check_sx_matches_double("force_velocity_inverse", 1,
                          [](const auto& x) { return c::force_velocity_inverse(x[0]); }, as_points(fv_values));
  check_sx_matches_double("tendon_force_length", 2,
                          [](const auto& x) { return c::tendon_force_length(x[0], x[1]); },
                          grid({tendon_lengths, {0.049, 0.1}}));
  check_sx_matches_double("tendon_force_length_inverse", 2,
                          [](const auto& x) { return c::tendon_force_length_inverse(x[0], x[1]); },
                          grid({tendon_forces, {0.049, 0.1}}));
}

TEST_CASE("SX activation dynamics equal the double ones") {
  legsim::MuscleParams p;
  p.activation_smoothing = 10.0;
  check_sx_matches_double("activation_derivative", 2,
                          [&](const auto& x) { return legsim::activation_derivative(p, x[0], x[1]); },
                          grid({{0.0, 0.3, 1.0}, {-0.1, 0.01, 0.5, 0.99, 1.2}}));
}

TEST_CASE("SX muscle-tendon units equal the double ones") {
  for (legsim::MuscleParams p : {legsim_test::soleus_like(), legsim_test::vastus_like()}) {
    const double l_opt = p.optimal_fiber_length;
    const double l_s = p.tendon_slack_length;
    // MTU lengths from a slack fiber to a stretched one, velocities in m/s either way.
    const std::vector<double> mtu_lengths{l_s + 0.3 * l_opt, l_s + 0.9 * l_opt, l_s + 1.1 * l_opt,
                                          l_s + 1.6 * l_opt};
    const std::vector<double> mtu_velocities{-0.6, -0.1, 0.0, 0.25};
    const std::vector<double> activations{0.0, 0.4, 1.0};
    check_sx_matches_double("evaluate_rigid_mtu.tendon_force", 3,
                            [&](const auto& x) { return legsim::evaluate_rigid_mtu(p, x[0], x[1], x[2]).tendon_force; },
                            grid({mtu_lengths, mtu_velocities, activations}), p.max_isometric_force);
    check_sx_matches_double("equilibrium_residual", 4, [&](const auto& x) {
      using T = std::decay_t<decltype(x[0])>;
      return legsim::equilibrium_residual(legsim::make_mtu_coefficients<T>(p), x[0], x[1], x[2], x[3]);
    }, grid({mtu_lengths, mtu_velocities, activations, {0.05, 0.4, 1.2}}));
    // The compliant state derivative, undamped (closed-form inverse) and damped (the fixed-count
    // safeguarded Newton iteration, unrolled into the expression).
    for (double damping : {0.0, 0.1}) {
      p.fiber_damping = damping;
      check_sx_matches_double("norm_tendon_force_derivative", 4, [&](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        return legsim::norm_tendon_force_derivative(legsim::make_mtu_coefficients<T>(p), x[0], x[1], x[2], x[3]);
      }, grid({mtu_lengths, mtu_velocities, activations, {0.05, 0.4, 1.2}}));
    }
  }
}

TEST_CASE("SX muscle energy rate equals the double one") {
  // Bhargava et al. (2004), smoothed (muscle/metabolics.hpp): every part, at states on both sides of
  // each switch (shortening/lengthening, the maintenance factor's corners, the heat floor), and the
  // rate the collocation evaluates from the implicit compliant MTU.
  namespace mb = legsim::metabolics;
  const legsim::MuscleParams p = legsim_test::soleus_like();
  const mb::MetabolicMuscle m = mb::make_metabolic_muscle(p, 0.803);
  const double f_max = p.max_isometric_force;
  const auto points = grid({{0.01, 0.4, 1.0},                      // excitation
                            {0.3, 0.75, 1.0, 1.3, 1.7},            // l̃
                            {-0.2, -1e-4, 0.0, 2e-4, 0.05, 0.3},   // v_CE (m/s)
                            {0.0, 0.5 * f_max, 1.4 * f_max}});     // F_CE (N)
  for (const char* part : {"total", "heat", "work", "shortening_heat", "maintenance_heat", "activation_heat"}) {
    const std::string name = part;
    auto pick = [name](const auto& r) {
      if (name == "total") return r.total;
      if (name == "heat") return r.heat;
      if (name == "work") return r.work;
      if (name == "shortening_heat") return r.shortening_heat;
      if (name == "maintenance_heat") return r.maintenance_heat;
      return r.activation_heat;
    };
    check_sx_matches_double(std::string("bhargava2004_rate.") + part, 4, [&](const auto& x) {
      using T = std::decay_t<decltype(x[0])>;
      const T f_iso = legsim::min(x[3], T(f_max));
      return pick(mb::bhargava2004_rate(m, x[0], x[1], x[2], x[3], f_iso));
    }, points, f_max);
  }
  // From the implicit compliant MTU (the collocation's path): state f_T and its rate.
  const double l_s = p.tendon_slack_length, l_opt = p.optimal_fiber_length;
  check_sx_matches_double("bhargava2004_rate(implicit MTU)", 5, [&](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    const auto c = legsim::make_mtu_coefficients<T>(p);
    const auto o = legsim::compliant_mtu_implicit_outputs(c, x[0], x[1], x[2], x[3], x[4]);
    return mb::bhargava2004_rate(m, c, o, x[2]).total;
  }, grid({{l_s + 0.9 * l_opt, l_s + 1.1 * l_opt}, {-0.3, 0.0, 0.2}, {0.05, 0.6, 1.0}, {0.1, 0.8}, {-5.0, 0.0, 5.0}}),
     f_max);
}

TEST_CASE("SX path geometry equals the double one") {
  // A hip crossing (constant arm) and a knee crossing (cosine arm), both actions.
  const std::vector<legsim::JointCrossing> crossings{
      {legsim::Joint::kHip, 0.08, legsim::kPi, 2.7, 1},
      {legsim::Joint::kKnee, 0.05, 2.2, 2.9, -1},
      {legsim::Joint::kAnkle, 0.06, 1.75, 1.45, 1},
  };
  const std::vector<double> angles{1.2, 1.7, 2.4, 3.1};
  for (const legsim::JointCrossing& cr : crossings) {
    const legsim::CrossingTrig k = legsim::crossing_trig(cr);
    const auto check_field = [&](const std::string& name, auto field) {
      check_sx_matches_double("crossing_kinematics." + name, 1,
                              [&](const auto& x) { return field(legsim::crossing_kinematics(cr, x[0])); },
                              grid({angles}), cr.moment_arm);
      check_sx_matches_double("crossing_kinematics(sincos)." + name, 1, [&](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        using std::cos;
        using std::sin;
        return field(legsim::crossing_kinematics(cr, x[0], T(sin(x[0])), T(cos(x[0])), k));
      }, grid({angles}), cr.moment_arm);
    };
    check_field("length_change", [](const auto& ck) { return ck.length_change; });
    check_field("dl_dphi", [](const auto& ck) { return ck.dl_dphi; });
    check_field("moment_arm", [](const auto& ck) { return ck.moment_arm; });
  }
}

TEST_CASE("SX contact laws equal the double ones") {
  legsim::ContactParams p;
  const std::vector<double> penetrations{-0.01, 0.0, 1e-4, 0.004, 0.02};
  const std::vector<double> rates{-10.0, -1.0, 0.0, 0.5};
  // n = 1.5 takes δ·√δ, other exponents pow(δ, n).
  for (double n : {1.5, 2.2}) {
    check_sx_matches_double("positive_power", 1, [&](const auto& x) { return legsim::positive_power(x[0], n); },
                            grid({penetrations}), 1e-6);
  }
  check_sx_matches_double("hunt_crossley_ramp", 1,
                          [&](const auto& x) { return legsim::hunt_crossley_ramp(x[0], p.damping_ramp_width); },
                          grid({{-1.0, 0.0, 0.03, 0.1, 0.5, 2.0}}));
  check_sx_matches_double("contact_normal_force", 2,
                          [&](const auto& x) { return legsim::contact_normal_force(x[0], x[1], p); },
                          grid({penetrations, rates}));
  // Bristle friction below, inside and beyond the saturation blend, both signs.
  check_sx_matches_double("bristle_friction.force", 3, [&](const auto& x) {
    return legsim::bristle_friction(x[0], x[1], x[2], p).force;
  }, grid({{-2e-3, -1e-4, 0.0, 5e-4, 3e-3}, {-0.5, 0.0, 0.2}, {0.0, 300.0, 1500.0}}), 100.0);
}

TEST_CASE("IPOPT from the casadi wheel solves the Rosenbrock problem") {
  // min (1 − x)² + 100·(y − x²)², minimum 0 at (1, 1); the classic start (−1.2, 1).
  const SX x = SX::sym("x", 2);
  const SX f = sq(SX(1.0) - x(0)) + SX(100.0) * sq(x(1) - sq(x(0)));
  casadi::Dict opts;
  opts["print_time"] = false;
  opts["ipopt.print_level"] = 0;
  opts["ipopt.sb"] = "yes";  // no IPOPT banner in the test log
  const casadi::Function solver = casadi::nlpsol("s", "ipopt", {{"x", x}, {"f", f}}, opts);
  const casadi::DMDict result = solver(casadi::DMDict{{"x0", casadi::DM(std::vector<double>{-1.2, 1.0})}});
  CHECK(solver.stats().at("success").as_bool());
  const std::vector<double> xs = result.at("x").nonzeros();
  REQUIRE(xs.size() == 2);
  // IPOPT's default tolerance 1e-8 on the scaled KKT error; at the minimum the Hessian's smallest
  // eigenvalue is about 0.4, so x is within about 1e-7 of (1, 1).
  CHECK(xs[0] == Approx(1.0).margin(1e-6));
  CHECK(xs[1] == Approx(1.0).margin(1e-6));
  CHECK(static_cast<double>(result.at("f")) < 1e-12);
}

TEST_CASE("predict options: the objective is validated") {
  legsim::predict::PredictOptions o;
  CHECK(o.objective == "effort");
  CHECK_NOTHROW(legsim::predict::validate(o));
  o.objective = "metabolic";
  CHECK_NOTHROW(legsim::predict::validate(o));
  o.objective = "Metabolic";
  CHECK_THROWS_AS(legsim::predict::validate(o), legsim::InputError);
  CHECK_THROWS_WITH(legsim::predict::validate(o), Catch::Matchers::Contains("objective = \"Metabolic\""));
  o.objective = "metabolic";
  o.metabolic_effort_weight = -0.1;
  CHECK_THROWS_WITH(legsim::predict::validate(o), Catch::Matchers::Contains("metabolic_effort_weight"));
  o.metabolic_effort_weight = std::nan("");
  CHECK_THROWS_WITH(legsim::predict::validate(o), Catch::Matchers::Contains("metabolic_effort_weight"));
}

TEST_CASE("predict options: the Hessian choice and the regularization weights are validated") {
  legsim::predict::PredictOptions o;
  CHECK(o.hessian == "auto");
  for (const char* h : {"auto", "exact", "limited-memory"}) {
    o.hessian = h;
    CHECK_NOTHROW(legsim::predict::validate(o));
  }
  o.hessian = "bfgs";
  CHECK_THROWS_AS(legsim::predict::validate(o), legsim::InputError);
  CHECK_THROWS_WITH(legsim::predict::validate(o), Catch::Matchers::Contains("hessian = \"bfgs\""));
  o.hessian = "auto";
  o.quasi_newton_tolerance = 0.0;
  CHECK_THROWS_WITH(legsim::predict::validate(o), Catch::Matchers::Contains("quasi_newton_tolerance"));
  o.quasi_newton_tolerance = 0.1;
  o.excitation_rate_weight = -1e-4;
  CHECK_THROWS_WITH(legsim::predict::validate(o), Catch::Matchers::Contains("excitation_rate_weight"));
}
