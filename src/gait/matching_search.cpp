// Gait matching's searches: feasibility by trust-region Gauss–Newton (phase 1), NLopt BOBYQA as the
// derivative-free fallback (phase 0), and effort minimization under the periodicity equalities by a
// reduced-space quasi-Newton SQP (phase 2). Gradients by forward finite differences of whole stance
// simulations, evaluated as batch lanes.
#include <algorithm>
#include <cmath>
#include <nlopt.hpp>  // BOBYQA (phase 0)

#include "matching_problem.hpp"

namespace legsim::matching_detail {

/// Phase 1: minimum-norm Gauss–Newton steps on the scaled residuals, limited to a trust radius in
/// the unit box (the stance is strongly nonlinear in its parameters far from a periodic gait).
bool feasibility(Problem& p, VecX& u, Evaluation& e, std::string& why) {
  double radius = 0.1;
  for (int it = 0; it < 30 && p.evaluations < p.options.max_stances; ++it) {
    if (!e.ok) {
      why = e.message;
      return false;
    }
    if (e.scaled.cwiseAbs().maxCoeff() < 0.5) return true;
    Eigen::Matrix<double, kNumResiduals, kNumVars> J;
    VecX ge;
    if (!jacobian(p, u, e, J, ge)) {
      why = "a finite-difference stance failed";
      return false;
    }
    say(p.options, "it %d |r| %g r = %g %g %g %g effort %g radius %g", it, e.scaled.norm(), e.scaled(0),
                   e.scaled(1), e.scaled(2), e.scaled(3), e.effort, radius);
    const Eigen::Matrix<double, kNumResiduals, kNumResiduals> A =
        J * J.transpose() + 1e-9 * Eigen::Matrix<double, kNumResiduals, kNumResiduals>::Identity();
    const VecX full = -J.transpose() * A.ldlt().solve(e.scaled);
    // Candidate steps along the Gauss–Newton direction at the trust radius and shorter ones, all
    // evaluated in one batch call (lanes are cheap); the best that lowers |r| is taken.
    const double n = full.norm();
    std::vector<VecX> cand_u, cand_x;
    double r = std::min(radius, n);
    for (int k = 0; k < 8; ++k, r /= 2.0) {
      const VecX un = (u + full * (r / std::max(n, 1e-300))).cwiseMax(0.0).cwiseMin(1.0);
      cand_u.push_back(un);
      cand_x.push_back(to_physical(un));
    }
    // The longest steps first, one batch round (batch_lanes() of them); the shorter ones only if none
    // of those lowers |r| (the longest steps usually win: 6 of 6 iterations at the default condition).
    const std::size_t first = std::min(cand_x.size(), batch_lanes());
    std::vector<Evaluation> ce = evaluate_many(p, std::vector<VecX>(cand_x.begin(), cand_x.begin() + first));
    const auto lowers = [&](const Evaluation& c) { return c.ok && c.scaled.norm() < e.scaled.norm(); };
    if (first < cand_x.size() && std::none_of(ce.begin(), ce.end(), lowers)) {
      const std::vector<Evaluation> rest = evaluate_many(p, std::vector<VecX>(cand_x.begin() + first, cand_x.end()));
      ce.insert(ce.end(), rest.begin(), rest.end());
    }
    int best = -1;
    for (int k = 0; k < static_cast<int>(ce.size()); ++k) {
      say(p.options, "  step %g -> ok %d |r| %g %s", (cand_u[k] - u).norm(), ce[k].ok,
                     ce[k].ok ? ce[k].scaled.norm() : -1.0, ce[k].message.c_str());
      if (lowers(ce[k]) && (best < 0 || ce[k].scaled.norm() < ce[best].scaled.norm()))
        best = k;
    }
    const bool improved = best >= 0;
    if (improved) {
      u = cand_u[best];
      e = ce[best];
      radius = best == 0 ? std::min(2.0 * radius, 0.5) : std::max(radius / std::pow(2.0, best), 1e-4);
    }
    if (!improved) {
      why = "periodicity residuals stopped decreasing (largest " + format_value(e.scaled.cwiseAbs().maxCoeff()) +
            " tolerances)";
      return false;
    }
  }
  why = "no periodic gait within the iteration budget";
  return e.scaled.cwiseAbs().maxCoeff() < 1.0;
}

/// Phase 0: derivative-free descent (BOBYQA) on the squared scaled residuals, robust far from a
/// periodic gait where finite-difference Newton steps stall.
double residual_objective(unsigned n, const double* x, double*, void* data) {
  Problem& p = *static_cast<Problem*>(data);
  const Evaluation e = evaluate(p, to_physical(Eigen::Map<const VecX>(x)));
  ++p.global_evaluations;
  if (e.ok) p.best_norm = std::min(p.best_norm, e.scaled.norm());
  else p.last_failure = e.message;
  if (p.global_evaluations - p.round_start >= kGlobalProbe) {
    if (!std::isfinite(p.best_norm))
      p.gave_up = "none of " + std::to_string(p.global_evaluations) + " candidate stances was a valid stance (the last: " +
                  p.last_failure + ")";
    else if (p.best_norm > kFarResidual && p.best_norm > (1.0 - kMinRoundProgress) * p.round_best)
      p.gave_up = "the periodicity residuals stay " + format_value(std::round(p.best_norm)) +
                  " tolerances away (norm), falling by less than 5 % per " + std::to_string(kGlobalProbe) + " stances";
    if (!p.gave_up.empty()) throw nlopt::forced_stop();
    p.round_start = p.global_evaluations;
    p.round_best = p.best_norm;
  }
  if (p.evaluations % 20 == 0)
    say(p.options, "bobyqa %d: ok %d |r| %g", p.evaluations, e.ok, e.ok ? e.scaled.norm() : -1.0);
  return e.ok ? e.scaled.squaredNorm() : 1e8;
}

void global_phase(Problem& p, VecX& u, Evaluation& e, int max_evaluations) {
  nlopt::opt opt(nlopt::LN_BOBYQA, kNumVars);
  opt.set_lower_bounds(std::vector<double>(kNumVars, 0.0));
  opt.set_upper_bounds(std::vector<double>(kNumVars, 1.0));
  opt.set_min_objective(residual_objective, &p);
  opt.set_initial_step(0.05);
  opt.set_stopval(0.25);  // every residual within half a tolerance is enough for phase 1
  opt.set_maxeval(max_evaluations);
  std::vector<double> x(u.data(), u.data() + kNumVars);
  double f = 0.0;
  try {
    opt.optimize(x, f);
  } catch (const std::exception&) {
  }
  const VecX ux = Eigen::Map<const VecX>(x.data());
  const Evaluation ex = evaluate(p, to_physical(ux));
  if (ex.ok && (!e.ok || ex.scaled.norm() < e.scaled.norm())) {
    u = ux;
    e = ex;
  }
}

/// Phase 2: lower the effort while staying periodic — a reduced-space quasi-Newton SQP step on
/// finite-difference gradients. Each iteration:
///  - active set: a variable on a bound whose descent direction points out of the box is held there
///    (its column of the residual Jacobian J removed), so clamping does not spoil the step;
///  - direction d = −P·H·P·g: g the effort gradient, P the projector onto the null space of J (the
///    periodicity residuals do not change to first order), H a BFGS inverse-Hessian estimate of the
///    Lagrangian built from successive Lagrangian gradients with the same multipliers (first step: a
///    short gradient step);
///  - candidates u + s₀ + t·d for three step lengths t and u + s₀ (batch lanes), s₀ the minimum-norm
///    Gauss–Newton step removing the current residual, each re-projected onto the constraints with
///    one Gauss–Newton correction (same J), and a second where the first left more than 0.1
///    tolerance; the lowest-effort candidate within half the tolerance is taken.
/// First-order (projected-gradient) steps zig-zagged along a long, flat effort valley and stopped at
/// different points for neighbouring conditions, which made sweeps jumpy (measured: 8 % neighbour
/// jumps in peak PFJ force). NLopt's SLSQP on the same gradients left the feasible set (measured).
/// Stops when neither the quasi-Newton step nor gradient steps of 0.05, 0.006 and 0.0008 (unit box)
/// lower the effort by more than 1e-5 of itself (the trade-off of time against sweep smoothness
/// that chose it: docs/gait_matching.md, "measured settings").
void effort_descent(Problem& p, VecX& u, Evaluation& e, int max_iterations) {
  using MatX = Eigen::Matrix<double, kNumVars, kNumVars>;
  using MatR = Eigen::Matrix<double, kNumResiduals, kNumResiduals>;
  constexpr double kMaxStep = 0.2;  // unit-box norm
  // Step lengths along d: with s₀ that is 4 candidates, one batch pass on a 4-lane (AVX2) core. The
  // shorter steps 0.25–0.0625 of the earlier set were almost never the best (40 iterations at the
  // default condition: best t = 2, 1 or 0.5 in 37, t = 0.25 in 2, none in 1). With the skipped second
  // corrections below, one-core matching at the default condition takes about 60 % of the time for
  // the same answer within its resolution (docs/gait_matching.md, "measured settings").
  const double kSteps[] = {2.0, 1.0, 0.5};
  constexpr int kCandidates = static_cast<int>(std::size(kSteps)) + 1;
  // A candidate whose residuals are within this many tolerances after its first Gauss–Newton
  // correction skips the second (it is already well inside the 0.5 acceptance bound).
  constexpr double kCorrectedEnough = 0.1;
  constexpr double kConvergedDecrease = 1e-5;  // relative effort decrease that still counts as progress
  MatX H = MatX::Zero();  // zero = not yet initialised
  VecX u_prev, ge_prev;
  Eigen::Matrix<double, kNumResiduals, kNumVars> J_prev;
  bool have_prev = false;
  int failures = 0;
  for (int it = 0; it < max_iterations && p.evaluations + kNumVars + 3 * kCandidates <= p.options.max_stances; ++it) {
    Eigen::Matrix<double, kNumResiduals, kNumVars> J;
    VecX ge;
    if (!jacobian(p, u, e, J, ge)) return;
    VecX free = VecX::Ones();
    Eigen::LDLT<MatR> ldlt;
    Eigen::Matrix<double, kNumResiduals, kNumVars> Jf;
    MatX P;
    VecX pg, d;
    for (int pass = 0; pass < 4; ++pass) {
      Jf = J * free.asDiagonal();
      ldlt.compute(Jf * Jf.transpose() + 1e-9 * MatR::Identity());
      P = MatX(free.asDiagonal()) - Jf.transpose() * ldlt.solve(Jf);
      pg = P * ge;  // gradient of the Lagrangian in the free null space
      if (have_prev) {
        // Change of the Lagrangian gradient g − Jᵀλ between the two points with the same (current)
        // multipliers λ, on the free variables: the curvature BFGS needs, including the constraints'.
        const VecR lam = ldlt.solve(Jf * ge);
        const VecX yv = (ge - J.transpose() * lam - (ge_prev - J_prev.transpose() * lam)).cwiseProduct(free);
        const VecX sv = (u - u_prev).cwiseProduct(free);
        const double sy = sv.dot(yv);
        if (sy > 1e-12 * sv.norm() * yv.norm()) {
          if (H.isZero()) H = MatX::Identity() * (sy / yv.squaredNorm());
          const double rho = 1.0 / sy;
          const MatX V = MatX::Identity() - rho * yv * sv.transpose();
          H = V.transpose() * H * V + rho * sv * sv.transpose();
        }
        have_prev = false;  // one update per accepted step
      }
      const double short_step = 0.05 / std::pow(8.0, failures);  // gradient step length (unit box)
      d = H.isZero() ? VecX(-pg * (short_step / std::max(pg.norm(), 1e-300))) : VecX(-P * H * pg);
      if (d.dot(pg) >= 0.0) d = -pg * (short_step / std::max(pg.norm(), 1e-300));  // not a descent direction
      bool changed = false;
      for (int i = 0; i < kNumVars; ++i)
        if (free(i) > 0.0 && ((u(i) <= 1e-9 && d(i) < 0.0) || (u(i) >= 1.0 - 1e-9 && d(i) > 0.0))) {
          free(i) = 0.0;
          changed = true;
        }
      if (!changed) break;
    }
    if (!(d.norm() > 1e-12)) return;
    if (d.norm() > kMaxStep) d *= kMaxStep / d.norm();
    const auto restore = [&](const VecR& r) -> VecX { return -Jf.transpose() * ldlt.solve(r); };
    const VecX s0 = restore(e.scaled);
    std::vector<VecX> cu;
    for (double t : kSteps) cu.push_back((u + s0 + t * d).cwiseMax(0.0).cwiseMin(1.0));
    cu.push_back((u + s0).cwiseMax(0.0).cwiseMin(1.0));
    const auto run = [&](const std::vector<VecX>& us) {
      std::vector<VecX> xs;
      for (const VecX& v : us) xs.push_back(to_physical(v));
      return evaluate_many(p, xs);
    };
    std::vector<Evaluation> ce = run(cu);
    for (int pass = 0; pass < 2; ++pass) {  // Gauss–Newton corrections with the same J, where needed
      std::vector<std::size_t> idx;
      for (std::size_t k = 0; k < cu.size(); ++k)
        if (ce[k].ok && (pass == 0 || ce[k].scaled.cwiseAbs().maxCoeff() >= kCorrectedEnough)) {
          cu[k] = (cu[k] + restore(ce[k].scaled)).cwiseMax(0.0).cwiseMin(1.0);
          idx.push_back(k);
        }
      if (idx.empty()) break;
      std::vector<VecX> sub;
      for (std::size_t k : idx) sub.push_back(cu[k]);
      const std::vector<Evaluation> se = run(sub);
      for (std::size_t j = 0; j < idx.size(); ++j) ce[idx[j]] = se[j];
    }
    int best = -1;
    for (int k = 0; k < static_cast<int>(ce.size()); ++k) {
      const bool feasible = ce[k].ok && ce[k].scaled.cwiseAbs().maxCoeff() < 0.5;
      if (feasible && ce[k].effort < e.effort && (best < 0 || ce[k].effort < ce[best].effort)) best = k;
    }
    say(p.options, "descent %d: effort %.8g |r| %g |d| %g free %d best %d -> %.8g", it, e.effort,
                   e.scaled.cwiseAbs().maxCoeff(), d.norm(), static_cast<int>(free.sum()), best,
                   best >= 0 ? ce[best].effort : -1.0);
    const Evaluation& restored = ce.back();  // u + s₀ alone
    const bool direction_wins = best >= 0 && best < kCandidates - 1 && e.effort - ce[best].effort >= kConvergedDecrease * e.effort;
    if (!direction_wins) {
      // The step along d did not pay: keep any improvement (a lower effort, or the constraints met
      // more closely by s₀ alone), drop the quasi-Newton estimate and retry from a shorter gradient step.
      if (best >= 0) {
        u = cu[best];
        e = ce[best];
      } else if (restored.ok && restored.scaled.cwiseAbs().maxCoeff() < 0.5 * e.scaled.cwiseAbs().maxCoeff()) {
        u = cu.back();
        e = restored;
      }
      if (++failures > 3) return;
      H.setZero();
      have_prev = false;
      continue;
    }
    failures = 0;
    u_prev = u;
    ge_prev = ge;
    J_prev = J;
    have_prev = true;
    u = cu[best];
    e = ce[best];
  }
}

}  // namespace legsim::matching_detail
