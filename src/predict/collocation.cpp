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
#include "legsim/predict/predict.hpp"

#include <casadi/casadi.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "problem.hpp"

namespace legsim::predict {

using namespace detail;

// ---- the transcription, built once per problem structure ---------------------------------------

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Parameters of the NLP, the numbers a condition changes without changing the graph:
/// p = [c_1 … c_m (each muscle's active capacity); d (step length, m); h_0 … h_{N−1} (interval lengths, s)].
std::vector<double> nlp_parameters(const Problem& P, const std::vector<double>& times) {
  std::vector<double> p = active_capacities(P);
  p.push_back(P.cond.step_length);
  for (std::size_t k = 0; k + 1 < times.size(); ++k) p.push_back(times[k + 1] - times[k]);
  return p;
}

/// The collocation NLP of one problem structure (model and body size, the options that shape the
/// graph, the kind of foot-strike constraint) with the condition's numbers as parameters
/// (nlp_parameters), and its exact derivatives. Building it is most of a warm solve's cost when done
/// per condition (CasADi's algorithmic differentiation of the expanded graph: ≈ 4.5 s for the gradient
/// and Jacobian, ≈ 11.5 s for the Hessian at the default options, docs/decisions.md); a Predictor
/// builds it once and reuses it.
struct Transcription {
  casadi::Function nlp;                // (x, p) → (f, g), one SX graph
  casadi::Function oracle;             // the same as calls of SX functions of f and g (given to nlpsol)
  casadi::Function grad_f, jac_g;      // IPOPT's first derivatives, built with nlp
  casadi::Function hess_l;             // the Hessian of the Lagrangian, built at the first exact run
  casadi::Function terms;              // (x, p) → the objective's terms
  casadi::Function full;               // (x, p) → (X, U) at nodes 0..N
  casadi::Function signals;            // (x_k, u_k, c) → reporting signals of one node
  double build_seconds = 0.0;          // nlp, grad_f and jac_g
};

std::shared_ptr<Transcription> build_transcription(const Problem& P) {
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

/// IPOPT's Hessian of the Lagrangian, σ∇²f + Σλ_i∇²g_i (upper triangle), as IPOPT's interface builds it.
void build_hessian(Transcription& tr) {
  tr.hess_l = tr.nlp.factory("nlp_hess_l", {"x", "p", "lam:f", "lam:g"}, {"triu:hess:gamma:x:x"},
                             {{"gamma", {"f", "g"}}});
}

/// What distinguishes one transcription from another: everything that enters the graph other than
/// its parameters. Body size from the condition changes the model; an ankle-angle foot strike
/// constrains another quantity than a foot-strike band.
std::string transcription_key(const GaitCondition& c, const PredictOptions& o) {
  std::ostringstream k;
  k << std::hexfloat << (c.body_mass ? *c.body_mass : -1.0) << ' ' << (c.height ? *c.height : -1.0) << ' '
    << (c.foot_strike == FootStrike::kAnkleAngle) << ' ' << o.mesh_intervals << ' ' << o.objective << ' '
    << o.metabolic_effort_weight << ' ' << o.volume_weighted_effort << ' ' << o.acceleration_weight << ' '
    << o.tendon_rate_weight << ' ' << o.excitation_rate_weight << ' ' << o.reserve_weight << ' ' << o.reserve_scale
    << ' ' << o.passive_moment_weight;
  return k.str();
}

/// Bounds (rad) of the foot-strike constraint at node 0, the last row of g: the foot angle in the band
/// of the condition's foot strike (Altman & Davis 2012, Gait Posture 35(2):298–300: rearfoot > 8°,
/// midfoot −1.6…8°, forefoot < −1.6°), or the given ankle angle. (The row before it, the right foot's
/// vertical force at the 20 N threshold, is an equality.)
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

}  // namespace

// ---- the predictor ------------------------------------------------------------------------------

/// Transcriptions kept per Predictor (the oldest is dropped beyond this): a sweep over foot strikes
/// and body sizes holds a few; each holds ~100 MB at the default options.
constexpr std::size_t kMaxTranscriptions = 4;

struct Predictor::Impl {
  explicit Impl(Model m) : model(std::move(m)) {}
  Model model;
  std::mutex mutex;
  std::vector<std::pair<std::string, std::shared_ptr<Transcription>>> cache;  // oldest first
};

Predictor::Predictor(Model model) : impl_(std::make_unique<Impl>(std::move(model))) {}
Predictor::~Predictor() = default;
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor& Predictor::operator=(Predictor&&) noexcept = default;
const Model& Predictor::model() const { return impl_->model; }
std::size_t Predictor::transcriptions() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->cache.size();
}

