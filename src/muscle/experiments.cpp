#include "legsim/muscle/experiments.hpp"

#include <algorithm>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>

#include "legsim/core/error.hpp"
#include "legsim/muscle/activation.hpp"
#include "legsim/muscle/mtu.hpp"

namespace legsim {

MtuTrace simulate_mtu(const MuscleParams& p, const MtuPath& path, const std::function<double(double)>& excitation,
                      double initial_activation, double t_end, double output_interval, double rtol, double atol) {
  namespace odeint = boost::numeric::odeint;
  validate(p, "muscle");
  require_in_range("initial_activation", initial_activation, 0.0, 1.0);
  require(std::isfinite(t_end) && t_end > 0 && t_end <= 100, "t_end", t_end, "(0, 100] s");
  require(std::isfinite(output_interval) && output_interval > 0 && output_interval <= t_end, "output_interval",
          output_interval, "(0, t_end] s");
  require(rtol > 0 && rtol <= 1e-2, "rtol", rtol, "(0, 0.01]");
  require(atol > 0 && atol <= 1e-2, "atol", atol, "(0, 0.01]");
  if (!path.length || !path.velocity || !excitation) throw InputError("simulate_mtu: length, velocity and excitation are required");
  const MtuCoefficients<double> c = make_mtu_coefficients<double>(p);
  const bool rigid = p.tendon == TendonModel::kRigid;
  const auto u = [&](double t) { return std::clamp(excitation(t), 0.0, 1.0); };

  using State = std::array<double, 2>;  // activation, normalized tendon force
  const auto system = [&](const State& x, State& dx, double t) {
    dx[0] = activation_derivative(p, u(t), x[0]);
    dx[1] = rigid ? 0.0
                  : evaluate_compliant_mtu(c, path.length(t), path.velocity(t), x[0], x[1]).norm_tendon_force_derivative;
  };
  State x{initial_activation,
          rigid ? 0.0 : solve_mtu_equilibrium(p, path.length(0.0), path.velocity(0.0), initial_activation).norm_tendon_force};

  MtuTrace tr;
  const auto record = [&](const State& s, double t) {
    const double l = path.length(t), v = path.velocity(t);
    const MtuOutputs<double> o = rigid ? evaluate_rigid_mtu(c, l, v, s[0]) : evaluate_compliant_mtu(c, l, v, s[0], s[1]);
    tr.time.push_back(t);
    tr.excitation.push_back(u(t));
    tr.activation.push_back(s[0]);
    tr.mtu_length.push_back(l);
    tr.fiber_length.push_back(o.fiber_length);
    tr.norm_fiber_length.push_back(o.norm_fiber_length);
    tr.fiber_velocity.push_back(o.fiber_velocity);
    tr.tendon_length.push_back(o.tendon_length);
    tr.tendon_force.push_back(o.tendon_force);
    tr.norm_tendon_force.push_back(o.norm_tendon_force);
    tr.active_fiber_force.push_back(o.active_fiber_force);
    tr.passive_fiber_force.push_back(o.passive_fiber_force);
  };
  const std::size_t n_out = static_cast<std::size_t>(std::floor(t_end / output_interval + 1e-9)) + 1;
  std::vector<double> times(n_out);
  for (std::size_t i = 0; i < n_out; ++i) times[i] = static_cast<double>(i) * output_interval;
  try {
    odeint::integrate_times(odeint::make_dense_output(atol, rtol, odeint::runge_kutta_dopri5<State>()), system, x,
                            times.begin(), times.end(), 1e-5, record);
  } catch (const odeint::odeint_error& e) {
    throw SimulationError(std::string("simulate_mtu: integration failed: ") + e.what());
  }
  for (double v : tr.norm_tendon_force)
    if (!std::isfinite(v)) throw SimulationError("simulate_mtu: non-finite tendon force");
  return tr;
}

}  // namespace legsim
