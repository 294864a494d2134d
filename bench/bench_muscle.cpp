// Muscle kernel throughput: compliant-tendon state derivative df_T/dt (curves + inverse
// force–velocity + tendon) for N muscles with per-muscle parameters in structure-of-arrays form,
// scalar loop (T = double) vs xsimd::batch<double> loop (one muscle per lane).
// Items = muscle evaluations; a custom main prints the batch/scalar ratio per N after the run
// (JSON output with --benchmark_out=<file> --benchmark_out_format=json works as usual).
// Also (issue 20.4): the static equilibrium solve (solve_mtu_equilibrium, items = solves) and each
// curve's value and slope, from the hand-written derivative or from Eigen's forward-mode autodiff
// (items = curve evaluations).
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "legsim/core/ops.hpp"
#include "legsim/muscle/mtu.hpp"
#include "legsim/muscle/params.hpp"

namespace {

using Batch = legsim::BatchD;
constexpr std::size_t kLanes = Batch::size;

/// N muscles' coefficients and inputs, one array per field, padded to a multiple of the lane count.
struct MuscleSoA {
  std::size_t n = 0, padded = 0;
  std::vector<double> max_isometric_force, optimal_fiber_length, tendon_slack_length, fiber_layer_thickness,
      max_fiber_velocity, min_activation, fiber_damping, passive_exponent, passive_offset, passive_scale,
      tendon_stiffness;
  std::vector<double> mtu_length, mtu_velocity, activation, norm_tendon_force, out;
  bool has_damping = false;  ///< true if any muscle has fiber damping β > 0
};

/// Random but physiological muscles (ranges spanning the Geyer & Herr 2010 / Rajagopal 2016
/// tables) at states near their isometric equilibrium, warmed up to a typical running state.
MuscleSoA make_muscles(std::size_t n, bool damping) {
  MuscleSoA s;
  s.has_damping = damping;
  s.n = n;
  s.padded = (n + kLanes - 1) / kLanes * kLanes;
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto resize = [&](std::vector<double>& v) { v.assign(s.padded, 0.0); };
  for (auto* v : {&s.max_isometric_force, &s.optimal_fiber_length, &s.tendon_slack_length, &s.fiber_layer_thickness,
                  &s.max_fiber_velocity, &s.min_activation, &s.fiber_damping, &s.passive_exponent, &s.passive_offset,
                  &s.passive_scale, &s.tendon_stiffness, &s.mtu_length, &s.mtu_velocity, &s.activation,
                  &s.norm_tendon_force, &s.out})
    resize(*v);
  for (std::size_t i = 0; i < s.padded; ++i) {
    legsim::MuscleParams p;
    p.max_isometric_force = 800.0 + 5000.0 * u(rng);
    p.optimal_fiber_length = 0.04 + 0.07 * u(rng);
    p.tendon_slack_length = 0.10 + 0.30 * u(rng);
    p.pennation_angle_at_optimal = 0.4 * u(rng);
    p.max_contraction_velocity = 6.0 + 6.0 * u(rng);
    p.fiber_damping = damping ? 0.01 + 0.09 * u(rng) : 0.0;
    const legsim::MtuCoefficients<double> c = legsim::make_mtu_coefficients<double>(p);
    s.max_isometric_force[i] = c.max_isometric_force;
    s.optimal_fiber_length[i] = c.optimal_fiber_length;
    s.tendon_slack_length[i] = c.tendon_slack_length;
    s.fiber_layer_thickness[i] = c.fiber_layer_thickness;
    s.max_fiber_velocity[i] = c.max_fiber_velocity;
    s.min_activation[i] = c.min_activation;
    s.fiber_damping[i] = c.fiber_damping;
    s.passive_exponent[i] = c.passive.exponent;
    s.passive_offset[i] = c.passive.offset;
    s.passive_scale[i] = c.passive.scale;
    s.tendon_stiffness[i] = c.tendon.stiffness;
    const double f = 0.1 + 1.1 * u(rng);
    const double eq_norm_length = 0.7 + 0.6 * u(rng);
    const double lm = eq_norm_length * p.optimal_fiber_length;
    const double h = c.fiber_layer_thickness;
    const double lt = legsim::curves::tendon_force_length_inverse(f * (0.9 + 0.2 * u(rng)), c.tendon) * p.tendon_slack_length;
    s.mtu_length[i] = std::sqrt(std::max(lm * lm - h * h, 0.0)) + lt;
    s.mtu_velocity[i] = -0.3 + 0.6 * u(rng);
    s.activation[i] = 0.05 + 0.95 * u(rng);
    s.norm_tendon_force[i] = f;
  }
  return s;
}

template <class T>
legsim::MtuCoefficients<T> load_coefficients(const MuscleSoA& s, std::size_t i) {
  const auto ld = [&](const std::vector<double>& v) {
    if constexpr (legsim::is_batch_v<T>) {
      return T::load_unaligned(v.data() + i);
    } else {
      return v[i];
    }
  };
  legsim::MtuCoefficients<T> c;
  c.max_isometric_force = ld(s.max_isometric_force);
  c.optimal_fiber_length = ld(s.optimal_fiber_length);
  c.tendon_slack_length = ld(s.tendon_slack_length);
  c.fiber_layer_thickness = ld(s.fiber_layer_thickness);
  c.max_fiber_velocity = ld(s.max_fiber_velocity);
  c.min_activation = ld(s.min_activation);
  c.fiber_damping = ld(s.fiber_damping);
  c.passive.exponent = ld(s.passive_exponent);
  c.passive.offset = ld(s.passive_offset);
  c.passive.scale = ld(s.passive_scale);
  c.tendon.stiffness = ld(s.tendon_stiffness);
  c.has_damping = s.has_damping;
  return c;
}

void BM_MuscleKernelScalar(benchmark::State& state) {
  MuscleSoA s = make_muscles(static_cast<std::size_t>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) {
    for (std::size_t i = 0; i < s.n; ++i) {
      const legsim::MtuCoefficients<double> c = load_coefficients<double>(s, i);
      s.out[i] = legsim::norm_tendon_force_derivative(c, s.mtu_length[i], s.mtu_velocity[i], s.activation[i],
                                                      s.norm_tendon_force[i]);
    }
    benchmark::DoNotOptimize(s.out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.n));
}

void BM_MuscleKernelBatch(benchmark::State& state) {
  MuscleSoA s = make_muscles(static_cast<std::size_t>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) {
    // Padded to whole batches: for N < lanes the spare lanes do real (discarded) work.
    for (std::size_t i = 0; i < s.padded; i += kLanes) {
      const legsim::MtuCoefficients<Batch> c = load_coefficients<Batch>(s, i);
      const Batch r = legsim::norm_tendon_force_derivative(
          c, Batch::load_unaligned(s.mtu_length.data() + i), Batch::load_unaligned(s.mtu_velocity.data() + i),
          Batch::load_unaligned(s.activation.data() + i), Batch::load_unaligned(s.norm_tendon_force.data() + i));
      r.store_unaligned(s.out.data() + i);
    }
    benchmark::DoNotOptimize(s.out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.n));
}

// Args: {N muscles, damping (0: β = 0 for all, the default model; 1: β ∈ [0.01, 0.1], damped
// velocity solve with kDampedVelocityIterations Newton steps)}.
void muscle_counts(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "damping"});
  for (int damping : {0, 1})
    for (int n : {1, 4, 16, 64, 256, 1024, 4096}) b->Args({n, damping});
}

