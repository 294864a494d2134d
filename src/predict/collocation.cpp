// Predictive running by trapezoidal direct collocation (include/legsim/predict/predict.hpp).
//
// Transcription (each choice and its evidence: docs/decisions.md, "Gait prediction"):
//   * nodes 0..N over one step of duration T = 60/cadence (mesh_times: uniform, or graded finer over
//     the impact); node 0 = right touchdown.
//   * state per node: q (9), q̇ (9), activation a (2·m), normalized tendon force f_T (2·c, compliant
//     tendons only); controls per node: q̈ (9, scaled by 100 s⁻²), excitation e (2·m), ḟ_T (2·c, scaled
//     by 10 s⁻¹) and, optionally, 6 reserve joint torques.
//   * implicit dynamics at every node (van den Bogert et al. 2011, Procedia IUTAM 2:297–316):
//     M(q)q̈ + h(q, q̇) − Q(q, q̇, f_T, a) = 0 and the Hill force balance of each compliant MTU
//     (compliant_mtu_implicit_residual); trapezoidal defects x_{k+1} − x_k − h/2 (ẋ_k + ẋ_{k+1}) = 0.
//   * symmetry by substitution: node N is the mirror of node 0 (right and left swapped) advanced by the
//     step length, so no duplicate equalities enter the problem.
//   * objective per metre of travel: Σ_i w_i ∫ a_i³ dt ("effort") or the muscles' metabolic energy per
//     kg of body mass (Bhargava et al. 2004, muscle/metabolics.hpp; "metabolic"), plus small
//     regularization of q̈ and ḟ_T.
#include "legsim/predict/predict.hpp"

#include <casadi/casadi.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>

#include "legsim/body/biped.hpp"
#include "legsim/body/smooth_contact.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/joint_load/pfj.hpp"
#include "legsim/muscle/activation.hpp"
#include "legsim/muscle/geometry.hpp"
#include "legsim/muscle/metabolics.hpp"
#include "legsim/muscle/mtu.hpp"
#include "legsim/predict/biped_physics.hpp"
#include "legsim/sim/stance_dynamics.hpp"

