// The collocation problem's per-node physics in CasADi SX, its layout and constants
// (src/predict/problem.hpp), and the node physics at numeric values for tests
// (include/legsim/predict/biped_physics.hpp).
#include "problem.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/muscle/activation.hpp"
#include "legsim/muscle/geometry.hpp"
#include "legsim/muscle/mtu.hpp"

namespace legsim::predict {
namespace detail {

/// `capacity` (m): each muscle's active capacity c_i (model × condition; MtuCoefficients::active_capacity),
/// a parameter of the NLP so that one graph serves every fatigue level.
NodeOut node_physics(const Problem& P, const SX& x, const SX& u, const SX& capacity) {
  const Layout& L = P.L;
  const BipedConstants<SX> b = make_biped_constants<SX>(P.body);
  std::array<SX, kNq> q, qd, qdd;
  for (int j = 0; j < kNq; ++j) {
    q[j] = x(L.q(j));
    qd[j] = x(L.qd(j));
    qdd[j] = u(L.qdd(j)) * kAccelerationScale;
  }
  std::array<SX, kNq> Q;
  for (auto& v : Q) v = 0;
  NodeOut out;
  std::vector<SX> grf, cop, moments, forces, lnorm, quad, foot_angle, foot_fy, hill, adot, ftdot, energy;
  SX effort = 0, reserve = 0, metabolic = 0, passive_sq = 0;
  std::array<SX, kMetabolicTerms> energy_terms = {0, 0, 0, 0, 0, 0};
  for (int s = 0; s < 2; ++s) {
    const Side side = kSides[s];
    // Contact spheres of this foot (predict/biped_physics.hpp, shared with the forward simulation).
    const FootContactForce<SX> fc = add_foot_contact(b, P.contact, q, qd, side, Q);
    const SX &fx = fc.fx, &fy = fc.fy, &mx = fc.mx;
    grf.push_back(fx);
    grf.push_back(fy);
    cop.push_back(mx / (fy + 1e-3));  // 1 mN keeps the flight phase finite
    foot_fy.push_back(fy);
    foot_angle.push_back(-q[2] + q[hip_index(side)] - q[knee_index(side)] + q[ankle_index(side)]);
    // Muscles of this leg.
    std::array<SX, 3> moment = {0, 0, 0};
    SX quadriceps = 0;
    for (int i = 0; i < L.m; ++i) {
      const MuscleConstants<double>& mc = P.muscles.muscles[i];
      const MusclePath<SX> path = leg_muscle_path(mc, q, qd, side);  // predict/biped_physics.hpp
      const SX &length = path.length, &velocity = path.velocity;
      const std::array<SX, kMaxCrossings>& arm = path.moment_arm;
      MtuCoefficients<SX> coef = convert_mtu_coefficients<SX>(mc.mtu);
      coef.active_capacity = capacity(i);
      const SX a = x(L.a(s, i));
      SX force;
      MtuOutputs<SX> o;
      if (mc.rigid_tendon) {
        o = evaluate_rigid_mtu(coef, length, velocity, a);
        force = o.tendon_force;
      } else {
        const int k = L.compliant_slot[i];
        const SX ft = x(L.ft(s, k));
        const SX dft = u(L.dft(s, k)) * kTendonRateScale;
        // Fiber state from the tendon-force state and its rate (v_M = (v_MT − ḟ_T·l_s/fT')·cos α).
        o = compliant_mtu_implicit_outputs(coef, length, velocity, a, ft, dft);
        hill.push_back(compliant_mtu_force_balance(coef, o));
        ftdot.push_back(dft);
        force = ft * mc.mtu.max_isometric_force;
      }
      const SX fiber_norm = o.norm_fiber_length;
      // Muscle energy rate (W), recruitment by this node's excitation.
      const metabolics::MetabolicRate<SX> er =
          metabolics::bhargava2004_rate(P.metabolic[i], coef, o, SX(u(L.e(s, i))), P.metabolic_options);
      metabolic += er.total;
      energy.push_back(er.total);
      const std::array<SX, kMetabolicTerms> parts = {
          er.activation_heat, er.maintenance_heat, er.shortening_heat,
          er.heat - (er.activation_heat + er.maintenance_heat + er.shortening_heat), er.work, er.negative_work};
      for (int t = 0; t < kMetabolicTerms; ++t) energy_terms[t] += parts[t];
      for (int cr = 0; cr < mc.n_crossings; ++cr) {
        const int j = static_cast<int>(mc.crossings[cr].joint);
        moment[j] += -arm[cr] * force;  // along +q: φ and q run opposite ways
      }
      if (P.muscles.knee_extensor[i]) quadriceps += force;
      adot.push_back(activation_derivative<SX>(u(L.e(s, i)), a, mc.activation_time_constant,
                                               mc.deactivation_time_constant, mc.activation_smoothing));
      effort += P.effort_weight[i] * a * a * a;
      forces.push_back(force);
      lnorm.push_back(fiber_norm);
    }
    for (int j = 0; j < 3; ++j) {
      const int jq = joint_coordinate(side, j);
      const SX passive = passive_joint_moment(j, q[jq]);  // predict/biped_physics.hpp
      passive_sq += sq(passive);
      SX total = moment[j] + passive;
      if (L.reserves) {
        const SX r = u(L.res(s, j)) * P.opt.reserve_scale;
        total += r;
        reserve += sq(u(L.res(s, j)));
      }
      Q[jq] += total;
      moments.push_back(total);
    }
    quad.push_back(quadriceps);
  }
  // Implicit skeletal dynamics, each row divided by its generalized force per unit of the q̈ control
  // (the mass matrix's diagonal in a standing posture × 100 s⁻²), so a residual of 1 is an
  // acceleration error of 100 rad/s² (m/s²) on every coordinate. Dividing by body weight instead
  // left the light foot's row (≈ 1.4 N·m per unit against ≈ 7000 N for the pelvis) so weak that its
  // multipliers grew to 1e7 and IPOPT's Hessian needed regularization of 1e8.
  const std::array<SX, kNq> id = biped_inverse_dynamics(b, q, qd, qdd);
  std::vector<SX> dyn;
  for (int j = 0; j < kNq; ++j) dyn.push_back((id[j] - Q[j]) / P.dynamics_scale[j]);
  std::vector<SX> xdot;
  for (int j = 0; j < kNq; ++j) xdot.push_back(qd[j]);
  for (int j = 0; j < kNq; ++j) xdot.push_back(qdd[j]);
  xdot.insert(xdot.end(), adot.begin(), adot.end());
  xdot.insert(xdot.end(), ftdot.begin(), ftdot.end());
  std::vector<SX> residual = dyn;
  residual.insert(residual.end(), hill.begin(), hill.end());
  SX acc = 0;
  for (int j = 0; j < kNq; ++j) acc += sq(u(L.qdd(j)));
  SX rate = 0;
  for (int s = 0; s < 2; ++s)
    for (int k = 0; k < L.c; ++k) rate += sq(u(L.dft(s, k)));
  out.xdot = SX::vertcat(xdot);
  out.residual = SX::vertcat(residual);
  out.effort = effort;
  out.acceleration = acc;
  out.tendon_rate = rate;
  out.reserve = reserve;
  out.passive = passive_sq;
  out.metabolic = metabolic;
  out.metabolic_rate = SX::vertcat(energy);
  out.metabolic_terms = SX::vertcat(std::vector<SX>(energy_terms.begin(), energy_terms.end()));
  out.grf = SX::vertcat(grf);
  out.cop_x = SX::vertcat(cop);
  out.moment = SX::vertcat(moments);
  out.tendon_force = SX::vertcat(forces);
  out.fiber_length_norm = SX::vertcat(lnorm);
  out.quadriceps_force = SX::vertcat(quad);
  out.foot_angle = SX::vertcat(foot_angle);
  out.foot_force_y = SX::vertcat(foot_fy);
  return out;
}

/// Permutations that swap the legs, for states and controls.
std::vector<int> mirror_state(const Layout& L) {
  std::vector<int> p(L.nx());
  std::iota(p.begin(), p.end(), 0);
  for (int j = 0; j < 3; ++j) {
    std::swap(p[L.q(3 + j)], p[L.q(6 + j)]);
    std::swap(p[L.qd(3 + j)], p[L.qd(6 + j)]);
  }
  for (int i = 0; i < L.m; ++i) std::swap(p[L.a(0, i)], p[L.a(1, i)]);
  for (int k = 0; k < L.c; ++k) std::swap(p[L.ft(0, k)], p[L.ft(1, k)]);
  return p;
}

std::vector<int> mirror_control(const Layout& L) {
  std::vector<int> p(L.nu());
  std::iota(p.begin(), p.end(), 0);
  for (int j = 0; j < 3; ++j) std::swap(p[L.qdd(3 + j)], p[L.qdd(6 + j)]);
  for (int i = 0; i < L.m; ++i) std::swap(p[L.e(0, i)], p[L.e(1, i)]);
  for (int k = 0; k < L.c; ++k) std::swap(p[L.dft(0, k)], p[L.dft(1, k)]);
  if (L.reserves)
    for (int j = 0; j < 3; ++j) std::swap(p[L.res(0, j)], p[L.res(1, j)]);
  return p;
}

MX permute_rows(const MX& v, const std::vector<int>& p) {
  std::vector<MX> rows;
  for (int i : p) rows.push_back(v(i));
  return MX::vertcat(rows);
}

Problem make_problem(const Model& model_in, const GaitCondition& condition, const PredictOptions& opt) {
  validate(opt);
  Problem P;
  P.opt = opt;
  P.cond = resolve(condition);
  const Model model = condition_model(model_in, condition);
  const std::vector<double> capacity = capacity_factors(model, condition);
  P.muscles = make_stance_constants(model, capacity.data());
  P.body = biped_params(model.body());
  P.contact = model.foot_contact();
  P.pfj = model.pfj();
  P.body_weight = model.body_mass() * kGravity;
  {
    const BipedConstants<double> b = make_biped_constants<double>(P.body);
    BipedMatrix<double> M;
    BipedVector<double> h;
    BipedVector<double> q{}, qd{};
    biped_mass_matrix_and_bias(b, q, qd, M, h);
    for (int j = 0; j < kNq; ++j) P.dynamics_scale[j] = M[j][j] * kAccelerationScale;
  }
  const auto& muscles = model.muscles();
  P.L.m = static_cast<int>(muscles.size());
  P.L.reserves = opt.reserve_weight > 0.0;
  double mean_volume = 0.0;
  for (const MuscleSpec& s : muscles)
    mean_volume += s.params.max_isometric_force * s.params.optimal_fiber_length / muscles.size();
  for (int i = 0; i < P.L.m; ++i) {
    const MuscleSpec& s = muscles[i];
    P.muscle_names.push_back(s.name);
    P.muscle_params.push_back(s.params);
    P.muscle_params.back().capacity_factor *= capacity[i];
    const bool rigid = P.muscles.muscles[i].rigid_tendon;
    P.L.compliant_slot.push_back(rigid ? -1 : P.L.c);
    if (!rigid) ++P.L.c;
    P.effort_weight.push_back(opt.volume_weighted_effort
                                  ? s.params.max_isometric_force * s.params.optimal_fiber_length / mean_volume
                                  : 1.0);
    // Size from the unfatigued F_max (s.params; capacity is applied to the copy above).
    P.metabolic.push_back(metabolics::make_metabolic_muscle(s.params, s.slow_twitch_fraction, metabolics::kSpecificTension,
                                                            metabolics::kMuscleDensity, "muscles." + s.name));
  }
  return P;
}

NodeBounds node_bounds(const Problem& P) {
  const Layout& L = P.L;
  NodeBounds b{std::vector<double>(L.nx()), std::vector<double>(L.nx()), std::vector<double>(L.nu()),
               std::vector<double>(L.nu())};
  auto &xlo = b.xlo, &xhi = b.xhi, &ulo = b.ulo, &uhi = b.uhi;
  xlo[L.q(0)] = -1.0; xhi[L.q(0)] = 5.0;
  xlo[L.q(1)] = 0.4; xhi[L.q(1)] = 1.4;
  xlo[L.q(2)] = -0.5; xhi[L.q(2)] = 1.0;
  for (int s = 0; s < 2; ++s)
    for (int j = 0; j < 3; ++j) {
      const int jq = joint_coordinate(kSides[s], j);
      xlo[L.q(jq)] = (kPassiveRange[j].lo_deg - kBoundMargin) * kDegToRad;
      xhi[L.q(jq)] = (kPassiveRange[j].hi_deg + kBoundMargin) * kDegToRad;
    }
  for (int j = 0; j < kNq; ++j) {
    xlo[L.qd(j)] = j < 2 ? -10.0 : -40.0;
    xhi[L.qd(j)] = j < 2 ? 10.0 : 40.0;
    ulo[L.qdd(j)] = -100.0;
    uhi[L.qdd(j)] = 100.0;
  }
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < L.m; ++i) {
      const double amin = P.muscles.muscles[i].mtu.min_activation;
      xlo[L.a(s, i)] = amin; xhi[L.a(s, i)] = 1.0;
      ulo[L.e(s, i)] = amin; uhi[L.e(s, i)] = 1.0;
    }
    for (int k = 0; k < L.c; ++k) {
      xlo[L.ft(s, k)] = -0.15; xhi[L.ft(s, k)] = 5.0;
      ulo[L.dft(s, k)] = -200.0; uhi[L.dft(s, k)] = 200.0;
    }
    if (L.reserves)
      for (int j = 0; j < 3; ++j) { ulo[L.res(s, j)] = -100.0; uhi[L.res(s, j)] = 100.0; }
  }
  return b;
}

