// The scalar stance path's muscles evaluated together: one muscle per SIMD lane (issue 22.5).
//
// Why: a scalar right-hand side spent about half its time in the muscles — per muscle five to nine
// calls of exp and log (force–length, passive force, inverse force–velocity, tendon inverse,
// activation, the controller's ramps), each a libm call on one number. The same kernel
// (detail::muscle_kernel) on an xsimd batch evaluates up to 8 muscles (AVX-512; 4 with AVX2, 2 with
// SSE2) for about the price of one: measured 518 → 193 ns for the default model's seven muscles
// (six in a batch, the rigid-tendon hip flexor alone; docs/decisions.md, "cheaper scalar stance").
// The rigid-tendon hip flexor now rides in the same batch (detail::mixed_tendon_mtu): 65 ns alone
// on libm, about 20 ns more for the batch (docs/decisions.md, "one right-hand side cheaper").
// The batch engine, whose lanes are stances, evaluates one muscle per batch (of stances), stage by
// stage over its muscles (detail::muscle_kernels_by_stage).
//
// Compiled once, with the library's instruction set (xsimd's default architecture): the batch
// engine's workers are compiled for several instruction sets, and a header-only version would give
// the scalar path's code a different batch type in each of them.
#include <cassert>
#include <cstdint>

#include "legsim/sim/stance_dynamics.hpp"

