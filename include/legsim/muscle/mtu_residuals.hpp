#pragma once
// The Hill MTU of muscle/mtu.hpp in residual form: the static-equilibrium residual and its solver
// (touchdown states, initial guesses), and the implicit compliant-tendon form for direct collocation
// (De Groote et al. 2016), where the force balance is a constraint instead of an inverse curve.
#include "legsim/muscle/mtu.hpp"

namespace legsim {

/// Static-equilibrium residual r(f_T) = f_T − F̃_M·cos α (normalized), with the tendon at
/// l_T = fT⁻¹(f_T)·l_s and the fiber projection moving at ẋ = v_MT (tendon length constant).
template <class T>
T equilibrium_residual(const MtuCoefficients<T>& c, const T& mtu_length, const T& mtu_velocity,
                       const T& activation, const T& norm_tendon_force) {
  const T tendon_length =
      curves::tendon_force_length_inverse(norm_tendon_force, c.tendon) * c.tendon_slack_length;
  const MtuOutputs<T> out =
      detail::prescribed_fiber_outputs(c, mtu_length, mtu_velocity, activation, tendon_length);
  return norm_tendon_force - out.total_fiber_force * out.cos_pennation / c.max_isometric_force;
}

/// Implicit compliant-tendon MTU for direct collocation (De Groote et al. 2016's "tendon force state,
/// its derivative a control" formulation): the state f_T and its rate ḟ_T are both given, and the
/// Hill force balance along the tendon becomes a residual the optimizer drives to zero, so no
/// inverse force–velocity curve and no iteration enters the problem. The kinematics follow from the
/// tendon alone:
///   l̃_T = fT⁻¹(f_T),   v_T = ḟ_T·l_s / fT'(l̃_T) = ḟ_T·l_s / (kT·(f_T + c3))
///   ẋ = v_MT − v_T,    v_M = ẋ·cos α (fiber velocity, m/s),    ṽ = v_M / (v_max·l_opt)
/// compliant_mtu_implicit_outputs returns them with the fiber forces they imply (fV evaluated at ṽ
/// itself: the curve is defined for every ṽ, not clamped to [−1, 1], so everything is smooth;
/// activation not clamped: the optimizer bounds it); tendon_force and norm_tendon_force are the
/// state's, norm_tendon_force_derivative is ḟ_T. At a solution (residual 0) the fiber force along
/// the tendon equals the tendon force, and these are the explicit MTU's values (evaluate_compliant_mtu
/// solves the same balance for ṽ). Same curves, geometry and floors as evaluate_compliant_mtu.
template <class T>
MtuOutputs<T> compliant_mtu_implicit_outputs(const MtuCoefficients<T>& c, const T& mtu_length, const T& mtu_velocity,
                                             const T& activation, const T& norm_tendon_force,
                                             const T& norm_tendon_force_rate) {
  const T norm_tendon_length = curves::tendon_force_length_inverse(norm_tendon_force, c.tendon);
  const T tendon_length = norm_tendon_length * c.tendon_slack_length;
  const detail::FiberGeometry<T> g = detail::fiber_geometry(c, T(mtu_length - tendon_length));
  const T force_plus_c3 = norm_tendon_force + T(curves::kTendonC3);
  const T slope =
      c.tendon.stiffness * legsim::max(force_plus_c3, T(curves::kMinTendonLogArgument * curves::kTendonC1));
  const T tendon_velocity = norm_tendon_force_rate * c.tendon_slack_length / slope;
  const T norm_velocity = (mtu_velocity - tendon_velocity) * g.cos_pennation / c.max_fiber_velocity;
  const T fl = curves::active_force_length(g.curve_length);
  const T fpe = curves::passive_force_length(g.curve_length, c.passive);
  const T fv = curves::force_velocity(norm_velocity);
  MtuOutputs<T> out;
  detail::fill_fiber_outputs(c, g, activation, fl, fpe, norm_velocity, out, &fv);
  out.tendon_length = tendon_length;
  out.tendon_strain = norm_tendon_length - T(1.0);
  out.tendon_velocity = tendon_velocity;
  out.norm_tendon_force = norm_tendon_force;
  out.tendon_force = norm_tendon_force * c.max_isometric_force;
  out.norm_tendon_force_derivative = norm_tendon_force_rate;
  return out;
}

/// The Hill force balance of compliant_mtu_implicit_outputs `o` (coefficients `c`) as a residual:
///   r = (c·a·fL(l̃)·fV(ṽ) + fPE(l̃) + β·ṽ)·cos α − f_T        (normalized force; 0 at a solution)
template <class T>
T compliant_mtu_force_balance(const MtuCoefficients<T>& c, const MtuOutputs<T>& o) {
  const T fiber = c.active_capacity * o.activation * o.active_force_length * o.force_velocity +
                  o.passive_force_length + c.fiber_damping * o.norm_fiber_velocity;
  return fiber * o.cos_pennation - o.norm_tendon_force;
}

/// The residual r above at given states and rate (compliant_mtu_implicit_outputs, then the balance).
template <class T>
T compliant_mtu_implicit_residual(const MtuCoefficients<T>& c, const T& mtu_length, const T& mtu_velocity,
                                  const T& activation, const T& norm_tendon_force,
                                  const T& norm_tendon_force_rate) {
  return compliant_mtu_force_balance(
      c, compliant_mtu_implicit_outputs(c, mtu_length, mtu_velocity, activation, norm_tendon_force,
                                        norm_tendon_force_rate));
}

/// Result of solve_mtu_equilibrium.
struct MtuEquilibrium {
  double norm_tendon_force = 0.0;  ///< f_T at equilibrium (dimensionless)
  double residual = 0.0;           ///< r(f_T) = f_T − fiber force along the tendon / F_max
  int iterations = 0;              ///< residual evaluations of the TOMS748 solve (bracket search not counted)
  bool converged = false;          ///< |residual| ≤ tolerance
  MtuOutputs<double> outputs;      ///< MTU outputs at f_T (tendon velocity 0, df_T/dt = 0)
};

/// Static equilibrium of a compliant-tendon MTU: the normalized tendon force f_T at which the
/// tendon force fT(l̃_T)·F_max equals the fiber force along the tendon, ASSUMING the fiber
/// projection moves with the MTU (ẋ = v_MT, tendon length constant, so v_M = v_MT·cos α).
/// Boost.Math's TOMS748 (Alefeld, Potra & Shi 1995, ACM TOMS 21(3):327–344) inside a bracket
/// [lo, hi] with r(lo) ≤ 0 ≤ r(hi), to |r| ≤ tolerance (normalized force) or a bracket one double
/// wide; the answer is the evaluated point with the smallest |r|. Slack case: when the fiber force at
/// l_T = l_s is zero (a = 0 and l̃ ≤ 0.2, say) the result is f_T = 0; when it is only passive the
/// result is the passive balance. p should be validated. Never throws; converged = false (with
/// the best bracket point) if no root was found.
MtuEquilibrium solve_mtu_equilibrium(const MuscleParams& p, double mtu_length, double mtu_velocity,
                                     double activation, double tolerance = 1e-12, int max_iterations = 200);

}  // namespace legsim
