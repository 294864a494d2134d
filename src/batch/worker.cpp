// The batch engine's worker: per-lane adaptive steps in lockstep SIMD iterations — Dormand–Prince
// 5(4), or the Rosenbrock–W step ROS34PW2 while a lane is stiff, switched per lane by the scalar
// path's rule (sim/switching_stepper.hpp) —, per-lane toe-off, output samples and failure, lane
// refill (see batch/stance_batch.hpp).
//
// One lockstep iteration makes at most six right-hand-side calls, each evaluating every lane at its
// own input: for an explicit lane, Dormand–Prince's stages 2–7; for an implicit lane, the Jacobian
// probe (when due), ROS34PW2's stages 2–4, nothing (call 5), and the derivative at the new state
// (call 6, the next step's first stage, as Dormand–Prince's 7th stage is). So lanes in different
// methods share the calls, and an iteration with implicit lanes only makes four or five.
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "../sim/ros34pw2.hpp"
#include "../sim/switching_stepper.hpp"
#include "dopri5.hpp"
#include "lanes.hpp"
#include "legsim/core/error.hpp"

namespace legsim::batch_detail::LEGSIM_BATCH_NS {
namespace {

namespace odeint = boost::numeric::odeint;

/// Odeint's step adjuster (no maximum step), the scalar path's.
const odeint::default_step_adjuster<double, double> kStepAdjuster;

/// The scalar path's switching rule (thresholds, hysteresis) and Jacobian reuse.
using Switching = legsim::detail::SwitchingStepper;
constexpr int kJacobianReuse = legsim::detail::RosenbrockW::kJacobianReuse;

/// Scalar bookkeeping of one lane.
struct LaneProgress {
  long job = -1;  ///< index into jobs, −1 = idle
  double t = 0.0, h = 0.0, h_next = 0.0, t_end = 0.0;
  ToeOffRule toe_off;
  long next_sample = 0;
  long steps = 0, implicit_steps = 0, rejected = 0, evaluations = 0;
  double min_h = std::numeric_limits<double>::infinity();
  bool implicit = false;                ///< stepping with ROS34PW2 (else Dormand–Prince)
  int steps_in_mode = 0;                ///< accepted steps since the last switch
  int jacobian_age = kJacobianReuse;    ///< steps taken with the lane's Jacobian diagonal (due at kJacobianReuse)
  bool switch_to = false;               ///< change method after this iteration's accepted step
};
struct Lane : LaneProgress {
  /// Odeint's own counter of rejections in a row (500 by default, as in the scalar path's stepper).
  odeint::failed_step_checker rejections;
  void reset() {
    static_cast<LaneProgress&>(*this) = LaneProgress{};
    rejections.reset();
  }
};

/// One worker: a workspace of kW lanes, pulling jobs from a shared counter.
class Worker {
 public:
  Worker(const Model& model, std::span<const StanceJob> jobs, const BatchOptions& options, const Settings& s,
         std::atomic<std::size_t>& next, std::vector<BatchStanceOutcome>& out)
      : model_(model), jobs_(jobs), options_(options), s_(s), next_(next), out_(out) {
    nm_ = static_cast<int>(model.muscles().size());
    n_ = state_size(nm_);
    effort_weight_ = effort_weights(model);
    x_.assign(n_, B(0.0));
    xn_.assign(n_, B(0.0));
    xs_.assign(n_, B(0.0));
    for (auto& k : k_) k.assign(n_, B(0.0));
    kd_.assign(n_, B(0.0));
    u_.assign(kMaxMuscles, B(0.0));
    for (auto& k : rk_) k.assign(n_, B(0.0));
    jac_.assign(n_, B(0.0));
    g_.assign(n_, B(0.0));
    const StanceConstants<double> c0 = make_stance_constants(model, nullptr, &model.controller());
    stiff_ = stiff_tendon_states(c0);
    summary_signals_ = summary_signals_apply(c0);
    switching_ = options.integrator == StanceIntegrator::kStiffSwitching && s.fixed_step <= 0;
    td_state_.resize(kW);
  }

  void run(std::size_t initial_quota) {
    // Initial fill: at most initial_quota lanes, so small batches spread over the threads.
    std::array<bool, kW> changed{};
    for (std::size_t l = 0; l < kW; ++l) changed[l] = fill_lane(l, l < initial_quota);
    if (!any_active()) return;
    refresh(changed);
    while (any_active()) iterate();
  }