namespace legsim::predict {

namespace {

using casadi::DM;
using casadi::MX;
using casadi::SX;

constexpr int kNq = kBipedDof;  // 9
constexpr double kAccelerationScale = 100.0;  // rad/s² (m/s²) per unit of the q̈ control
constexpr double kTendonRateScale = 10.0;     // 1/s per unit of the ḟ_T control
constexpr double kExcitationRateScale = 10.0;  // 1/s, typical size of an excitation rate (regularization)
constexpr double kSettled = 1e-2;  // max constraint violation of a start that IPOPT should not move
/// Vertical force of the touching foot at node 0 (N): initial contact is where the foot's vertical
/// ground reaction crosses the customary 20 N force-plate threshold.
constexpr double kTouchdownForce = 20.0;

// Passive joint moments (kPassiveRange, kPassiveStiffness, kPassiveWidth): predict/biped_physics.hpp.
/// Variable bounds: wide physiological limits, 15° beyond the passive ranges (a solution on them
/// is reported in variables_on_bounds).
constexpr double kBoundMargin = 15.0;

/// Index layout of the node vectors.
struct Layout {
  int m = 0;          // muscles per leg
  int c = 0;          // compliant muscles per leg
  std::vector<int> compliant_slot;  // per muscle of one leg: index among compliant muscles, or −1
  bool reserves = false;
  int nx() const { return 2 * kNq + 2 * m + 2 * c; }
  int nu() const { return kNq + 2 * m + 2 * c + (reserves ? 6 : 0); }
  int q(int j) const { return j; }
  int qd(int j) const { return kNq + j; }
  int a(int side, int i) const { return 2 * kNq + side * m + i; }
  int ft(int side, int k) const { return 2 * kNq + 2 * m + side * c + k; }
  int qdd(int j) const { return j; }
  int e(int side, int i) const { return kNq + side * m + i; }
  int dft(int side, int k) const { return kNq + 2 * m + side * c + k; }
  int res(int side, int j) const { return kNq + 2 * m + 2 * c + 3 * side + j; }
};

/// Everything fixed for one problem.
struct Problem {
  Layout L;
  ResolvedCondition cond;
  BipedParams body;
  SmoothContactParams contact;
  PfjParams pfj;
  StanceConstants<double> muscles;  // per-muscle constants (capacity applied), one leg
  std::vector<std::string> muscle_names;
  std::vector<MuscleParams> muscle_params;  // capacity applied
  std::vector<double> effort_weight;  // per muscle of one leg
  std::vector<metabolics::MetabolicMuscle> metabolic;  // per muscle of one leg (unfatigued size, fiber type)
  metabolics::Bhargava2004Options metabolic_options;
  double body_weight = 0.0;           // N
  std::array<double, kNq> dynamics_scale{};  // N or N·m per unit of the scaled q̈ (see node_physics)
  PredictOptions opt;
};

constexpr Side kSides[2] = {Side::kRight, Side::kLeft};

int joint_coordinate(Side s, int j) {
  return j == 0 ? hip_index(s) : (j == 1 ? knee_index(s) : ankle_index(s));
}

/// Per-node physics in SX: residuals, state derivative, cost integrand, and signals for reporting.
struct NodeOut {
  SX xdot, residual, effort, acceleration, tendon_rate, reserve, metabolic, passive;
  SX grf, cop_x, moment, tendon_force, fiber_length_norm, quadriceps_force, foot_angle, foot_force_y;
  SX metabolic_rate;   // [2m] W per muscle
  SX metabolic_terms;  // [kMetabolicTerms] W, summed over the muscles (see kMetabolicTermNames)
};

/// The parts of the muscles' energy rate reported per metre (objective_terms uses "total").
constexpr const char* kMetabolicTermNames[] = {"activation_heat", "maintenance_heat", "shortening_heat", "heat_floor",
                                               "work", "negative_work"};
constexpr int kMetabolicTerms = 6;

/// `capacity` (m): each muscle's active capacity c_i (model × condition; MtuCoefficients::active_capacity),
/// a parameter of the NLP so that one graph serves every fatigue level.
NodeOut node_physics(const Problem& P, const SX& x, const SX& u, const SX& capacity) {
  const Layout& L = P.L;
  const BipedConstants<SX> b = make_biped_constants<SX>(P.body);
  std::array<SX, kNq> q, qd, qdd;
  for (int j = 0; j < kNq; ++j) {
    q[j] = x(L.q(j));
    qd[j] = x(L.qd(j));
    qdd[j] = u(L.qdd(j)) * kAccelerationScale;
  }
  std::array<SX, kNq> Q;
  for (auto& v : Q) v = 0;
  NodeOut out;
  std::vector<SX> grf, cop, moments, forces, lnorm, quad, foot_angle, foot_fy, hill, adot, ftdot, energy;
  SX effort = 0, reserve = 0, metabolic = 0, passive_sq = 0;
  std::array<SX, kMetabolicTerms> energy_terms = {0, 0, 0, 0, 0, 0};
  for (int s = 0; s < 2; ++s) {
    const Side side = kSides[s];
    // Contact spheres of this foot (predict/biped_physics.hpp, shared with the forward simulation).
    const FootContactForce<SX> fc = add_foot_contact(b, P.contact, q, qd, side, Q);
    const SX &fx = fc.fx, &fy = fc.fy, &mx = fc.mx;
    grf.push_back(fx);
    grf.push_back(fy);
    cop.push_back(mx / (fy + 1e-3));  // 1 mN keeps the flight phase finite
    foot_fy.push_back(fy);
    foot_angle.push_back(-q[2] + q[hip_index(side)] - q[knee_index(side)] + q[ankle_index(side)]);
    // Muscles of this leg.
    std::array<SX, 3> moment = {0, 0, 0};
    SX quadriceps = 0;
    for (int i = 0; i < L.m; ++i) {
      const MuscleConstants<double>& mc = P.muscles.muscles[i];
      const MusclePath<SX> path = leg_muscle_path(mc, q, qd, side);  // predict/biped_physics.hpp
      const SX &length = path.length, &velocity = path.velocity;
      const std::array<SX, kMaxCrossings>& arm = path.moment_arm;
      MtuCoefficients<SX> coef = convert_mtu_coefficients<SX>(mc.mtu);
      coef.active_capacity = capacity(i);
      const SX a = x(L.a(s, i));
      SX force;
      MtuOutputs<SX> o;
      if (mc.rigid_tendon) {
        o = evaluate_rigid_mtu(coef, length, velocity, a);
        force = o.tendon_force;
      } else {
        const int k = L.compliant_slot[i];
        const SX ft = x(L.ft(s, k));
        const SX dft = u(L.dft(s, k)) * kTendonRateScale;
        // Fiber state from the tendon-force state and its rate (v_M = (v_MT − ḟ_T·l_s/fT')·cos α).
        o = compliant_mtu_implicit_outputs(coef, length, velocity, a, ft, dft);
        hill.push_back(compliant_mtu_force_balance(coef, o));
        ftdot.push_back(dft);
        force = ft * mc.mtu.max_isometric_force;
      }
      const SX fiber_norm = o.norm_fiber_length;
      // Muscle energy rate (W), recruitment by this node's excitation.
      const metabolics::MetabolicRate<SX> er =
          metabolics::bhargava2004_rate(P.metabolic[i], coef, o, SX(u(L.e(s, i))), P.metabolic_options);
      metabolic += er.total;
      energy.push_back(er.total);
      const std::array<SX, kMetabolicTerms> parts = {
          er.activation_heat, er.maintenance_heat, er.shortening_heat,
          er.heat - (er.activation_heat + er.maintenance_heat + er.shortening_heat), er.work, er.negative_work};
      for (int t = 0; t < kMetabolicTerms; ++t) energy_terms[t] += parts[t];
      for (int cr = 0; cr < mc.n_crossings; ++cr) {
        const int j = static_cast<int>(mc.crossings[cr].joint);
        moment[j] += -arm[cr] * force;  // along +q: φ and q run opposite ways
      }
      if (P.muscles.knee_extensor[i]) quadriceps += force;
      adot.push_back(activation_derivative<SX>(u(L.e(s, i)), a, mc.activation_time_constant,
                                               mc.deactivation_time_constant, mc.activation_smoothing));
      effort += P.effort_weight[i] * a * a * a;
      forces.push_back(force);
      lnorm.push_back(fiber_norm);
    }
    for (int j = 0; j < 3; ++j) {
      const int jq = joint_coordinate(side, j);
      const SX passive = passive_joint_moment(j, q[jq]);  // predict/biped_physics.hpp
      passive_sq += sq(passive);
      SX total = moment[j] + passive;
      if (L.reserves) {
        const SX r = u(L.res(s, j)) * P.opt.reserve_scale;
        total += r;
        reserve += sq(u(L.res(s, j)));
      }
      Q[jq] += total;
      moments.push_back(total);
    }
    quad.push_back(quadriceps);
  }
  // Implicit skeletal dynamics, each row divided by its generalized force per unit of the q̈ control
  // (the mass matrix's diagonal in a standing posture × 100 s⁻²), so a residual of 1 is an
  // acceleration error of 100 rad/s² (m/s²) on every coordinate. Dividing by body weight instead
  // left the light foot's row (≈ 1.4 N·m per unit against ≈ 7000 N for the pelvis) so weak that its
  // multipliers grew to 1e7 and IPOPT's Hessian needed regularization of 1e8.
  const std::array<SX, kNq> id = biped_inverse_dynamics(b, q, qd, qdd);
  std::vector<SX> dyn;
  for (int j = 0; j < kNq; ++j) dyn.push_back((id[j] - Q[j]) / P.dynamics_scale[j]);
  std::vector<SX> xdot;
  for (int j = 0; j < kNq; ++j) xdot.push_back(qd[j]);
  for (int j = 0; j < kNq; ++j) xdot.push_back(qdd[j]);
  xdot.insert(xdot.end(), adot.begin(), adot.end());
  xdot.insert(xdot.end(), ftdot.begin(), ftdot.end());
  std::vector<SX> residual = dyn;
  residual.insert(residual.end(), hill.begin(), hill.end());
  SX acc = 0;
  for (int j = 0; j < kNq; ++j) acc += sq(u(L.qdd(j)));
  SX rate = 0;
  for (int s = 0; s < 2; ++s)
    for (int k = 0; k < L.c; ++k) rate += sq(u(L.dft(s, k)));
  out.xdot = SX::vertcat(xdot);
  out.residual = SX::vertcat(residual);
  out.effort = effort;
  out.acceleration = acc;
  out.tendon_rate = rate;
  out.reserve = reserve;
  out.passive = passive_sq;
  out.metabolic = metabolic;
  out.metabolic_rate = SX::vertcat(energy);
  out.metabolic_terms = SX::vertcat(std::vector<SX>(energy_terms.begin(), energy_terms.end()));
  out.grf = SX::vertcat(grf);
  out.cop_x = SX::vertcat(cop);
  out.moment = SX::vertcat(moments);
  out.tendon_force = SX::vertcat(forces);
  out.fiber_length_norm = SX::vertcat(lnorm);
  out.quadriceps_force = SX::vertcat(quad);
  out.foot_angle = SX::vertcat(foot_angle);
  out.foot_force_y = SX::vertcat(foot_fy);
  return out;
}

/// Permutations that swap the legs, for states and controls.
std::vector<int> mirror_state(const Layout& L) {
  std::vector<int> p(L.nx());
  std::iota(p.begin(), p.end(), 0);
  for (int j = 0; j < 3; ++j) {
    std::swap(p[L.q(3 + j)], p[L.q(6 + j)]);
    std::swap(p[L.qd(3 + j)], p[L.qd(6 + j)]);
  }
  for (int i = 0; i < L.m; ++i) std::swap(p[L.a(0, i)], p[L.a(1, i)]);
  for (int k = 0; k < L.c; ++k) std::swap(p[L.ft(0, k)], p[L.ft(1, k)]);
  return p;
}

std::vector<int> mirror_control(const Layout& L) {
  std::vector<int> p(L.nu());
  std::iota(p.begin(), p.end(), 0);
  for (int j = 0; j < 3; ++j) std::swap(p[L.qdd(3 + j)], p[L.qdd(6 + j)]);
  for (int i = 0; i < L.m; ++i) std::swap(p[L.e(0, i)], p[L.e(1, i)]);
  for (int k = 0; k < L.c; ++k) std::swap(p[L.dft(0, k)], p[L.dft(1, k)]);
  if (L.reserves)
    for (int j = 0; j < 3; ++j) std::swap(p[L.res(0, j)], p[L.res(1, j)]);
  return p;
}

MX permute_rows(const MX& v, const std::vector<int>& p) {
  std::vector<MX> rows;
  for (int i : p) rows.push_back(v(i));
  return MX::vertcat(rows);
}

Problem make_problem(const Model& model_in, const GaitCondition& condition, const PredictOptions& opt) {
  validate(opt);
  Problem P;
  P.opt = opt;
  P.cond = resolve(condition);
  const Model model = condition_model(model_in, condition);
  const std::vector<double> capacity = capacity_factors(model, condition);
  P.muscles = make_stance_constants(model, capacity.data());
  P.body = biped_params(model.body());
  P.contact = model.foot_contact();
  P.pfj = model.pfj();
  P.body_weight = model.body_mass() * kGravity;
  {
    const BipedConstants<double> b = make_biped_constants<double>(P.body);
    BipedMatrix<double> M;
    BipedVector<double> h;
    BipedVector<double> q{}, qd{};
    biped_mass_matrix_and_bias(b, q, qd, M, h);
    for (int j = 0; j < kNq; ++j) P.dynamics_scale[j] = M[j][j] * kAccelerationScale;
  }
  const auto& muscles = model.muscles();
  P.L.m = static_cast<int>(muscles.size());
  P.L.reserves = opt.reserve_weight > 0.0;
  double mean_volume = 0.0;
  for (const MuscleSpec& s : muscles)
    mean_volume += s.params.max_isometric_force * s.params.optimal_fiber_length / muscles.size();
  for (int i = 0; i < P.L.m; ++i) {
    const MuscleSpec& s = muscles[i];
    P.muscle_names.push_back(s.name);
    P.muscle_params.push_back(s.params);
    P.muscle_params.back().capacity_factor *= capacity[i];
    const bool rigid = P.muscles.muscles[i].rigid_tendon;
    P.L.compliant_slot.push_back(rigid ? -1 : P.L.c);
    if (!rigid) ++P.L.c;
    P.effort_weight.push_back(opt.volume_weighted_effort
                                  ? s.params.max_isometric_force * s.params.optimal_fiber_length / mean_volume
                                  : 1.0);
    // Size from the unfatigued F_max (s.params; capacity is applied to the copy above).
    P.metabolic.push_back(metabolics::make_metabolic_muscle(s.params, s.slow_twitch_fraction, metabolics::kSpecificTension,
                                                            metabolics::kMuscleDensity, "muscles." + s.name));
  }
  return P;
}

// ---- initial guess ----------------------------------------------------------------------------

/// Piecewise-linear periodic interpolation of (phase, value) keypoints, phase in [0, 1).
double periodic_interp(const std::vector<std::pair<double, double>>& k, double phase) {
  phase -= std::floor(phase);
  for (std::size_t i = 0; i + 1 < k.size(); ++i)
    if (phase <= k[i + 1].first) {
      const double w = (phase - k[i].first) / (k[i + 1].first - k[i].first);
      return k[i].second + w * (k[i + 1].second - k[i].second);
    }
  return k.back().second;
}

/// A generic running stride, stride phase 0 = touchdown, toe-off at 0.33 (stance 30–37 % of the
/// stride, Gazendam & Hof 2007), joint angles in degrees shaped after the typical sagittal ranges of
/// reference/predictive_running.md §3 (peak swing knee flexion ≈ 95°, hip 35–40° in late swing, ankle
/// ≈ 20° dorsiflexion in mid-stance). A guess only: the optimum does not depend on it being exact.
const std::vector<std::pair<double, double>> kGuessHip = {
    {0.0, 28}, {0.15, 15}, {0.33, -10}, {0.45, -8}, {0.65, 20}, {0.85, 38}, {1.0, 28}};
const std::vector<std::pair<double, double>> kGuessKnee = {
    {0.0, 18}, {0.12, 40}, {0.33, 15}, {0.55, 95}, {0.75, 60}, {0.92, 15}, {1.0, 18}};
const std::vector<std::pair<double, double>> kGuessAnkle = {
    {0.0, 5}, {0.15, 20}, {0.33, -20}, {0.5, -5}, {0.8, 5}, {1.0, 5}};

constexpr double kGuessActivation = 0.05;

/// Shape changes of the generic guess for multi-start (PredictOptions::start).
struct GuessShape {
  double knee_offset_deg = 0.0;   // added to the stance knee flexion (fading to 0 by mid-swing)
  double contact_fraction = 0.66; // right-foot contact as a fraction of the step
  double hip_offset_deg = 0.0;    // added to the hip flexion throughout
};

GuessShape guess_shape(int start) {
  if (start == 0) return {};
  if (start == 1) return {12.0, 0.60, 0.0};
  if (start == 2) return {-10.0, 0.72, 0.0};
  std::mt19937 rng(static_cast<std::uint32_t>(start));
  std::uniform_real_distribution<double> knee(-10.0, 15.0), contact(0.55, 0.75), hip(-8.0, 8.0);
  GuessShape g;
  g.knee_offset_deg = knee(rng);
  g.contact_fraction = contact(rng);
  g.hip_offset_deg = hip(rng);
  return g;
}

}  // namespace

std::vector<double> mesh_times(double step_time, const PredictOptions& o) {
  validate(o);
  const int N = o.mesh_intervals;
  const double T = step_time, W = std::min(o.impact_window, 0.5 * T), r = o.impact_mesh_ratio;
  std::vector<double> t(N + 1);
  // n_fine intervals of length W/n_fine and N − n_fine of (T − W)/(N − n_fine), their ratio ≈ r.
  int n_fine = 0;
  if (r > 1.0) n_fine = std::clamp(static_cast<int>(std::lround(N * W * r / (T - W + W * r))), 1, N - 1);
  for (int k = 0; k <= N; ++k) {
    if (n_fine == 0)
      t[k] = T * k / N;
    else if (k <= n_fine)
      t[k] = W * k / n_fine;
    else
      t[k] = W + (T - W) * (k - n_fine) / (N - n_fine);
  }
  t[N] = T;
  return t;
}

namespace {

std::vector<double> generic_guess(const Problem& P, const std::vector<double>& times) {
  const Layout& L = P.L;
  const int N = static_cast<int>(times.size()) - 1;
  const double T = P.cond.step_time;
  const int nx = L.nx(), nu = L.nu();
  std::vector<std::vector<double>> X(N + 1, std::vector<double>(nx, 0.0));
  const BipedConstants<double> b = make_biped_constants<double>(P.body);
  const double lean = 0.1;  // rad
  const GuessShape shape = guess_shape(P.opt.start);
  double hip_height = 0.0, toe_off_height = 0.0;
  for (int k = 0; k <= N; ++k) {
    const double t = times[k];
    std::array<double, kNq> q{};
    q[0] = P.cond.speed * t;
    q[2] = lean;
    for (int s = 0; s < 2; ++s) {
      const double phase = t / (2 * T) + 0.5 * s;
      // The knee offset acts through stance (stride phase 0–0.33) and fades out by mid-swing (0.55).
      const double ph = phase - std::floor(phase);
      const double fade = ph < 0.33 ? 1.0 : (ph < 0.55 ? (0.55 - ph) / 0.22 : (ph > 0.95 ? (ph - 0.95) / 0.05 : 0.0));
      q[hip_index(kSides[s])] = (periodic_interp(kGuessHip, phase) + shape.hip_offset_deg) * kDegToRad;
      q[knee_index(kSides[s])] =
          std::max(2.0, periodic_interp(kGuessKnee, phase) + shape.knee_offset_deg * fade) * kDegToRad;
      q[ankle_index(kSides[s])] = periodic_interp(kGuessAnkle, phase) * kDegToRad;
    }
    // Hip height: through the right stance (contact ≈ 0.33 of the stride) the right foot's lowest
    // sphere bears on the ground (1 cm penetration, about body weight on the soft spheres); in flight
    // the hip follows a parabola back to its touchdown height.
    const double tc = shape.contact_fraction * T;
    const double penetration = k == 0 ? 0.0 : 0.01;
    auto support_height = [&](std::array<double, kNq> qq) {
      std::array<double, kNq> zero{};
      qq[1] = 0.0;
      double lowest = 1e9;
      for (const ContactSphere& sp : P.contact.spheres) {
        const PointState<double> ps = biped_foot_point(b, qq, zero, Side::kRight, sp.x, sp.y);
        lowest = std::min(lowest, ps.position[1] - sp.radius);
      }
      return -lowest;
    };
    if (k == 0) hip_height = support_height(q);
    if (t <= tc) {
      q[1] = support_height(q) - penetration;
      toe_off_height = q[1];
    } else {
      const double s = (t - tc) / (T - tc);
      q[1] = toe_off_height + (hip_height - toe_off_height) * s + 0.03 * std::sin(kPi * s);
    }
    for (int j = 0; j < kNq; ++j) X[k][L.q(j)] = q[j];
    // Muscles: activation 0.05 and the tendon force of static equilibrium at that activation.
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < L.m; ++i) {
        X[k][L.a(s, i)] = kGuessActivation;
        const int slot = L.compliant_slot[i];
        if (slot < 0) continue;
        const MuscleConstants<double>& mc = P.muscles.muscles[i];
        std::array<double, kNumJoints> angles{};
        for (int j = 0; j < kNumJoints; ++j) angles[j] = q[joint_coordinate(kSides[s], j)];
        const PathGeometry path = path_geometry(std::span(mc.crossings.data(), mc.n_crossings), mc.reference_length, angles);
        const MtuEquilibrium eq = solve_mtu_equilibrium(P.muscle_params[i], path.length, 0.0, kGuessActivation);
        X[k][L.ft(s, slot)] = eq.norm_tendon_force;
      }
  }
  // Velocities and accelerations by central differences (one-sided at the ends).
  for (int k = 0; k <= N; ++k) {
    const int kp = std::min(k + 1, N), km = std::max(k - 1, 0);
    for (int j = 0; j < kNq; ++j)
      X[k][L.qd(j)] = (X[kp][L.q(j)] - X[km][L.q(j)]) / (times[kp] - times[km]);
  }
  std::vector<double> w;
  for (int k = 0; k < N; ++k) w.insert(w.end(), X[k].begin(), X[k].end());
  for (int k = 0; k < N; ++k) {
    std::vector<double> u(nu, 0.0);
    const int kp = std::min(k + 1, N), km = std::max(k - 1, 0);
    for (int j = 0; j < kNq; ++j)
      u[L.qdd(j)] = (X[kp][L.qd(j)] - X[km][L.qd(j)]) / (times[kp] - times[km]) / kAccelerationScale;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < L.m; ++i) u[L.e(s, i)] = kGuessActivation;
    w.insert(w.end(), u.begin(), u.end());
  }
  return w;
}

