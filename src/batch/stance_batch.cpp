// The batch stance engine: per-lane adaptive Dormand–Prince 5(4) in lockstep SIMD iterations, lane
// refill, per-lane status, threads with one workspace each (see batch/stance_batch.hpp).
#include "legsim/batch/stance_batch.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "legsim/core/error.hpp"

namespace legsim {
namespace {

using B = BatchD;
using Mask = B::batch_bool_type;
constexpr std::size_t kW = B::size;
using LaneArray = std::array<double, kW>;

// Dormand–Prince 5(4) (Dormand & Prince 1980, J Comput Appl Math 6(1):19–26,
// doi:10.1016/0771-050X(80)90013-3): nodes c, coefficients a, 5th-order weights b (= row 7 of a,
// first-same-as-last), error weights e = b − b̂. Dense output: the 4th-order continuous extension of
// Hairer, Nørsett & Wanner, Solving ODEs I (2nd ed., 1993), sec. II.6, coefficients d.
constexpr double kC[7] = {0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0};
constexpr double kA[7][6] = {
    {0, 0, 0, 0, 0, 0},
    {1.0 / 5.0, 0, 0, 0, 0, 0},
    {3.0 / 40.0, 9.0 / 40.0, 0, 0, 0, 0},
    {44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0, 0, 0},
    {19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0, 0},
    {9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0},
    {35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0}};
constexpr double kE[7] = {71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0,
                          -1.0 / 40.0};
constexpr double kD[7] = {-12715105075.0 / 11282082432.0, 0.0, 87487479700.0 / 32700410799.0,
                          -10690763975.0 / 1880347072.0, 701980252875.0 / 199316789632.0,
                          -1453857185.0 / 822651844.0, 69997945.0 / 29380423.0};
// Step-size control as in the scalar path's Odeint controlled stepper (error order 4, stepper
// order 5): on rejection h·max(0.9·err^(−1/3), 0.2); on acceptance with err < 0.5,
// h·0.9·max(err, 5^−5)^(−1/5); give up after this many rejections in a row.
constexpr int kMaxRejections = 500;

struct Settings {
  double rtol, atol, event_tolerance, min_step, initial_step, max_stance_time, dt_out, weight;
  double fixed_step;  ///< > 0: no error control
};

B load(const LaneArray& a) { return B::load_unaligned(a.data()); }
double lane(const B& b, std::size_t l) {
  alignas(64) double buf[kW];
  b.store_aligned(buf);
  return buf[l];
}
void set_lane(B& b, std::size_t l, double v) {
  alignas(64) double buf[kW];
  b.store_aligned(buf);
  buf[l] = v;
  b = B::load_aligned(buf);
}
Mask mask_of(const std::array<bool, kW>& m) {
  alignas(64) double buf[kW];
  for (std::size_t l = 0; l < kW; ++l) buf[l] = m[l] ? 1.0 : 0.0;
  return B::load_aligned(buf) != B(0.0);
}

/// Scalar bookkeeping of one lane.
struct Lane {
  long job = -1;  ///< index into jobs, −1 = idle
  double t = 0.0, h = 0.0, h_next = 0.0, t_end = 0.0;
  bool bore_load = false;  ///< the normal force has exceeded 20 % of body weight
  bool loaded = false;     ///< ... and mid-stance has passed (the centre of mass rises)
  long next_sample = 0;
  int rejections = 0;
  long steps = 0, rejected = 0, evaluations = 0;
  double min_h = std::numeric_limits<double>::infinity();
};

/// Per-lane running peaks and integrals over the output samples (batch form).
struct Accumulators {
  B effort, pfj_impulse, peak_pfj, peak_stress, peak_quad, peak_grf, peak_knee, knee_at_contact;
  B prev_t, prev_a3, prev_pfj, has_prev;
  std::array<B, 4> com_first, com_last;
  std::array<double, kMaxMuscles> effort_weight{};  ///< wᵢ of the model's controller
  void reset_lane(std::size_t l) {
    constexpr double lo = -std::numeric_limits<double>::infinity();
    for (B* b : {&effort, &pfj_impulse, &knee_at_contact, &prev_t, &prev_a3, &prev_pfj, &has_prev}) set_lane(*b, l, 0.0);
    for (B* b : {&peak_pfj, &peak_stress, &peak_quad, &peak_grf, &peak_knee}) set_lane(*b, l, lo);
    for (int k = 0; k < 4; ++k) {
      set_lane(com_first[k], l, 0.0);
      set_lane(com_last[k], l, 0.0);
    }
  }
  /// One output sample at times ts for the lanes in m (metrics.cpp: peaks over samples,
  /// trapezoidal integrals between consecutive samples).
  void record(const Mask& m, const B& ts, const StanceSignals<B>& s, int n_muscles, const B& knee) {
    const Mask first = has_prev == B(0.0);
    const Mask integrate = m && !first;
    const B half_dt = B(0.5) * (ts - prev_t);
    integrate_effort(integrate, m, ts, s.activation, n_muscles);
    pfj_impulse = xsimd::select(integrate, pfj_impulse + half_dt * (s.pfj_force + prev_pfj), pfj_impulse);
    peak_pfj = xsimd::select(m, xsimd::max(peak_pfj, s.pfj_force), peak_pfj);
    peak_stress = xsimd::select(m, xsimd::max(peak_stress, s.pfj_stress), peak_stress);
    peak_quad = xsimd::select(m, xsimd::max(peak_quad, s.quadriceps_force), peak_quad);
    peak_grf = xsimd::select(m, xsimd::max(peak_grf, s.grf_y), peak_grf);
    peak_knee = xsimd::select(m, xsimd::max(peak_knee, knee), peak_knee);
    const Mask at_contact = m && first;
    knee_at_contact = xsimd::select(at_contact, knee, knee_at_contact);
    const std::array<B, 4> com = {s.body_com_x, s.body_com_y, s.body_com_vx, s.body_com_vy};
    for (int k = 0; k < 4; ++k) {
      com_first[k] = xsimd::select(at_contact, com[k], com_first[k]);
      com_last[k] = xsimd::select(m, com[k], com_last[k]);
    }
    prev_pfj = xsimd::select(m, s.pfj_force, prev_pfj);
    has_prev = xsimd::select(m, B(1.0), has_prev);
  }
  /// The effort part of record() alone, for lanes in m that already have a first sample, from the
  /// activation states: the same a = clamp(state, a_min, 1) as the muscle kernel's and the same
  /// (out-of-line) arithmetic as record(), so the same bits.
  void record_effort(const Mask& m, const B& ts, const StanceConstants<B>& c, const std::vector<B>& x) {
    std::array<B, kMaxMuscles> a;
    for (int i = 0; i < c.n_muscles; ++i) a[i] = legsim::clamp(x[activation_index(i)], c.muscles[i].mtu.min_activation, B(1.0));
    integrate_effort(m, m, ts, a, c.n_muscles);
  }
  /// Σ wᵢ aᵢ³ at ts; trapezoidal step of the effort integral for the lanes in `integrate`, new
  /// previous sample for the lanes in m. Not inlined: both callers must round alike (FMA contraction).
  [[gnu::noinline]] void integrate_effort(const Mask& integrate, const Mask& m, const B& ts,
                                          const std::array<B, kMaxMuscles>& a, int n_muscles) {
    B a3(0.0);
    for (int i = 0; i < n_muscles; ++i) a3 += B(effort_weight[i]) * a[i] * a[i] * a[i];
    const B half_dt = B(0.5) * (ts - prev_t);
    effort = xsimd::select(integrate, effort + half_dt * (a3 + prev_a3), effort);
    prev_t = xsimd::select(m, ts, prev_t);
    prev_a3 = xsimd::select(m, a3, prev_a3);
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
    for (int i = 0; i < nm_; ++i) acc_.effort_weight[i] = model.controller().muscles.at(i).effort_weight;
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
    ln = Lane{};
    acc_.reset_lane(l);
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

  /// Dense output at θ ∈ [0, 1] of the current step into xs_ (Hairer's contd5 form).
  void dense(const B& theta, const B& h) {
    const B one_minus = B(1.0) - theta;
    for (int i = 0; i < n_; ++i) {
      const B ydiff = xn_[i] - x_[i];
      const B bspl = h * k_[0][i] - ydiff;
      const B r5 = h * (B(kD[0]) * k_[0][i] + B(kD[2]) * k_[2][i] + B(kD[3]) * k_[3][i] + B(kD[4]) * k_[4][i] +
                        B(kD[5]) * k_[5][i] + B(kD[6]) * k_[6][i]);
      const B r4 = ydiff - h * k_[6][i] - bspl;
      xs_[i] = x_[i] + theta * (ydiff + one_minus * (bspl + theta * (r4 + one_minus * r5)));
    }
  }

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
    o.com_touchdown = {lane(acc_.com_first[0], l), lane(acc_.com_first[1], l), lane(acc_.com_first[2], l),
                       lane(acc_.com_first[3], l)};
    o.com_toeoff = {lane(acc_.com_last[0], l), lane(acc_.com_last[1], l), lane(acc_.com_last[2], l),
                    lane(acc_.com_last[3], l)};
    o.trunk_lean_change = lane(xs_[2], l) - td_state_[l][2];
    o.effort = lane(acc_.effort, l);
    o.knee_flexion_at_contact = lane(acc_.knee_at_contact, l);
    if (!options_.effort_only) {  // else only the first and last samples were seen: leave them at 0
      o.pfj_impulse = lane(acc_.pfj_impulse, l);
      o.peak_pfj_force = lane(acc_.peak_pfj, l);
      o.peak_pfj_stress = lane(acc_.peak_stress, l);
      o.peak_quadriceps_force = lane(acc_.peak_quad, l);
      o.peak_vertical_grf = lane(acc_.peak_grf, l);
      o.peak_knee_flexion = lane(acc_.peak_knee, l);
    }
    o.steps = lanes_[l].steps;
    o.rejected_steps = lanes_[l].rejected;
    o.rhs_evaluations = lanes_[l].evaluations;
    o.min_step_size = lanes_[l].min_h;
    // The scalar path's rule for a stance that is not a result (simulate.hpp).
    const CentreOfMassState &a = o.com_touchdown, &b = o.com_toeoff;
    const NamedValue values[] = {
        {"com_touchdown", a.x + a.y + a.vx + a.vy}, {"com_toeoff", b.x + b.y + b.vx + b.vy},
        {"trunk_lean_change", o.trunk_lean_change}, {"effort", o.effort},
        {"peak_pfj_force", o.peak_pfj_force},     {"peak_pfj_stress", o.peak_pfj_stress},
        {"pfj_impulse", o.pfj_impulse},           {"peak_quadriceps_force", o.peak_quadriceps_force},
        {"peak_vertical_grf", o.peak_vertical_grf}, {"peak_knee_flexion", o.peak_knee_flexion},
        {"knee_flexion_at_contact", o.knee_flexion_at_contact}};
    if (const std::string why = stance_result_problem(toe_off, values); !why.empty())
      fail(l, StanceStatus::kInvalidResult, why);  // also marks the lane finished
    else
      lanes_[l].job = -2;
  }