 private:
  bool any_active() const {
    for (const Lane& ln : lanes_)
      if (ln.job >= 0) return true;
    return false;
  }

  void rhs(const B& t, const std::vector<B>& x, std::vector<B>& dx, StanceSignals<B>* sig) {
    stance_rhs(c_, t, x.data(), u_.data(), dx.data(), sig);
  }

  /// sig_ at (t, x) for the summary and the toe-off test: summary_signals (a fraction of a
  /// derivative evaluation) when they apply to the model, else the right-hand side's.
  void signals(const B& t, const std::vector<B>& x) {
    if (summary_signals_)
      summary_signals(c_, x.data(), sig_);
    else
      rhs(t, x, kd_, &sig_);
  }

  /// Gives lane l the next job (if take and one is left) or parks it (idle: its last touchdown
  /// state, integrated harmlessly and ignored). Returns true if the lane's state was reset.
  bool fill_lane(std::size_t l, bool take) {
    Lane& ln = lanes_[l];
    ln.reset();
    reset_lane(acc_, l);
    while (take) {
      const std::size_t j = next_.fetch_add(1);
      if (j >= jobs_.size()) break;
      const StanceJob& job = jobs_[j];
      try {
        lane_c_[l] = make_stance_constants(model_, job.capacity_factors.empty() ? nullptr : job.capacity_factors.data(),
                                           &job.controller);
        td_state_[l] = touchdown_state_vector(model_, lane_c_[l], job.touchdown);
      } catch (const std::exception& e) {
        BatchStanceOutcome& o = out_[j];
        o.status = StanceStatus::kIntegratorError;
        o.message = std::string(to_string(o.status)) + ": setting up the touchdown state failed: " + e.what();
        continue;
      }
      ln.job = static_cast<long>(j);
      break;
    }
    if (ln.job < 0 && td_state_[l].empty()) {
      // Never used: park on a copy of any lane that has constants, or of the model's defaults.
      lane_c_[l] = make_stance_constants(model_, nullptr, &model_.controller());
      td_state_[l] = touchdown_state_vector(model_, lane_c_[l], TouchdownState{});
    }
    ln.h = s_.fixed_step > 0 ? s_.fixed_step : s_.initial_step;
    for (int i = 0; i < n_; ++i) set_lane(x_[i], l, td_state_[l][i]);
    return true;
  }

  /// After lanes changed: repack the constants and evaluate the first stage of the changed lanes.
  void refresh(const std::array<bool, kW>& changed) {
    const StanceConstants<double>* ptr[kW];
    for (std::size_t l = 0; l < kW; ++l) ptr[l] = &lane_c_[l];
    c_ = pack_stance_constants<B>(ptr);
    LaneArray t{};
    for (std::size_t l = 0; l < kW; ++l) t[l] = lanes_[l].t;
    rhs(load(t), x_, kd_, nullptr);
    const Mask m = mask_of(changed);
    for (int i = 0; i < n_; ++i) k_[0][i] = xsimd::select(m, kd_[i], k_[0][i]);
    for (std::size_t l = 0; l < kW; ++l)
      if (changed[l] && lanes_[l].job >= 0) ++lanes_[l].evaluations;
  }

  /// The effort part of an output sample alone, for lanes in m that already have a first sample,
  /// from the activation states in xs_: the same a = clamp(state, a_min, 1) as the muscle kernel's.
  void record_effort(const Mask& m, const B& ts) {
    std::array<B, kMaxMuscles> a;
    for (int i = 0; i < nm_; ++i)
      a[i] = legsim::clamp(xs_[activation_index(i)], c_.muscles[i].mtu.min_activation, B(1.0));
    acc_.integrate_effort(m, m, ts, a, nm_, effort_weight_);
  }

  /// Dense output at θ ∈ [0, 1] of the current step into xs_: Dormand–Prince's continuous
  /// extension in explicit lanes, the cubic Hermite interpolant in implicit ones (ros34pw2.hpp).
  void dense(const B& theta, const B& h) {
    dopri5::dense(theta, h, x_, xn_, k_, xs_);
    if (!any_implicit_) return;
    for (int i = 0; i < n_; ++i)
      xs_[i] = xsimd::select(implicit_, ros34pw2::hermite(theta, h, x_[i], k_[0][i], xn_[i], k_[6][i]), xs_[i]);
  }

