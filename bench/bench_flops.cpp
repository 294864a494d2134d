// Floating-point operations per stance right-hand side, counted by instrumentation: stance_rhs is
// instantiated for a scalar type that wraps double and counts every +, −, ×, ÷ (1 flop each; an
// FMA is counted as its two operations, as the machine's peak is) and every call of a
// transcendental function. The counts are reported as Google Benchmark counters so that
// bench/run_bench.py can divide the achieved rate by the machine's peak:
//   flops_per_rhs           arithmetic operations only
//   calls_per_rhs           exp/log/pow/sin/cos/sinh/tanh/sqrt calls
//   weighted_flops_per_rhs  arithmetic + each call weighted by the flops of a polynomial SIMD
//                           implementation (kCallWeight below; sqrt = 1, a hardware instruction)
// Comparisons, selects, min/max and abs are not counted (they are not floating-point arithmetic
// in the sense of the peak rate). The timed loop is the counting instantiation itself; only the
// counters matter.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace flopcount {

inline std::int64_t g_flops = 0;
inline std::int64_t g_calls = 0;
inline std::int64_t g_call_weight = 0;

/// A double that counts the arithmetic done on it.
struct Counted {
  double v = 0.0;
  Counted() = default;
  Counted(double x) : v(x) {}  // NOLINT: implicit, like double
  explicit operator double() const { return v; }
  Counted& operator+=(const Counted& o) { ++g_flops; v += o.v; return *this; }
  Counted& operator-=(const Counted& o) { ++g_flops; v -= o.v; return *this; }
  Counted& operator*=(const Counted& o) { ++g_flops; v *= o.v; return *this; }
  Counted& operator/=(const Counted& o) { ++g_flops; v /= o.v; return *this; }
};
inline Counted operator+(Counted a, const Counted& b) { return a += b; }
inline Counted operator-(Counted a, const Counted& b) { return a -= b; }
inline Counted operator*(Counted a, const Counted& b) { return a *= b; }
inline Counted operator/(Counted a, const Counted& b) { return a /= b; }
inline Counted operator-(const Counted& a) { return Counted(-a.v); }
inline Counted operator+(const Counted& a) { return a; }
inline bool operator<(const Counted& a, const Counted& b) { return a.v < b.v; }
inline bool operator>(const Counted& a, const Counted& b) { return a.v > b.v; }
inline bool operator<=(const Counted& a, const Counted& b) { return a.v <= b.v; }
inline bool operator>=(const Counted& a, const Counted& b) { return a.v >= b.v; }
inline bool operator==(const Counted& a, const Counted& b) { return a.v == b.v; }
inline bool operator!=(const Counted& a, const Counted& b) { return a.v != b.v; }

// Flops of each function in a typical polynomial SIMD implementation (range reduction +
// polynomial + reconstruction; xsimd's and SLEEF's are of this size): an assumption, stated in
// bench/README.md.
enum CallWeight : int { kExp = 15, kLog = 20, kPow = 40, kSin = 20, kSinh = 20, kTanh = 20, kSqrt = 1 };
inline Counted call(double r, int weight) {
  ++g_calls;
  g_call_weight += weight;
  return Counted(r);
}
inline Counted exp(const Counted& a) { return call(std::exp(a.v), kExp); }
inline Counted log(const Counted& a) { return call(std::log(a.v), kLog); }
inline Counted pow(const Counted& a, const Counted& b) { return call(std::pow(a.v, b.v), kPow); }
inline Counted pow(const Counted& a, double b) { return call(std::pow(a.v, b), kPow); }
inline Counted sin(const Counted& a) { return call(std::sin(a.v), kSin); }
inline Counted cos(const Counted& a) { return call(std::cos(a.v), kSin); }
inline Counted sinh(const Counted& a) { return call(std::sinh(a.v), kSinh); }
inline Counted tanh(const Counted& a) { return call(std::tanh(a.v), kTanh); }
inline Counted sqrt(const Counted& a) { return call(std::sqrt(a.v), kSqrt); }
inline Counted abs(const Counted& a) { return Counted(std::abs(a.v)); }

}  // namespace flopcount

namespace Eigen {
template <>
struct NumTraits<flopcount::Counted> : NumTraits<double> {
  using Real = flopcount::Counted;
  using NonInteger = flopcount::Counted;
  using Nested = flopcount::Counted;
  using Literal = flopcount::Counted;
  enum { IsComplex = 0, IsInteger = 0, IsSigned = 1, RequireInitialization = 1, ReadCost = 1, AddCost = 1, MulCost = 1 };
};
}  // namespace Eigen

#include "legsim/batch/stance_batch.hpp"
#include "legsim/sim/simulate.hpp"