  void iterate() {
    LaneArray t{}, h{};
    for (std::size_t l = 0; l < kW; ++l) {
      t[l] = lanes_[l].t;
      h[l] = lanes_[l].h;
    }
    const B tb = load(t), hb = load(h);

    // Stages 2–7; the input of stage 7 is the 5th-order solution xn_ (first same as last).
    for (int st = 1; st < 7; ++st) {
      std::vector<B>& xin = st == 6 ? xn_ : xs_;
      for (int i = 0; i < n_; ++i) {
        B acc = B(kA[st][0]) * k_[0][i];
        for (int j = 1; j < st; ++j)
          if (kA[st][j] != 0.0) acc = xsimd::fma(B(kA[st][j]), k_[j][i], acc);
        xin[i] = xsimd::fma(hb, acc, x_[i]);
      }
      rhs(tb + B(kC[st]) * hb, xin, k_[st], st == 6 ? &sig_ : nullptr);
    }
    // Error norm of the scalar path: max_i |err_i| / (atol + rtol·(|x_i| + h·|ẋ_i|)), and a
    // non-finite detector (Σ 0·xn_i is NaN iff some component is not finite).
    B err_norm(0.0), finite_probe(0.0);
    for (int i = 0; i < n_; ++i) {
      B e = B(kE[0]) * k_[0][i];
      for (int j = 2; j < 7; ++j) e = xsimd::fma(B(kE[j]), k_[j][i], e);
      const B scale = B(s_.atol) + B(s_.rtol) * (xsimd::abs(x_[i]) + hb * xsimd::abs(k_[0][i]));
      err_norm = xsimd::max(err_norm, xsimd::abs(hb * e) / scale);
      finite_probe += B(0.0) * xn_[i];
    }
    alignas(64) double err[kW], probe[kW], fn[kW], com_vy[kW];
    err_norm.store_aligned(err);
    finite_probe.store_aligned(probe);
    sig_.grf_y.store_aligned(fn);
    sig_.body_com_vy.store_aligned(com_vy);

    std::array<bool, kW> accepted{}, event{};
    bool any_accepted = false, any_event = false;
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
      if (err[l] > 1.0) {
        ln.h *= std::max(0.9 * std::pow(err[l], -1.0 / 3.0), 0.2);
        ++ln.rejected;
        if (++ln.rejections >= kMaxRejections)
          fail(l, StanceStatus::kStepSizeUnderflow,
               "no acceptable step size after " + std::to_string(kMaxRejections) + " tries at t = " +
                   format_value(ln.t) + " s");
        continue;
      }
      accepted[l] = any_accepted = true;
      ln.rejections = 0;
      ++ln.steps;
      if (ln.steps > kMaxStanceSteps) {
        accepted[l] = false;
        fail(l, StanceStatus::kStepSizeUnderflow,
             "more than " + std::to_string(kMaxStanceSteps) + " steps by t = " + format_value(t1) + " s");
        continue;
      }
      ln.min_h = std::min(ln.min_h, ln.h);
      ln.h_next = err[l] < 0.5 ? ln.h * 0.9 * std::pow(std::max(err[l], std::pow(5.0, -5.0)), -0.2) : ln.h;
      if (s_.fixed_step > 0) ln.h_next = s_.fixed_step;
      if (ln.h_next < s_.min_step) {
        accepted[l] = false;
        fail(l, StanceStatus::kStepSizeUnderflow, "the step size fell to " + format_value(ln.h_next) +
                                                      " s at t = " + format_value(t1) + " s (minimum " +
                                                      format_value(s_.min_step) + " s)");
        continue;
      }
      ln.t_end = t1;
      // Toe-off criterion of the scalar path (simulate.cpp): after mid-stance — load borne and the
      // centre of mass rising — the total normal force returns to zero.
      if (ln.loaded && fn[l] <= 0.0) event[l] = any_event = true;
      if (fn[l] > 0.2 * s_.weight) ln.bore_load = true;
      if (ln.bore_load && com_vy[l] > 0.0) ln.loaded = true;
    }