  void fail(std::size_t l, StanceStatus st, const std::string& why) {
    BatchStanceOutcome& o = out_[lanes_[l].job];
    o = BatchStanceOutcome{};
    o.status = st;
    o.message = std::string(to_string(st)) + ": " + why;
    o.steps = lanes_[l].steps;
    o.implicit_steps = lanes_[l].implicit_steps;
    o.rejected_steps = lanes_[l].rejected;
    o.rhs_evaluations = lanes_[l].evaluations;
    if (options_.keep_states) o.touchdown_state = td_state_[l];
    queue_[l].clear();
    lanes_[l].job = -2;  // finished; refilled at the end of the iteration
  }

  void finish(std::size_t l, double toe_off) {
    BatchStanceOutcome& o = out_[lanes_[l].job];
    o = BatchStanceOutcome{};
    o.contact_time = toe_off;
    if (options_.keep_states) {
      o.touchdown_state = td_state_[l];
      o.toeoff_state.resize(n_);
      o.toeoff_state = toe_off_state_[l];
    }
    // Effort-only mode saw only the first and last samples for everything but effort: the peaks
    // and the PFJ integrals stay at 0.
    const StanceAccumulator<double> acc = lane_of(acc_, l);
    StanceSummary summary =
        summarize(acc, toe_off, toe_off_state_[l][kStateQ + 2] - td_state_[l][kStateQ + 2]);
    if (options_.effort_only) {
      const StanceSummary full = summary;
      summary = StanceSummary{};
      summary.contact_time = full.contact_time;
      summary.com_touchdown = full.com_touchdown;
      summary.com_toeoff = full.com_toeoff;
      summary.trunk_lean_change = full.trunk_lean_change;
      summary.effort = full.effort;
      summary.knee_flexion_at_contact = full.knee_flexion_at_contact;
    }
    static_cast<StanceSummary&>(o) = summary;
    o.steps = lanes_[l].steps;
    o.implicit_steps = lanes_[l].implicit_steps;
    o.rejected_steps = lanes_[l].rejected;
    o.rhs_evaluations = lanes_[l].evaluations;
    o.min_step_size = lanes_[l].min_h;
    if (const std::string why = stance_summary_problem(summary); !why.empty())
      fail(l, StanceStatus::kInvalidResult, why);  // also marks the lane finished
    else
      lanes_[l].job = -2;
  }

  /// Which lanes accepted their step and which reached toe-off inside it.
  struct StepOutcome {
    std::array<bool, kW> accepted{}, toe_off{};
    bool any_accepted = false, any_toe_off = false;
  };

  /// One lockstep iteration: a trial step in every lane, then toe-off, output samples, timeouts,
  /// commit of the accepted steps and refill of the finished lanes.
  void iterate() {
    LaneArray t{}, h{};
    for (std::size_t l = 0; l < kW; ++l) {
      t[l] = lanes_[l].t;
      h[l] = lanes_[l].h;
    }
    const B tb = load(t), hb = load(h);
    const StepOutcome step = trial_step(tb, hb);
    if (step.any_toe_off) locate_toe_offs(tb, hb, step);
    if (step.any_accepted) sample_outputs(t, tb, hb, step);
    if (step.any_toe_off) finish_toe_offs(t, tb, hb, step);
    for (std::size_t l = 0; l < kW; ++l) {  // collapsed, or no toe-off within the maximum stance time
      Lane& ln = lanes_[l];
      if (!step.accepted[l] || ln.job < 0) continue;
      const double hip = lane(xn_[kStateQ + 1], l), hip_td = td_state_[l][kStateQ + 1];
      if (ToeOffRule::collapsed(hip, hip_td))
        fail(l, StanceStatus::kNoToeOff, ToeOffRule::collapse_reason(hip, hip_td, ln.t_end));
      else if (ln.t_end > s_.max_stance_time)
        fail(l, ln.toe_off.timeout_status(), ln.toe_off.timeout_reason(s_.max_stance_time));
    }
    if (step.any_accepted) commit(step);
    refill();
  }

