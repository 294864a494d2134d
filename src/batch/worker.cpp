// The batch engine's worker: per-lane adaptive Dormand–Prince 5(4) in lockstep SIMD iterations,
// per-lane toe-off, output samples and failure, lane refill (see batch/stance_batch.hpp).
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "dopri5.hpp"
#include "lanes.hpp"
#include "legsim/core/error.hpp"

namespace legsim::batch_detail::LEGSIM_BATCH_NS {
namespace {

namespace odeint = boost::numeric::odeint;

/// Odeint's step adjuster (no maximum step), the scalar path's.
const odeint::default_step_adjuster<double, double> kStepAdjuster;

/// Scalar bookkeeping of one lane.
struct LaneProgress {
  long job = -1;  ///< index into jobs, −1 = idle
  double t = 0.0, h = 0.0, h_next = 0.0, t_end = 0.0;
  ToeOffRule toe_off;
  long next_sample = 0;
  long steps = 0, rejected = 0, evaluations = 0;
  double min_h = std::numeric_limits<double>::infinity();
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

  /// Dense output at θ ∈ [0, 1] of the current step into xs_.
  void dense(const B& theta, const B& h) { dopri5::dense(theta, h, x_, xn_, k_, xs_); }

  void fail(std::size_t l, StanceStatus st, const std::string& why) {
    BatchStanceOutcome& o = out_[lanes_[l].job];
    o = BatchStanceOutcome{};
    o.status = st;
    o.message = std::string(to_string(st)) + ": " + why;
    o.steps = lanes_[l].steps;
    o.rejected_steps = lanes_[l].rejected;
    o.rhs_evaluations = lanes_[l].evaluations;
    if (options_.keep_states) o.touchdown_state = td_state_[l];
    lanes_[l].job = -2;  // finished; refilled at the end of the iteration
  }

  void finish(std::size_t l, double toe_off) {
    BatchStanceOutcome& o = out_[lanes_[l].job];
    o = BatchStanceOutcome{};
    o.contact_time = toe_off;
    if (options_.keep_states) {
      o.touchdown_state = td_state_[l];
      o.toeoff_state.resize(n_);
      for (int i = 0; i < n_; ++i) o.toeoff_state[i] = lane(xs_[i], l);
    }
    // Effort-only mode saw only the first and last samples for everything but effort: the peaks
    // and the PFJ integrals stay at 0.
    const StanceAccumulator<double> acc = lane_of(acc_, l);
    StanceSummary summary = summarize(acc, toe_off, lane(xs_[kStateQ + 2], l) - td_state_[l][kStateQ + 2]);
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
    for (std::size_t l = 0; l < kW; ++l) {  // no toe-off within the maximum stance time
      Lane& ln = lanes_[l];
      if (step.accepted[l] && ln.job >= 0 && ln.t_end > s_.max_stance_time)
        fail(l, ln.toe_off.timeout_status(), ln.toe_off.timeout_reason(s_.max_stance_time));
    }
    if (step.any_accepted) commit(step);
    refill();
  }

  /// Stages 2–7 of every lane, its error estimate and its accept/reject decision.
  StepOutcome trial_step(const B& tb, const B& hb) {
    // The input of stage 7 is the 5th-order solution xn_ (first same as last).
    for (int st = 1; st < dopri5::kStages; ++st) {
      std::vector<B>& xin = st == 6 ? xn_ : xs_;
      dopri5::stage_input(st, hb, x_, k_, xin);
      rhs(tb + B(dopri5::kC[st]) * hb, xin, k_[st], st == 6 ? &sig_ : nullptr);
    }
    const auto [err_norm, finite_probe] =
        dopri5::error_norm(hb, s_.absolute_tolerance, s_.relative_tolerance, x_, xn_, k_);
    alignas(64) double err[kW], probe[kW], fn[kW], com_vy[kW];
    err_norm.store_aligned(err);
    finite_probe.store_aligned(probe);
    sig_.grf_y.store_aligned(fn);
    sig_.body_com_vy.store_aligned(com_vy);

    StepOutcome out;
    for (std::size_t l = 0; l < kW; ++l) {
      Lane& ln = lanes_[l];
      if (ln.job < 0) continue;
      ln.evaluations += 6;
      const double t1 = ln.t + ln.h;
      if (!std::isfinite(err[l]) || !std::isfinite(probe[l])) {
        fail(l, StanceStatus::kNonFiniteState, "the state became non-finite at t = " + format_value(t1) + " s");
        continue;
      }
      if (s_.fixed_step > 0) err[l] = 0.0;
      // Step-size control: Odeint's default step adjuster, as in the scalar path's controlled stepper.
      if (err[l] > 1.0) {
        ln.h = kStepAdjuster.decrease_step(ln.h, err[l], dopri5::kErrorOrder);
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
      if (ln.steps > kMaxStanceSteps) {
        fail(l, StanceStatus::kStepSizeUnderflow,
             "more than " + std::to_string(kMaxStanceSteps) + " steps by t = " + format_value(t1) + " s");
        continue;
      }
      ln.min_h = std::min(ln.min_h, ln.h);
      ln.h_next = s_.fixed_step > 0 ? s_.fixed_step : kStepAdjuster.increase_step(ln.h, err[l], dopri5::kStepperOrder);
      if (ln.h_next < s_.min_step) {
        fail(l, StanceStatus::kStepSizeUnderflow, "the step size fell to " + format_value(ln.h_next) +
                                                      " s at t = " + format_value(t1) + " s (minimum " +
                                                      format_value(s_.min_step) + " s)");
        continue;
      }
      out.accepted[l] = out.any_accepted = true;
      ln.t_end = t1;
      if (ln.toe_off.toe_off_in_step(fn[l], com_vy[l], s_.body_weight)) out.toe_off[l] = out.any_toe_off = true;
    }
    return out;
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
      rhs(mid, xs_, kd_, &sig_);
      const Mask pos = sig_.grf_y > B(0.0);  // ToeOffRule::in_contact, per lane
      lo = xsimd::select(open && pos, mid, lo);
      hi = xsimd::select(open && !pos, mid, hi);
    }
    for (std::size_t l = 0; l < kW; ++l)
      if (step.toe_off[l]) lanes_[l].t_end = lane(hi, l);
  }

  /// Output samples on the grid k·output_interval ≤ t_end inside this step.
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
      if (options_.effort_only && !xsimd::any(m && acc_.has_prev == B(0.0))) {
        record_effort(m, tsb);  // no right-hand side: the states suffice
      } else {
        rhs(tsb, xs_, kd_, &sig_);
        acc_.record(m, tsb, sig_, xs_[kStateQ + 4], nm_, effort_weight_);
      }
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
    rhs(tsb, xs_, kd_, &sig_);
    acc_.record(mask_of(need), tsb, sig_, xs_[kStateQ + 4], nm_, effort_weight_);
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
    for (std::size_t l = 0; l < kW; ++l)
      if (step.accepted[l]) {
        lanes_[l].t += lanes_[l].h;
        lanes_[l].h = lanes_[l].h_next;
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
  StanceSignals<B> sig_;
  StanceAccumulator<B> acc_;
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
