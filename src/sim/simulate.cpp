// Scalar stance simulation with Boost.Odeint: dense-output Dormand–Prince 5(4), toe-off located on
// the dense output by bisection, failures reported as a status (never as numbers).
#include "legsim/sim/simulate.hpp"

#include <algorithm>
#include <Eigen/Dense>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <string>
#include <utility>

#include "legsim/core/error.hpp"
#include "legsim/sim/metrics.hpp"
#include "legsim/sim/touchdown_fields.hpp"
#include "series.hpp"
#include "switching_stepper.hpp"

namespace legsim {

namespace odeint = boost::numeric::odeint;

const char* to_string(StanceStatus s) {
  switch (s) {
    case StanceStatus::kOk: return "ok";
    case StanceStatus::kStepSizeUnderflow: return "step-size underflow";
    case StanceStatus::kNonFiniteState: return "non-finite state";
    case StanceStatus::kNoToeOff: return "no toe-off";
    case StanceStatus::kNoContact: return "no contact";
    case StanceStatus::kIntegratorError: return "integrator error";
    case StanceStatus::kInvalidResult: return "non-physiological stance";
  }
  return "?";
}

const std::vector<double>& StanceResult::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return series[i];
  throw InputError("no time-series column '" + std::string(name) + "'");
}

StanceConstants<double> make_stance_constants(const Model& model, const double* capacity_factors,
                                              const ControllerParams* controller) {
  const auto& muscles = model.muscles();
  if (muscles.size() > static_cast<std::size_t>(kMaxMuscles))
    throw InputError("muscles: the model has " + std::to_string(muscles.size()) + " muscles; at most " +
                     std::to_string(kMaxMuscles) + " are supported");
  StanceConstants<double> c;
  c.body = make_body_constants<double>(model.body());
  c.contact = model.contact();
  c.pfj = model.pfj();
  c.n_muscles = static_cast<int>(muscles.size());
  for (int i = 0; i < c.n_muscles; ++i) {
    MuscleParams p = muscles[i].params;
    if (capacity_factors) p.capacity_factor *= capacity_factors[i];
    MuscleConstants<double>& m = c.muscles[i];
    m.mtu = make_mtu_coefficients<double>(p);
    m.activation_time_constant = p.activation_time_constant;
    m.deactivation_time_constant = p.deactivation_time_constant;
    m.activation_smoothing = p.activation_smoothing;
    m.reference_length = p.optimal_fiber_length + p.tendon_slack_length;
    m.rigid_tendon = p.tendon == TendonModel::kRigid;
    m.n_crossings = static_cast<int>(muscles[i].joints.size());
    for (int j = 0; j < m.n_crossings; ++j) {
      m.crossings[j] = muscles[i].joints[j];
      m.crossing_trig[j] = crossing_trig(m.crossings[j]);
    }
    c.knee_extensor[i] = muscles[i].has_tag("knee_extensor");
    const MuscleControl& mc = (controller ? *controller : model.controller()).muscles.at(i);
    m.level = mc.level;
    m.onset = mc.onset;
    m.offset = mc.offset;
    m.force_gain = mc.force_gain;
    m.length_gain = mc.length_gain;
    m.length_offset = mc.length_offset;
    m.trunk_gain = mc.trunk_gain;
    m.pretension = mc.pretension;
  }
  const ControllerParams& cp = controller ? *controller : model.controller();
  c.use_controller = controller != nullptr;
  c.ramp_time = cp.ramp_time;
  c.trunk_kp = cp.trunk_kp;
  c.trunk_kd = cp.trunk_kd;
  c.trunk_reference_lean = cp.trunk_reference_lean;
  c.muscle_lanes = pack_muscle_lanes(c);
  return c;
}

void FeedforwardExcitation::operator()(double t, std::span<const double>, std::span<double> u) const {
  for (std::size_t i = 0; i < u.size(); ++i) {
    const auto& ts = times[i];
    const auto& ls = levels[i];
    if (t <= ts.front()) { u[i] = ls.front(); continue; }
    if (t >= ts.back()) { u[i] = ls.back(); continue; }
    const auto it = std::upper_bound(ts.begin(), ts.end(), t);
    const std::size_t k = static_cast<std::size_t>(it - ts.begin());
    const double w = (t - ts[k - 1]) / (ts[k] - ts[k - 1]);
    u[i] = ls[k - 1] + w * (ls[k] - ls[k - 1]);
  }
}