std::vector<double> active_capacities(const Problem& P) {
  std::vector<double> c;
  for (int i = 0; i < P.L.m; ++i) c.push_back(P.muscles.muscles[i].mtu.active_capacity);
  return c;
}

std::string coordinate_name(int j) {
  static const char* names[kNq] = {"pelvis_x", "pelvis_y", "trunk_lean", "hip_flexion_r", "knee_flexion_r",
                                   "ankle_dorsiflexion_r", "hip_flexion_l", "knee_flexion_l", "ankle_dorsiflexion_l"};
  return names[j];
}

}  // namespace detail

using namespace detail;

void validate(const PredictOptions& o) {
  auto range = [](const char* field, double v, double lo, double hi) {
    require(v >= lo && v <= hi, std::string("predict options: ") + field, v,
            "[" + format_value(lo) + ", " + format_value(hi) + "]");
  };
  range("mesh_intervals", o.mesh_intervals, 10, 1000);
  range("impact_mesh_ratio", o.impact_mesh_ratio, 1.0, 20.0);
  range("impact_window", o.impact_window, 1e-3, 0.2);
  range("acceleration_weight", o.acceleration_weight, 0.0, 1e3);
  range("tendon_rate_weight", o.tendon_rate_weight, 0.0, 1e3);
  range("excitation_rate_weight", o.excitation_rate_weight, 0.0, 1e3);
  range("reserve_weight", o.reserve_weight, 0.0, 1e9);
  range("reserve_scale", o.reserve_scale, 1e-3, 1e4);
  range("passive_moment_weight", o.passive_moment_weight, 0.0, 1e6);
  if (o.objective != "effort" && o.objective != "metabolic")
    throw InputError("predict options: objective = \"" + o.objective + "\" is not one of \"effort\", \"metabolic\"");
  range("metabolic_effort_weight", o.metabolic_effort_weight, 0.0, 1e3);
  range("tolerance", o.tolerance, 1e-12, 1.0);
  range("constraint_tolerance", o.constraint_tolerance, 1e-12, 1.0);
  range("max_iterations", o.max_iterations, 0, 1000000);
  if (o.hessian != "auto" && o.hessian != "exact" && o.hessian != "limited-memory")
    throw InputError("predict options: hessian = \"" + o.hessian + "\" is not one of \"auto\", \"exact\", \"limited-memory\"");
  range("quasi_newton_tolerance", o.quasi_newton_tolerance, 1e-12, 1.0);
  range("start", o.start, 0, 1000);
  range("print_level", o.print_level, 0, 12);
}

