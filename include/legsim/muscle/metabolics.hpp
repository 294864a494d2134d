#pragma once
// Muscle metabolic energy rate of Bhargava LJ, Pandy MG, Anderson FC (2004) "A phenomenological
// model for estimating metabolic energy consumption in muscle contraction", J Biomech 37(1):81–88,
// doi:10.1016/S0021-9290(03)00239-2, smoothed for gradient-based optimal control.
//
// Per muscle (W; velocities: lengthening positive, as in mtu.hpp):
//   Ė = Ḣ + Ẇ,   Ḣ = max(Ȧ + Ṁ + Ṡ, m·ḣ_min)                       (heat, floored; see below)
//   recruitment by the excitation u ∈ [0, 1]:  u_s = sin(πu/2),  u_f = 1 − cos(πu/2)
//   activation heat     Ȧ = φ·m·(A_s·f_s·u_s + A_f·(1 − f_s)·u_f),  A_s = 40, A_f = 133 W/kg
//   maintenance heat    Ṁ = L(l̃)·m·(M_s·f_s·u_s + M_f·(1 − f_s)·u_f),  M_s = 74, M_f = 111 W/kg
//   shortening heat     Ṡ = −α·v_CE,  α = 0.16·F_iso + 0.18·F_CE (v_CE ≤ 0),  α = 0.157·F_CE (v_CE > 0)
//   contractile work    Ẇ = −F_CE·v_CE where positive (v_CE < 0); negative work is not counted
// with m the muscle mass (kg), f_s the slow-twitch (type I) fiber fraction, F_CE the active
// (contractile-element) fiber force c·a·fL·fV·F_max (N), F_iso = c·a·fL·F_max the force the
// contractile element would develop isometrically at the current activation and length (N), v_CE the
// fiber velocity (m/s). Constants, recruitment and the decay φ: Bhargava et al. 2004 (as transcribed in
// reference/predictive_running.md §5). The lengthening branch of Ṡ is negative: a lengthening muscle
// liberates less heat than an isometric one (Bhargava's 0.157·F_CE, after Constable JK, Barclay CJ,
// Gibbs CL (1997) J Physiol 505(1):205–215).
//
// Choices (docs/decisions.md, "Metabolic-energy objective"):
//   * φ, the decay of the activation heat with the stimulation's duration (Bhargava: φ = 0.06 +
//     exp(−t_stim·u/τ_φ), τ_φ = 45 ms), needs the time since the stimulation began, a history a
//     periodic collocation node does not carry; it is a constant here, 1 by default (no decay: the
//     value of OpenSim's Bhargava2004MuscleMetabolicsProbe and of PredSim's smoothed model; an upper
//     bound of the activation heat).
//   * negative contractile work is not subtracted (Ẇ ≥ 0): the chemical energy spent is not
//     recovered when the fiber is stretched (Constable et al. 1997), as in PredSim's smoothed
//     Bhargava model and Umberger (2010) J R Soc Interface 7:1329–1340.
//   * the heat is floored at ḣ_min = 1 W/kg of muscle (Umberger, Gerritsen & Martin 2003, Comput
//     Methods Biomech Biomed Engin 6(2):99–111, p. 104; OpenSim's Bhargava probe applies it too), so
//     a fast-lengthening muscle's negative Ṡ cannot make its heat, or its energy rate, negative.
//   * L(l̃), the fiber-length dependence of the maintenance heat: the piecewise-linear curve
//     through (0, 0.5), (0.5, 0.5), (1, 1), (1.5, 0), (2, 0) that OpenSim's Bhargava probe ships as
//     its default (opensim-core Bhargava2004MuscleMetabolicsProbe::constructProperties); constant
//     beyond the last points (0.5 below l̃ = 0.5, 0 above 1.5).
//   * muscle mass m = (F_max/σ)·ρ·l_opt with the unfatigued F_max (fatigue weakens the cross-bridges,
//     not the muscle's size; mtu.hpp), σ = 0.25 MPa and ρ = 1059.7 kg/m³ (the values of BioMAC's and
//     OpenSim's metabolic models, reference/predictive_running.md §5).
//
// Smoothing. Every kink (the two branches of Ṡ, the positive part of the work, the corners of L, the
// heat floor) is written with one smooth ramp, the hyperbola
//   ramp_ε(z) = ½·(z + sqrt(z² + ε²))       ≥ max(z, 0),  ramp_ε(z) − max(z, 0) ≤ ε/2,  C∞,
// whose slope ½(1 + z/sqrt(z² + ε²)) is a smooth step from 0 to 1 over a width of a few ε (the
// same role as the tanh steps of PredSim's smoothed model, Falisse et al. 2019, J R Soc Interface
// 16:20190402). Unlike a tanh blend it never undershoots: Ẇ ≥ 0 and Ḣ ≥ m·ḣ_min exactly, so Ė > 0.
//   Ṡ = α_short·ramp_εv(−v) − α_long·ramp_εv(v),   Ẇ = F_CE·ramp_εv(−v),   ε_v = velocity_smoothing·v_max·l_opt
//   L(l̃) = 0.5 + ramp_εl(l̃ − 0.5) − 3·ramp_εl(l̃ − 1) + 2·ramp_εl(l̃ − 1.5)
//   Ḣ = m·(ḣ_min + ramp_εh((Ȧ + Ṁ + Ṡ)/m − ḣ_min))
// At a kink the smoothed value differs from the piecewise one by at most ε/2 times the change of
// slope there, and by O(ε²/|z|) away from it. The defaults keep each such difference below 1 % of the
// heat rate of a maximally excited isometric muscle at its optimal length: Ṡ + Ẇ at v = 0 is
// (α_short − α_long + F_CE)·ε_v/2 = 0.8 % of it with ε_v = 0.001·v_max·l_opt (v_max = 10 l_opt/s,
// f_s = 0.5; 0.9 % at 12 l_opt/s, the model's fastest), and L(1) = 1 − 3ε_l/2 + O(ε_l²) = 0.9925
// with ε_l = 0.005.
//
// Every rate is a template on the scalar type T (double, casadi::SX); no branch on values of T; math
// by ADL.
#include <cmath>
#include <string_view>

