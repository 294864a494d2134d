// Vertical-GRF landmarks (impact and active peaks, loading rates) on curves with known answers, and
// on a simulated stance.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "legsim/core/constants.hpp"
#include "legsim/gait/matching.hpp"
#include "legsim/model.hpp"
#include "legsim/sim/metrics.hpp"
#include "legsim/sim/simulate.hpp"

using namespace legsim;

namespace {

/// Samples f on [0, T] every dt.
template <class F>
void sample(double T, double dt, F f, std::vector<double>& t, std::vector<double>& y) {
  t.clear();
  y.clear();
  const int n = static_cast<int>(std::lround(T / dt));
  for (int i = 0; i <= n; ++i) {
    t.push_back(i * dt);
    y.push_back(f(i * dt));
  }
}

/// A rearfoot-like curve: a linear rise at rate r to an impact peak P at t_p, a dip, then a
/// half-sine active peak A centred at T/2 (all closed form).
double rearfoot(double t, double r, double t_p, double A, double T) {
  const double P = r * t_p;
  const double active = A * std::sin(kPi * t / T);
  if (t <= t_p) return std::max(r * t, active);
  const double impact = P * std::max(0.0, 1.0 - (t - t_p) / 0.015);  // falls to 0 within 15 ms
  return std::max(impact, active);
}

}  // namespace

TEST_CASE("metrics: a linear rise gives average and instantaneous loading rate equal to its slope") {
  const double T = 0.25, r = 80.0 * 700.0, t_p = 0.02, A = 1800.0;  // 80 BW/s for a 700 N runner
  std::vector<double> t, f;
  sample(T, 0.0005, [&](double x) { return rearfoot(x, r, t_p, A, T); }, t, f);
  const VerticalGrfLandmarks g = vertical_grf_landmarks(t, f);
  REQUIRE(std::isfinite(g.impact_peak));
  CHECK(g.impact_peak == Approx(r * t_p).epsilon(1e-12));
  CHECK(g.impact_peak_time == Approx(t_p).margin(1e-12));
  CHECK(g.average_loading_rate == Approx(r).epsilon(1e-9));
  CHECK(g.instantaneous_loading_rate == Approx(r).epsilon(1e-9));
  CHECK(g.active_peak == Approx(A).epsilon(1e-4));  // the sine's top at T/2 lies on a sample
}

TEST_CASE("metrics: the instantaneous loading rate is the steepest slope, the average one the mean") {
  // Rise in two straight pieces: slow (s1) to 50 % of the peak, fast (s2) above it. Between the 20 %
  // and 80 % crossings: VALR = 0.6 P / (time spent), VILR = s2.
  const double P = 1400.0, s1 = 40000.0, s2 = 175000.0;  // the peak falls on a sample
  const double t_half = 0.5 * P / s1, t_p = t_half + 0.5 * P / s2, T = 0.24;
  const auto curve = [&](double x) {
    if (x <= t_half) return s1 * x;
    if (x <= t_p) return 0.5 * P + s2 * (x - t_half);
    return std::max(0.0, P - 1.0e5 * (x - t_p)) + 0.9 * P * std::sin(kPi * x / T) * (x > 0.1);
  };
  std::vector<double> t, f;
  sample(T, 0.00025, curve, t, f);
  const VerticalGrfLandmarks g = vertical_grf_landmarks(t, f);
  REQUIRE(std::isfinite(g.impact_peak));
  const double t20 = 0.2 * P / s1, t80 = t_half + 0.3 * P / s2;
  CHECK(g.average_loading_rate == Approx(0.6 * P / (t80 - t20)).epsilon(1e-6));
  CHECK(g.instantaneous_loading_rate == Approx(s2).epsilon(1e-6));
  CHECK(g.instantaneous_loading_rate > g.average_loading_rate);
}

TEST_CASE("metrics: a curve without an impact peak reports none (NaN) but still its active peak") {
  // A half-sine (a forefoot strike's smooth rise): still rising at the end of the impact window.
  const double T = 0.22, A = 1900.0;
  std::vector<double> t, f;
  sample(T, 0.0005, [&](double x) { return A * std::sin(kPi * x / T); }, t, f);
  const VerticalGrfLandmarks g = vertical_grf_landmarks(t, f);
  CHECK(std::isnan(g.impact_peak));
  CHECK(std::isnan(g.average_loading_rate));
  CHECK(std::isnan(g.instantaneous_loading_rate));
  CHECK(g.active_peak == Approx(A).epsilon(1e-4));
}

TEST_CASE("metrics: a simulated stance reports landmarks consistent with its peak vertical GRF") {
  const Model& model = Model::default_model();
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  MatchingOptions o;
  o.threads = 1;
  const GaitResult r = match_gait(model, c, o);
  REQUIRE(r.converged);
  const auto& m = r.metrics;
  const double peak = m.at("peak_vertical_grf_bw");
  // The maximum over stance is one of the two peaks; the loading rate averages no faster than the
  // steepest slope, and the impact peak is reached after the average rate's rise time at the least.
  REQUIRE(std::isfinite(m.at("impact_peak_vertical_grf_bw")));
  CHECK(std::max(m.at("impact_peak_vertical_grf_bw"), m.at("active_peak_vertical_grf_bw")) == Approx(peak));
  CHECK(m.at("vertical_instantaneous_loading_rate_bw_per_s") >= m.at("vertical_average_loading_rate_bw_per_s"));
  CHECK(m.at("vertical_average_loading_rate_bw_per_s") > 0.0);
}