void validate(const FeedforwardExcitation& e, const Model& model) {
  const std::size_t n = model.muscles().size();
  if (e.times.size() != n || e.levels.size() != n)
    throw InputError("excitation: expected patterns for " + std::to_string(n) + " muscles, got " +
                     std::to_string(e.times.size()) + " time lists and " + std::to_string(e.levels.size()) +
                     " level lists");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string path = "excitation." + model.muscles()[i].name;
    if (e.times[i].empty() || e.times[i].size() != e.levels[i].size())
      throw InputError(path + ": times and levels must be non-empty and of equal length (got " +
                       std::to_string(e.times[i].size()) + " and " + std::to_string(e.levels[i].size()) + ")");
    for (std::size_t k = 0; k < e.times[i].size(); ++k) {
      require_finite(path + ".times[" + std::to_string(k) + "]", e.times[i][k]);
      require_in_range(path + ".levels[" + std::to_string(k) + "]", e.levels[i][k], 0.0, 1.0);
      if (k > 0 && !(e.times[i][k] > e.times[i][k - 1]))
        require(false, path + ".times[" + std::to_string(k) + "]", e.times[i][k], "> the previous time (increasing)");
    }
  }
}

void validate(const TouchdownState& td, const Model& model) {
  for (const TouchdownField& f : kTouchdownFields)
    require_in_range("touchdown." + std::string(f.name), td.*f.member, f.lo, f.hi);
  if (!td.activations.empty()) {
    if (td.activations.size() != model.muscles().size())
      throw InputError("touchdown.activations: expected " + std::to_string(model.muscles().size()) +
                       " values (one per muscle), got " + std::to_string(td.activations.size()));
    for (std::size_t i = 0; i < td.activations.size(); ++i)
      require_in_range("touchdown.activations[" + model.muscles()[i].name + "]", td.activations[i], 0.0, 1.0);
  }
}

void set_touchdown_ankle_velocity(const Model& model, TouchdownState& td, double vx, double vy) {
  require_finite("touchdown ankle velocity x", vx);
  require_finite("touchdown ankle velocity y", vy);
  require(td.knee_flexion >= kDegToRad, "touchdown.knee_flexion", td.knee_flexion, ">= 1 deg to set the ankle velocity");
  // ankle = hip + L_th·(sin ψ_th, −cos ψ_th) + L_sh·(sin ψ_sh, −cos ψ_sh), ψ_th = q3 − q2, ψ_sh = ψ_th − q4;
  // with q̇2 = 0: v_ankle − v_hip = L_th·ψ̇_th·(cos ψ_th, sin ψ_th) + L_sh·ψ̇_sh·(cos ψ_sh, sin ψ_sh).
  const double lt = model.body().thigh.length, ls = model.body().shank.length;
  const double pt = td.hip_flexion - td.trunk_lean, ps = pt - td.knee_flexion;
  Eigen::Matrix2d A;
  A << lt * std::cos(pt), ls * std::cos(ps), lt * std::sin(pt), ls * std::sin(ps);
  const Eigen::Vector2d w = A.partialPivLu().solve(Eigen::Vector2d(vx - td.hip_velocity_x, vy - td.hip_velocity_y));
  td.trunk_angular_velocity = 0.0;
  td.hip_angular_velocity = w(0);           // q̇3 = ψ̇_th
  td.knee_angular_velocity = w(0) - w(1);   // q̇4 = ψ̇_th − ψ̇_sh
}

