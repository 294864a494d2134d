// Diagnostic (issue 22 item 5): stance metrics against integrator tolerance. For the default stance
// and the benchmark's seeded variants, runs a tight reference and the given (rtol, atol) pairs and
// prints RHS evaluations, wall time and the largest relative metric deviation, and apart from it that
// of the impact metrics read from the output samples (loading rates, impact peak, peak braking GRF).
// Usage: stance_tolerance [n_variants]; DOPRI=1: Dormand-Prince instead of the default integrator;
// ONE=1: only rtol 1e-4 / atol 1e-5; TOLS="rtol,atol;rtol,atol…": these pairs instead; DUMP=file: every
// stance's metrics and toe-off state (%.17g) to file, to compare two builds bit for bit; EVENT=τ: toe-off
// located to τ s (default the model's 1e-5 s, whose bisection noise dominates the toe-off state's
// deviation at the default tolerance); DAMPING=β: every muscle with fiber damping β (vs the undamped
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
#include "stance_accuracy.hpp"

using namespace legsim;
using namespace legsim::stance_accuracy;

int main(int argc, char** argv) {
  const Model base = Model::default_model();
  std::map<std::string, double> mod;
  if (const char* b = std::getenv("DAMPING"))
    for (const auto& m : base.muscles()) mod["muscles." + m.name + ".fiber_damping"] = std::atof(b);
  const Model model = mod.empty() ? base : base.with_params(mod);
  const int nvar = argc > 1 ? std::atoi(argv[1]) : 8;
  const std::vector<Case> jobs = cases(model, nvar);
  std::vector<std::pair<double, double>> tols = std::getenv("ONE") ? std::vector<std::pair<double, double>>{{1e-4, 1e-5}} : std::vector<std::pair<double, double>>{{1e-6, 1e-8}, {1e-6, 1e-7}, {1e-6, 1e-6}, {1e-5, 1e-7},
                                                 {1e-5, 1e-6}, {1e-5, 1e-5}, {1e-4, 1e-6}, {1e-4, 1e-5},
                                                 {1e-4, 1e-4}, {1e-3, 1e-5}, {1e-3, 1e-4}, {1e-3, 1e-3}};
  if (const char* spec = std::getenv("TOLS")) {
    tols.clear();
    double rt = 0, at = 0;
    int used = 0;
    for (const char* p = spec; std::sscanf(p, "%lf,%lf%n", &rt, &at, &used) == 2; p += used + (p[used] == ';')) {
      tols.push_back({rt, at});
      if (p[used] != ';') break;
    }
  }
  std::FILE* dump = std::getenv("DUMP") ? std::fopen(std::getenv("DUMP"), "w") : nullptr;
  std::vector<StanceResult> refs;
  for (const Case& j : jobs) {
    refs.push_back(reference(base, j));
    std::printf("job %zu ref: %s t_c=%.4f rhs=%ld\n", refs.size() - 1, refs.back().message.c_str(),
                refs.back().contact_time, refs.back().rhs_evaluations);
  }
  for (auto [rt, at] : tols) {
    double worst_all = 0, worst_default = 0;
    long rhs_default = 0, rhs_sum = 0;
    std::string wk, wkd;
    double ms = 0;
    std::vector<double> devs, impact_devs;
    double worst_impact = 0;
    std::string wki;
    std::size_t wkj = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (!refs[i].ok()) continue;
      StanceOptions o;
      o.relative_tolerance = rt, o.absolute_tolerance = at, o.record = false;
      if (const char* e = std::getenv("EVENT")) o.event_tolerance = std::atof(e);
      if (std::getenv("DOPRI")) o.integrator = StanceIntegrator::kDormandPrince;
      const auto t0 = std::chrono::steady_clock::now();
      const StanceResult r = simulate_stance(model, jobs[i].td, jobs[i].controller, o);
      const double dt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!r.ok()) { std::printf("  rtol %g atol %g job %zu FAILED: %s\n", rt, at, i, r.message.c_str()); continue; }
      std::string k;
      const double d = deviation(r, refs[i], &k);
      if (dump) {
        std::fprintf(dump, "%g %g job %zu rhs %ld dev %.3e %s steps %ld implicit %ld", rt, at, i, r.rhs_evaluations, d,
                     k.c_str(), r.steps, r.implicit_steps);
        for (const char* m : kMetrics) std::fprintf(dump, " %.17g", r.metrics.at(m));
        for (double v : r.toeoff_state) std::fprintf(dump, " %.17g", v);
        std::fprintf(dump, "\n");
      }
      std::string ki;
      const double di = impact_deviation(r, refs[i], &ki);
      if (di > worst_impact) worst_impact = di, wki = ki, wkj = i;
      impact_devs.push_back(di);
      if (i == 0) worst_default = d, wkd = k, rhs_default = r.rhs_evaluations, ms = dt;
      if (d > worst_all) worst_all = d, wk = k;
      devs.push_back(d);
      rhs_sum += r.rhs_evaluations;
    }
    std::printf("rtol %7.0e atol %7.0e | default: rhs %5ld  %.2f ms  dev %.2e (%s) | all: mean rhs %6.0f  dev %.2e (%s)\n",
                rt, at, rhs_default, ms, worst_default, wkd.c_str(), double(rhs_sum) / jobs.size(), worst_all, wk.c_str());
    std::sort(impact_devs.begin(), impact_devs.end());
    if (!impact_devs.empty())
      std::printf("    impact metrics (per stance): worst %.2e (%s, stance %zu), median %.2e, 90th percentile %.2e\n", worst_impact,
                  wki.c_str(), wkj, impact_devs[impact_devs.size() / 2], impact_devs[impact_devs.size() * 9 / 10]);
    std::sort(devs.begin(), devs.end());
    if (!devs.empty())
      std::printf("    %zu stances: median deviation %.2e, 90th percentile %.2e, rhs total %ld\n", devs.size(),
                  devs[devs.size() / 2], devs[devs.size() * 9 / 10], rhs_sum);
  }
  if (dump) std::fclose(dump);
}
