// Diagnostic (issue 22 item 5): stance metrics against integrator tolerance. For the default stance
// and the benchmark's seeded variants, runs a tight reference and the given (rtol, atol) pairs and
// prints RHS evaluations, wall time and the largest relative metric deviation.
// Usage: stance_tolerance [n_variants]; DOPRI=1: Dormand-Prince instead of the default integrator;
// ONE=1: only rtol 1e-4 / atol 1e-5; DAMPING=β: every muscle with fiber damping β (vs the undamped
// reference).
// Built by `make build` (bench/CMakeLists.txt) as build/bench/stance_tolerance.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "legsim/core/constants.hpp"
#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"

using namespace legsim;

const char* kKeys[] = {"contact_time_s", "peak_pfj_force_bw", "peak_pfj_stress_mpa", "pfj_impulse_bw_s",
                       "peak_vertical_grf_bw", "braking_impulse_bw_s", "propulsive_impulse_bw_s", "effort",
                       "peak_quadriceps_force_bw", "peak_achilles_force_bw"};

struct Job { TouchdownState td; ControllerParams ctl; };

double deviation(const StanceResult& a, const StanceResult& ref, std::string* worst) {
  double w = 0;
  for (const char* k : kKeys) {
    const double r = ref.metrics.at(k), v = a.metrics.at(k);
    const double d = std::abs(v - r) / std::max(std::abs(r), 1e-9);
    if (d > w) w = d, *worst = k;
  }
  // Toe-off state: q and q̇, relative to the size of each group (m or rad; m/s or rad/s).
  double qs = 0, vs = 0;
  for (int i = 0; i < 6; ++i) qs = std::max(qs, std::abs(ref.toeoff_state[i])), vs = std::max(vs, std::abs(ref.toeoff_state[6 + i]));
  for (int i = 0; i < 12; ++i) {
    const double d = std::abs(a.toeoff_state[i] - ref.toeoff_state[i]) / (i < 6 ? qs : vs);
    if (d > w) w = d, *worst = "toeoff_state[" + std::to_string(i) + "]";
  }
  return w;
}

int main(int argc, char** argv) {
  const Model base = Model::default_model();
  std::map<std::string, double> mod;
  if (const char* b = std::getenv("DAMPING"))
    for (const auto& m : base.muscles()) mod["muscles." + m.name + ".fiber_damping"] = std::atof(b);
  const Model model = mod.empty() ? base : base.with_params(mod);
  std::vector<Job> jobs;
  jobs.push_back({TouchdownState{}, model.controller()});
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int nvar = argc > 1 ? std::atoi(argv[1]) : 8;
  while (static_cast<int>(jobs.size()) < nvar + 1) {
    Job j{TouchdownState{}, model.controller()};
    j.td.hip_flexion = 0.40 + 0.15 * u(rng);
    j.td.knee_flexion = 0.25 + 0.10 * u(rng);
    j.td.hip_velocity_x = 3.0 + 1.0 * u(rng);
    j.td.hip_velocity_y = -0.7 + 0.4 * u(rng);
    for (MuscleControl& m : j.ctl.muscles) m.level = std::clamp(m.level * (0.8 + 0.4 * u(rng)), 0.0, 1.0);
    jobs.push_back(j);
  }
  std::vector<std::pair<double, double>> tols = std::getenv("ONE") ? std::vector<std::pair<double, double>>{{1e-4, 1e-5}} : std::vector<std::pair<double, double>>{{1e-6, 1e-8}, {1e-6, 1e-7}, {1e-6, 1e-6}, {1e-5, 1e-7},
                                                 {1e-5, 1e-6}, {1e-5, 1e-5}, {1e-4, 1e-6}, {1e-4, 1e-5},
                                                 {1e-4, 1e-4}, {1e-3, 1e-5}, {1e-3, 1e-4}, {1e-3, 1e-3}};
  std::vector<StanceResult> refs;
  for (const Job& j : jobs) {
    StanceOptions o;
    o.relative_tolerance = 1e-10, o.absolute_tolerance = 1e-12, o.event_tolerance = 1e-9;
    o.integrator = StanceIntegrator::kDormandPrince;
    refs.push_back(simulate_stance(base, j.td, j.ctl, o));
    std::printf("job %zu ref: %s t_c=%.4f rhs=%ld\n", refs.size() - 1, refs.back().message.c_str(),
                refs.back().contact_time, refs.back().rhs_evaluations);
  }
  for (auto [rt, at] : tols) {
    double worst_all = 0, worst_default = 0;
    long rhs_default = 0, rhs_sum = 0;
    std::string wk, wkd;
    double ms = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (!refs[i].ok()) continue;
      StanceOptions o;
      o.relative_tolerance = rt, o.absolute_tolerance = at, o.record = false;
      if (std::getenv("DOPRI")) o.integrator = StanceIntegrator::kDormandPrince;
      const auto t0 = std::chrono::steady_clock::now();
      const StanceResult r = simulate_stance(model, jobs[i].td, jobs[i].ctl, o);
      const double dt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!r.ok()) { std::printf("  rtol %g atol %g job %zu FAILED: %s\n", rt, at, i, r.message.c_str()); continue; }
      std::string k;
      const double d = deviation(r, refs[i], &k);
      if (i == 0) worst_default = d, wkd = k, rhs_default = r.rhs_evaluations, ms = dt;
      if (d > worst_all) worst_all = d, wk = k;
      rhs_sum += r.rhs_evaluations;
    }
    std::printf("rtol %7.0e atol %7.0e | default: rhs %5ld  %.2f ms  dev %.2e (%s) | all: mean rhs %6.0f  dev %.2e (%s)\n",
                rt, at, rhs_default, ms, worst_default, wkd.c_str(), double(rhs_sum) / jobs.size(), worst_all, wk.c_str());
  }
}