/// A previous solution's trajectory resampled on this problem's mesh (another number of intervals or
/// another step time; linear interpolation in normalized time), with the pelvis x rescaled to this
/// step length. Used as the initial guess when the decision vectors differ in size, e.g. for mesh
/// refinement from the N-interval solution to 2N (the same local optimum is then refined).
std::vector<double> resampled_guess(const Problem& P, const std::vector<double>& times, const PredictedGait& g) {
  const Layout& L = P.L;
  const int N = static_cast<int>(times.size()) - 1;
  const std::size_t M = g.time.size() - 1;
  const double scale_x = P.cond.step_length / g.step_length;
  const double scale_t = g.step_time / P.cond.step_time;  // d/dt rescaling of rates
  std::vector<double> src(M + 1);  // the source's node times, normalized by its step time
  for (std::size_t n = 0; n <= M; ++n) src[n] = (g.time[n] - g.time.front()) / g.step_time;
  auto sample = [&](double s, auto get) {
    const auto it = std::upper_bound(src.begin(), src.end(), s);
    const std::size_t k = std::min<std::size_t>(it == src.begin() ? 0 : static_cast<std::size_t>(it - src.begin()) - 1, M - 1);
    const double w = std::clamp((s - src[k]) / (src[k + 1] - src[k]), 0.0, 1.0);
    return (1.0 - w) * get(k) + w * get(k + 1);
  };
  std::vector<double> xs, us;
  for (int k = 0; k < N; ++k) {
    const double s = times[k] / P.cond.step_time;
    std::vector<double> x(L.nx(), 0.0), u(L.nu(), 0.0);
    for (int j = 0; j < kNq; ++j) {
      const double sx = j == 0 ? scale_x : 1.0;
      x[L.q(j)] = sx * sample(s, [&](std::size_t n) { return g.q[n][j]; });
      x[L.qd(j)] = sx * scale_t * sample(s, [&](std::size_t n) { return g.qd[n][j]; });
      u[L.qdd(j)] = sx * scale_t * scale_t * sample(s, [&](std::size_t n) { return g.qdd[n][j]; }) / kAccelerationScale;
    }
    for (int side = 0; side < 2; ++side)
      for (int i = 0; i < L.m; ++i) {
        const std::size_t idx = static_cast<std::size_t>(side * L.m + i);
        x[L.a(side, i)] = sample(s, [&](std::size_t n) { return g.activation[n][idx]; });
        u[L.e(side, i)] = sample(s, [&](std::size_t n) { return g.excitation[n][idx]; });
        const int slot = L.compliant_slot[i];
        if (slot < 0) continue;
        const double fmax = P.muscles.muscles[i].mtu.max_isometric_force;
        x[L.ft(side, slot)] = sample(s, [&](std::size_t n) { return g.tendon_force[n][idx]; }) / fmax;
        // Tendon-force rate by the difference of the neighbouring samples.
        const double ds = 0.5 * (times[std::min(k + 1, N)] - times[std::max(k - 1, 0)]) / P.cond.step_time;
        const double s0 = std::max(0.0, s - ds), s1 = std::min(1.0, s + ds);
        const double f0 = sample(s0, [&](std::size_t n) { return g.tendon_force[n][idx]; }) / fmax;
        const double f1 = sample(s1, [&](std::size_t n) { return g.tendon_force[n][idx]; }) / fmax;
        u[L.dft(side, slot)] = (f1 - f0) / ((s1 - s0) * P.cond.step_time) / kTendonRateScale;
      }
    if (L.reserves)
      for (int side = 0; side < 2; ++side)
        for (int j = 0; j < 3; ++j)
          u[L.res(side, j)] = sample(s, [&](std::size_t n) { return g.reserve[n][3 * side + j]; }) / P.opt.reserve_scale;
    xs.insert(xs.end(), x.begin(), x.end());
    us.insert(us.end(), u.begin(), u.end());
  }
  xs.insert(xs.end(), us.begin(), us.end());
  return xs;
}

