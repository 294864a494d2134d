// Predictive running by trapezoidal direct collocation (include/legsim/predict/predict.hpp).
//
// Transcription (each choice and its evidence: docs/decisions.md, "Gait prediction"):
//   * nodes 0..N over one step of duration T = 60/cadence (mesh_times: uniform, or graded finer over
//     the impact); node 0 = right touchdown.
//   * state per node: q (9), q̇ (9), activation a (2·m), normalized tendon force f_T (2·c, compliant
//     tendons only); controls per node: q̈ (9, scaled by 100 s⁻²), excitation e (2·m), ḟ_T (2·c, scaled
//     by 10 s⁻¹) and, optionally, 6 reserve joint torques.
//   * implicit dynamics at every node (van den Bogert et al. 2011, Procedia IUTAM 2:297–316):
//     M(q)q̈ + h(q, q̇) − Q(q, q̇, f_T, a) = 0 and the Hill force balance of each compliant MTU
//     (compliant_mtu_implicit_residual); trapezoidal defects x_{k+1} − x_k − h/2 (ẋ_k + ẋ_{k+1}) = 0.
//   * symmetry by substitution: node N is the mirror of node 0 (right and left swapped) advanced by the
//     step length, so no duplicate equalities enter the problem.
//   * objective per metre of travel: Σ_i w_i ∫ a_i³ dt ("effort") or the muscles' metabolic energy per
//     kg of body mass (Bhargava et al. 2004, muscle/metabolics.hpp; "metabolic"), plus small
//     regularization of q̈ and ḟ_T.
#include "transcription.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"