  /// Which method each lane steps with in this iteration (implicit_, any_implicit_), whether any
  /// active lane is explicit, and whether an implicit lane's Jacobian diagonal is due.
  struct Methods {
    bool any_explicit = false, jacobian_due = false, any_check = false;
    Mask due;    ///< implicit lanes whose Jacobian diagonal is renewed in this iteration
    Mask check;  ///< explicit lanes whose stiffness is checked after this step (if accepted)
    std::array<bool, kW> checked{};  ///< the same per lane
  };
  Methods choose_methods() {
    std::array<bool, kW> imp{}, due{}, check{};
    Methods m;
    any_implicit_ = false;
    for (std::size_t l = 0; l < kW; ++l) {
      const Lane& ln = lanes_[l];
      if (ln.job < 0) continue;
      imp[l] = ln.implicit;
      any_implicit_ = any_implicit_ || ln.implicit;
      m.any_explicit = m.any_explicit || !ln.implicit;
      due[l] = ln.implicit && ln.jacobian_age >= kJacobianReuse;
      m.jacobian_due = m.jacobian_due || due[l];
      // The scalar path's schedule: every kCheckEvery explicit steps once kMinSteps are done.
      const int after = ln.steps_in_mode + 1;
      check[l] = switching_ && !ln.implicit && after >= Switching::kMinSteps && after % Switching::kCheckEvery == 0;
      m.any_check = m.any_check || check[l];
    }
    implicit_ = mask_of(imp);
    m.due = mask_of(due);
    m.check = mask_of(check);
    m.checked = check;
    return m;
  }

  /// The right-hand-side calls of one trial step in every lane (see the top of this file); leaves
  /// the new states in xn_, their derivatives in k_[6] and their signals in sig_. Returns the scaled
  /// error norm per lane and a probe that is non-finite where the new state is.
  std::pair<B, B> trial_stages(const B& tb, const B& hb, const Methods& m) {
    using namespace ros34pw2;
    const Mask& im = implicit_;
    if (m.any_explicit || m.jacobian_due) {  // stage 2 | Jacobian probe
      dopri5::stage_input(1, hb, x_, k_, xs_);
      B t1 = tb + B(dopri5::kC[1]) * hb;
      if (any_implicit_) {
        for (int i = 0; i < n_; ++i) xs_[i] = xsimd::select(im, x_[i], xs_[i]);
        for (int i : stiff_) xs_[i] = xsimd::select(im, x_[i] + jacobian_step(x_[i]), xs_[i]);
        t1 = xsimd::select(im, tb, t1);
      }
      rhs(t1, xs_, k_[1], nullptr);
      // Only the lanes whose Jacobian is due take the new one, so a lane's steps do not depend on
      // its neighbours.
      if (m.jacobian_due) {
        for (int i : stiff_) jac_[i] = xsimd::select(m.due, (k_[1][i] - k_[0][i]) / (xs_[i] - x_[i]), jac_[i]);
        for (Lane& ln : lanes_)
          if (ln.job >= 0 && ln.implicit && ln.jacobian_age >= kJacobianReuse) ln.jacobian_age = 0;
      }
    }
    if (any_implicit_)
      for (int i = 0; i < n_; ++i) rk_[0][i] = stage_increment(hb, k_[0][i], jac_[i], B(0.0));
    const double c_implicit[3] = {kC2, kC3, kC4};
    for (int st = 2; st <= 4; ++st) {  // stages 3–5 | stages 2–4
      if (m.any_explicit) dopri5::stage_input(st, hb, x_, k_, xs_);
      B ts = tb + B(dopri5::kC[st]) * hb;
      if (any_implicit_) {
        for (int i = 0; i < n_; ++i) {
          const StageInput<B> in = stage_input(st, x_[i], rk_[0][i], rk_[1][i], rk_[2][i]);
          xs_[i] = xsimd::select(im, in.y, xs_[i]);
          g_[i] = in.g;
        }
        ts = xsimd::select(im, tb + B(c_implicit[st - 2]) * hb, ts);
      }
      rhs(ts, xs_, k_[st], nullptr);
      if (any_implicit_)
        for (int i = 0; i < n_; ++i) rk_[st - 1][i] = stage_increment(hb, k_[st][i], jac_[i], g_[i]);
    }
    if (m.any_explicit) {  // stage 6 | idle
      dopri5::stage_input(5, hb, x_, k_, xs_);
      rhs(tb + B(dopri5::kC[5]) * hb, xs_, k_[5], nullptr);
      dopri5::stage_input(6, hb, x_, k_, xn_);
    }
    B err_implicit(0.0);
    if (any_implicit_)
      for (int i = 0; i < n_; ++i) {
        const auto [xn, e] = solution(x_[i], rk_[0][i], rk_[1][i], rk_[2][i], rk_[3][i]);
        xn_[i] = xsimd::select(im, xn, xn_[i]);
        const B scale = B(s_.absolute_tolerance) +
                        B(s_.relative_tolerance) * (xsimd::abs(x_[i]) + hb * xsimd::abs(k_[0][i]));
        err_implicit = xsimd::max(err_implicit, xsimd::abs(e) / scale);
      }
    // Stage 7 (first same as last) | the derivative at the new state: the next step's first stage.
    rhs(tb + B(dopri5::kC[6]) * hb, xn_, k_[6], &sig_);
    if (!any_implicit_) return dopri5::error_norm(hb, s_.absolute_tolerance, s_.relative_tolerance, x_, xn_, k_);
    B err = err_implicit, probe(0.0);
    if (m.any_explicit)
      err = xsimd::select(im, err_implicit,
                          dopri5::error_norm(hb, s_.absolute_tolerance, s_.relative_tolerance, x_, xn_, k_).first);
    for (int i = 0; i < n_; ++i) probe += B(0.0) * xn_[i];
    return {err, probe};
  }