std::string coordinate_name(int j) {
  static const char* names[kNq] = {"pelvis_x", "pelvis_y", "trunk_lean", "hip_flexion_r", "knee_flexion_r",
                                   "ankle_dorsiflexion_r", "hip_flexion_l", "knee_flexion_l", "ankle_dorsiflexion_l"};
  return names[j];
}

}  // namespace

void validate(const PredictOptions& o) {
  auto range = [](const char* field, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi))
      throw InputError(std::string("predict options: ") + field + " = " + std::to_string(v) +
                       " is outside the allowed range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  };
  range("mesh_intervals", o.mesh_intervals, 10, 1000);
  range("impact_mesh_ratio", o.impact_mesh_ratio, 1.0, 20.0);
  range("impact_window", o.impact_window, 1e-3, 0.2);
  range("acceleration_weight", o.acceleration_weight, 0.0, 1e3);
  range("tendon_rate_weight", o.tendon_rate_weight, 0.0, 1e3);
  range("excitation_rate_weight", o.excitation_rate_weight, 0.0, 1e3);
  range("reserve_weight", o.reserve_weight, 0.0, 1e9);
  range("reserve_scale", o.reserve_scale, 1e-3, 1e4);
  range("passive_moment_weight", o.passive_moment_weight, 0.0, 1e6);
  if (o.objective != "effort" && o.objective != "metabolic")
    throw InputError("predict options: objective = \"" + o.objective + "\" is not one of \"effort\", \"metabolic\"");
  range("metabolic_effort_weight", o.metabolic_effort_weight, 0.0, 1e3);
  range("tolerance", o.tolerance, 1e-12, 1.0);
  range("constraint_tolerance", o.constraint_tolerance, 1e-12, 1.0);
  range("max_iterations", o.max_iterations, 0, 1000000);
  if (o.hessian != "auto" && o.hessian != "exact" && o.hessian != "limited-memory")
    throw InputError("predict options: hessian = \"" + o.hessian + "\" is not one of \"auto\", \"exact\", \"limited-memory\"");
  range("quasi_newton_tolerance", o.quasi_newton_tolerance, 1e-12, 1.0);
  range("start", o.start, 0, 1000);
  range("print_level", o.print_level, 0, 12);
}

// ---- the transcription, built once per problem structure ---------------------------------------

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Parameters of the NLP, the numbers a condition changes without changing the graph:
/// p = [c_1 … c_m (each muscle's active capacity); d (step length, m); h_0 … h_{N−1} (interval lengths, s)].
std::vector<double> nlp_parameters(const Problem& P, const std::vector<double>& times) {
  std::vector<double> p;
  for (int i = 0; i < P.L.m; ++i) p.push_back(P.muscles.muscles[i].mtu.active_capacity);
  p.push_back(P.cond.step_length);
  for (std::size_t k = 0; k + 1 < times.size(); ++k) p.push_back(times[k + 1] - times[k]);
  return p;
}

/// The collocation NLP of one problem structure (model and body size, the options that shape the
/// graph, the kind of foot-strike constraint) with the condition's numbers as parameters
/// (nlp_parameters), and its exact derivatives. Building it is most of a warm solve's cost when done
/// per condition (CasADi's algorithmic differentiation of the expanded graph: ≈ 4.5 s for the gradient
/// and Jacobian, ≈ 11.5 s for the Hessian at the default options, docs/decisions.md); a Predictor
/// builds it once and reuses it.
struct Transcription {
  casadi::Function nlp;                // (x, p) → (f, g), one SX graph
  casadi::Function oracle;             // the same as calls of SX functions of f and g (given to nlpsol)
  casadi::Function grad_f, jac_g;      // IPOPT's first derivatives, built with nlp
  casadi::Function hess_l;             // the Hessian of the Lagrangian, built at the first exact run
  casadi::Function terms;              // (x, p) → the objective's terms
  casadi::Function full;               // (x, p) → (X, U) at nodes 0..N
  casadi::Function signals;            // (x_k, u_k, c) → reporting signals of one node
  double build_seconds = 0.0;          // nlp, grad_f and jac_g
};

