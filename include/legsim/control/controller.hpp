#pragma once
// Stance controller (docs/gait_matching.md, issue 4): smooth feedforward excitation per muscle plus reflex
// feedback in the spirit of Geyer & Herr (2010, doi:10.1109/TNSRE.2010.2047592) — positive force
// feedback, length feedback and trunk balance through the hip muscles — evaluated inside the
// stance right-hand side from the current state (no neural delays: a documented simplification).
//
//   u_i(t) = clamp( L_i·σ((t − t_on,i)/w)·σ((t_off,i − t)/w)            feedforward
//                 + G_F,i·f_T,i                                         force feedback (normalized tendon force)
//                 + G_L,i·max(l̃_M,i − l̃_0,i, 0)                         length feedback (normalized fiber length)
//                 + s_i·[k_p·(θ − θ_ref) + k_d·θ̇],  0, 1)              trunk balance (θ = trunk forward lean)
// σ(z) = ½(1 + tanh z); s_i = +1 for hip extensors (pull a forward-leaning trunk back), −1 for
// hip flexors, 0 otherwise.
#include <cmath>
#include <string>
#include <vector>

namespace legsim {

/// The feedforward term L·σ((t − t_on)/w)·σ((t_off − t)/w), σ(z) = ½(1 + tanh z), for any scalar type.
/// Computed as L / ((1 + e^(−2(t − t_on)/w))·(1 + e^(−2(t_off − t)/w))),
/// since ½(1 + tanh z) = 1/(1 + e^(−2z)):
/// two exponentials and one division instead of two tanh (an exponential and a division each, plus
/// a polynomial branch). An overflowing exponential gives inf and the term 0, as tanh's limit.
template <class T>
T feedforward_excitation(const T& level, const T& onset, const T& offset, const T& ramp_time, const T& t) {
  using std::exp;
  const T rate = T(2.0) / ramp_time;
  const T rise = exp(rate * (onset - t));   // e^(−2(t − t_on)/w)
  const T fall = exp(rate * (t - offset));  // e^(−2(t_off − t)/w)
  return level / ((T(1.0) + rise) * (T(1.0) + fall));
}

struct MuscleControl {
  double level = 0.0;          ///< feedforward excitation L, [0, 1]
  double onset = 0.0;          ///< s after touchdown, [−0.5, 1]
  double offset = 0.25;        ///< s after touchdown, (onset, 1]
  double force_gain = 0.0;     ///< G_F, [0, 2]
  double length_gain = 0.0;    ///< G_L, [0, 5]
  double length_offset = 1.0;  ///< l̃_0, [0, 2]
  double trunk_gain = 0.0;     ///< s, [−1, 1]
  /// p, [0, 1]: how much of its force a muscle active in late swing carries at touchdown. The
  /// tendon starts at p·f_T(a_td) + (1 − p)·f_T(a_min), f_T(a) being the normalized tendon force of
  /// the static equilibrium at activation a and the touchdown posture. 0 (the default) = relaxed
  /// tendon: pre-activation builds force only after contact. 1 = the muscle has held its touchdown
  /// activation long enough for the force to develop (e.g. a tibialis anterior active through
  /// swing). A modelling input for pre-activation studies, not a published value.
  double pretension = 0.0;
  /// w, [0, 100]: the muscle's weight in the effort Σᵢ wᵢ ∫ aᵢ³ dt that gait matching minimizes
  /// (all wᵢ = 1 by default, docs/gait_matching.md). Weights proportional to muscle volume (F_max·l_opt;
  /// python: legsim.volume_effort_weights) make large muscles cost more per unit activation. Read
  /// from the model's controller by the metrics and the batch engine alike.
  double effort_weight = 1.0;
};

struct ControllerParams {
  double ramp_time = 0.01;              ///< w (s), (0, 0.1]
  double trunk_kp = 1.91;               ///< k_p (1/rad), [0, 20], Geyer & Herr 2010
  double trunk_kd = 0.25;               ///< k_d (s/rad), [0, 5], Geyer & Herr 2010
  double trunk_reference_lean = 0.105;  ///< θ_ref (rad), [−0.5, 0.8], Geyer & Herr 2010
  std::vector<std::string> muscle_names;  ///< model order
  std::vector<MuscleControl> muscles;     ///< model order
};

}  // namespace legsim
