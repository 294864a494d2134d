#pragma once
// The two-legged body's applied forces, shared by the collocation (src/predict/collocation.cpp, T =
// casadi::SX) and the forward simulation of a predicted gait (src/predict/forward.cpp, T = double), so
// that the two integrate the same physics:
//   * smooth sphere contact of each foot (body/smooth_contact.hpp), the sphere force at its centre's
//     height and vertical velocity with the slip velocity of the sphere's bottom point;
//   * the model's muscle paths on each leg (muscle/geometry.hpp), their tendon force acting along +q
//     through the moment arms;
//   * soft passive joint limits (passive_joint_moment below).
// Every template is pure arithmetic on T (no branches on values, math by ADL, every T constructed
// from a value: a default-constructed casadi::SX is an empty matrix), as body/biped.hpp asks.
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "legsim/body/biped.hpp"
#include "legsim/body/smooth_contact.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/gait/condition.hpp"
#include "legsim/model.hpp"
#include "legsim/muscle/activation.hpp"
#include "legsim/muscle/geometry.hpp"
#include "legsim/muscle/mtu.hpp"
#include "legsim/sim/stance_dynamics.hpp"

namespace legsim::predict {

/// Passive joint moments beyond the range of motion: M = K·(softplus(q_min − q))² − K·(softplus(q − q_max))²,
/// K = 10000 N·m/rad² as beyond-limit stiffness of gait2de (van den Bogert's planar gait model,
/// reference/predictive_running.md §1.4), smoothed by a softplus of width 1° so it is C∞. Ranges:
/// normal active ranges of motion, American Academy of Orthopaedic Surgeons (1965) Joint Motion:
/// Method of Measuring and Recording (hip −30…120°, knee 0…135° flexion, ankle 20° dorsiflexion to
/// 50° plantarflexion), with the ankle's dorsiflexion limit at 30° because weight-bearing
/// dorsiflexion exceeds the non-weight-bearing 20° (running stance reaches 20–25°).
struct JointRange {
  double lo_deg, hi_deg;
};
inline constexpr JointRange kPassiveRange[3] = {{-30.0, 120.0}, {0.0, 135.0}, {-50.0, 30.0}};
inline constexpr double kPassiveStiffness = 10000.0;  // N·m/rad²
inline constexpr double kPassiveWidth = 1.0 * kDegToRad;

namespace physics_detail {
inline double sq(double x) { return x * x; }
}  // namespace physics_detail

/// softplus_w(z) = w·ln(1 + e^(z/w)) (same unit as z and w).
template <class T>
T softplus(const T& z, double width) {
  using std::exp;
  using std::log;
  return T(width) * log(T(1.0) + exp(z / T(width)));
}

/// Passive moment (N·m, along +q) of joint j (0 hip, 1 knee, 2 ankle) at its angle q (rad, flexion /
/// dorsiflexion +); see kPassiveRange.
template <class T>
T passive_joint_moment(int joint, const T& angle) {
  using physics_detail::sq;  // casadi::sq by ADL for SX (one node, x·x)
  return kPassiveStiffness * (sq(softplus(T(kPassiveRange[joint].lo_deg * kDegToRad - angle), kPassiveWidth)) -
                              sq(softplus(T(angle - kPassiveRange[joint].hi_deg * kDegToRad), kPassiveWidth)));
}

/// Generalized coordinate of joint j (0 hip, 1 knee, 2 ankle) of leg `side`.
constexpr int leg_joint_coordinate(Side s, int j) {
  return j == 0 ? hip_index(s) : (j == 1 ? knee_index(s) : ankle_index(s));
}

/// Resultant of one foot's contact spheres: Σ tangential (N, +x forward), Σ normal (N, up) and
/// Σ normal·x_centre (N·m, for the centre of pressure).
template <class T>
struct FootContactForce {
  T fx, fy, mx;
};

/// Does nothing: the default per-sphere visitor of add_foot_contact.
struct IgnoreSpheres {
  template <class... Args>
  void operator()(const Args&...) const {}
};

/// Adds the generalized force of every contact sphere of foot `side` to Q (N, N·m) and returns their
/// resultant. Each sphere's force (smooth_sphere_force) is taken at its centre's height and vertical
/// velocity, with the slip velocity of the foot's material point at the sphere's bottom (where it
/// meets the ground when the foot is flat: ẋ_c + ω·y_c), and applied at the centre.
/// `visit(sphere, centre, bottom, force)` is called for each sphere with its ContactSphere, the
/// PointState of its centre and of its bottom point, and its SphereForce (count applied): the power
/// F·v_centre of each sphere on the body and the sphere that lands first are read this way
/// (predict/gait_metrics.cpp).
template <class T, class Visit = IgnoreSpheres>
FootContactForce<T> add_foot_contact(const BipedConstants<T>& b, const SmoothContactParams& contact,
                                     const BipedVector<T>& q, const BipedVector<T>& qd, Side side, BipedVector<T>& Q,
                                     Visit&& visit = {}) {
  T fx(0.0), fy(0.0), mx(0.0);
  for (const ContactSphere& sp : contact.spheres) {
    const PointState<T> ps = biped_foot_point(b, q, qd, side, sp.x, sp.y);
    const PointState<T> bottom = biped_foot_point(b, q, qd, side, sp.x, sp.y - sp.radius);
    SphereForce<T> f = smooth_sphere_force(ps.position[1], ps.velocity[1], bottom.velocity[0], sp.radius, contact);
    f = {T(f.normal * T(double(sp.count))), T(f.tangential * T(double(sp.count)))};  // count spheres in parallel
    visit(sp, ps, bottom, f);
    const std::array<T, 2> F = {f.tangential, f.normal};
    const BipedVector<T> Qc = biped_foot_point_generalized_force(b, q, side, sp.x, sp.y, F);
    for (int j = 0; j < kBipedDof; ++j) Q[j] += Qc[j];
    fx += f.tangential;
    fy += f.normal;
    mx += f.normal * ps.position[0];
  }
  return {fx, fy, mx};
}

/// Muscle–tendon length (m), lengthening velocity (m/s) and moment arms about each crossing's inner
/// angle φ (m) of muscle `mc` on leg `side` (muscle/geometry.hpp; φ̇ = −q̇, so a moment along +q is
/// −r·F).
template <class T>
struct MusclePath {
  T length, velocity;
  std::array<T, kMaxCrossings> moment_arm;
};

template <class T>
MusclePath<T> leg_muscle_path(const MuscleConstants<double>& mc, const BipedVector<T>& q, const BipedVector<T>& qd,
                              Side side) {
  MusclePath<T> p{T(mc.reference_length), T(0.0), {T(0.0), T(0.0)}};
  for (int cr = 0; cr < mc.n_crossings; ++cr) {
    const JointCrossing& jc = mc.crossings[cr];
    const int jq = leg_joint_coordinate(side, static_cast<int>(jc.joint));
    const CrossingKinematics<T> ck = crossing_kinematics(jc, inner_angle(jc.joint, q[jq]));
    p.length += ck.length_change;
    p.velocity += ck.dl_dphi * (-qd[jq]);  // φ̇ = −q̇
    p.moment_arm[cr] = ck.moment_arm;
  }
  return p;
}

/// MtuCoefficients<double> as another scalar type.
template <class T>
MtuCoefficients<T> convert_mtu_coefficients(const MtuCoefficients<double>& d) {
  MtuCoefficients<T> c;
  c.max_isometric_force = T(d.max_isometric_force);
  c.active_capacity = T(d.active_capacity);
  c.optimal_fiber_length = T(d.optimal_fiber_length);
  c.tendon_slack_length = T(d.tendon_slack_length);
  c.fiber_layer_thickness = T(d.fiber_layer_thickness);
  c.max_fiber_velocity = T(d.max_fiber_velocity);
  c.min_activation = T(d.min_activation);
  c.fiber_damping = T(d.fiber_damping);
  c.passive.exponent = T(d.passive.exponent);
  c.passive.offset = T(d.passive.offset);
  c.passive.scale = T(d.passive.scale);
  c.tendon.stiffness = T(d.tendon.stiffness);
  c.has_damping = d.has_damping;
  return c;
}

/// Everything fixed for the two-legged body of one condition: the body, its contact, the muscles of
/// one leg (the same on both; capacity applied) and which of them have compliant tendons.
struct BipedPhysicsConstants {
  BipedParams body;
  SmoothContactParams contact;
  StanceConstants<double> muscles;     ///< per-muscle constants of one leg (muscles.n_muscles = m)
  std::vector<int> compliant_slot;     ///< per muscle of one leg: index among compliant muscles, or −1
  int n_muscles = 0;                   ///< m, per leg
  int n_compliant = 0;                 ///< c, per leg
  double body_weight = 0.0;            ///< N
};

/// The constants of condition_model(model, condition) with capacity_factors(model, condition) applied,
/// as predict_gait builds them. Throws InputError for an invalid condition.
BipedPhysicsConstants make_biped_physics_constants(const Model& model, const GaitCondition& condition);

/// Applied forces of the explicit (forward-simulation) form of the model, and the muscle state rates.
template <class T>
struct BipedForces {
  BipedVector<T> Q;                          ///< generalized force: contact + muscles + passive + reserve
  std::array<T, 4> grf;                      ///< right x, y; left x, y (N)
  std::array<T, 2> cop_x;                    ///< centre of pressure x, right/left (m)
  std::array<T, 6> joint_moment;             ///< muscle + passive + reserve, hip/knee/ankle r, l, along +q (N·m)
  std::array<T, 2> quadriceps_force;         ///< knee-extensor tendon force r/l (N)
  // Per muscle, the right leg's m then the left's (first 2m entries used); compliant tendons 2c.
  std::array<T, 2 * kMaxMuscles> tendon_force;       ///< [2m] applied tendon force (N)
  std::array<T, 2 * kMaxMuscles> activation_rate;    ///< [2m] ȧ (1/s)
  std::array<T, 2 * kMaxMuscles> tendon_force_rate;  ///< [2c] ḟ_T (1/s) of the compliant tendons
};

/// Applied generalized forces at (q, q̇) with activations `activation` [2m] (right leg's muscles, then
/// the left's), compliant tendons' normalized forces `norm_tendon_force` [2c], excitations
/// `excitation` [2m] (only for ȧ) and optional reserve torques `reserve` [6] (N·m, hip/knee/ankle r, l;
/// nullptr = none). The same forces as the collocation's node physics, with the compliant tendons in
/// explicit form: the tendon force applied is f_T·F_max (not floored at zero, as in the collocation),
/// ḟ_T from evaluate_compliant_mtu; rigid tendons' force from evaluate_rigid_mtu. Allocates nothing.
/// The explicit MTU clamps what the implicit residual leaves free (activation to [a_min, 1], the
/// normalized fiber velocity to [−1, 1]); inside those ranges the two forms agree.
template <class T>
BipedForces<T> biped_applied_forces(const BipedPhysicsConstants& c, const BipedConstants<T>& b, const BipedVector<T>& q,
                                    const BipedVector<T>& qd, const T* activation, const T* norm_tendon_force,
                                    const T* excitation, const T* reserve = nullptr) {
  constexpr Side kLegs[2] = {Side::kRight, Side::kLeft};
  const int m = c.n_muscles;
  BipedForces<T> out;
  out.Q.fill(T(0.0));
  out.tendon_force.fill(T(0.0));
  out.activation_rate.fill(T(0.0));
  out.tendon_force_rate.fill(T(0.0));
  for (int s = 0; s < 2; ++s) {
    const Side side = kLegs[s];
    const FootContactForce<T> fc = add_foot_contact(b, c.contact, q, qd, side, out.Q);
    out.grf[2 * s] = fc.fx;
    out.grf[2 * s + 1] = fc.fy;
    out.cop_x[s] = fc.mx / (fc.fy + T(1e-3));  // 1 mN keeps the flight phase finite
    std::array<T, 3> moment = {T(0.0), T(0.0), T(0.0)};
    T quadriceps(0.0);
    for (int i = 0; i < m; ++i) {
      const MuscleConstants<double>& mc = c.muscles.muscles[i];
      const MusclePath<T> path = leg_muscle_path(mc, q, qd, side);
      const MtuCoefficients<T> coef = convert_mtu_coefficients<T>(mc.mtu);
      const T a = activation[s * m + i];
      T force(0.0);
      if (mc.rigid_tendon) {
        force = evaluate_rigid_mtu(coef, path.length, path.velocity, a).tendon_force;
      } else {
        const int k = s * c.n_compliant + c.compliant_slot[i];
        const MtuOutputs<T> o = evaluate_compliant_mtu(coef, path.length, path.velocity, a, norm_tendon_force[k]);
        force = norm_tendon_force[k] * mc.mtu.max_isometric_force;
        out.tendon_force_rate[k] = o.norm_tendon_force_derivative;
      }
      for (int cr = 0; cr < mc.n_crossings; ++cr) {
        const int j = static_cast<int>(mc.crossings[cr].joint);
        moment[j] += -path.moment_arm[cr] * force;  // along +q: φ and q run opposite ways
      }
      if (c.muscles.knee_extensor[i]) quadriceps += force;
      out.activation_rate[s * m + i] = activation_derivative<T>(
          excitation[s * m + i], a, mc.activation_time_constant, mc.deactivation_time_constant, mc.activation_smoothing);
      out.tendon_force[s * m + i] = force;
    }
    for (int j = 0; j < 3; ++j) {
      const int jq = leg_joint_coordinate(side, j);
      T total = moment[j] + passive_joint_moment(j, q[jq]);
      if (reserve) total += reserve[3 * s + j];
      out.Q[jq] += total;
      out.joint_moment[3 * s + j] = total;
    }
    out.quadriceps_force[s] = quadriceps;
  }
  return out;
}

// ---- the collocation's node physics at numeric values (defined in collocation.cpp; for tests) ----

/// One collocation node's physics (node_physics in collocation.cpp) evaluated at numeric values.
struct CollocationNode {
  std::vector<double> xdot;      ///< [q̇ (9), q̈ (9), ȧ (2m), ḟ_T (2c)]
  /// [9 skeletal rows (M q̈ + h − Q, each divided by its M_jj·100 s⁻²), 2c Hill force balances]
  std::vector<double> residual;
  std::vector<double> grf;            ///< [4] right x, y; left x, y (N)
  std::vector<double> joint_moment;   ///< [6] (N·m)
  std::vector<double> tendon_force;   ///< [2m] (N)
  std::vector<double> quadriceps_force;  ///< [2] (N)
};

struct PredictOptions;

/// Evaluates the collocation's node physics for `model` and `condition` at q, q̇, q̈ [9], activation
/// [2m], normalized tendon force f_T and its rate ḟ_T (1/s) [2c each], excitation [2m] and reserve
/// torques [6] (N·m; used only when options.reserve_weight > 0). Throws InputError on wrong sizes.
CollocationNode evaluate_collocation_node(const Model& model, const GaitCondition& condition,
                                          const PredictOptions& options, const std::vector<double>& q,
                                          const std::vector<double>& qd, const std::vector<double>& qdd,
                                          const std::vector<double>& activation,
                                          const std::vector<double>& norm_tendon_force,
                                          const std::vector<double>& norm_tendon_force_rate,
                                          const std::vector<double>& excitation, const std::vector<double>& reserve);

}  // namespace legsim::predict