  /// Stiffness per lane, 1/s: the largest |∂ẋ_i/∂x_i| over the tendon states, the scalar path's
  /// estimate (rosenbrock_w.hpp) — for implicit lanes their Jacobian diagonal, for explicit lanes
  /// in m.check a forward difference at the new state (one right-hand-side call, as the scalar
  /// path's check); 0 for the other lanes.
  B stiffness(const Methods& m) {
    B lambda(0.0);
    if (m.any_check) {
      for (int i = 0; i < n_; ++i) xs_[i] = xn_[i];
      for (int i : stiff_) xs_[i] = xn_[i] + ros34pw2::jacobian_step(xn_[i]);
      LaneArray t{};
      for (std::size_t l = 0; l < kW; ++l) t[l] = lanes_[l].t + lanes_[l].h;
      rhs(load(t), xs_, kd_, nullptr);
      for (int i : stiff_) lambda = xsimd::max(lambda, xsimd::abs((kd_[i] - k_[6][i]) / (xs_[i] - xn_[i])));
      lambda = xsimd::select(m.check, lambda, B(0.0));
    }
    if (!any_implicit_) return lambda;
    B diag(0.0);
    for (int i : stiff_) diag = xsimd::max(diag, xsimd::abs(jac_[i]));
    return xsimd::select(implicit_, diag, lambda);
  }

  /// Every lane's trial step, its error estimate and its accept/reject decision.
  StepOutcome trial_step(const B& tb, const B& hb) {
    const Methods methods = choose_methods();
    const auto [err_norm, finite_probe] = trial_stages(tb, hb, methods);
    alignas(64) double err[kW], probe[kW], fn[kW], com_vy[kW], lambda[kW];
    err_norm.store_aligned(err);
    finite_probe.store_aligned(probe);
    sig_.grf_y.store_aligned(fn);
    sig_.body_com_vy.store_aligned(com_vy);
    if (switching_) stiffness(methods).store_aligned(lambda);

    StepOutcome out;
    for (std::size_t l = 0; l < kW; ++l) {
      Lane& ln = lanes_[l];
      if (ln.job < 0) continue;
      ln.evaluations += ln.implicit ? 4 + (ln.jacobian_age == 0) : 6 + methods.checked[l];
      const double t1 = ln.t + ln.h;
      if (!std::isfinite(err[l]) || !std::isfinite(probe[l])) {
        fail(l, StanceStatus::kNonFiniteState, "the state became non-finite at t = " + format_value(t1) + " s");
        continue;
      }
      if (s_.fixed_step > 0) err[l] = 0.0;
      // Step-size control: Odeint's default step adjuster for Dormand–Prince, as in the scalar path's
      // controlled stepper; the scalar Rosenbrock–W step's controller for ROS34PW2.
      if (err[l] > 1.0) {
        if (ln.implicit) {
          ln.h *= ros34pw2::rejected_step_factor(err[l]);
          if (ln.jacobian_age > 1) ln.jacobian_age = kJacobianReuse;  // retry with a fresh Jacobian
        } else {
          ln.h = kStepAdjuster.decrease_step(ln.h, err[l], dopri5::kErrorOrder);
        }
        ++ln.rejected;
        try {
          ln.rejections();
        } catch (const odeint::step_adjustment_error& e) {
          fail(l, StanceStatus::kStepSizeUnderflow, std::string(e.what()) + " (t = " + format_value(ln.t) + " s)");
        }
        continue;
      }
      ln.rejections.reset();
      ++ln.steps;
      ln.implicit_steps += ln.implicit;
      if (ln.steps > kMaxStanceSteps) {
        fail(l, StanceStatus::kStepSizeUnderflow,
             "more than " + std::to_string(kMaxStanceSteps) + " steps by t = " + format_value(t1) + " s");
        continue;
      }
      if (crawl_check_due(ln.steps, ln.h, s_.initial_step)) {  // sig_: the signals at the step's end (call 6)
        std::array<double, kMaxMuscles> fiber{};
        for (int i = 0; i < nm_; ++i) fiber[i] = lane(sig_.norm_fiber_length[i], l);
        const std::string why = crawl_problem(
            model_.muscle_names(), std::span<const double>(fiber.data(), static_cast<std::size_t>(nm_)), ln.h, t1);
        if (!why.empty()) {
          fail(l, StanceStatus::kStepSizeUnderflow, why);
          continue;
        }
      }
      ln.min_h = std::min(ln.min_h, ln.h);
      if (s_.fixed_step > 0)
        ln.h_next = s_.fixed_step;
      else if (ln.implicit)
        ln.h_next = ln.h * ros34pw2::accepted_step_factor(err[l]);
      else
        ln.h_next = kStepAdjuster.increase_step(ln.h, err[l], dopri5::kStepperOrder);
      if (ln.h_next < s_.min_step) {
        fail(l, StanceStatus::kStepSizeUnderflow, "the step size fell to " + format_value(ln.h_next) +
                                                      " s at t = " + format_value(t1) + " s (minimum " +
                                                      format_value(s_.min_step) + " s)");
        continue;
      }
      if (switching_) ln.switch_to = switch_decision(ln, lambda[l]);
      out.accepted[l] = out.any_accepted = true;
      ln.t_end = t1;
      if (ln.toe_off.toe_off_in_step(fn[l], com_vy[l], s_.body_weight)) out.toe_off[l] = out.any_toe_off = true;
    }
    return out;
  }