std::shared_ptr<Transcription> build_transcription(const Problem& P) {
  const auto t0 = Clock::now();
  const Layout& L = P.L;
  const PredictOptions& opt = P.opt;
  const int N = opt.mesh_intervals;
  const int nx = L.nx(), nu = L.nu();
  auto tr = std::make_shared<Transcription>();

  // One node's physics as a CasADi function, mapped over the mesh.
  const SX xs = SX::sym("x", nx), us = SX::sym("u", nu), cs = SX::sym("c", L.m);
  const NodeOut no = node_physics(P, xs, us, cs);
  const casadi::Function node("node", {xs, us, cs},
                              {no.xdot, no.residual, no.effort, no.acceleration, no.tendon_rate, no.reserve,
                               no.metabolic, no.passive});
  tr->signals = casadi::Function("signals", {xs, us, cs},
                                 {no.grf, no.cop_x, no.moment, no.tendon_force, no.fiber_length_norm,
                                  no.quadriceps_force, no.foot_angle, no.foot_force_y, no.metabolic_rate,
                                  no.metabolic_terms});

  // Decision variables: nodes 0..N−1 (node N is the mirror of node 0); parameters (nlp_parameters).
  const MX X = MX::sym("X", nx, N), U = MX::sym("U", nu, N), p = MX::sym("p", L.m + 1 + N);
  const MX cap = p(casadi::Slice(0, L.m));
  const MX d = p(L.m);
  const MX h = p(casadi::Slice(L.m + 1, L.m + 1 + N));  // N × 1
  std::vector<double> unit_x(nx, 0.0);
  unit_x[L.q(0)] = 1.0;
  const MX xN = permute_rows(X(casadi::Slice(), 0), mirror_state(L)) + MX(DM(unit_x)) * d;
  const MX uN = permute_rows(U(casadi::Slice(), 0), mirror_control(L));
  const MX Xf = MX::horzcat({X, xN}), Uf = MX::horzcat({U, uN});
  const std::vector<MX> r = node.map(N + 1)(std::vector<MX>{Xf, Uf, repmat(cap, 1, N + 1)});
  const MX& F = r[0];
  const MX inv_h = 1.0 / h.T();                                           // 1 × N
  const MX weight = 0.5 * (MX::vertcat({h, MX(0.0)}) + MX::vertcat({MX(0.0), h}));  // trapezoidal, (N+1) × 1
  // Trapezoidal defects, scaled by 1/h_k so they read as rates.
  // Each state's defect is divided by a typical size of its rate (rad/s or m/s: 1; accelerations:
  // 100 s⁻²; activation and tendon-force rates: 10 s⁻¹), so every constraint row is O(1).
  std::vector<double> rate_scale(nx, 1.0);
  for (int j = 0; j < kNq; ++j) rate_scale[L.qd(j)] = kAccelerationScale;
  for (int i = 2 * kNq; i < nx; ++i) rate_scale[i] = kTendonRateScale;
  const MX defects = ((Xf(casadi::Slice(), casadi::Slice(1, N + 1)) - Xf(casadi::Slice(), casadi::Slice(0, N))) *
                          repmat(inv_h, nx, 1) -
                      0.5 * (F(casadi::Slice(), casadi::Slice(1, N + 1)) + F(casadi::Slice(), casadi::Slice(0, N)))) /
                     repmat(MX(DM(rate_scale)), 1, N);
  // Path residuals at nodes 0..N−1 (node N's are node 0's, mirrored).
  const MX path = r[1](casadi::Slice(), casadi::Slice(0, N));
  auto trapezoid = [&](const MX& row) { return mtimes(row, weight); };
  // Objective choice: effort (weight 1) or the muscles' metabolic energy per kg body mass and metre
  // (J/(kg·m)) plus metabolic_effort_weight × effort.
  const bool metabolic = opt.objective == "metabolic";
  const MX J_effort = (metabolic ? opt.metabolic_effort_weight : 1.0) * trapezoid(r[2]) / d;
  const MX J_met = metabolic ? MX(trapezoid(r[6]) / (d * (P.body_weight / kGravity))) : MX(0.0);
  const MX J_acc = opt.acceleration_weight * trapezoid(r[3]) / d;
  const MX J_rate = opt.tendon_rate_weight * trapezoid(r[4]) / d;
  // Excitation rates over each interval (both legs; node N is node 0 mirrored), Σ h_k Σ_i (ė/10 s⁻¹)².
  MX J_exc = 0.0;
  if (opt.excitation_rate_weight > 0.0) {
    const MX E = Uf(casadi::Slice(L.e(0, 0), L.e(1, L.m - 1) + 1), casadi::Slice());
    const MX rate = (E(casadi::Slice(), casadi::Slice(1, N + 1)) - E(casadi::Slice(), casadi::Slice(0, N))) *
                    repmat(inv_h, 2 * L.m, 1) / kExcitationRateScale;
    J_exc = opt.excitation_rate_weight * mtimes(sum1(rate * rate), h) / d;
  }
  const MX J_res = opt.reserve_weight * trapezoid(r[5]) / d;
  const MX J_pass = opt.passive_moment_weight * trapezoid(r[7]) / d;
  const MX J = J_effort + J_met + J_acc + J_rate + J_exc + J_res + J_pass;

  // Initial contact (node 0): the right foot's vertical force crosses the 20 N threshold, and the
  // foot angle (or, for a given ankle angle, the right ankle) is constrained; its bounds are the
  // condition's (touchdown_bounds).
  const std::vector<MX> s0 = tr->signals(std::vector<MX>{X(casadi::Slice(), 0), U(casadi::Slice(), 0), cap});
  const MX strike = P.cond.foot_strike == FootStrike::kAnkleAngle ? MX(X(L.q(ankle_index(Side::kRight)), 0))
                                                                  : MX(s0[6](0));
  const std::vector<MX> g = {vec(defects), vec(path), (s0[7](0) - kTouchdownForce) / P.body_weight, strike};

  const MX w = MX::vertcat({vec(X), vec(U)});
  // Evaluate the whole NLP as one SX graph (CasADi's virtual machine): 10× faster per iteration than
  // the MX graph of mapped node functions (measured, N = 25).
  tr->nlp = casadi::Function("nlp", {w, p}, {J, MX::vertcat(g)}, {"x", "p"}, {"f", "g"}).expand();
  // IPOPT's interface builds its f and g functions from the NLP it is given, once per solver; from
  // the SX graph that copies the whole graph twice (≈ 2 s at the default options, measured). Given a
  // thin MX function calling f and g built here once, those copies are one call node each.
  {
    const casadi::Function f = tr->nlp.factory("nlp_f_sx", {"x", "p"}, {"f"});
    const casadi::Function gf = tr->nlp.factory("nlp_g_sx", {"x", "p"}, {"g"});
    const MX xm = MX::sym("x", tr->nlp.sparsity_in(0)), pm = MX::sym("p", tr->nlp.sparsity_in(1));
    tr->oracle = casadi::Function("nlp_oracle", {xm, pm}, {f(std::vector<MX>{xm, pm})[0], gf(std::vector<MX>{xm, pm})[0]},
                                  {"x", "p"}, {"f", "g"});
  }
  tr->grad_f = tr->nlp.factory("nlp_grad_f", {"x", "p"}, {"f", "grad:f:x"});
  tr->jac_g = tr->nlp.factory("nlp_jac_g", {"x", "p"}, {"g", "jac:g:x"});
  tr->terms = casadi::Function("terms", {w, p}, {J_effort, J_met, J_acc, J_rate, J_res, J_pass, J_exc});
  tr->full = casadi::Function("full", {w, p}, {Xf, Uf});
  tr->build_seconds = seconds_since(t0);
  return tr;
}

/// IPOPT's Hessian of the Lagrangian, σ∇²f + Σλ_i∇²g_i (upper triangle), as IPOPT's interface builds it.
void build_hessian(Transcription& tr) {
  tr.hess_l = tr.nlp.factory("nlp_hess_l", {"x", "p", "lam:f", "lam:g"}, {"triu:hess:gamma:x:x"},
                             {{"gamma", {"f", "g"}}});
}

/// What distinguishes one transcription from another: everything that enters the graph other than
/// its parameters. Body size from the condition changes the model; an ankle-angle foot strike
/// constrains another quantity than a foot-strike band.
std::string transcription_key(const GaitCondition& c, const PredictOptions& o) {
  std::ostringstream k;
  k << std::hexfloat << (c.body_mass ? *c.body_mass : -1.0) << ' ' << (c.height ? *c.height : -1.0) << ' '
    << (c.foot_strike == FootStrike::kAnkleAngle) << ' ' << o.mesh_intervals << ' ' << o.objective << ' '
    << o.metabolic_effort_weight << ' ' << o.volume_weighted_effort << ' ' << o.acceleration_weight << ' '
    << o.tendon_rate_weight << ' ' << o.excitation_rate_weight << ' ' << o.reserve_weight << ' ' << o.reserve_scale
    << ' ' << o.passive_moment_weight;
  return k.str();
}