// ---- node physics at numeric values (include/legsim/predict/biped_physics.hpp; for tests) -------

CollocationNode evaluate_collocation_node(const Model& model, const GaitCondition& condition,
                                          const PredictOptions& options, const std::vector<double>& q,
                                          const std::vector<double>& qd, const std::vector<double>& qdd,
                                          const std::vector<double>& activation,
                                          const std::vector<double>& norm_tendon_force,
                                          const std::vector<double>& norm_tendon_force_rate,
                                          const std::vector<double>& excitation, const std::vector<double>& reserve) {
  const Problem P = make_problem(model, condition, options);
  const Layout& L = P.L;
  auto size = [](const char* field, std::size_t got, int expected) {
    if (got != static_cast<std::size_t>(expected))
      throw InputError(std::string("evaluate_collocation_node: ") + field + ": expected " + std::to_string(expected) +
                       " values, got " + std::to_string(got));
  };
  size("q", q.size(), kNq);
  size("qd", qd.size(), kNq);
  size("qdd", qdd.size(), kNq);
  size("activation", activation.size(), 2 * L.m);
  size("norm_tendon_force", norm_tendon_force.size(), 2 * L.c);
  size("norm_tendon_force_rate", norm_tendon_force_rate.size(), 2 * L.c);
  size("excitation", excitation.size(), 2 * L.m);
  if (L.reserves) size("reserve", reserve.size(), 6);
  std::vector<double> x(L.nx(), 0.0), u(L.nu(), 0.0);
  for (int j = 0; j < kNq; ++j) {
    x[L.q(j)] = q[j];
    x[L.qd(j)] = qd[j];
    u[L.qdd(j)] = qdd[j] / kAccelerationScale;
  }
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < L.m; ++i) {
      x[L.a(s, i)] = activation[s * L.m + i];
      u[L.e(s, i)] = excitation[s * L.m + i];
    }
    for (int k = 0; k < L.c; ++k) {
      x[L.ft(s, k)] = norm_tendon_force[s * L.c + k];
      u[L.dft(s, k)] = norm_tendon_force_rate[s * L.c + k] / kTendonRateScale;
    }
    if (L.reserves)
      for (int j = 0; j < 3; ++j) u[L.res(s, j)] = reserve[3 * s + j] / P.opt.reserve_scale;
  }
  const SX xs = SX::sym("x", L.nx()), us = SX::sym("u", L.nu());
  const NodeOut no = node_physics(P, xs, us, SX(DM(active_capacities(P))));
  const casadi::Function f("node", {xs, us},
                           {no.xdot, no.residual, no.grf, no.moment, no.tendon_force, no.quadriceps_force});
  const std::vector<DM> r = f(std::vector<DM>{DM(x), DM(u)});
  CollocationNode out;
  out.xdot = r[0].nonzeros();
  out.residual = r[1].nonzeros();
  out.grf = r[2].nonzeros();
  out.joint_moment = r[3].nonzeros();
  out.tendon_force = r[4].nonzeros();
  out.quadriceps_force = r[5].nonzeros();
  return out;
}

}  // namespace legsim::predict