  /// The scalar path's switching rule (sim/switching_stepper.hpp), after an accepted step with
  /// stiffness estimate lambda (0 = not checked): explicit → implicit when the next step h·|λ|
  /// exceeds Dormand–Prince's stability limit; implicit → explicit when the explicit step the
  /// stiffness allows beats the next implicit step by the cost ratio; each method keeps at least
  /// kMinSteps steps.
  static bool switch_decision(const Lane& ln, double lambda) {
    if (ln.steps_in_mode + 1 < Switching::kMinSteps) return false;
    if (!ln.implicit) return ln.h_next * lambda > Switching::kStabilityLimit;
    const double explicit_step = lambda > 0 ? Switching::kStabilityLimit / lambda : 1e300;
    return explicit_step > Switching::kCostRatio * ln.h_next;
  }

  /// Toe-off: bisection on the dense output, all toe-off lanes at once; each lane stops when its
  /// bracket is below the tolerance (the same sequence of midpoints as the scalar path).
  void locate_toe_offs(const B& tb, const B& hb, const StepOutcome& step) {
    B lo = tb, hi = tb + hb;
    const Mask ev = mask_of(step.toe_off);
    const B tol(s_.event_tolerance);
    for (;;) {
      const Mask open = ev && ((hi - lo) > tol);
      if (!xsimd::any(open)) break;
      const B mid = B(0.5) * (lo + hi);
      dense((mid - tb) / hb, hb);
      signals(mid, xs_);
      const Mask pos = sig_.grf_y > B(0.0);  // ToeOffRule::in_contact, per lane
      lo = xsimd::select(open && pos, mid, lo);
      hi = xsimd::select(open && !pos, mid, hi);
    }
    for (std::size_t l = 0; l < kW; ++l)
      if (step.toe_off[l]) lanes_[l].t_end = lane(hi, l);
  }

  /// Output samples on the grid k·output_interval ≤ t_end inside this step: their states from the
  /// dense output, queued per lane (effort-only mode: recorded at once, mostly without a
  /// right-hand side).
  void sample_outputs(const LaneArray& t, const B& tb, const B& hb, const StepOutcome& step) {
    for (;;) {
      std::array<bool, kW> need{};
      LaneArray ts{};
      bool any = false;
      for (std::size_t l = 0; l < kW; ++l) {
        ts[l] = t[l];
        if (!step.accepted[l]) continue;
        const double tk = static_cast<double>(lanes_[l].next_sample) * s_.output_interval;
        if (tk <= lanes_[l].t_end) {
          need[l] = any = true;
          ts[l] = tk;
          ++lanes_[l].next_sample;
        }
      }
      if (!any) break;
      const B tsb = load(ts);
      dense((tsb - tb) / hb, hb);
      const Mask m = mask_of(need);
      if (!options_.effort_only) {
        enqueue(need, ts);
      } else if (!xsimd::any(m && acc_.has_prev == B(0.0))) {
        record_effort(m, tsb);  // no right-hand side: the states suffice
      } else {
        signals(tsb, xs_);
        acc_.record(m, tsb, sig_, xs_[kStateQ + 4], nm_, effort_weight_);
      }
    }
    drain({});
  }

