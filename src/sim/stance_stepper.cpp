// StanceStepper: a stance in communication steps with held excitations (see the header).
#include "legsim/sim/stance_stepper.hpp"

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <cmath>

namespace legsim {

namespace odeint = boost::numeric::odeint;

StanceStepper::StanceStepper(const Model& model, const TouchdownState& touchdown, const StanceOptions& options)
    : settings_(stance_settings(model, options.relative_tolerance, options.absolute_tolerance, options.event_tolerance)) {
  validate(touchdown, model);
  validate_capacity_factors(model, options.capacity_factors, "options.capacity_factors");
  muscle_names_ = model.muscle_names();
  c_ = make_stance_constants(model, options.capacity_factors.empty() ? nullptr : options.capacity_factors.data());
  x_ = touchdown_state_vector(model, c_, touchdown);
  for (int i = 0; i < c_.n_muscles; ++i) u_[i] = x_[activation_index(i)];
  step_ = settings_.initial_step;
  std::vector<double> dx(x_.size());
  evaluate(t_, x_, dx, &signals_);
}

void StanceStepper::set_excitations(std::span<const double> u) {
  if (u.size() != static_cast<std::size_t>(c_.n_muscles))
    throw InputError("excitation: expected " + std::to_string(c_.n_muscles) + " values (one per muscle), got " +
                     std::to_string(u.size()));
  for (std::size_t i = 0; i < u.size(); ++i) require_in_range("excitation." + muscle_names_[i], u[i], 0.0, 1.0);
  std::copy(u.begin(), u.end(), u_.begin());
}

void StanceStepper::evaluate(double t, const std::vector<double>& x, std::vector<double>& dxdt,
                             StanceSignals<double>* sig) const {
  stance_rhs(c_, t, x.data(), u_.data(), dxdt.data(), sig);
}

StanceStatus StanceStepper::fail(StanceStatus status, const std::string& why) {
  status_ = status;
  message_ = std::string(to_string(status)) + ": " + why;
  return status_;
}

StanceStatus StanceStepper::advance_to(double t_end) {
  if (status_ != StanceStatus::kOk) return status_;
  require(std::isfinite(t_end) && t_end > t_, "t_end", t_end, "> the current time " + format_value(t_) + " s");
  using State = std::vector<double>;
  const auto system = [this](const State& x, State& dxdt, double t) { evaluate(t, x, dxdt, nullptr); };
  std::vector<double> dx(x_.size()), xs(x_.size());
  StanceSignals<double> check_signals;  // crawl_problem's
  auto stepper = odeint::make_dense_output(settings_.absolute_tolerance, settings_.relative_tolerance,
                                           odeint::runge_kutta_dopri5<State>());
  stepper.initialize(x_, t_, std::min(step_, t_end - t_));
  long steps = 0;
  try {
    while (stepper.current_time() < t_end) {
      const auto [t0, t1] = stepper.do_step(system);
      if (++steps > kMaxStanceSteps)
        return fail(StanceStatus::kStepSizeUnderflow, "more than " + std::to_string(kMaxStanceSteps) +
                                                          " steps in one communication step, by t = " + format_value(t1) + " s");
      if (!std::all_of(stepper.current_state().begin(), stepper.current_state().end(), [](double v) { return std::isfinite(v); }))
        return fail(StanceStatus::kNonFiniteState, "the state became non-finite at t = " + format_value(t1) + " s");
      if (stepper.current_time_step() < settings_.min_step)
        return fail(StanceStatus::kStepSizeUnderflow, "the step size fell to " + format_value(stepper.current_time_step()) +
                                                          " s at t = " + format_value(t1) + " s");
      if (crawl_check_due(steps_ + steps, t1 - t0, settings_.initial_step)) {
        evaluate(t1, stepper.current_state(), dx, &check_signals);
        const std::string why =
            crawl_problem(muscle_names_,
                          std::span<const double>(check_signals.norm_fiber_length.data(),
                                                  static_cast<std::size_t>(c_.n_muscles)),
                          t1 - t0, t1);
        if (!why.empty()) return fail(StanceStatus::kStepSizeUnderflow, why);
      }
      const ToeOffSignals now = std::isnan(toe_off_) ? toe_off_signals(c_, stepper.current_state().data())
                                                     : ToeOffSignals{0.0, 0.0};
      if (std::isnan(toe_off_) &&
          rule_.toe_off_in_step(now.normal_force, now.com_vertical_velocity, settings_.body_weight)) {
        double lo = t0, hi = t1;  // bisection on the dense output, as simulate_stance
        while (hi - lo > settings_.event_tolerance) {
          const double mid = 0.5 * (lo + hi);
          stepper.calc_state(mid, xs);
          (ToeOffRule::in_contact(toe_off_signals(c_, xs.data()).normal_force) ? lo : hi) = mid;
        }
        toe_off_ = hi;
      }
    }
  } catch (const odeint::odeint_error& e) {
    return fail(StanceStatus::kIntegratorError, e.what());
  }
  steps_ += steps;
  // The dense output's last step ends at or after t_end: the state at t_end is its interpolant
  // (5th-order accurate like the steps), and the next call restarts from it — an excitation change
  // at a communication point is a discontinuity the integrator must not step across.
  stepper.calc_state(t_end, x_);
  t_ = t_end;
  step_ = stepper.current_time_step();
  evaluate(t_, x_, dx, &signals_);
  return status_;
}

}  // namespace legsim