namespace legsim::predict::detail {

std::vector<double> nlp_parameters(const Problem& P, const std::vector<double>& times) {
  std::vector<double> p = active_capacities(P);
  p.push_back(P.cond.step_length);
  for (std::size_t k = 0; k + 1 < times.size(); ++k) p.push_back(times[k + 1] - times[k]);
  return p;
}

std::mutex& symbolic_mutex() {
  static std::mutex m;
  return m;
}

std::shared_ptr<Transcription> build_transcription(const Problem& P) {
  const std::lock_guard<std::mutex> lock(symbolic_mutex());
  const auto t0 = Clock::now();
  const Layout& L = P.L;
  const PredictOptions& opt = P.opt;
  const int N = opt.mesh_intervals;
  const int nx = L.nx(), nu = L.nu();
  auto tr = std::make_shared<Transcription>();

  // One node's physics as a CasADi function, mapped over the mesh.
  const SX xs = SX::sym("x", nx), us = SX::sym("u", nu), cs = SX::sym("c", L.m);
  const NodeOut no = node_physics(P, xs, us, cs);
  const casadi::Function node("node", {xs, us, cs},
                              {no.xdot, no.residual, no.effort, no.acceleration, no.tendon_rate, no.reserve,
                               no.metabolic, no.passive});
  tr->signals = casadi::Function("signals", {xs, us, cs},
                                 {no.grf, no.cop_x, no.moment, no.tendon_force, no.fiber_length_norm,
                                  no.quadriceps_force, no.foot_angle, no.foot_force_y, no.metabolic_rate,
                                  no.metabolic_terms});

  // Decision variables: nodes 0..N−1 (node N is the mirror of node 0); parameters (nlp_parameters).
  const MX X = MX::sym("X", nx, N), U = MX::sym("U", nu, N), p = MX::sym("p", L.m + 1 + N);
  const MX cap = p(casadi::Slice(0, L.m));
  const MX d = p(L.m);
  const MX h = p(casadi::Slice(L.m + 1, L.m + 1 + N));  // N × 1
  std::vector<double> unit_x(nx, 0.0);
  unit_x[L.q(0)] = 1.0;
  const MX xN = permute_rows(X(casadi::Slice(), 0), mirror_state(L)) + MX(DM(unit_x)) * d;
  const MX uN = permute_rows(U(casadi::Slice(), 0), mirror_control(L));
  const MX Xf = MX::horzcat({X, xN}), Uf = MX::horzcat({U, uN});
  const std::vector<MX> r = node.map(N + 1)(std::vector<MX>{Xf, Uf, repmat(cap, 1, N + 1)});
  const MX& F = r[0];
  const MX inv_h = 1.0 / h.T();                                           // 1 × N
  const MX weight = 0.5 * (MX::vertcat({h, MX(0.0)}) + MX::vertcat({MX(0.0), h}));  // trapezoidal, (N+1) × 1
  // Trapezoidal defects, scaled by 1/h_k so they read as rates.
  // Each state's defect is divided by a typical size of its rate (rad/s or m/s: 1; accelerations:
  // 100 s⁻²; activation and tendon-force rates: 10 s⁻¹), so every constraint row is O(1).
  std::vector<double> rate_scale(nx, 1.0);
  for (int j = 0; j < kNq; ++j) rate_scale[L.qd(j)] = kAccelerationScale;
  for (int i = 2 * kNq; i < nx; ++i) rate_scale[i] = kTendonRateScale;
  const MX defects = ((Xf(casadi::Slice(), casadi::Slice(1, N + 1)) - Xf(casadi::Slice(), casadi::Slice(0, N))) *
                          repmat(inv_h, nx, 1) -
                      0.5 * (F(casadi::Slice(), casadi::Slice(1, N + 1)) + F(casadi::Slice(), casadi::Slice(0, N)))) /
                     repmat(MX(DM(rate_scale)), 1, N);
  // Path residuals at nodes 0..N−1 (node N's are node 0's, mirrored).
  const MX path = r[1](casadi::Slice(), casadi::Slice(0, N));
  auto trapezoid = [&](const MX& row) { return mtimes(row, weight); };
  // Objective choice: effort (weight 1) or the muscles' metabolic energy per kg body mass and metre
  // (J/(kg·m)) plus metabolic_effort_weight × effort.
  const bool metabolic = opt.objective == "metabolic";
  const MX J_effort = (metabolic ? opt.metabolic_effort_weight : 1.0) * trapezoid(r[2]) / d;
  const MX J_met = metabolic ? MX(trapezoid(r[6]) / (d * (P.body_weight / kGravity))) : MX(0.0);
  const MX J_acc = opt.acceleration_weight * trapezoid(r[3]) / d;
  const MX J_rate = opt.tendon_rate_weight * trapezoid(r[4]) / d;
  // Excitation rates over each interval (both legs; node N is node 0 mirrored), Σ h_k Σ_i (ė/10 s⁻¹)².
  MX J_exc = 0.0;
  if (opt.excitation_rate_weight > 0.0) {
    const MX E = Uf(casadi::Slice(L.e(0, 0), L.e(1, L.m - 1) + 1), casadi::Slice());
    const MX rate = (E(casadi::Slice(), casadi::Slice(1, N + 1)) - E(casadi::Slice(), casadi::Slice(0, N))) *
                    repmat(inv_h, 2 * L.m, 1) / kExcitationRateScale;
    J_exc = opt.excitation_rate_weight * mtimes(sum1(rate * rate), h) / d;
  }
  const MX J_res = opt.reserve_weight * trapezoid(r[5]) / d;
  const MX J_pass = opt.passive_moment_weight * trapezoid(r[7]) / d;
  const MX J = J_effort + J_met + J_acc + J_rate + J_exc + J_res + J_pass;

  // Initial contact (node 0): the right foot's vertical force crosses the 20 N threshold, and the
  // foot angle (or, for a given ankle angle, the right ankle) is constrained; its bounds are the
  // condition's (foot_strike_bounds).
  const std::vector<MX> s0 = tr->signals(std::vector<MX>{X(casadi::Slice(), 0), U(casadi::Slice(), 0), cap});
  const MX strike = P.cond.foot_strike == FootStrike::kAnkleAngle ? MX(X(L.q(ankle_index(Side::kRight)), 0))
                                                                  : MX(s0[6](0));
  const std::vector<MX> g = {vec(defects), vec(path), (s0[7](0) - kTouchdownForce) / P.body_weight, strike};

  const MX w = MX::vertcat({vec(X), vec(U)});
  // Evaluate the whole NLP as one SX graph (CasADi's virtual machine): 10× faster per iteration than
  // the MX graph of mapped node functions (measured, N = 25).
  tr->nlp = casadi::Function("nlp", {w, p}, {J, MX::vertcat(g)}, {"x", "p"}, {"f", "g"}).expand();
  // IPOPT's interface builds its f and g functions from the NLP it is given, once per solver; from
  // the SX graph that copies the whole graph twice (seconds at the default options). Given a
  // thin MX function calling f and g built here once, those copies are one call node each.
  {
    const casadi::Function f = tr->nlp.factory("nlp_f_sx", {"x", "p"}, {"f"});
    const casadi::Function gf = tr->nlp.factory("nlp_g_sx", {"x", "p"}, {"g"});
    const MX xm = MX::sym("x", tr->nlp.sparsity_in(0)), pm = MX::sym("p", tr->nlp.sparsity_in(1));
    tr->oracle = casadi::Function("nlp_oracle", {xm, pm}, {f(std::vector<MX>{xm, pm})[0], gf(std::vector<MX>{xm, pm})[0]},
                                  {"x", "p"}, {"f", "g"});
  }
  tr->grad_f = tr->nlp.factory("nlp_grad_f", {"x", "p"}, {"f", "grad:f:x"});
  tr->jac_g = tr->nlp.factory("nlp_jac_g", {"x", "p"}, {"g", "jac:g:x"});
  tr->terms = casadi::Function("terms", {w, p}, {J_effort, J_met, J_acc, J_rate, J_res, J_pass, J_exc});
  tr->full = casadi::Function("full", {w, p}, {Xf, Uf});
  tr->build_seconds = seconds_since(t0);
  return tr;
}

void build_hessian(Transcription& tr) {
  const std::lock_guard<std::mutex> lock(symbolic_mutex());
  tr.hess_l = tr.nlp.factory("nlp_hess_l", {"x", "p", "lam:f", "lam:g"}, {"triu:hess:gamma:x:x"},
                             {{"gamma", {"f", "g"}}});
}

std::string transcription_key(const GaitCondition& c, const PredictOptions& o) {
  std::ostringstream k;
  k << std::hexfloat << (c.body_mass ? *c.body_mass : -1.0) << ' ' << (c.height ? *c.height : -1.0) << ' '
    << (c.foot_strike == FootStrike::kAnkleAngle) << ' ' << o.mesh_intervals << ' ' << o.objective << ' '
    << o.metabolic_effort_weight << ' ' << o.volume_weighted_effort << ' ' << o.acceleration_weight << ' '
    << o.tendon_rate_weight << ' ' << o.excitation_rate_weight << ' ' << o.reserve_weight << ' ' << o.reserve_scale
    << ' ' << o.passive_moment_weight;
  return k.str();
}

std::array<double, 2> foot_strike_bounds(const ResolvedCondition& c) {
  double lo = -90.0, hi = 90.0;
  switch (c.foot_strike) {
    case FootStrike::kRearfoot: lo = 8.0; break;
    case FootStrike::kMidfoot: lo = -1.6; hi = 8.0; break;
    case FootStrike::kForefoot: hi = -1.6; break;
    case FootStrike::kAnkleAngle: lo = hi = c.touchdown_ankle_angle_deg; break;
  }
  return {lo * kDegToRad, hi * kDegToRad};
}

}  // namespace legsim::predict::detail
