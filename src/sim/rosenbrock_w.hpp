#pragma once
// A linearly implicit Rosenbrock–W step for the stance: ROS34PW2 of Rang & Angermann (2005)
// (ros34pw2.hpp: the tableau and the per-component formulas, shared with the batch engine's implicit
// lanes). A W-method keeps its order for ANY matrix in place of the Jacobian
// (Steihaug T & Wolfbrandt A (1979) Math Comp 33:521–534), which is what lets this step use only
// the diagonal of the Jacobian on the states that make the stance stiff: the compliant tendons'
// force states. Each tendon's df_T/dt depends on its own f_T and on no other tendon's, so one
// derivative evaluation with every tendon state perturbed at once gives that diagonal exactly
// (column compression: Curtis AR, Powell MJD & Reid JK (1974) IMA J Appl Math 13:117–119), and
// the linear systems (I − hγJ)k = r are divisions. Why (docs/decisions.md, "faster stance"): the
// late-stance tendon states of deactivated muscles reach eigenvalues of −2·10⁴/s, which held the
// explicit Dormand–Prince step to ~0.1 ms whatever the tolerance.
//
// Same interface as the part of Odeint's dense-output stepper the stance loop uses (initialize,
// do_step, calc_state, current_state, current_time_step); dense output is the cubic Hermite
// interpolant of the step's end states and derivatives (the derivative at the end is the next
// step's first stage, so it costs nothing extra).
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "ros34pw2.hpp"
#include "stiff_diagonal.hpp"

namespace legsim::detail {

class RosenbrockW : public StiffStepBase {
 public:
  static constexpr int kJacobianReuse = 3;  ///< steps one Jacobian serves at most
  /// Derivative evaluations per step as the switching rule counts them (stages 2–4, the end
  /// derivative and about a third of a Jacobian diagonal, rounded).
  static constexpr double kEvaluationsPerStep = 5.0;

  /// stiff: indices of the states whose Jacobian diagonal enters W (each state's derivative must
  /// depend on no other listed state). Error norm and step control as Odeint's controlled
  /// Dormand–Prince (max over components of |e_i| / (atol + rtol·(|x_i| + h·|ẋ_i|))).
  RosenbrockW(double atol, double rtol, std::vector<int> stiff) : StiffStepBase(atol, rtol, std::move(stiff)) {}

  template <class System>
  void initialize(const State& x0, double t0, double h0, System& sys) {
    for (State* v : {&k1_, &k2_, &k3_, &k4_}) v->assign(x0.size(), 0.0);
    start(x0, t0, h0, sys, kJacobianReuse);
  }

  /// One accepted step (retrying with smaller steps on rejection); returns (t_start, t_end). The
  /// Jacobian diagonal is renewed every kJacobianReuse steps and after a rejected step.
  template <class System>
  std::pair<double, double> do_step(System& sys) {
    return controlled_step(
        sys, kJacobianReuse, [&] { return try_step(sys); }, ros34pw2::accepted_step_factor,
        ros34pw2::rejected_step_factor);
  }

 private:
  /// k = (I − hγJ)⁻¹ (h·F + h·J·g), J diagonal on the stiff states.
  void solve_stage(State& k, const State& F, const State& g) const {
    const double h = h_;
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = h * F[i];
    for (int i : stiff_) k[i] = ros34pw2::stage_increment(h, F[i], jac_[i], g[i]);
  }

  template <class System>
  double try_step(System& sys) {
    using namespace ros34pw2;
    const std::size_t n = x_.size();
    const double h = h_;
    State& g = xnew_;  // scratch for Σ γ_ij k_j until the new state is formed
    std::fill(g.begin(), g.end(), 0.0);
    solve_stage(k1_, f_, g);
    State* k[3] = {&k2_, &k3_, &k4_};
    const double c[3] = {kC2, kC3, kC4};
    for (int stage = 2; stage <= 4; ++stage) {
      for (std::size_t i = 0; i < n; ++i) {
        const StageInput<double> in = stage_input(stage, x_[i], k1_[i], k2_[i], k3_[i]);
        y_[i] = in.y;
        g[i] = in.g;
      }
      sys(y_, fy_, t_ + c[stage - 2] * h);
      solve_stage(*k[stage - 2], fy_, g);
    }
    double err = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto [xn, e] = solution(x_[i], k1_[i], k2_[i], k3_[i], k4_[i]);
      xnew_[i] = xn;
      take_error(i, e, err);
    }
    if (!std::isfinite(err)) err = 1e10;
    return err;
  }

  State k1_, k2_, k3_, k4_;
};

}  // namespace legsim::detail