  /// Queues the states in xs_ of the lanes in `need` as samples at times ts.
  /// (All states stored at once, then one resize per lane: pushing state by state, lane by lane,
  /// was a quarter of the worker's own time, measured 2026-12-06.)
  void enqueue(const std::array<bool, kW>& need, const LaneArray& ts) {
    const auto n = static_cast<std::size_t>(n_);
    for (std::size_t i = 0; i < n; ++i) xs_[i].store_aligned(&transposed_[i * kW]);
    for (std::size_t l = 0; l < kW; ++l) {
      if (!need[l]) continue;
      queue_[l].t.push_back(ts[l]);
      std::vector<double>& x = queue_[l].x;
      const std::size_t at = x.size();
      x.resize(at + n);
      for (std::size_t i = 0; i < n; ++i) x[at + i] = transposed_[i * kW + l];
    }
  }

  /// Records queued samples, one per lane and right-hand-side call, oldest first: while at least
  /// three quarters of the active lanes have one waiting (or a queue grows long), and until the
  /// queues of the lanes in `empty` are empty. A sample's signals depend only on its lane's state, time and
  /// constants, so when it is recorded does not change any result; queueing lets one call serve the
  /// lanes whose steps held fewer grid points beside those whose steps held more.
  void drain(const std::array<bool, kW>& empty) {
    for (;;) {
      std::array<bool, kW> take{};
      std::size_t waiting = 0, active = 0, longest = 0;
      bool must = false;
      for (std::size_t l = 0; l < kW; ++l) {
        active += lanes_[l].job >= 0;
        const std::size_t size = queue_[l].size();
        take[l] = size > 0;
        waiting += take[l];
        longest = std::max(longest, size);
        must = must || (empty[l] && take[l]);
      }
      if (waiting == 0 || (!must && 4 * waiting < 3 * active && longest < kMaxQueued)) return;
      LaneArray ts{};
      const auto n = static_cast<std::size_t>(n_);
      // Lanes without a sample evaluate their current state, ignored. Each sample's state is copied
      // as one row (gathering state by state, lane by lane, was 3 % of the batch's time).
      for (std::size_t i = 0; i < n; ++i) x_[i].store_aligned(&transposed_[i * kW]);
      for (std::size_t l = 0; l < kW; ++l) {
        if (!take[l]) continue;
        const double* row = queue_[l].x.data() + queue_[l].head * n;
        for (std::size_t i = 0; i < n; ++i) transposed_[i * kW + l] = row[i];
      }
      for (std::size_t i = 0; i < n; ++i) xs_[i] = B::load_aligned(&transposed_[i * kW]);
      for (std::size_t l = 0; l < kW; ++l) {
        ts[l] = take[l] ? queue_[l].t[queue_[l].head] : lanes_[l].t;
        if (take[l]) queue_[l].pop();
      }
      const B tsb = load(ts);
      signals(tsb, xs_);
      acc_.record(mask_of(take), tsb, sig_, xs_[kStateQ + 4], nm_, effort_weight_);
    }
  }

  /// Toe-off lanes: the state at toe-off, recorded as the last sample unless it is on the grid.
  void finish_toe_offs(const LaneArray& t, const B& tb, const B& hb, const StepOutcome& step) {
    std::array<bool, kW> need{};
    LaneArray ts{};
    for (std::size_t l = 0; l < kW; ++l) {
      ts[l] = step.toe_off[l] ? lanes_[l].t_end : t[l];
      // (Always in effort-only mode: its grid samples do not carry the centre of mass.)
      need[l] = step.toe_off[l] &&
                (options_.effort_only ||
                 static_cast<double>(lanes_[l].next_sample - 1) * s_.output_interval < lanes_[l].t_end);
    }
    const B tsb = load(ts);
    dense((tsb - tb) / hb, hb);
    alignas(64) double buf[kW];
    for (std::size_t l = 0; l < kW; ++l)
      if (step.toe_off[l]) toe_off_state_[l].resize(static_cast<std::size_t>(n_));
    for (int i = 0; i < n_; ++i) {
      xs_[i].store_aligned(buf);
      for (std::size_t l = 0; l < kW; ++l)
        if (step.toe_off[l]) toe_off_state_[l][static_cast<std::size_t>(i)] = buf[l];
    }
    if (options_.effort_only) {
      signals(tsb, xs_);
      acc_.record(mask_of(need), tsb, sig_, xs_[kStateQ + 4], nm_, effort_weight_);
    } else {
      enqueue(need, ts);
      drain(step.toe_off);
    }
    for (std::size_t l = 0; l < kW; ++l)
      if (step.toe_off[l]) finish(l, lanes_[l].t_end);
  }