void set_touchdown_foot_velocity(const Model& model, TouchdownState& td, const std::array<double, 2>& v) {
  require_finite("touchdown foot velocity x", v[0]);
  require_finite("touchdown foot velocity y", v[1]);
  Vec6<double> q;
  q << 0.0, 0.0, td.trunk_lean, td.hip_flexion, td.knee_flexion, td.ankle_dorsiflexion;
  const BodyConstants<double> b = make_body_constants<double>(model.body());
  const Kinematics<double> k = kinematics(b, q, Vec6<double>::Zero());
  const ContactIndex first = first_contact(k);
  // ṗ = J q̇ with q̇ = (v_hip,x, v_hip,y, 0, q̇3, q̇4, 0): solve the 2×2 system in (q̇3, q̇4).
  const Jac2x6<double> J = foot_point_jacobian(b, q, b.contact_point[first]);
  Eigen::Matrix2d A;
  A << J(0, 3), J(0, 4), J(1, 3), J(1, 4);
  require(std::abs(A.determinant()) > 1e-6, "touchdown posture (knee flexion)", td.knee_flexion,
          "a bent knee, so that hip and knee rates set both foot-velocity components");
  const Eigen::Vector2d w = A.partialPivLu().solve(Eigen::Vector2d(v[0] - td.hip_velocity_x, v[1] - td.hip_velocity_y));
  td.trunk_angular_velocity = 0.0;
  td.ankle_angular_velocity = 0.0;
  td.hip_angular_velocity = w(0);
  td.knee_angular_velocity = w(1);
}

std::vector<double> touchdown_state_vector(const Model& model, const StanceConstants<double>& c,
                                           const TouchdownState& td) {
  const int n = c.n_muscles;
  std::vector<double> x(state_size(n), 0.0);
  Vec6<double> q, qd;
  q << 0.0, 0.0, td.trunk_lean, td.hip_flexion, td.knee_flexion, td.ankle_dorsiflexion;
  qd << td.hip_velocity_x, td.hip_velocity_y, td.trunk_angular_velocity, td.hip_angular_velocity,
      td.knee_angular_velocity, td.ankle_angular_velocity;
  const Kinematics<double> k = kinematics(c.body, q, qd);
  q(1) = -k.contact[first_contact(k)](1);  // the lowest point at y = 0
  for (int i = 0; i < kDof; ++i) {
    x[kStateQ + i] = q(i);
    x[kStateQd + i] = qd(i);
  }
  // Tendon forces at static equilibrium with the touchdown activation (DESIGN 3.3).
  std::array<double, kNumJoints> qj, qj_dot;
  for (int j = 0; j < kNumJoints; ++j) {
    qj[j] = q(kJointCoordinate[j]);
    qj_dot[j] = qd(kJointCoordinate[j]);
  }
  for (int i = 0; i < n; ++i) {
    const MuscleSpec& spec = model.muscles()[i];
    const double a = td.activations.empty() ? spec.params.min_activation : td.activations[i];
    const PathGeometry path = path_geometry(spec.joints, c.muscles[i].reference_length, qj, qj_dot);
    const double length = path.length, velocity = path.velocity;
    x[activation_index(i)] = a;
    // By default (pretension 0) the tendon force of the relaxed muscle (minimum activation): the
    // swinging leg carries no muscle moments it is not balancing, so pre-activation (the activation
    // state above) builds tendon force through the tendon dynamics after contact. Starting every
    // muscle at the equilibrium with its pre-activation instead loads the free foot with ≈ 100 N·m
    // of plantarflexion and makes the forefoot slap within 8 ms (measured). A muscle's pretension p
    // (control/controller.hpp) blends in the loaded equilibrium for muscles active through swing.
    // The equilibrium uses the muscle as this stance runs it: with its fatigued contractile
    // capacity (c.muscles[i].mtu), not the model file's.
    MuscleParams params = spec.params;
    params.capacity_factor = c.muscles[i].mtu.active_capacity;
    const double relaxed = solve_mtu_equilibrium(params, length, velocity, params.min_activation).norm_tendon_force;
    const double p = c.muscles[i].pretension;
    x[tendon_state_index(n, i)] =
        p > 0.0 ? (1.0 - p) * relaxed + p * solve_mtu_equilibrium(params, length, velocity, a).norm_tendon_force
                : relaxed;
  }
  return x;
}

