// Predictive running (include/legsim/predict/predict.hpp): the Predictor keeps the transcriptions it
// built (transcription.cpp) and solves each condition with IPOPT from a warm or generic start.
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
#include "transcription.hpp"

namespace legsim::predict {

using namespace detail;

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
  if (opt.objective != "metabolic" || opt.hessian != "auto" || warm) return solve_locked(condition, opt, warm);
  // A cold metabolic solve starts from the effort optimum of the same condition (its trajectory, not
  // its multipliers: the objectives differ in scale). From the generic guess, L-BFGS needed ≈ 3400
  // iterations and a perturbation of the guess in its 12th digit (another root finder for the
  // tendon's equilibrium) left it unconverged after 5000 (issue 20, docs/decisions.md).
  PredictOptions effort = opt;
  effort.objective = "effort";
  PredictedGait start = solve_locked(condition, effort, nullptr);
  if (!start.converged) return solve_locked(condition, opt, nullptr);
  start.lam_x.clear();
  start.lam_g.clear();
  PredictOptions rest = opt;
  rest.max_iterations = std::max(0, opt.max_iterations - start.iterations);
  PredictedGait out = solve_locked(condition, rest, &start);
  out.phases.insert(out.phases.begin(), start.phases.begin(), start.phases.end());
  out.iterations += start.iterations;
  out.seconds += start.seconds;
  return out;
}

PredictedGait Predictor::solve_locked(const GaitCondition& condition, const PredictOptions& opt,
                                      const PredictedGait* warm) {
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
    casadi::Function solver;
    {
      const std::lock_guard<std::mutex> lock(symbolic_mutex());
      solver = casadi::nlpsol("legsim_predict", "ipopt", tr->oracle, o);
    }
    const auto t0 = Clock::now();
    Run r;
    r.res = solver(arg);
    const casadi::Dict stats = solver.stats();
    r.phase.seconds = seconds_since(t0);
    r.phase.setup_seconds = std::chrono::duration<double>(t0 - tc).count() + pending_setup;
    pending_setup = 0.0;
    r.phase.hessian = exact ? "exact" : "limited-memory";
    r.phase.objective = opt.objective;
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