PredictedGait predict_gait(const Model& model, const GaitCondition& condition, const PredictOptions& opt,
                           const PredictedGait* warm) {
  Predictor predictor(model);
  return predictor.solve(condition, opt, warm);
}

PredictedGait Predictor::solve(const GaitCondition& condition, const PredictOptions& opt, const PredictedGait* warm) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const Problem P = make_problem(impl_->model, condition, opt);
  const Layout& L = P.L;
  const int N = opt.mesh_intervals;
  const double T = P.cond.step_time;
  const std::vector<double> times = mesh_times(T, opt);
  const DM pv = DM(nlp_parameters(P, times));

  // The transcription of this structure: reused, or built (its time is charged to the first phase).
  double pending_setup = 0.0;
  std::shared_ptr<Transcription> tr;
  {
    const std::string key = transcription_key(condition, opt);
    auto& cache = impl_->cache;
    const auto it = std::find_if(cache.begin(), cache.end(), [&](const auto& e) { return e.first == key; });
    if (it != cache.end()) {
      tr = it->second;
    } else {
      tr = build_transcription(P);
      pending_setup += tr->build_seconds;
      if (cache.size() >= kMaxTranscriptions) cache.erase(cache.begin());
      cache.emplace_back(key, tr);
    }
  }
  const casadi::Function& nlp = tr->nlp;
  const casadi_int n_g = nlp.size1_out(1);
  std::vector<double> lbg(n_g, 0.0), ubg(n_g, 0.0);
  {
    const std::array<double, 2> b = foot_strike_bounds(P.cond);
    lbg[n_g - 1] = b[0];
    ubg[n_g - 1] = b[1];
  }

  const NodeBounds nb = node_bounds(P);
  const auto &xlo = nb.xlo, &xhi = nb.xhi, &ulo = nb.ulo, &uhi = nb.uhi;
  std::vector<double> lbx, ubx;
  for (int k = 0; k < N; ++k) {
    lbx.insert(lbx.end(), xlo.begin(), xlo.end());
    ubx.insert(ubx.end(), xhi.begin(), xhi.end());
  }
  lbx[L.q(0)] = ubx[L.q(0)] = 0.0;  // translation invariance: the step starts at x = 0
  for (int k = 0; k < N; ++k) {
    lbx.insert(lbx.end(), ulo.begin(), ulo.end());
    ubx.insert(ubx.end(), uhi.begin(), uhi.end());
  }

  casadi::Dict ipopt;
  ipopt["ipopt.print_level"] = opt.print_level;
  ipopt["ipopt.linear_solver"] = opt.linear_solver;
  ipopt["ipopt.mu_strategy"] = "adaptive";
  // MUMPS (docs/decisions.md, "built once per model" and "whole-step direct collocation", has the
  // figures): METIS ordering, several times faster per iteration than MUMPS's automatic choice on this
  // banded, wrap-around KKT system; no MUMPS scaling, since rows and variables are O(1) by
  // construction and IPOPT's default scalings are recomputed at every factorization for no fewer
  // iterations; working space 100 % above MUMPS's estimate instead of 1000 %, because the larger block
  // is allocated afresh at every factorization (IPOPT enlarges it itself if MUMPS reports it short).
  if (opt.linear_solver == "mumps") {
    ipopt["ipopt.mumps_pivot_order"] = 5;
    ipopt["ipopt.mumps_permuting_scaling"] = 0;
    ipopt["ipopt.mumps_scaling"] = 0;
    ipopt["ipopt.mumps_mem_percent"] = 100;
  }
  ipopt["print_time"] = false;
  ipopt["ipopt.sb"] = "yes";

  // One IPOPT run from x0; with multipliers it is IPOPT's warm start (μ from 1e-4). A start that
  // already satisfies this problem's constraints to 1e-2 (`settled`: after the L-BFGS phase, or a
  // solution of this very condition) keeps its place; IPOPT would otherwise push it 1e-3 into the
  // bounds, which costs iterations there (29 against 60 for the exact phase after L-BFGS) but saves
  // them from a neighbour's solution (91 against 127), docs/decisions.md.
  auto violation = [&](const std::vector<double>& x) {
    const std::vector<double> g0 = nlp(std::vector<DM>{DM(x), pv})[1].nonzeros();
    double v = 0.0;
    for (std::size_t i = 0; i < g0.size(); ++i) v = std::max({v, lbg[i] - g0[i], g0[i] - ubg[i]});
    return v;
  };
  struct Run {
    std::map<std::string, DM> res;
    PredictedGait::Phase phase;
  };
  // max_iterations bounds all phases together: a phase gets what the ones before it left.
  int iterations_left = opt.max_iterations;
  auto run = [&](bool exact, double tol, double constraint_tol, const std::vector<double>& x0, const std::vector<double>* lam_x,
                 const std::vector<double>* lam_g, bool settled) {
    casadi::Dict o = ipopt;
    o["ipopt.max_iter"] = iterations_left;
    o["ipopt.tol"] = tol;
    o["ipopt.constr_viol_tol"] = constraint_tol;
    const auto tc = Clock::now();
    // The transcription's derivatives: IPOPT's interface would otherwise build them again per solver.
    o["grad_f"] = tr->grad_f;
    // The parameters' multipliers and nlpsol's own Lagrangian gradient are not used; each would cost
    // another reverse sweep of the graph per solver.
    o["calc_lam_p"] = false;
    o["no_nlp_grad"] = true;
    o["jac_g"] = tr->jac_g;
    if (exact) {
      if (tr->hess_l.is_null()) build_hessian(*tr);
      o["hess_lag"] = tr->hess_l;
    } else {
      o["ipopt.hessian_approximation"] = "limited-memory";
    }
    std::map<std::string, DM> arg = {{"x0", DM(x0)}, {"p", pv}, {"lbx", DM(lbx)}, {"ubx", DM(ubx)},
                                     {"lbg", DM(lbg)}, {"ubg", DM(ubg)}};
    if (lam_x && lam_g) {
      arg["lam_x0"] = DM(*lam_x);
      arg["lam_g0"] = DM(*lam_g);
      o["ipopt.warm_start_init_point"] = "yes";
      o["ipopt.mu_init"] = 1e-4;
      if (settled)
        for (const char* k : {"ipopt.warm_start_bound_push", "ipopt.warm_start_bound_frac", "ipopt.warm_start_slack_bound_push",
                              "ipopt.warm_start_slack_bound_frac", "ipopt.warm_start_mult_bound_push"})
          o[k] = 1e-9;
    }
    const casadi::Function solver = casadi::nlpsol("legsim_predict", "ipopt", tr->oracle, o);
    const auto t0 = Clock::now();
    Run r;
    r.res = solver(arg);
    const casadi::Dict stats = solver.stats();
    r.phase.seconds = seconds_since(t0);
    r.phase.setup_seconds = std::chrono::duration<double>(t0 - tc).count() + pending_setup;
    pending_setup = 0.0;
    r.phase.hessian = exact ? "exact" : "limited-memory";
    r.phase.status = stats.count("return_status") ? stats.at("return_status").to_string() : "unknown";
    r.phase.iterations = stats.count("iter_count") ? static_cast<int>(stats.at("iter_count").to_int()) : 0;
    iterations_left = std::max(0, iterations_left - r.phase.iterations);
    return r;
  };
  auto succeeded = [](const Run& r) {
    const std::vector<double> x = r.res.at("x").nonzeros();
    return (r.phase.status == "Solve_Succeeded" || r.phase.status == "Solved_To_Acceptable_Level") &&
           std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
  };

  std::vector<double> w0, lam_x0, lam_g0;
  // A warm start with this problem's number of intervals (a neighbouring condition, or a stored
  // solution holding only its vectors, e.g. a sweep's journal) reuses the solution vector and the
  // multipliers node by node, even when the node times differ a little (another step time moves the
  // graded mesh's window boundary in normalized time); another number of intervals is resampled.
  if (warm && warm->x.size() == static_cast<std::size_t>(nlp.numel_in(0))) {
    w0 = warm->x;
    w0[L.q(0)] = 0.0;
    if (warm->lam_g.size() == lbg.size() && warm->lam_x.size() == w0.size()) {
      lam_x0 = warm->lam_x;
      lam_g0 = warm->lam_g;
    }
  } else if (warm && warm->converged && warm->q.size() >= 2 && warm->muscle_names.size() == 2 * static_cast<std::size_t>(L.m)) {
    w0 = resampled_guess(P, times, *warm);  // another mesh or duration: the trajectory, resampled
  } else {
    w0 = generic_guess(P, times);
  }
  const bool has_multipliers = !lam_g0.empty();
  const auto* lx0 = has_multipliers ? &lam_x0 : nullptr;
  const auto* lg0 = has_multipliers ? &lam_g0 : nullptr;

  std::vector<Run> runs;
  // The metabolic objective stays with L-BFGS under "auto": its exact run after the L-BFGS phase
  // ended in Error_In_Step_Computation at the default condition (docs/decisions.md).
  const bool single = opt.hessian != "auto" || opt.objective == "metabolic";
  const bool start_settled = has_multipliers && violation(w0) <= kSettled;
  if (single) {
    runs.push_back(run(opt.hessian == "exact", opt.tolerance, opt.constraint_tolerance, w0, lx0, lg0, start_settled));
  } else {
    // "auto": L-BFGS to the loose tolerance from any start that is not settled already (a cold start,
    // a neighbour's solution), then the exact Hessian from there; L-BFGS from the same point if the
    // exact run fails.
    std::vector<double> x1 = w0, lx1 = lam_x0, lg1 = lam_g0;
    bool settled = start_settled;
    const double loose = std::max(opt.quasi_newton_tolerance, opt.tolerance);
    if (!start_settled && loose > opt.tolerance) {
      runs.push_back(run(false, loose, std::max(0.1 * loose, opt.constraint_tolerance), w0, lx0, lg0, false));
      if (succeeded(runs.back()) && iterations_left == 0)
        runs.back().phase.status = "Maximum_Iterations_Exceeded";  // only the loose tolerance was reached
      x1 = runs.back().res.at("x").nonzeros();
      lx1 = runs.back().res.at("lam_x").nonzeros();
      lg1 = runs.back().res.at("lam_g").nonzeros();
      settled = violation(x1) <= kSettled;
    }
    if (runs.empty() || succeeded(runs.back())) {
      const bool multipliers = !lg1.empty();
      runs.push_back(run(true, opt.tolerance, opt.constraint_tolerance, x1, multipliers ? &lx1 : nullptr,
                         multipliers ? &lg1 : nullptr, settled));
      if (!succeeded(runs.back()) && iterations_left > 0)
        runs.push_back(run(false, opt.tolerance, opt.constraint_tolerance, x1, multipliers ? &lx1 : nullptr,
                           multipliers ? &lg1 : nullptr, settled));
    }
  }
  const std::map<std::string, DM>& res = runs.back().res;

  PredictedGait out;
  for (const Run& r : runs) {
    out.phases.push_back(r.phase);
    out.seconds += r.phase.seconds;
    out.iterations += r.phase.iterations;
  }
  out.status = runs.back().phase.status;
  out.x = res.at("x").nonzeros();
  out.lam_x = res.at("lam_x").nonzeros();
  out.lam_g = res.at("lam_g").nonzeros();
  out.objective = static_cast<double>(res.at("f"));
  out.converged = succeeded(runs.back());
  out.step_time = T;
  out.step_length = P.cond.step_length;
  out.speed = P.cond.speed;
  out.body_mass = P.body_weight / kGravity;

  // Objective terms at the solution.
  {
    const std::vector<DM> tv = tr->terms(std::vector<DM>{res.at("x"), pv});
    out.objective_terms = {{"effort", static_cast<double>(tv[0])},
                           {"metabolic", static_cast<double>(tv[1])},
                           {"acceleration", static_cast<double>(tv[2])},
                           {"tendon_rate", static_cast<double>(tv[3])},
                           {"reserve", static_cast<double>(tv[4])},
                           {"passive_moment", static_cast<double>(tv[5])},
                           {"excitation_rate", static_cast<double>(tv[6])}};
  }

  // Trajectories at the nodes 0..N.
  const std::vector<DM> xu = tr->full(std::vector<DM>{res.at("x"), pv});
  const DM& Xv = xu[0];
  const DM& Uv = xu[1];
  for (int j = 0; j < kNq; ++j) out.coordinate_names.push_back(coordinate_name(j));
  for (int s = 0; s < 2; ++s)
    for (const std::string& n : P.muscle_names) out.muscle_names.push_back(n + (s == 0 ? "_r" : "_l"));
  const casadi::Function sig_map = tr->signals.map(N + 1);
  const DM cap_v = pv(casadi::Slice(0, L.m));
  const std::vector<DM> sv = sig_map(std::vector<DM>{Xv, Uv, repmat(cap_v, 1, N + 1)});
  fill_trajectories(out, P, times, Xv, Uv, sv);
  find_variables_on_bounds(out, P, nb);
  return out;
}

}  // namespace legsim::predict
