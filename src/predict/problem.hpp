#pragma once
// Internal to legsim_predict (src/predict/): the collocation problem's layout and per-node physics in
// CasADi SX (problem.cpp) and its initial guesses (guess.cpp), used by the transcription and solver
// (collocation.cpp). Not installed.
#include <casadi/casadi.hpp>

#include <string>
#include <vector>

#include "legsim/body/biped.hpp"
#include "legsim/body/smooth_contact.hpp"
#include "legsim/joint_load/pfj.hpp"
#include "legsim/muscle/metabolics.hpp"
#include "legsim/predict/biped_physics.hpp"
#include "legsim/predict/predict.hpp"
#include "legsim/sim/stance_dynamics.hpp"

namespace legsim::predict::detail {

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

inline int joint_coordinate(Side s, int j) {
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

/// The node's physics in SX (states x, controls u, each muscle's active capacity c_i).
NodeOut node_physics(const Problem& P, const casadi::SX& x, const casadi::SX& u, const casadi::SX& capacity);
/// Permutations that swap the legs, for states and controls.
std::vector<int> mirror_state(const Layout& L);
std::vector<int> mirror_control(const Layout& L);
casadi::MX permute_rows(const casadi::MX& v, const std::vector<int>& p);
/// Everything fixed for one condition (validates the options).
Problem make_problem(const Model& model, const GaitCondition& condition, const PredictOptions& opt);
std::string coordinate_name(int j);
/// Each muscle's active capacity c_i of one leg (model × condition), the node physics' `capacity`.
std::vector<double> active_capacities(const Problem& P);

/// Bounds of one node's states and controls: wide physiological limits, kBoundMargin beyond the
/// passive ranges for the joints (a solution on them is reported in variables_on_bounds).
struct NodeBounds {
  std::vector<double> xlo, xhi, ulo, uhi;
};
NodeBounds node_bounds(const Problem& P);

/// The solution's trajectories at nodes 0..N into `out` (time, q, q̇, q̈, muscles, moments, GRF,
/// PFJ, metabolic rates and cost) from the node values X (nx × N+1), U (nu × N+1) and the mapped
/// signals function's outputs (result.cpp).
void fill_trajectories(PredictedGait& out, const Problem& P, const std::vector<double>& times, const casadi::DM& Xv,
                       const casadi::DM& Uv, const std::vector<casadi::DM>& sv);
/// `out.variables_on_bounds` from its trajectories (result.cpp; the rule is there).
void find_variables_on_bounds(PredictedGait& out, const Problem& P, const NodeBounds& b);

/// The generic running guess (guess.cpp) as a decision vector [vec(X); vec(U)] on the node times.
std::vector<double> generic_guess(const Problem& P, const std::vector<double>& times);
/// A previous solution's trajectory resampled onto this problem's mesh (guess.cpp).
std::vector<double> resampled_guess(const Problem& P, const std::vector<double>& times, const PredictedGait& g);

}  // namespace legsim::predict::detail