namespace legsim {
namespace {

using Lanes = xsimd::batch<double>;
constexpr int kLanes = static_cast<int>(Lanes::size);
static_assert(MuscleLanes::kCapacity % kLanes == 0, "whole batches of lanes");
static_assert(MuscleLanes::kCapacity >= kMaxMuscles, "room for every muscle");
static_assert(xsimd::batch<std::int64_t>::size == Lanes::size, "one muscle index per lane");

/// Calls f(v) for every constant of a muscle that muscle_kernel reads, in one fixed order: packing
/// and loading both go through it, so a constant cannot be packed in one slot and read from another.
///
/// A fold over the fields, not a loop over a list of their addresses: the loop kept the 22 addresses
/// in an array on the stack and loaded each batch through it, ≈ 3 % of muscle_lane_kernels in perf
/// (issue 22.5); the fold is 22 straight loads. (f(v), ...) calls f in order, left to right.
template <class T, class F>
void for_each_lane_field(MuscleConstants<T>& m, F&& f) {
  MtuCoefficients<T>& c = m.mtu;
  const auto each = [&f](auto&... v) { (f(v), ...); };
  each(c.max_isometric_force, c.active_capacity, c.optimal_fiber_length, c.tendon_slack_length,
       c.fiber_layer_thickness, c.max_fiber_velocity, c.min_activation, c.fiber_damping, c.passive.exponent,
       c.passive.offset, c.passive.scale, c.tendon.stiffness, m.activation_time_constant,
       m.deactivation_time_constant, m.activation_smoothing, m.level, m.onset, m.offset, m.force_gain,
       m.length_gain, m.length_offset, m.trunk_gain);
}

/// Calls f(v) for the outputs of muscle_kernel, in one fixed order (lanes → muscles): the three the
/// derivative needs, then (all) the seven only the signals read. The derivative alone skips the
/// seven: their copies, lane by lane into 80-byte records, were a tenth of the muscles' cost.
template <class T, class F>
void for_each_output(MuscleKernelOutputs<T>& o, bool all, F&& f) {
  const auto each = [&f](auto&... v) { (f(v), ...); };  // as for_each_lane_field: no address list
  each(o.activation_rate, o.tendon_rate, o.tendon_force);
  if (all)
    each(o.excitation, o.activation, o.fiber_length, o.norm_fiber_length, o.fiber_velocity, o.tendon_strain,
         o.fiber_force);
}
constexpr int kOutputs = 10;

/// The constants of one crossing slot of a lane, in MuscleLanes::crossing's order: crossing_kinematics'
/// gain −s·r0, whether it is a hip crossing (1/0), φ_ref, the crossing's CrossingTrig and the arm
/// scale s·r0. A slot past the muscle's crossings is a hip crossing with zero gain and arm: it adds
/// exactly nothing (0·(φ − 0) and 0·φ̇ added to a finite length and velocity).
std::array<double, MuscleLanes::kCrossingFields> crossing_fields(const MuscleConstants<double>& m, int k) {
  if (k >= m.n_crossings) return {0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0};
  const JointCrossing& c = m.crossings[k];
  const CrossingTrig& trig = m.crossing_trig[k];
  const double s = static_cast<double>(c.action);  // as crossing_kinematics computes gain and arm
  return {-s * c.moment_arm, c.joint == Joint::kHip ? 1.0 : 0.0, c.angle_ref, trig.max_cosine, trig.max_sine,
          trig.reference_sine, s * c.moment_arm};
}

/// crossing_kinematics of every lane's muscle, summed into its path: length (from the reference
/// length), velocity (from 0) and the moment arm of each crossing slot — crossing_kinematics' terms
/// (crossing_terms, geometry.hpp) and the sums of stance_equations' per-muscle loop, one muscle per
/// lane, with the crossed joint's φ, φ̇, sin φ, cos φ picked per lane. Why (issue 22.5): computed
/// per muscle in scalar code and then gathered into the lanes, the paths stood before the start of
/// the kernel's latency-bound chain; in the lanes a right-hand side takes ≈ 10 ns (4 %) less
/// (measured, docs/decisions.md).
struct LanePaths {
  Lanes length, velocity;
  std::array<Lanes, kMaxCrossings> arm;
};
LanePaths lane_paths(const MuscleLanes& p, int base, const JointAngles<double>& j) {
  LanePaths out{Lanes::load_aligned(&p.reference_length[base]), Lanes(0.0), {}};
  for (int k = 0; k < kMaxCrossings; ++k) {
    const Lanes joint = Lanes::load_aligned(&p.crossing_joint[k][base]);
    const auto first = joint < Lanes(0.5), second = joint < Lanes(1.5);
    const auto pick = [&](const std::array<double, kNumJoints>& v) {
      return xsimd::select(first, Lanes(v[0]), xsimd::select(second, Lanes(v[1]), Lanes(v[2])));
    };
    const auto field = [&](int f) { return Lanes::load_aligned(&p.crossing[k][f][base]); };
    const auto hip = field(1) > Lanes(0.5);
    const CrossingKinematics<Lanes> ck = crossing_terms(hip, field(0), field(6), field(2), field(3), field(4), field(5),
                                                        pick(j.phi), pick(j.sin_phi), pick(j.cos_phi));
    out.length = out.length + ck.length_change;
    out.velocity = out.velocity + ck.dl_dphi * pick(j.phi_dot);
    out.arm[k] = ck.moment_arm;
  }
  return out;
}

}  // namespace

MuscleLanes pack_muscle_lanes(const StanceConstants<double>& c) {
  MuscleLanes p;
  // Compliant tendons first, then rigid ones: a batch evaluates both MTU models only if it holds both.
  for (const bool rigid : {false, true})
    for (int i = 0; i < c.n_muscles; ++i)
      if (c.muscles[i].rigid_tendon == rigid) p.muscle[p.n++] = i;
  if (p.n == 0) return p;
  // Padding lanes repeat the last packed muscle: finite results, never read.
  for (int l = p.n; l < MuscleLanes::kCapacity; ++l) p.muscle[l] = p.muscle[p.n - 1];
  for (int l = 0; l < MuscleLanes::kCapacity; ++l) {
    MuscleConstants<double> m = c.muscles[p.muscle[l]];
    int k = 0;
    for_each_lane_field(m, [&](double& v) { p.field[k++][l] = v; });
    assert(k == MuscleLanes::kFields);
    p.has_damping = p.has_damping || m.mtu.has_damping;
    p.rigid_tendon[l] = m.rigid_tendon ? 1.0 : 0.0;
    p.reference_length[l] = m.reference_length;
    for (int cr = 0; cr < kMaxCrossings; ++cr) {
      p.crossing_joint[cr][l] = cr < m.n_crossings ? static_cast<double>(m.crossings[cr].joint) : 0.0;
      const auto f = crossing_fields(m, cr);
      for (int q = 0; q < MuscleLanes::kCrossingFields; ++q) p.crossing[cr][q][l] = f[q];
    }
  }
  return p;
}

LEGSIM_FLATTEN void muscle_lane_kernels(const StanceConstants<double>& c, double t, double trunk,
                                        const JointAngles<double>& joints, const double* x, const double* u,
                                        bool signals, std::array<MuscleKernelOutputs<double>, kMaxMuscles>& out,
                                        MusclePaths<double>& path) {
  const MuscleLanes& p = c.muscle_lanes;
  const int n = c.n_muscles;
  for (int base = 0; base < p.n; base += kLanes) {
    MuscleConstants<Lanes> m;
    int k = 0;
    for_each_lane_field(m, [&](Lanes& v) { v = Lanes::load_aligned(&p.field[k++][base]); });
    m.mtu.has_damping = p.has_damping;
    m.rigid_tendon = false;  // per lane below; a rigid lane's df_T/dt is 0 (evaluate_rigid_mtu)
    // Each lane's inputs gathered by its muscle's index.
    const auto index = xsimd::batch<std::int64_t>::load_aligned(&p.muscle[base]);
    const LanePaths lp = lane_paths(p, base, joints);
    const Lanes &mtu_length = lp.length, &mtu_velocity = lp.velocity;
    const Lanes a = Lanes::gather(x + activation_index(0), index);
    const Lanes tendon_state = Lanes::gather(x + tendon_state_index(n, 0), index);  // unused (finite) if rigid
    const Lanes excitation = c.use_controller ? Lanes(0.0) : Lanes::gather(u, index);
    const auto rigid = Lanes::load_aligned(&p.rigid_tendon[base]) > Lanes(0.5);
    const MtuOutputs<Lanes> o = xsimd::none(rigid)
                                    ? evaluate_compliant_mtu(m.mtu, mtu_length, mtu_velocity, a, tendon_state)
                                    : detail::mixed_tendon_mtu(m.mtu, rigid, mtu_length, mtu_velocity, a, tendon_state);
    MuscleKernelOutputs<Lanes> ko = detail::muscle_kernel_outputs(m, c.use_controller, Lanes(c.ramp_time), Lanes(t),
                                                                  Lanes(trunk), o, a, excitation);
    alignas(64) double res[kOutputs][kLanes];
    k = 0;
    for_each_output(ko, signals, [&](Lanes& v) { v.store_aligned(res[k++]); });
    alignas(64) double arm[kMaxCrossings][kLanes], length[kLanes], velocity[kLanes];
    for (int cr = 0; cr < kMaxCrossings; ++cr) lp.arm[cr].store_aligned(arm[cr]);
    if (signals) {
      mtu_length.store_aligned(length);
      mtu_velocity.store_aligned(velocity);
    }
    for (int l = 0; l < kLanes && base + l < p.n; ++l) {
      const auto i = p.muscle[base + l];
      k = 0;
      for_each_output(out[i], signals, [&](double& v) { v = res[k++][l]; });
      for (int cr = 0; cr < kMaxCrossings; ++cr) path.arm[i][cr] = arm[cr][l];
      if (signals) {
        path.length[i] = length[l];
        path.velocity[i] = velocity[l];
      }
    }
  }
}

}  // namespace legsim