    // Toe-off: bisection on the dense output, all event lanes at once; each lane stops when its
    // bracket is below the tolerance (the same sequence of midpoints as the scalar path).
    if (any_event) {
      B lo = tb, hi = tb + hb;
      const Mask ev = mask_of(event);
      const B tol(s_.event_tolerance);
      for (;;) {
        const Mask open = ev && ((hi - lo) > tol);
        if (!xsimd::any(open)) break;
        const B mid = B(0.5) * (lo + hi);
        dense((mid - tb) / hb, hb);
        rhs(mid, xs_, kd_, &sig_);
        const Mask pos = sig_.grf_y > B(0.0);
        lo = xsimd::select(open && pos, mid, lo);
        hi = xsimd::select(open && !pos, mid, hi);
      }
      for (std::size_t l = 0; l < kW; ++l)
        if (event[l]) lanes_[l].t_end = lane(hi, l);
    }

    // Output samples on the grid k·dt_out ≤ t_end inside this step.
    if (any_accepted) {
      for (;;) {
        std::array<bool, kW> need{};
        LaneArray ts{};
        bool any = false;
        for (std::size_t l = 0; l < kW; ++l) {
          ts[l] = t[l];
          if (!accepted[l]) continue;
          const double tk = static_cast<double>(lanes_[l].next_sample) * s_.dt_out;
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
          acc_.record_effort(m, tsb, c_, xs_);  // no right-hand side: the states suffice
        } else {
          rhs(tsb, xs_, kd_, &sig_);
          acc_.record(m, tsb, sig_, nm_, xs_[kStateQ + 4]);
        }
      }
    }
    // Toe-off lanes: the state at toe-off, recorded as the last sample unless it is on the grid.
    if (any_event) {
      std::array<bool, kW> need{};
      LaneArray ts{};
      for (std::size_t l = 0; l < kW; ++l) {
        ts[l] = event[l] ? lanes_[l].t_end : t[l];
        // (Always in effort-only mode: its grid samples do not carry the centre of mass.)
        need[l] = event[l] && (options_.effort_only ||
                               static_cast<double>(lanes_[l].next_sample - 1) * s_.dt_out < lanes_[l].t_end);
      }
      const B tsb = load(ts);
      dense((tsb - tb) / hb, hb);
      rhs(tsb, xs_, kd_, &sig_);
      acc_.record(mask_of(need), tsb, sig_, nm_, xs_[kStateQ + 4]);
      for (std::size_t l = 0; l < kW; ++l)
        if (event[l]) finish(l, lanes_[l].t_end);
    }
    // No toe-off within the maximum stance time.
    for (std::size_t l = 0; l < kW; ++l) {
      Lane& ln = lanes_[l];
      if (!accepted[l] || ln.job < 0) continue;
      if (ln.t_end > s_.max_stance_time)
        fail(l, ln.bore_load ? StanceStatus::kNoToeOff : StanceStatus::kNoContact,
             ln.bore_load ? "the foot did not leave the ground within " + format_value(s_.max_stance_time) + " s"
                       : "the normal force never reached 20 % of body weight within " +
                             format_value(s_.max_stance_time) + " s");
    }
    // Commit accepted steps (FSAL: the last stage is the next first stage).
    if (any_accepted) {
      const Mask m = mask_of(accepted);
      for (int i = 0; i < n_; ++i) {
        x_[i] = xsimd::select(m, xn_[i], x_[i]);
        k_[0][i] = xsimd::select(m, k_[6][i], k_[0][i]);
      }
      for (std::size_t l = 0; l < kW; ++l)
        if (accepted[l]) {
          lanes_[l].t += lanes_[l].h;
          lanes_[l].h = lanes_[l].h_next;
        }
    }
    // Refill the lanes that finished or failed.
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
  std::array<std::vector<B>, 7> k_;
  StanceSignals<B> sig_;
  Accumulators acc_;
};

void validate_job(const Model& model, const StanceJob& job, std::size_t index) {
  const std::string where = "jobs[" + std::to_string(index) + "].";
  try {
    validate(job.touchdown, model);
    const std::size_t nm = model.muscles().size();
    if (job.controller.muscles.size() != nm)
      throw InputError("controller: expected settings for " + std::to_string(nm) + " muscles, got " +
                       std::to_string(job.controller.muscles.size()));
    if (!job.capacity_factors.empty()) {
      if (job.capacity_factors.size() != nm)
        throw InputError("capacity_factors: expected " + std::to_string(nm) + " values, got " +
                         std::to_string(job.capacity_factors.size()));
      for (std::size_t i = 0; i < nm; ++i)
        require(job.capacity_factors[i] > 0 && job.capacity_factors[i] <= 1,
                "capacity_factors[" + model.muscles()[i].name + "]", job.capacity_factors[i], "(0, 1]");
    }
  } catch (const InputError& e) {
    throw InputError(where + e.what());
  }
}

}  // namespace

std::size_t batch_lanes() { return kW; }

std::vector<BatchStanceOutcome> simulate_stances(const Model& model, std::span<const StanceJob> jobs,
                                                 const BatchOptions& options) {
  if (options.threads < 0) require(false, "options.threads", options.threads, "≥ 0 (0 = all cores)");
  const IntegratorSettings& is = model.integrator();
  Settings s;
  s.rtol = options.relative_tolerance > 0 ? options.relative_tolerance : is.relative_tolerance;
  s.atol = options.absolute_tolerance > 0 ? options.absolute_tolerance : is.absolute_tolerance;
  s.event_tolerance = options.event_tolerance > 0 ? options.event_tolerance : is.event_tolerance;
  require(s.rtol <= 1e-2, "options.relative_tolerance", s.rtol, "(0, 0.01]");
  require(s.atol <= 1e-2, "options.absolute_tolerance", s.atol, "(0, 0.01]");
  require(s.event_tolerance <= 1e-3, "options.event_tolerance", s.event_tolerance, "(0, 0.001]");
  s.min_step = is.min_step;
  s.initial_step = is.initial_step;
  s.max_stance_time = is.max_stance_time;
  s.dt_out = is.output_interval;
  s.weight = model.body_weight();
  require(options.fixed_step >= 0 && options.fixed_step <= 1e-2, "options.fixed_step", options.fixed_step,
          "[0, 0.01] s (0 = adaptive)");
  s.fixed_step = options.fixed_step;
  if (model.muscles().size() > static_cast<std::size_t>(kMaxMuscles))
    throw InputError("muscles: the model has " + std::to_string(model.muscles().size()) + " muscles; at most " +
                     std::to_string(kMaxMuscles) + " are supported");
  for (std::size_t j = 0; j < jobs.size(); ++j) validate_job(model, jobs[j], j);

  std::vector<BatchStanceOutcome> out(jobs.size());
  if (jobs.empty()) return out;
  unsigned threads = options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency())
                                          : static_cast<unsigned>(options.threads);
  // No more workers than there are lanes' worth of jobs to share.
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, jobs.size()));
  const std::size_t quota = std::min(kW, (jobs.size() + threads - 1) / threads);
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto work = [&] {
    try {
      Worker w(model, jobs, options, s, next, out);
      w.run(quota);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
  }
  if (error) std::rethrow_exception(error);
  return out;
}

}  // namespace legsim