BENCHMARK(BM_MuscleKernelScalar)->Apply(muscle_counts);
BENCHMARK(BM_MuscleKernelBatch)->Apply(muscle_counts);

/// One static-equilibrium problem: a muscle and its MTU length, velocity and activation.
struct EquilibriumCase {
  legsim::MuscleParams params;
  double mtu_length = 0.0, mtu_velocity = 0.0, activation = 0.0;
};

/// 256 physiological problems (fiber 0.5–1.6 l_opt at a tendon force 0–1.2, |v_MT| ≤ 0.5 m/s, every
/// activation; half of the muscles damped), the kind the initial states of a stance solve.
std::vector<EquilibriumCase> make_equilibrium_cases() {
  std::mt19937_64 rng(4242);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<EquilibriumCase> cases(256);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EquilibriumCase& e = cases[i];
    legsim::MuscleParams& p = e.params;
    p.max_isometric_force = 800.0 + 5000.0 * u(rng);
    p.optimal_fiber_length = 0.04 + 0.07 * u(rng);
    p.tendon_slack_length = 0.10 + 0.30 * u(rng);
    p.pennation_angle_at_optimal = 0.4 * u(rng);
    p.fiber_damping = i % 2 ? 0.01 + 0.09 * u(rng) : 0.0;
    const double h = p.optimal_fiber_length * std::sin(p.pennation_angle_at_optimal);
    const double lm = (0.5 + 1.1 * u(rng)) * p.optimal_fiber_length;
    const double lt = legsim::curves::tendon_force_length_inverse(1.2 * u(rng), p.tendon_strain_at_one_norm_force) *
                      p.tendon_slack_length;
    e.mtu_length = std::sqrt(std::max(lm * lm - h * h, 0.0)) + lt;
    e.mtu_velocity = -0.5 + u(rng);
    e.activation = u(rng);
  }
  return cases;
}

