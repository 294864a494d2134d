#pragma once
// Smooth sphere–ground contact for gradient-based optimal control (direct collocation): several
// contact spheres along the sole of the foot, each with a C∞ Hunt–Crossley normal force and a C∞
// Stribeck-type friction force. The equations are those of Simbody's SmoothSphereHalfSpaceForce
// (class documentation of SimTK::SmoothSphereHalfSpaceForce, Simbody 3.7+), introduced by
// Serrancolí G, Falisse A, Dembia C, Vantilt J, Tanghe K, Lefeber D, Jonkers I, De Schutter J,
// De Groote F (2019) IEEE TNSRE 27(8):1604–1612, doi:10.1109/TNSRE.2019.2924536, and used for
// predictive gait by Falisse A et al. (2019) J R Soc Interface 16:20190402,
// doi:10.1098/rsif.2019.0402. Deviations from them are listed at smooth_sphere_force().
//
// The force law is a template on the scalar type T: double, Eigen::AutoDiffScalar, casadi::SX. It
// uses only +, −, ×, /, sqrt and tanh of values of T (math through ADL), never a comparison, select,
// min, max or abs on them, so it is C∞ in its inputs and builds a branch-free CasADi expression.
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "legsim/body/params.hpp"

namespace legsim {

/// cf of SmoothSphereHalfSpaceForce: keeps sqrt(x² + cf) and the slip speed sqrt(v² + cf) away from
/// zero so that derivatives exist everywhere. Simbody's default, 1e-5 (m² in the Hertz term, m²/s²
/// in the slip speed, as in Simbody, which uses one constant for both).
inline constexpr double kSmoothContactConstant = 1e-5;

/// Exponent n of the smooth saturation that replaces min(vs/vt, 1) in the friction law (see
/// smooth_sphere_force): a·(1 + aⁿ)^(−1/n), at most 2^(−1/n) − 1 = −4.2 % from min(a, 1) (at a = 1).
inline constexpr int kFrictionSaturationExponent = 16;

/// Range of ContactSphere::count (validate): at least one sphere; at most 4, twice the largest
/// group of Falisse 2019's spheres that share a sagittal position (2: calcaneus 2/3, toes 5/6) — a
/// modelling bound that leaves room for a denser 3-D sphere set and catches a mistyped count.
inline constexpr int kMinSphereCount = 1;
inline constexpr int kMaxSphereCount = 4;

/// One contact sphere on the foot.
struct ContactSphere {
  std::string name;       ///< [a-z_][a-z0-9_]*, unique among the spheres of a foot
  double x = 0.0;         ///< centre in the foot frame (body/params.hpp: origin at the ankle, x heel → toe
  double y = 0.0;         ///< along the sole, y up when the foot is flat) (m)
  double radius = 0.032;  ///< R (m), [0.005, 0.1]
  /// Number of published 3-D spheres this sagittal sphere stands for; its force is count × one
  /// sphere's force (smooth_sphere_force gives one sphere's; the caller multiplies). Spheres side by
  /// side at the same sagittal position act in parallel, so their planar projection carries count
  /// times the force of one at the same penetration. [kMinSphereCount, kMaxSphereCount] = [1, 4].
  int count = 1;
};

/// Parameters of the smooth sphere contact; defaults are those of Falisse et al. (2019) (values as
/// shipped in their code, antoinefalisse/3dpredictsim ExternalFunctions/PredSim.cpp), which Falisse
/// used for every sphere of both feet. validate() states each range and why.
struct SmoothContactParams {
  /// E (N/m²): Simbody's "stiffness", the plane-strain modulus of both contacting materials;
  /// k = 0.5·E^(2/3) below. [1e5, 1e9]. Falisse 2019: 1e6.
  double stiffness = 1.0e6;
  /// c (s/m): Hunt–Crossley dissipation, [0, 5]. Falisse 2019: 2.0.
  double dissipation = 2.0;
  /// μs: static friction coefficient, [0, 2]. Falisse 2019: 0.8.
  double static_friction = 0.8;
  /// μd: dynamic friction coefficient, [0, μs]. Falisse 2019: 0.8.
  double dynamic_friction = 0.8;
  /// μv (s/m): viscous friction coefficient, [0, 2]. Falisse 2019: 0.5.
  double viscous_friction = 0.5;
  /// vt (m/s): slip speed at which friction reaches its dynamic level, [0.01, 1]. Falisse 2019: 0.2.
  double transition_velocity = 0.2;
  /// bd (1/m): sharpness of the tanh that switches the Hertz force on with penetration, [100, 1e4].
  /// Simbody's default, 300.
  double hertz_smoothing = 300;
  /// bv (s/m): sharpness of the tanh that switches the Hunt–Crossley force off when the damping
  /// term would make it pull, [10, 1000]. Simbody's default, 50.
  double hunt_crossley_smoothing = 50;
  /// The spheres of one foot (the same for both feet of the planar model). Empty here; a Model fills
  /// it from its file or, when the file has none, with sagittal_contact_spheres(body().foot).
  std::vector<ContactSphere> spheres;
};

/// Validates every field and every sphere (radius, name, count; not its place on the foot, see
/// validate_sphere_placement); throws InputError naming "<prefix>.<field>" (a sphere's field as
/// "<prefix>.spheres.<i>.<field>"), the value and the allowed range.
void validate(const SmoothContactParams& p, std::string_view prefix = "foot_contact");

/// Throws InputError unless every sphere lies on the foot: its centre x within [heel.x − 0.05 m,
/// toe tip] and its lowest point y − radius within 0.03 m of the sole line (heel.y). Why these
/// bounds: at smooth_contact.cpp.
void validate_sphere_placement(const SmoothContactParams& p, const FootParams& foot,
                               std::string_view prefix = "foot_contact");

/// The four sagittal-plane spheres of the default model (heel, midfoot, metatarsal, toe), placed on
/// `foot` by projecting Falisse et al. (2019)'s six sphere centres on the sagittal plane:
///   heel       ← calcaneus sphere 1 (x = 0.00190 m in the calcaneus frame),
///   midfoot    ← calcaneus sphere 4 (x = 0.06623 m),
///   metatarsal ← calcaneus spheres 2 and 3 (mean x = 0.140695 m, medial and lateral forefoot),
///   toe        ← toes spheres 5 and 6 (mean x = 0.0525 m ahead of the toes frame at the MTP joint).
/// count: 1 for heel and midfoot, 2 for metatarsal and toe (the two spheres each stands for, medial
/// and lateral, act in parallel).
/// Calcaneus-frame x is mapped linearly onto the sole so that sphere 1 lands on foot.heel and the mean
/// of spheres 2/3 on foot.metatarsal_head (sphere 4 lands at 0.4635 of the heel → ball distance); the
/// toe sphere lies 0.0525 m × foot.length / 0.2581 m ahead of foot.metatarsal_head (legsim's
/// metatarsal-head point stands for the MTP joint; Falisse's offset taken for de Leva's mean male
/// foot length, 0.2581 m, and scaled with the foot like every foot dimension of scale_body). Each centre is one radius above the sole line, so each sphere
/// touches the ground, without force beyond the smoothing, when the foot is flat on it. A modelling
/// choice: the planar projection is not published. Throws InputError unless radius ∈ [0.005, 0.1] m.
std::vector<ContactSphere> sagittal_contact_spheres(const FootParams& foot, double radius = 0.032);

/// Force of one sphere on the foot (N): `normal` along +y (up, ≥ 0 but for an exponentially small
/// pull, see smooth_sphere_force), `tangential` along +x (the direction of travel).
template <class T>
struct SphereForce {
  T normal;
  T tangential;
};

/// C∞ step 0 → 1 (0.5 at z = 0): ½ + ½·tanh(z), the smoothing of SmoothSphereHalfSpaceForce.
template <class T>
T smooth_step(const T& z) {
  using std::tanh;
  return T(0.5) + T(0.5) * tanh(z);
}

/// C∞ saturation of a ≥ 0 at 1: a·(1 + aⁿ)^(−1/n), n = kFrictionSaturationExponent. For a ≥ 0:
/// 0 ≤ result ≤ min(a, 1), result(0) = 0, result → 1 as a → ∞. Finite for a below ~1e19 (aⁿ
/// overflows above; a is a slip speed over vt, so that is beyond any physical slip).
template <class T>
T smooth_saturation(const T& a) {
  using std::sqrt;
  static_assert(kFrictionSaturationExponent == 16, "the powers below are written for n = 16");
  const T a2 = a * a;
  const T a4 = a2 * a2;
  const T a8 = a4 * a4;
  const T a16 = a8 * a8;
  const T root = sqrt(sqrt(sqrt(sqrt(T(1.0) + a16))));  // (1 + a¹⁶)^(1/16)
  return a / root;
}

/// Force of the ground (the line y = 0, ground fixed) on one contact sphere of the foot. Per one
/// sphere: a ContactSphere with count > 1 carries count times this force (the caller multiplies).
///
/// Inputs: centre height y_c (m) and vertical velocity ẏ_c (m/s) of the sphere centre; the slip
/// velocity ẋ_s (m/s): the horizontal velocity of the foot's material point in contact — for the point
/// below the centre at ground level ẋ_s = ẋ_c + ω·y_c, with ẋ_c the centre's horizontal velocity and ω
/// the foot's angular velocity (counter-clockwise +; the ω term is ≈ vt at ω = 10 rad/s, so keep it);
/// the sphere radius R (m) and the parameters p.
///
/// Normal force (Simbody's SmoothSphereHalfSpaceForce, Serrancolí 2019):
///   x   = R − y_c                         penetration (m), > 0 in contact
///   v   = −ẏ_c                            penetration rate (m/s)
///   k   = 0.5·E^(2/3)
///   fh  = (4/3)·k·sqrt(R·k)·((x² + cf)^(1/2))^(3/2)    Hertz force, cf = kSmoothContactConstant
///   fhs = fh·(½ + ½·tanh(bd·x))
///   fhc = fhs·(1 + 1.5·c·v)                             Hunt & Crossley (1975) dissipation
///   F_n = fhc·(½ + ½·tanh(bv·(v + 2/(3c))))             (the factor is 1 when c = 0)
/// Friction (opposes slip):
///   vs  = sqrt(ẋ_s² + cf)                               slip speed (m/s)
///   a   = vs/vt
///   μ   = sat(a)·(μd + 2(μs − μd)/(1 + a²)) + μv·vs
///   F_t = −F_n·μ·ẋ_s/vs
///
/// Properties (tests/cpp/test_smooth_contact.cpp): C∞ in (y_c, ẏ_c, ẋ_s); for x ≫ sqrt(cf) and
/// v = 0, F_n → (4/3)·k·sqrt(R·k)·x^(3/2) (the Hertz law of a sphere on a half-space with Simbody's
/// combined modulus); the force never blows up and its derivatives stay finite out of contact — the
/// (x² + cf)^(3/4) term has derivative 1.5·x·(x² + cf)^(−1/4), finite at x = 0 where the plain x^(3/2)
/// has an infinite second derivative, and tanh switches it off (with the defaults: below 1e-3 N at
/// 2.2 cm clearance at rest, (1 + 1.5·c·v) times that approaching at v, 1e-4 N at 3 cm and 5 m/s);
/// at x = 0 and v = 0, F_n = ½·(4/3)·k·sqrt(R·k)·cf^(3/4) (7.5 N with the
/// defaults: spheres resting on the ground carry that much, penetration is never exactly zero). F_t is
/// odd in ẋ_s and |F_t| ≤ F_n·(μs + μv·vs) when μd ≤ μs.
///
/// Deviations from Simbody/Serrancolí 2019:
///   - min(vs/vt, 1) (continuous, kinked at vs = vt) is replaced by the C∞ sat(a) =
///     a·(1 + a¹⁶)^(−1/16) ≤ min(a, 1); the largest difference is 4.2 % of the friction's
///     static/dynamic part, at vs = vt.
///   - c = 0 uses the limit of the last factor (1) instead of dividing by zero.
///   - Planar: the tangential velocity has one component (horizontal); the contact force's direction
///     ẋ_s/vs is Simbody's vtangent/vs.
/// Like the published model, F_n is not non-negative: where 1 + 1.5·c·v < 0 (separating faster than
/// 2/(3c), 0.33 m/s with the defaults) the tanh cut-off leaves a pull, largest (0.139·1.5·c/bv·fhs =
/// 0.84 % of the elastic force fhs with the defaults) 0.64/bv below that speed and fading as
/// e^(−2·bv·|v + 2/(3c)|) beyond; friction then pushes along the slip with the same small factor.
/// Kept as published: clipping it would need a smooth positive part and change the model.
template <class T>
SphereForce<T> smooth_sphere_force(const T& center_height, const T& vertical_velocity,
                                   const T& horizontal_velocity, double radius, const SmoothContactParams& p) {
  using std::sqrt;
  const double k = 0.5 * std::cbrt(p.stiffness * p.stiffness);  // 0.5·E^(2/3)
  const T hertz_gain((4.0 / 3.0) * k * std::sqrt(radius * k));
  const T cf(kSmoothContactConstant);

  // Normal force.
  const T penetration = T(radius) - center_height;
  const T penetration_rate = -vertical_velocity;
  const T smoothed_depth = sqrt(penetration * penetration + cf);  // (x² + cf)^(1/2) ≥ sqrt(cf)
  const T hertz = hertz_gain * smoothed_depth * sqrt(smoothed_depth);
  const T hertz_switch_arg = T(p.hertz_smoothing) * penetration;
  const T hertz_smooth = hertz * smooth_step<T>(hertz_switch_arg);
  const T hunt_crossley = hertz_smooth * (T(1.0) + T(1.5 * p.dissipation) * penetration_rate);
  T normal = hunt_crossley;
  if (p.dissipation > 0.0) {  // a branch on a parameter, not on values of T
    const T pull_switch_arg =
        T(p.hunt_crossley_smoothing) * (penetration_rate + T(2.0 / (3.0 * p.dissipation)));
    normal = hunt_crossley * smooth_step<T>(pull_switch_arg);
  }

  // Friction.
  const T slip_speed = sqrt(horizontal_velocity * horizontal_velocity + cf);
  const T a = slip_speed / T(p.transition_velocity);
  const T stribeck = T(p.dynamic_friction) + T(2.0 * (p.static_friction - p.dynamic_friction)) / (T(1.0) + a * a);
  const T mu = smooth_saturation<T>(a) * stribeck + T(p.viscous_friction) * slip_speed;
  const T tangential = -normal * mu * horizontal_velocity / slip_speed;
  return SphereForce<T>{normal, tangential};
}

}  // namespace legsim