/// Bounds of the touchdown constraints (node 0): the right foot's vertical force at the 20 N
/// threshold, and the foot angle in the band of the condition's foot strike (Altman & Davis 2012, Gait
/// Posture 35(2):298–300: rearfoot > 8°, midfoot −1.6…8°, forefoot < −1.6°), or the given ankle angle.
std::array<double, 4> touchdown_bounds(const ResolvedCondition& c) {
  double lo = -90.0, hi = 90.0;
  switch (c.foot_strike) {
    case FootStrike::kRearfoot: lo = 8.0; break;
    case FootStrike::kMidfoot: lo = -1.6; hi = 8.0; break;
    case FootStrike::kForefoot: hi = -1.6; break;
    case FootStrike::kAnkleAngle: lo = hi = c.touchdown_ankle_angle_deg; break;
  }
  return {0.0, 0.0, lo * kDegToRad, hi * kDegToRad};
}

}  // namespace

// ---- the predictor ------------------------------------------------------------------------------

/// Transcriptions kept per Predictor (the oldest is dropped beyond this): a sweep over foot strikes
/// and body sizes holds a few; each holds ~100 MB at the default options.
constexpr std::size_t kMaxTranscriptions = 4;

struct Predictor::Impl {
  explicit Impl(Model m) : model(std::move(m)) {}
  Model model;
  std::mutex mutex;
  std::vector<std::pair<std::string, std::shared_ptr<Transcription>>> cache;  // oldest first
};

Predictor::Predictor(Model model) : impl_(std::make_unique<Impl>(std::move(model))) {}
Predictor::~Predictor() = default;
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor& Predictor::operator=(Predictor&&) noexcept = default;
const Model& Predictor::model() const { return impl_->model; }
std::size_t Predictor::transcriptions() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->cache.size();
}

PredictedGait predict_gait(const Model& model, const GaitCondition& condition, const PredictOptions& opt,
                           const PredictedGait* warm) {
  Predictor predictor(model);
  return predictor.solve(condition, opt, warm);
}