  /// Commits the accepted steps (FSAL: the last stage is the next first stage).
  void commit(const StepOutcome& step) {
    const Mask m = mask_of(step.accepted);
    for (int i = 0; i < n_; ++i) {
      x_[i] = xsimd::select(m, xn_[i], x_[i]);
      k_[0][i] = xsimd::select(m, k_[6][i], k_[0][i]);
    }
    for (std::size_t l = 0; l < kW; ++l) {
      Lane& ln = lanes_[l];
      if (!step.accepted[l]) continue;
      ln.t += ln.h;
      ln.h = ln.h_next;
      if (ln.implicit) ++ln.jacobian_age;
      ++ln.steps_in_mode;
      if (ln.switch_to) {  // after the step's dense output was used: it belongs to the old method
        ln.implicit = !ln.implicit;
        ln.steps_in_mode = 0;
        ln.jacobian_age = kJacobianReuse;
        ln.switch_to = false;
      }
    }
  }

  /// Refills the lanes that finished or failed.
  void refill() {
    std::array<bool, kW> changed{};
    bool any_changed = false;
    for (std::size_t l = 0; l < kW; ++l)
      if (lanes_[l].job == -2) changed[l] = any_changed = fill_lane(l, true);
    if (any_changed) refresh(changed);
  }

  const Model& model_;
  std::span<const StanceJob> jobs_;
  const BatchOptions& options_;
  Settings s_;
  std::atomic<std::size_t>& next_;
  std::vector<BatchStanceOutcome>& out_;
  int nm_ = 0, n_ = 0;
  std::array<Lane, kW> lanes_{};
  std::array<StanceConstants<double>, kW> lane_c_{};
  std::vector<std::vector<double>> td_state_;
  StanceConstants<B> c_;
  std::vector<B> x_, xn_, xs_, kd_, u_;
  std::array<std::vector<B>, dopri5::kStages> k_;
  std::array<std::vector<B>, 4> rk_;  ///< ROS34PW2's stage increments (implicit lanes)
  std::vector<B> jac_, g_;            ///< Jacobian diagonal (0 off the stiff states), Σ γ_ij k_j
  std::vector<int> stiff_;            ///< the compliant tendons' force states (stiff_tendon_states)
  bool switching_ = false;            ///< lanes may switch to the implicit step
  bool summary_signals_ = false;      ///< samples read summary_signals (summary_signals_apply)
  Mask implicit_;                     ///< lanes stepping with ROS34PW2 in this iteration
  bool any_implicit_ = false;
  StanceSignals<B> sig_;
  StanceAccumulator<B> acc_;
  /// Output samples waiting for their right-hand-side call, per lane (drain()).
  struct SampleQueue {
    std::vector<double> t, x;  ///< times; states, n_ values each
    std::size_t head = 0;      ///< the oldest waiting sample
    std::size_t size() const { return t.size() - head; }
    void pop() {
      if (++head == t.size()) clear();
    }
    void clear() {
      t.clear();
      x.clear();
      head = 0;
    }
  };
  static constexpr std::size_t kMaxQueued = 64;
  /// enqueue's and drain's scratch: state i of lane l at [i·kW + l]
  alignas(64) std::array<double, state_size(kMaxMuscles) * kW> transposed_{};
  std::array<SampleQueue, kW> queue_;
  std::array<std::vector<double>, kW> toe_off_state_;
  std::array<double, kMaxMuscles> effort_weight_{};
};

}  // namespace

void run_worker(const Model& model, std::span<const StanceJob> jobs, const BatchOptions& options,
                const Settings& settings, std::atomic<std::size_t>& next, std::vector<BatchStanceOutcome>& out,
                std::size_t initial_quota) {
  Worker w(model, jobs, options, settings, next, out);
  w.run(initial_quota);
}

}  // namespace legsim::batch_detail::LEGSIM_BATCH_NS