#include "legsim/core/ops.hpp"
#include "legsim/muscle/mtu.hpp"
#include "legsim/muscle/params.hpp"

namespace legsim::metabolics {

// ---- Bhargava et al. (2004) -------------------------------------------------------------------
inline constexpr double kActivationHeatSlow = 40.0;     ///< A_s, W/kg (slow-twitch fibers)
inline constexpr double kActivationHeatFast = 133.0;    ///< A_f, W/kg (fast-twitch fibers)
inline constexpr double kMaintenanceHeatSlow = 74.0;    ///< M_s, W/kg
inline constexpr double kMaintenanceHeatFast = 111.0;   ///< M_f, W/kg
inline constexpr double kShorteningIsometricCoefficient = 0.16;  ///< α = 0.16·F_iso + …, shortening
inline constexpr double kShorteningForceCoefficient = 0.18;      ///< … + 0.18·F_CE, shortening
inline constexpr double kLengtheningForceCoefficient = 0.157;    ///< α = 0.157·F_CE, lengthening
inline constexpr double kActivationDecayFloor = 0.06;  ///< φ = 0.06 + exp(−t_stim·u/τ_φ) ∈ (0.06, 1.06]
inline constexpr double kActivationDecayTime = 0.045;  ///< τ_φ, s (not used: φ is a constant here)
// ---- Muscle mass (BioMAC and OpenSim metabolic models; reference/predictive_running.md §5) -------
inline constexpr double kSpecificTension = 0.25e6;  ///< σ, Pa
inline constexpr double kMuscleDensity = 1059.7;    ///< ρ, kg/m³
// ---- Heat floor (Umberger et al. 2003, p. 104) ---------------------------------------------------
inline constexpr double kMinHeatRate = 1.0;  ///< ḣ_min, W per kg of muscle

/// One muscle's constants of the energy model.
struct MetabolicMuscle {
  double mass = 1.0;                  ///< m (kg), > 0
  double slow_twitch_fraction = 0.5;  ///< f_s, type I fiber fraction, [0, 1]
  double max_fiber_velocity = 1.0;    ///< v_max·l_opt (m/s), > 0: the scale of the velocity smoothing
};

/// Muscle mass (kg) = (F_max/σ)·ρ·l_opt: physiological cross-section F_max/σ times fiber length
/// times density. Throws InputError unless every argument is positive and finite.
double muscle_mass(double max_isometric_force, double optimal_fiber_length, double specific_tension = kSpecificTension,
                   double density = kMuscleDensity);

/// The constants of one muscle from its parameters (unfatigued F_max, l_opt, v_max) and fiber type.
/// Throws InputError naming "<prefix>.<field>" for an invalid slow_twitch_fraction, specific
/// tension or density (p is validated with legsim::validate).
MetabolicMuscle make_metabolic_muscle(const MuscleParams& p, double slow_twitch_fraction,
                                      double specific_tension = kSpecificTension, double density = kMuscleDensity,
                                      std::string_view prefix = "muscle");

/// Settings of the smoothed model (see the header comment for each).
struct Bhargava2004Options {
  double activation_decay = 1.0;     ///< φ, constant, [0.06, 1.06] (Bhargava's range)
  double min_heat_rate = kMinHeatRate;  ///< ḣ_min (W/kg), [0, 10]
  double velocity_smoothing = 0.001;  ///< ε_v / (v_max·l_opt), (0, 0.5]
  double length_smoothing = 0.005;    ///< ε_l (normalized fiber length), (0, 0.25]
  double heat_smoothing = 0.1;       ///< ε_h (W/kg), (0, 10]
};

/// Throws InputError naming the field for a value outside its range.
void validate(const Bhargava2004Options& o);

/// Energy rates of one muscle (W). total = heat + work; heat ≥ m·ḣ_min.
template <class T>
struct MetabolicRate {
  T activation_heat;   ///< Ȧ ≥ 0
  T maintenance_heat;  ///< Ṁ ≥ 0
  T shortening_heat;   ///< Ṡ (shortening > 0, lengthening < 0)
  T heat;              ///< Ḣ = smooth max(Ȧ + Ṁ + Ṡ, m·ḣ_min)
  T work;              ///< Ẇ ≥ 0, positive contractile work rate (counted)
  T negative_work;     ///< −F_CE·ramp(v) ≤ 0, the lengthening work rate (reported, not counted)
  T total;             ///< Ė = Ḣ + Ẇ > 0
};

/// ramp_ε(z) = ½(z + sqrt(z² + ε²)): a C∞ max(z, 0), above it by at most ε/2 (at z = 0).
template <class T>
T smooth_ramp(const T& z, double width) {
  using std::sqrt;
  return T(0.5) * (z + sqrt(z * z + T(width * width)));
}

/// L(l̃), the fiber-length factor of the maintenance heat (piecewise linear through (0.5, 0.5),
/// (1, 1), (1.5, 0), constant outside), smoothed with ramp_width.
template <class T>
T maintenance_length_factor(const T& norm_fiber_length, double ramp_width) {
  return T(0.5) + smooth_ramp(T(norm_fiber_length - T(0.5)), ramp_width) -
         T(3.0) * smooth_ramp(T(norm_fiber_length - T(1.0)), ramp_width) +
         T(2.0) * smooth_ramp(T(norm_fiber_length - T(1.5)), ramp_width);
}

/// Energy rates (W) of muscle `m` at excitation u ∈ [0, 1], normalized fiber length l̃, fiber velocity
/// v_CE (m/s, lengthening positive), active fiber force F_CE (N) and isometric force F_iso (N).
template <class T>
MetabolicRate<T> bhargava2004_rate(const MetabolicMuscle& m, const T& excitation, const T& norm_fiber_length,
                                   const T& fiber_velocity, const T& active_fiber_force, const T& isometric_force,
                                   const Bhargava2004Options& o = {}) {
  using std::cos;
  using std::sin;
  constexpr double half_pi = 1.5707963267948966;
  const T slow = T(m.slow_twitch_fraction) * sin(T(half_pi) * excitation);             // f_s·u_s
  const T fast = T(1.0 - m.slow_twitch_fraction) * (T(1.0) - cos(T(half_pi) * excitation));  // (1 − f_s)·u_f
  MetabolicRate<T> r;
  r.activation_heat = T(o.activation_decay * m.mass) * (T(kActivationHeatSlow) * slow + T(kActivationHeatFast) * fast);
  r.maintenance_heat = T(m.mass) * maintenance_length_factor(norm_fiber_length, o.length_smoothing) *
                       (T(kMaintenanceHeatSlow) * slow + T(kMaintenanceHeatFast) * fast);
  const double eps_v = o.velocity_smoothing * m.max_fiber_velocity;  // m/s
  const T shortening_speed = smooth_ramp(T(-fiber_velocity), eps_v);  // ≈ max(−v, 0)
  const T lengthening_speed = smooth_ramp(fiber_velocity, eps_v);     // ≈ max(v, 0)
  const T alpha_short =
      T(kShorteningIsometricCoefficient) * isometric_force + T(kShorteningForceCoefficient) * active_fiber_force;
  const T alpha_long = T(kLengtheningForceCoefficient) * active_fiber_force;
  r.shortening_heat = alpha_short * shortening_speed - alpha_long * lengthening_speed;
  r.work = active_fiber_force * shortening_speed;
  r.negative_work = -active_fiber_force * lengthening_speed;
  const T heat_per_kg = (r.activation_heat + r.maintenance_heat + r.shortening_heat) / T(m.mass);  // W/kg
  r.heat = T(m.mass) * (T(o.min_heat_rate) + smooth_ramp(T(heat_per_kg - T(o.min_heat_rate)), o.heat_smoothing));
  r.total = r.heat + r.work;
  return r;
}

/// The same from an MTU evaluation (evaluate_compliant_mtu, evaluate_rigid_mtu or
/// compliant_mtu_implicit_outputs): l̃, v_CE and F_CE = mtu.active_fiber_force from the outputs,
/// F_iso = c·a·fL·F_max with the outputs' activation and fL and the coefficients' capacity and F_max.
template <class T>
MetabolicRate<T> bhargava2004_rate(const MetabolicMuscle& m, const MtuCoefficients<T>& c, const MtuOutputs<T>& mtu,
                                   const T& excitation, const Bhargava2004Options& o = {}) {
  const T isometric = c.active_capacity * mtu.activation * mtu.active_force_length * c.max_isometric_force;
  return bhargava2004_rate(m, excitation, mtu.norm_fiber_length, mtu.fiber_velocity, mtu.active_fiber_force,
                           isometric, o);
}

}  // namespace legsim::metabolics