PredictedGait Predictor::solve(const GaitCondition& condition, const PredictOptions& opt, const PredictedGait* warm) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const Problem P = make_problem(impl_->model, condition, opt);
  const Layout& L = P.L;
  const int N = opt.mesh_intervals;
  const int nx = L.nx(), nu = L.nu();
  const double T = P.cond.step_time;
  const std::vector<double> times = mesh_times(T, opt);
  std::vector<double> weight(N + 1, 0.0);  // trapezoidal quadrature weights
  for (int k = 0; k < N; ++k) {
    const double h = times[k + 1] - times[k];
    weight[k] += 0.5 * h;
    weight[k + 1] += 0.5 * h;
  }
  const DM pv = DM(nlp_parameters(P, times));

  // The transcription of this structure: reused, or built (its time is charged to the first phase).
  double pending_setup = 0.0;
  std::shared_ptr<Transcription> tr;
  {
    const std::string key = transcription_key(condition, opt);
    auto& cache = impl_->cache;
    const auto it = std::find_if(cache.begin(), cache.end(), [&](const auto& e) { return e.first == key; });
    if (it != cache.end()) {
      tr = it->second;
    } else {
      tr = build_transcription(P);
      pending_setup += tr->build_seconds;
      if (cache.size() >= kMaxTranscriptions) cache.erase(cache.begin());
      cache.emplace_back(key, tr);
    }
  }
  const casadi::Function& nlp = tr->nlp;
  const casadi_int n_g = nlp.size1_out(1);
  std::vector<double> lbg(n_g, 0.0), ubg(n_g, 0.0);
  {
    const std::array<double, 4> b = touchdown_bounds(P.cond);
    lbg[n_g - 2] = b[0];
    ubg[n_g - 2] = b[1];
    lbg[n_g - 1] = b[2];
    ubg[n_g - 1] = b[3];
  }

  // Bounds.
  std::vector<double> xlo(nx), xhi(nx), ulo(nu), uhi(nu);
  xlo[L.q(0)] = -1.0; xhi[L.q(0)] = 5.0;
  xlo[L.q(1)] = 0.4; xhi[L.q(1)] = 1.4;
  xlo[L.q(2)] = -0.5; xhi[L.q(2)] = 1.0;
  for (int s = 0; s < 2; ++s)
    for (int j = 0; j < 3; ++j) {
      const int jq = joint_coordinate(kSides[s], j);
      xlo[L.q(jq)] = (kPassiveRange[j].lo_deg - kBoundMargin) * kDegToRad;
      xhi[L.q(jq)] = (kPassiveRange[j].hi_deg + kBoundMargin) * kDegToRad;
    }
  for (int j = 0; j < kNq; ++j) {
    xlo[L.qd(j)] = j < 2 ? -10.0 : -40.0;
    xhi[L.qd(j)] = j < 2 ? 10.0 : 40.0;
    ulo[L.qdd(j)] = -100.0;
    uhi[L.qdd(j)] = 100.0;
  }
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < L.m; ++i) {
      const double amin = P.muscles.muscles[i].mtu.min_activation;
      xlo[L.a(s, i)] = amin; xhi[L.a(s, i)] = 1.0;
      ulo[L.e(s, i)] = amin; uhi[L.e(s, i)] = 1.0;
    }
    for (int k = 0; k < L.c; ++k) {
      xlo[L.ft(s, k)] = -0.15; xhi[L.ft(s, k)] = 5.0;
      ulo[L.dft(s, k)] = -200.0; uhi[L.dft(s, k)] = 200.0;
    }
    if (L.reserves)
      for (int j = 0; j < 3; ++j) { ulo[L.res(s, j)] = -100.0; uhi[L.res(s, j)] = 100.0; }
  }
  std::vector<double> lbx, ubx;
  for (int k = 0; k < N; ++k) {
    lbx.insert(lbx.end(), xlo.begin(), xlo.end());
    ubx.insert(ubx.end(), xhi.begin(), xhi.end());
  }
  lbx[L.q(0)] = ubx[L.q(0)] = 0.0;  // translation invariance: the step starts at x = 0
  for (int k = 0; k < N; ++k) {
    lbx.insert(lbx.end(), ulo.begin(), ulo.end());
    ubx.insert(ubx.end(), uhi.begin(), uhi.end());
  }

  casadi::Dict ipopt;
  ipopt["ipopt.print_level"] = opt.print_level;
  ipopt["ipopt.linear_solver"] = opt.linear_solver;
  ipopt["ipopt.mu_strategy"] = "adaptive";
  // METIS fill-reducing ordering for MUMPS: 2.7× faster per iteration than MUMPS's automatic choice
  // on this banded, wrap-around KKT system (40 iterations at N = 50: 3.2 s against 8.6 s, measured).
  if (opt.linear_solver == "mumps") {
    ipopt["ipopt.mumps_pivot_order"] = 5;
    // No MUMPS scaling (IPOPT's defaults compute a permuting scaling and a row/column scaling at every
    // factorization): the rows and variables are scaled to O(1) by construction, and without it a
    // factorization is ≈ 35 % cheaper with the same iterations and optima (warm 170 from 175 steps/min:
    // 28 + 42 iterations in 4.9–5.1 s against 28 + 40 in 6.6–6.9 s; cold default: 164 + 94 in 28 s
    // against 210 + 93 in 39 s, the same optimum; docs/decisions.md, "MUMPS without scaling").
    ipopt["ipopt.mumps_permuting_scaling"] = 0;
    ipopt["ipopt.mumps_scaling"] = 0;
    // MUMPS's working space 100 % above its estimate, not IPOPT's default 1000 %: the larger block is
    // allocated afresh at every factorization (page faults); warm 170 from 175 steps/min took 5.4 s
    // against 6.4 s, same iterations (IPOPT enlarges the space itself if MUMPS reports it short).
    ipopt["ipopt.mumps_mem_percent"] = 100;
  }
  ipopt["print_time"] = false;
  ipopt["ipopt.sb"] = "yes";

  // One IPOPT run from x0; with multipliers it is IPOPT's warm start (μ from 1e-4). A start that
  // already satisfies this problem's constraints to 1e-2 (`settled`: after the L-BFGS phase, or a
  // solution of this very condition) keeps its place; IPOPT would otherwise push it 1e-3 into the
  // bounds, which costs iterations there (29 against 60 for the exact phase after L-BFGS) but saves
  // them from a neighbour's solution (91 against 127), docs/decisions.md.
  auto violation = [&](const std::vector<double>& x) {
    const std::vector<double> g0 = nlp(std::vector<DM>{DM(x), pv})[1].nonzeros();
    double v = 0.0;
    for (std::size_t i = 0; i < g0.size(); ++i) v = std::max({v, lbg[i] - g0[i], g0[i] - ubg[i]});
    return v;
  };
  struct Run {
    std::map<std::string, DM> res;
    PredictedGait::Phase phase;
  };
  // max_iterations bounds all phases together: a phase gets what the ones before it left.
  int iterations_left = opt.max_iterations;
  auto run = [&](bool exact, double tol, double constraint_tol, const std::vector<double>& x0, const std::vector<double>* lam_x,
                 const std::vector<double>* lam_g, bool settled) {
    casadi::Dict o = ipopt;
    o["ipopt.max_iter"] = iterations_left;
    o["ipopt.tol"] = tol;
    o["ipopt.constr_viol_tol"] = constraint_tol;
    const auto tc = Clock::now();
    // The transcription's derivatives: IPOPT's interface would otherwise build them again per solver.
    o["grad_f"] = tr->grad_f;
    // The parameters' multipliers and nlpsol's own Lagrangian gradient are not used; each would cost
    // another reverse sweep of the graph per solver.
    o["calc_lam_p"] = false;
    o["no_nlp_grad"] = true;
    o["jac_g"] = tr->jac_g;
    if (exact) {
      if (tr->hess_l.is_null()) build_hessian(*tr);
      o["hess_lag"] = tr->hess_l;
    } else {
      o["ipopt.hessian_approximation"] = "limited-memory";
    }
    std::map<std::string, DM> arg = {{"x0", DM(x0)}, {"p", pv}, {"lbx", DM(lbx)}, {"ubx", DM(ubx)},
                                     {"lbg", DM(lbg)}, {"ubg", DM(ubg)}};
    if (lam_x && lam_g) {
      arg["lam_x0"] = DM(*lam_x);
      arg["lam_g0"] = DM(*lam_g);
      o["ipopt.warm_start_init_point"] = "yes";
      o["ipopt.mu_init"] = 1e-4;
      if (settled)
        for (const char* k : {"ipopt.warm_start_bound_push", "ipopt.warm_start_bound_frac", "ipopt.warm_start_slack_bound_push",
                              "ipopt.warm_start_slack_bound_frac", "ipopt.warm_start_mult_bound_push"})
          o[k] = 1e-9;
    }
    const casadi::Function solver = casadi::nlpsol("legsim_predict", "ipopt", tr->oracle, o);
    const auto t0 = Clock::now();
    Run r;
    r.res = solver(arg);
    const casadi::Dict stats = solver.stats();
    r.phase.seconds = seconds_since(t0);
    r.phase.setup_seconds = std::chrono::duration<double>(t0 - tc).count() + pending_setup;
    pending_setup = 0.0;
    r.phase.hessian = exact ? "exact" : "limited-memory";
    r.phase.status = stats.count("return_status") ? stats.at("return_status").to_string() : "unknown";
    r.phase.iterations = stats.count("iter_count") ? static_cast<int>(stats.at("iter_count").to_int()) : 0;
    iterations_left = std::max(0, iterations_left - r.phase.iterations);
    return r;
  };
  auto succeeded = [](const Run& r) {
    const std::vector<double> x = r.res.at("x").nonzeros();
    return (r.phase.status == "Solve_Succeeded" || r.phase.status == "Solved_To_Acceptable_Level") &&
           std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
  };

  std::vector<double> w0, lam_x0, lam_g0;
  // A warm start with this problem's number of intervals (a neighbouring condition, or a stored
  // solution holding only its vectors, e.g. a sweep's journal) reuses the solution vector and the
  // multipliers node by node, even when the node times differ a little (another step time moves the
  // graded mesh's window boundary in normalized time); another number of intervals is resampled.
  if (warm && warm->x.size() == static_cast<std::size_t>(nlp.numel_in(0))) {
    w0 = warm->x;
    w0[L.q(0)] = 0.0;
    if (warm->lam_g.size() == lbg.size() && warm->lam_x.size() == w0.size()) {
      lam_x0 = warm->lam_x;
      lam_g0 = warm->lam_g;
    }
  } else if (warm && warm->converged && warm->q.size() >= 2 && warm->muscle_names.size() == 2 * static_cast<std::size_t>(L.m)) {
    w0 = resampled_guess(P, times, *warm);  // another mesh or duration: the trajectory, resampled
  } else {
    w0 = generic_guess(P, times);
  }
  const bool has_multipliers = !lam_g0.empty();
  const auto* lx0 = has_multipliers ? &lam_x0 : nullptr;
  const auto* lg0 = has_multipliers ? &lam_g0 : nullptr;

  std::vector<Run> runs;
  // The metabolic objective stays with L-BFGS under "auto": at the default condition its exact run
  // took 2465 iterations after the L-BFGS phase and ended in Error_In_Step_Computation (measured
  // 2026-12-05, docs/decisions.md).
  const bool single = opt.hessian != "auto" || opt.objective == "metabolic";
  const bool start_settled = has_multipliers && violation(w0) <= kSettled;
  if (single) {
    runs.push_back(run(opt.hessian == "exact", opt.tolerance, opt.constraint_tolerance, w0, lx0, lg0, start_settled));
  } else {
    // "auto": L-BFGS to the loose tolerance from any start that is not settled already (a cold start,
    // a neighbour's solution), then the exact Hessian from there; L-BFGS from the same point if the
    // exact run fails.
    std::vector<double> x1 = w0, lx1 = lam_x0, lg1 = lam_g0;
    bool settled = start_settled;
    const double loose = std::max(opt.quasi_newton_tolerance, opt.tolerance);
    if (!start_settled && loose > opt.tolerance) {
      runs.push_back(run(false, loose, std::max(0.1 * loose, opt.constraint_tolerance), w0, lx0, lg0, false));
      if (succeeded(runs.back()) && iterations_left == 0)
        runs.back().phase.status = "Maximum_Iterations_Exceeded";  // only the loose tolerance was reached
      x1 = runs.back().res.at("x").nonzeros();
      lx1 = runs.back().res.at("lam_x").nonzeros();
      lg1 = runs.back().res.at("lam_g").nonzeros();
      settled = violation(x1) <= kSettled;
    }
    if (runs.empty() || succeeded(runs.back())) {
      const bool multipliers = !lg1.empty();
      runs.push_back(run(true, opt.tolerance, opt.constraint_tolerance, x1, multipliers ? &lx1 : nullptr,
                         multipliers ? &lg1 : nullptr, settled));
      if (!succeeded(runs.back()) && iterations_left > 0)
        runs.push_back(run(false, opt.tolerance, opt.constraint_tolerance, x1, multipliers ? &lx1 : nullptr,
                           multipliers ? &lg1 : nullptr, settled));
    }
  }
  const std::map<std::string, DM>& res = runs.back().res;

  PredictedGait out;
  for (const Run& r : runs) {
    out.phases.push_back(r.phase);
    out.seconds += r.phase.seconds;
    out.iterations += r.phase.iterations;
  }
  out.status = runs.back().phase.status;
  out.x = res.at("x").nonzeros();
  out.lam_x = res.at("lam_x").nonzeros();
  out.lam_g = res.at("lam_g").nonzeros();
  out.objective = static_cast<double>(res.at("f"));
  out.converged = succeeded(runs.back());
  out.step_time = T;
  out.step_length = P.cond.step_length;
  out.speed = P.cond.speed;
  out.body_mass = P.body_weight / kGravity;

  // Objective terms at the solution.
  {
    const std::vector<DM> tv = tr->terms(std::vector<DM>{res.at("x"), pv});
    out.objective_terms = {{"effort", static_cast<double>(tv[0])},
                           {"metabolic", static_cast<double>(tv[1])},
                           {"acceleration", static_cast<double>(tv[2])},
                           {"tendon_rate", static_cast<double>(tv[3])},
                           {"reserve", static_cast<double>(tv[4])},
                           {"passive_moment", static_cast<double>(tv[5])},
                           {"excitation_rate", static_cast<double>(tv[6])}};
  }

  // Trajectories at the nodes 0..N.
  const std::vector<DM> xu = tr->full(std::vector<DM>{res.at("x"), pv});
  const DM& Xv = xu[0];
  const DM& Uv = xu[1];
  for (int j = 0; j < kNq; ++j) out.coordinate_names.push_back(coordinate_name(j));
  for (int s = 0; s < 2; ++s)
    for (const std::string& n : P.muscle_names) out.muscle_names.push_back(n + (s == 0 ? "_r" : "_l"));
  const casadi::Function sig_map = tr->signals.map(N + 1);
  const DM cap_v = pv(casadi::Slice(0, L.m));
  const std::vector<DM> sv = sig_map(std::vector<DM>{Xv, Uv, repmat(cap_v, 1, N + 1)});
  for (int k = 0; k <= N; ++k) {
    out.time.push_back(times[k]);
    std::vector<double> q(kNq), qd(kNq), qdd(kNq);
    for (int j = 0; j < kNq; ++j) {
      q[j] = static_cast<double>(Xv(L.q(j), k));
      qd[j] = static_cast<double>(Xv(L.qd(j), k));
      qdd[j] = static_cast<double>(Uv(L.qdd(j), k)) * kAccelerationScale;
    }
    out.q.push_back(q);
    out.qd.push_back(qd);
    out.qdd.push_back(qdd);
    std::vector<double> e, a, ft, ln;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < L.m; ++i) {
        e.push_back(static_cast<double>(Uv(L.e(s, i), k)));
        a.push_back(static_cast<double>(Xv(L.a(s, i), k)));
        ft.push_back(static_cast<double>(sv[3](s * L.m + i, k)));
        ln.push_back(static_cast<double>(sv[4](s * L.m + i, k)));
      }
    out.excitation.push_back(e);
    out.activation.push_back(a);
    out.tendon_force.push_back(ft);
    out.fiber_length_norm.push_back(ln);
    std::vector<double> mom(6), resv(6, 0.0), grf(4), cop(2), quad(2);
    for (int j = 0; j < 6; ++j) mom[j] = static_cast<double>(sv[2](j, k));
    if (L.reserves)
      for (int s = 0; s < 2; ++s)
        for (int j = 0; j < 3; ++j) resv[3 * s + j] = static_cast<double>(Uv(L.res(s, j), k)) * opt.reserve_scale;
    for (int j = 0; j < 4; ++j) grf[j] = static_cast<double>(sv[0](j, k));
    for (int j = 0; j < 2; ++j) {
      cop[j] = static_cast<double>(sv[1](j, k));
      quad[j] = static_cast<double>(sv[5](j, k));
    }
    out.joint_moment.push_back(mom);
    out.reserve.push_back(resv);
    out.grf.push_back(grf);
    out.cop_x.push_back(cop);
    out.quadriceps_force.push_back(quad);
    std::vector<double> pf(2), ps(2);
    for (int s = 0; s < 2; ++s) {
      const PfjLoad<double> l = pfj_load(quad[s], q[joint_coordinate(kSides[s], 1)] * kRadToDeg, P.pfj);
      pf[s] = l.force;
      ps[s] = l.stress;
    }
    out.pfj_force.push_back(pf);
    out.pfj_stress.push_back(ps);
    std::vector<double> er(2 * L.m);
    for (int i = 0; i < 2 * L.m; ++i) er[i] = static_cast<double>(sv[8](i, k));
    out.metabolic_rate.push_back(er);
  }
  // Muscle metabolic energy per kg body mass and metre of the step (whichever the objective), by the
  // trapezoidal rule over the node times, and its parts.
  {
    const double per = 1.0 / (out.step_length * out.body_mass);  // 1/(kg·m)
    auto integral = [&](auto value) {
      double s = 0.0;
      for (int k = 0; k < N; ++k) s += 0.5 * (value(k) + value(k + 1)) * (out.time[k + 1] - out.time[k]);
      return s * per;
    };
    double total = 0.0;
    for (int t = 0; t < kMetabolicTerms; ++t) {
      const double v = integral([&](int k) { return static_cast<double>(sv[9](t, k)); });
      out.metabolic_cost[kMetabolicTermNames[t]] = v;
      if (t != kMetabolicTerms - 1) total += v;  // negative work is reported, not counted
    }
    out.metabolic_cost["total"] = total;
  }

  // Variables resting on a bound at touchdown (node 0) or for more than 5 % of the mesh: joint
  // angles and excitations (a bound is a wide physiological limit, so resting on it is a finding).
  // (On a graded mesh "5 % of the mesh" is 5 % of the step's duration, by quadrature weight.)
  auto check = [&](const std::string& name, double lo, double hi, auto value) {
    const double tol = 1e-3 * (hi - lo);
    double share = 0.0;
    bool at_td = false;
    for (int k = 0; k < N; ++k) {
      const double v = value(k);
      const bool on = v <= lo + tol || v >= hi - tol;
      if (on) share += (k == 0 ? weight[0] + weight[N] : weight[k]) / T;
      if (k == 0) at_td = on;
    }
    if (at_td || share > 0.05) out.variables_on_bounds.push_back(name);
  };
  for (int j = 2; j < kNq; ++j)
    check(coordinate_name(j), xlo[L.q(j)], xhi[L.q(j)], [&](int k) { return out.q[k][j]; });
  // A joint pressed past its soft range-of-motion limit (where the passive moment rises steeply) is
  // resting on a limit too: the passive moment then carries load that muscles would otherwise carry.
  for (int s = 0; s < 2; ++s)
    for (int jj = 0; jj < 3; ++jj) {
      const int j = joint_coordinate(kSides[s], jj);
      check(coordinate_name(j) + " (passive limit)", kPassiveRange[jj].lo_deg * kDegToRad,
            kPassiveRange[jj].hi_deg * kDegToRad, [&](int k) { return out.q[k][j]; });
    }
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < L.m; ++i) {
      const int idx = s * L.m + i;
      // Only the upper bound of an excitation is a limit; resting at minimum excitation is normal.
      check("excitation_" + out.muscle_names[idx], -1.0, uhi[L.e(s, i)], [&](int k) { return out.excitation[k][idx]; });
    }
  return out;
}