namespace {

using State = std::vector<double>;

/// Whether the stepper's last step was the Rosenbrock–W one (Odeint's Dormand–Prince: never).
template <class Stepper>
bool last_step_implicit(const Stepper& stepper) {
  if constexpr (requires { stepper.last_step_stiff(); })
    return stepper.last_step_stiff();
  else
    return false;
}

bool all_finite(const State& x) {
  return std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
}

/// The integration loop shared by the excitation-function and controller entry points.
StanceResult run_stance(const Model& model, const StanceConstants<double>& c, const TouchdownState& touchdown,
                        const ExcitationFn* excitation, const StanceOptions& options) {
  const StanceSettings is =
      stance_settings(model, options.relative_tolerance, options.absolute_tolerance, options.event_tolerance);
  const int n = c.n_muscles;
  StanceResult res;
  res.touchdown_state = touchdown_state_vector(model, c, touchdown);

  std::array<double, kMaxMuscles> u{};
  long evaluations = 0;
  const auto system = [&](const State& x, State& dxdt, double t) {
    ++evaluations;
    if (excitation) (*excitation)(t, x, std::span<double>(u.data(), n));
    stance_rhs(c, t, x.data(), u.data(), dxdt.data());
  };

  // The result names every column, kept or not. Without a kept series only the columns the metrics
  // read are recorded (issue 22.5: about half of them), and the metrics read the recorder's block.
  res.columns = series_columns(model);
  Recorder rec(model, c, excitation, options.record);
  const auto integrate = [&](auto& stepper) {
    const double dt_out = is.output_interval;
    long next_sample = 0;
    ToeOffRule rule;
    State xs(res.touchdown_state.size());
    StanceSignals<double> check_signals;  // crawl_problem's (xs is the derivative's scratch there)
    const auto fail = [&](StanceStatus st, const std::string& why) {
      res.status = st;
      res.message = std::string(to_string(st)) + ": " + why;
      res.series.clear();
      res.metrics.clear();
      res.rhs_evaluations = evaluations;
      return std::move(res);  // run_stance's result, not the lambda's: `return res` would copy it
    };

    double toe_off = -1.0;
    try {
      while (toe_off < 0.0) {
        const auto [t0, t1] = stepper.do_step(system);
        ++res.steps;
        res.implicit_steps += last_step_implicit(stepper);
        if (res.steps > kMaxStanceSteps)
          return fail(StanceStatus::kStepSizeUnderflow, "more than " + std::to_string(kMaxStanceSteps) +
                                                            " steps by t = " + format_value(t1) + " s");
        if (!all_finite(stepper.current_state()))
          return fail(StanceStatus::kNonFiniteState, "the state became non-finite at t = " + format_value(t1) + " s");
        if (stepper.current_time_step() < is.min_step)
          return fail(StanceStatus::kStepSizeUnderflow, "the step size fell to " + format_value(stepper.current_time_step()) +
                                                            " s at t = " + format_value(t1) + " s (minimum " +
                                                            format_value(is.min_step) + " s)");
        if (crawl_check_due(res.steps, t1 - t0, is.initial_step)) {
          const State& x1 = stepper.current_state();
          if (excitation) (*excitation)(t1, x1, std::span<double>(u.data(), n));
          stance_rhs(c, t1, x1.data(), u.data(), xs.data(), &check_signals);
          const std::span<const double> fiber(check_signals.norm_fiber_length.data(), static_cast<std::size_t>(n));
          const std::string why = crawl_problem(model.muscle_names(), fiber, t1 - t0, t1);
          if (!why.empty()) return fail(StanceStatus::kStepSizeUnderflow, why);
        }
        const ToeOffSignals now = toe_off_signals(c, stepper.current_state().data());
        double t_end = t1;
        if (rule.toe_off_in_step(now.normal_force, now.com_vertical_velocity, is.body_weight)) {
          double lo = t0, hi = t1;  // bisection on the dense output
          while (hi - lo > is.event_tolerance) {
            const double mid = 0.5 * (lo + hi);
            stepper.calc_state(mid, xs);
            (ToeOffRule::in_contact(toe_off_signals(c, xs.data()).normal_force) ? lo : hi) = mid;
          }
          toe_off = hi;
          t_end = hi;
        } else if (const double hip = stepper.current_state()[kStateQ + 1];
                   ToeOffRule::collapsed(hip, res.touchdown_state[kStateQ + 1])) {
          return fail(StanceStatus::kNoToeOff,
                      ToeOffRule::collapse_reason(hip, res.touchdown_state[kStateQ + 1], t1));
        }
        while (static_cast<double>(next_sample) * dt_out <= t_end) {
          const double ts = static_cast<double>(next_sample) * dt_out;
          stepper.calc_state(ts, xs);
          rec.record(ts, xs);
          ++next_sample;
        }
        if (toe_off < 0.0 && t1 > is.max_stance_time)
          return fail(rule.timeout_status(), rule.timeout_reason(is.max_stance_time));
      }
    } catch (const odeint::step_adjustment_error& e) {
      return fail(StanceStatus::kStepSizeUnderflow, e.what());
    } catch (const odeint::odeint_error& e) {
      // Other exceptions (e.g. from a user's excitation callable) propagate to the caller.
      return fail(StanceStatus::kIntegratorError, e.what());
    }
    stepper.calc_state(toe_off, xs);
    if (static_cast<double>(next_sample - 1) * dt_out < toe_off) rec.record(toe_off, xs);
    res.toeoff_state = xs;
    res.contact_time = toe_off;
    res.rhs_evaluations = evaluations;
    res.summary = summarize(rec.accumulator(), toe_off, xs[kStateQ + 2] - res.touchdown_state[kStateQ + 2]);
    if (const std::string why = stance_summary_problem(res.summary); !why.empty())
      return fail(StanceStatus::kInvalidResult, why);
    res.metrics = stance_metrics(
        model, [&rec](std::string_view name) { return rec.column(name); }, res.summary, res.touchdown_state,
        res.toeoff_state);
    std::vector<NamedValue> values;
    for (const auto& [key, value] : res.metrics)
      if (!metric_may_be_nan(key)) values.push_back({key, value});
    if (const std::string why = stance_result_problem(res.contact_time, values); !why.empty())
      return fail(StanceStatus::kInvalidResult, why);
    if (options.record) res.series = rec.series();
    // Moved, not copied (res is run_stance's, not the lambda's): a copy was ≈ 190 allocations.
    return std::move(res);
  };
  if (options.integrator == StanceIntegrator::kDormandPrince) {
    // Odeint's controlled Dormand–Prince with its default error checker and step adjuster; the batch
    // engine uses the same adjuster (batch/stance_batch.cpp).
    auto stepper = odeint::make_dense_output(is.absolute_tolerance, is.relative_tolerance,
                                             odeint::runge_kutta_dopri5<State>());
    stepper.initialize(res.touchdown_state, 0.0, is.initial_step);
    return integrate(stepper);
  }
  detail::SwitchingStepper stepper(is.absolute_tolerance, is.relative_tolerance, stiff_tendon_states(c));
  stepper.initialize(res.touchdown_state, 0.0, is.initial_step, system);
  return integrate(stepper);
}

const double* capacity_or_null(const StanceOptions& o) {
  return o.capacity_factors.empty() ? nullptr : o.capacity_factors.data();
}

}  // namespace

StanceResult simulate_stance(const Model& model, const TouchdownState& touchdown, const ExcitationFn& excitation,
                             const StanceOptions& options) {
  validate(touchdown, model);
  if (!excitation) throw InputError("excitation: a callable is required");
  validate_capacity_factors(model, options.capacity_factors, "options.capacity_factors");
  const StanceConstants<double> c = make_stance_constants(model, capacity_or_null(options));
  return run_stance(model, c, touchdown, &excitation, options);
}

StanceResult simulate_stance(const Model& model, const TouchdownState& touchdown, const ControllerParams& controller,
                             const StanceOptions& options) {
  validate(touchdown, model);
  validate_capacity_factors(model, options.capacity_factors, "options.capacity_factors");
  validate_controller(model, controller, "controller");
  const StanceConstants<double> c = make_stance_constants(model, capacity_or_null(options), &controller);
  return run_stance(model, c, touchdown, nullptr, options);
}

}  // namespace legsim
