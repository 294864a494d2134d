// Initial guesses of the collocation problem: the generic running stride (cold starts,
// PredictOptions::start) and a previous solution resampled onto another mesh; the mesh's node times.
#include <algorithm>
#include <cmath>
#include <random>

#include "legsim/core/constants.hpp"
#include "problem.hpp"

namespace legsim::predict {

using namespace detail;

namespace {

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

namespace detail {

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

}  // namespace detail
}  // namespace legsim::predict