// ---- node physics at numeric values (include/legsim/predict/biped_physics.hpp; for tests) -------

CollocationNode evaluate_collocation_node(const Model& model, const GaitCondition& condition,
                                          const PredictOptions& options, const std::vector<double>& q,
                                          const std::vector<double>& qd, const std::vector<double>& qdd,
                                          const std::vector<double>& activation,
                                          const std::vector<double>& norm_tendon_force,
                                          const std::vector<double>& norm_tendon_force_rate,
                                          const std::vector<double>& excitation, const std::vector<double>& reserve) {
  const Problem P = make_problem(model, condition, options);
  const Layout& L = P.L;
  auto size = [](const char* field, std::size_t got, int expected) {
    if (got != static_cast<std::size_t>(expected))
      throw InputError(std::string("evaluate_collocation_node: ") + field + ": expected " + std::to_string(expected) +
                       " values, got " + std::to_string(got));
  };
  size("q", q.size(), kNq);
  size("qd", qd.size(), kNq);
  size("qdd", qdd.size(), kNq);
  size("activation", activation.size(), 2 * L.m);
  size("norm_tendon_force", norm_tendon_force.size(), 2 * L.c);
  size("norm_tendon_force_rate", norm_tendon_force_rate.size(), 2 * L.c);
  size("excitation", excitation.size(), 2 * L.m);
  if (L.reserves) size("reserve", reserve.size(), 6);
  std::vector<double> x(L.nx(), 0.0), u(L.nu(), 0.0);
  for (int j = 0; j < kNq; ++j) {
    x[L.q(j)] = q[j];
    x[L.qd(j)] = qd[j];
    u[L.qdd(j)] = qdd[j] / kAccelerationScale;
  }
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < L.m; ++i) {
      x[L.a(s, i)] = activation[s * L.m + i];
      u[L.e(s, i)] = excitation[s * L.m + i];
    }
    for (int k = 0; k < L.c; ++k) {
      x[L.ft(s, k)] = norm_tendon_force[s * L.c + k];
      u[L.dft(s, k)] = norm_tendon_force_rate[s * L.c + k] / kTendonRateScale;
    }
    if (L.reserves)
      for (int j = 0; j < 3; ++j) u[L.res(s, j)] = reserve[3 * s + j] / P.opt.reserve_scale;
  }
  const SX xs = SX::sym("x", L.nx()), us = SX::sym("u", L.nu());
  std::vector<double> capacity;
  for (int i = 0; i < L.m; ++i) capacity.push_back(P.muscles.muscles[i].mtu.active_capacity);
  const NodeOut no = node_physics(P, xs, us, SX(DM(capacity)));
  const casadi::Function f("node", {xs, us},
                           {no.xdot, no.residual, no.grf, no.moment, no.tendon_force, no.quadriceps_force});
  const std::vector<DM> r = f(std::vector<DM>{DM(x), DM(u)});
  CollocationNode out;
  out.xdot = r[0].nonzeros();
  out.residual = r[1].nonzeros();
  out.grf = r[2].nonzeros();
  out.joint_moment = r[3].nonzeros();
  out.tendon_force = r[4].nonzeros();
  out.quadriceps_force = r[5].nonzeros();
  return out;
}

}  // namespace legsim::predict