namespace {

using flopcount::Counted;
using namespace legsim;

/// StanceConstants<double> → StanceConstants<Counted> (every T field converted).
StanceConstants<Counted> to_counted(const StanceConstants<double>& d) {
  StanceConstants<Counted> c;
  for (int s = 0; s < kNumSegments; ++s) {
    c.body.mass[s] = d.body.mass[s];
    c.body.inertia[s] = d.body.inertia[s];
  }
  c.body.trunk_com = d.body.trunk_com;
  c.body.thigh_length = d.body.thigh_length;
  c.body.thigh_com = d.body.thigh_com;
  c.body.shank_length = d.body.shank_length;
  c.body.shank_com = d.body.shank_com;
  for (int k = 0; k < 2; ++k) {
    c.body.foot_com(k) = d.body.foot_com(k);
    for (int p = 0; p < kNumContacts; ++p) c.body.contact_point[p](k) = d.body.contact_point[p](k);
  }
  c.body.total_mass = d.body.total_mass;
  c.contact = d.contact;
  c.pfj = d.pfj;
  c.n_muscles = d.n_muscles;
  c.knee_extensor = d.knee_extensor;
  c.use_controller = d.use_controller;
  c.ramp_time = d.ramp_time;
  c.trunk_kp = d.trunk_kp;
  c.trunk_kd = d.trunk_kd;
  c.trunk_reference_lean = d.trunk_reference_lean;
  c.knee_limit_stiffness = d.knee_limit_stiffness;
  c.knee_limit_damping = d.knee_limit_damping;
  for (int i = 0; i < d.n_muscles; ++i) {
    const MuscleConstants<double>& a = d.muscles[i];
    MuscleConstants<Counted>& m = c.muscles[i];
    m.mtu.max_isometric_force = a.mtu.max_isometric_force;
    m.mtu.optimal_fiber_length = a.mtu.optimal_fiber_length;
    m.mtu.tendon_slack_length = a.mtu.tendon_slack_length;
    m.mtu.fiber_layer_thickness = a.mtu.fiber_layer_thickness;
    m.mtu.max_fiber_velocity = a.mtu.max_fiber_velocity;
    m.mtu.min_activation = a.mtu.min_activation;
    m.mtu.fiber_damping = a.mtu.fiber_damping;
    m.mtu.passive.exponent = a.mtu.passive.exponent;
    m.mtu.passive.offset = a.mtu.passive.offset;
    m.mtu.passive.scale = a.mtu.passive.scale;
    m.mtu.tendon.stiffness = a.mtu.tendon.stiffness;
    m.mtu.has_damping = a.mtu.has_damping;
    m.activation_time_constant = a.activation_time_constant;
    m.deactivation_time_constant = a.deactivation_time_constant;
    m.activation_smoothing = a.activation_smoothing;
    m.reference_length = a.reference_length;
    m.rigid_tendon = a.rigid_tendon;
    m.level = a.level;
    m.onset = a.onset;
    m.offset = a.offset;
    m.force_gain = a.force_gain;
    m.length_gain = a.length_gain;
    m.length_offset = a.length_offset;
    m.trunk_gain = a.trunk_gain;
    m.n_crossings = a.n_crossings;
    m.crossings = a.crossings;
    m.crossing_trig = a.crossing_trig;
  }
  return c;
}

void BM_RhsFlopCount(benchmark::State& state) {
  const Model model = Model::default_model();
  const StanceConstants<double> cd = make_stance_constants(model, nullptr, &model.controller());
  const StanceConstants<Counted> c = to_counted(cd);
  TouchdownState td;
  td.hip_flexion = 0.55;
  td.knee_flexion = 0.3;
  td.ankle_dorsiflexion = 15.0 * 3.14159265358979 / 180.0 - (0.55 - 0.1 - 0.3);
  td.hip_velocity_x = 3.5;
  const std::vector<double> x0 = touchdown_state_vector(model, cd, td);
  std::vector<Counted> x(x0.begin(), x0.end()), dx(x0.size());
  // A loaded state: press the foot 5 mm into the ground so that contact terms are active.
  x[kStateQ + 1] = x[kStateQ + 1] - Counted(0.005);
  std::int64_t flops = 0, calls = 0, weight = 0, n = 0;
  for (auto _ : state) {
    flopcount::g_flops = flopcount::g_calls = flopcount::g_call_weight = 0;
    stance_rhs(c, Counted(0.05), x.data(), static_cast<const Counted*>(nullptr), dx.data());
    flops += flopcount::g_flops;
    calls += flopcount::g_calls;
    weight += flopcount::g_call_weight;
    ++n;
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["flops_per_rhs"] = static_cast<double>(flops) / static_cast<double>(n);
  state.counters["calls_per_rhs"] = static_cast<double>(calls) / static_cast<double>(n);
  state.counters["weighted_flops_per_rhs"] = static_cast<double>(flops + weight) / static_cast<double>(n);
}

BENCHMARK(BM_RhsFlopCount)->Iterations(1000);

}  // namespace

BENCHMARK_MAIN();