void BM_MtuEquilibrium(benchmark::State& state) {
  const std::vector<EquilibriumCase> cases = make_equilibrium_cases();
  double sum = 0.0;
  int64_t iterations = 0, failed = 0;
  for (auto _ : state) {
    for (const EquilibriumCase& e : cases) {
      const legsim::MtuEquilibrium eq =
          legsim::solve_mtu_equilibrium(e.params, e.mtu_length, e.mtu_velocity, e.activation);
      sum += eq.norm_tendon_force;
      iterations += eq.iterations;
      failed += eq.converged ? 0 : 1;
    }
    benchmark::DoNotOptimize(sum);
  }
  const auto solves = static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(cases.size());
  state.SetItemsProcessed(solves);
  state.counters["iterations_per_solve"] = static_cast<double>(iterations) / static_cast<double>(solves);
  state.counters["failed"] = static_cast<double>(failed);
}
BENCHMARK(BM_MtuEquilibrium);

// Value and slope of each curve over its domain: the hand-written derivative next to the value
// (what the damped fiber-velocity Newton does with fV) or one pass of Eigen::AutoDiffScalar.
using Ad1 = Eigen::AutoDiffScalar<Eigen::Matrix<double, 1, 1>>;
enum class Curve { kActiveForceLength, kPassiveForceLength, kForceVelocity, kTendonForceLength };

template <class T>
T curve_value(Curve curve, const T& x) {
  namespace c = legsim::curves;
  switch (curve) {
    case Curve::kActiveForceLength: return c::active_force_length(x);
    case Curve::kPassiveForceLength: return c::passive_force_length(x, T(0.6));
    case Curve::kForceVelocity: return c::force_velocity(x);
    case Curve::kTendonForceLength: return c::tendon_force_length(x, T(0.049));
  }
  return x;
}

double curve_slope_hand(Curve curve, double x) {
  namespace c = legsim::curves;
  switch (curve) {
    case Curve::kActiveForceLength: return c::active_force_length_derivative(x);
    case Curve::kPassiveForceLength: return c::passive_force_length_derivative(x, 0.6);
    case Curve::kForceVelocity: return c::force_velocity_derivative(x);
    case Curve::kTendonForceLength: return c::tendon_force_length_derivative(x, 0.049);
  }
  return x;
}

std::vector<double> curve_inputs(Curve curve) {
  const bool velocity = curve == Curve::kForceVelocity, tendon = curve == Curve::kTendonForceLength;
  const double lo = velocity ? -1.0 : tendon ? 0.98 : 0.2, hi = velocity ? 1.0 : tendon ? 1.06 : 1.8;
  std::vector<double> x(1024);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = lo + (hi - lo) * static_cast<double>(i) / 1023.0;
  return x;
}

// Args: {curve, method (0: value + hand-written derivative, 1: Eigen forward-mode autodiff)}.
void BM_CurveValueAndSlope(benchmark::State& state) {
  const auto curve = static_cast<Curve>(state.range(0));
  const bool autodiff = state.range(1) != 0;
  const std::vector<double> x = curve_inputs(curve);
  double sum = 0.0;
  for (auto _ : state) {
    for (const double xi : x) {
      if (autodiff) {
        const Ad1 y = curve_value(curve, Ad1(xi, Eigen::Matrix<double, 1, 1>::Ones()));
        sum += y.value() + y.derivatives()(0);
      } else {
        sum += curve_value(curve, xi) + curve_slope_hand(curve, xi);
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(x.size()));
}
BENCHMARK(BM_CurveValueAndSlope)->ArgNames({"curve", "autodiff"})->ArgsProduct({{0, 1, 2, 3}, {0, 1}});

/// Console reporter that also keeps items/s of every run, to print batch/scalar ratios at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;
      const auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) items_per_second_[r.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, double>& items_per_second() const { return items_per_second_; }

 private:
  std::map<std::string, double> items_per_second_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const auto& ips = reporter.items_per_second();
  std::printf("\nmuscle kernel (compliant df_T/dt), xsimd lanes = %zu\n", kLanes);
  for (int damping : {0, 1}) {
    std::printf("%s\n", damping ? "with fiber damping (damped velocity solve):" : "without fiber damping (default):");
    for (int n : {1, 4, 16, 64, 256, 1024, 4096}) {
      const std::string suffix = "/n:" + std::to_string(n) + "/damping:" + std::to_string(damping);
      const auto s = ips.find("BM_MuscleKernelScalar" + suffix);
      const auto b = ips.find("BM_MuscleKernelBatch" + suffix);
      if (s == ips.end() || b == ips.end() || s->second <= 0.0) continue;
      std::printf("ratio batch/scalar at N=%d: %.2f  (scalar %.3g /s, batch %.3g /s)\n", n, b->second / s->second,
                  s->second, b->second);
    }
  }
  return 0;
}
