// Smooth sphere contact: parameter validation and the default sagittal sphere placement
// (the equations and sources: include/legsim/body/smooth_contact.hpp).
#include "legsim/body/smooth_contact.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "legsim/core/error.hpp"

namespace legsim {
namespace {

std::string field(std::string_view prefix, std::string_view name) {
  return std::string(prefix) + "." + std::string(name);
}

std::string sphere_field(std::string_view prefix, std::size_t i, std::string_view name) {
  return std::string(prefix) + ".spheres." + std::to_string(i) + "." + std::string(name);
}

void in_range(const std::string& name, double v, double lo, double hi, std::string_view unit) {
  require(std::isfinite(v) && v >= lo && v <= hi, name, v,
          "[" + format_value(lo) + ", " + format_value(hi) + "]" + (unit.empty() ? "" : " ") + std::string(unit));
}

bool valid_name(const std::string& s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_';
  });
}

// Falisse et al. (2019) sphere centres, x in the calcaneus frame (spheres 1–4) or the toes frame
// (5, 6), as listed in /work/shared/reference/predictive_running.md §2.1 (from their PredSim.cpp).
constexpr double kFalisseHeelX = 0.00190;                      // calcaneus sphere 1
constexpr double kFalisseMidfootX = 0.06623;                   // calcaneus sphere 4
constexpr double kFalisseForefootX = 0.5 * (0.14839 + 0.13300);  // calcaneus spheres 2 and 3
constexpr double kFalisseToeOffset = 0.5 * (0.06000 + 0.04500);  // toes spheres 5 and 6, from the MTP joint
// The toe offset is taken for a foot of de Leva's (1996) mean male foot length and scaled with foot
// length, as scale_body scales every foot dimension (unscaled, it would lie beyond the toe tip of a
// 1.2 m runner's foot).
constexpr double kReferenceFootLength = 0.2581;  // m, de Leva 1996, male mean

// Radius range: 5 mm (a smaller sphere needs a penetration beyond its radius to carry a few hundred
// N at the stiffnesses allowed below) to 10 cm (≈ 0.4 of a foot length: one sphere would span the
// heel or the forefoot). Falisse 2019: 0.032 m.
constexpr double kMinRadius = 0.005, kMaxRadius = 0.1;  // m

}  // namespace

void validate(const SmoothContactParams& p, std::string_view prefix) {
  // E: the force of one sphere is 0.471·E·sqrt(R)·x^(3/2). Below 1e5 N/m² a 3.2 cm sphere carries
  // under 50 N at a penetration equal to its radius (useless for a runner); above 1e9 N/m² it carries
  // 1 kN at 0.5 mm (stiffer than any shoe sole, and a collocation mesh cannot resolve the impact).
  in_range(field(prefix, "stiffness"), p.stiffness, 1e5, 1e9, "N/m^2");
  // Hunt & Crossley: restitution e ≈ 1 − c·v_impact; c ≤ 5 s/m keeps e in [0, 1] for heel impacts
  // of 0.2 m/s and over (the range of legsim::ContactParams::dissipation).
  in_range(field(prefix, "dissipation"), p.dissipation, 0.0, 5.0, "s/m");
  // Shoe–ground friction: 0 (frictionless) to 2, above dry rubber's values.
  in_range(field(prefix, "static_friction"), p.static_friction, 0.0, 2.0, "");
  // μd ≤ μs: with μd > 2μs the friction coefficient μd + 2(μs − μd)/(1 + a²) is negative at small
  // slip, and friction would push the foot along its slip (add energy); μd ≤ μs also gives the
  // bound |F_t| ≤ F_n·(μs + μv·vs). Stribeck friction has μd ≤ μs by definition.
  require(std::isfinite(p.dynamic_friction) && p.dynamic_friction >= 0.0 && p.dynamic_friction <= p.static_friction,
          field(prefix, "dynamic_friction"), p.dynamic_friction,
          "[0, static_friction] = [0, " + format_value(p.static_friction) + "]");
  // μv·vs adds 2 to the friction coefficient at 1 m/s slip at the upper bound.
  in_range(field(prefix, "viscous_friction"), p.viscous_friction, 0.0, 2.0, "s/m");
  // vt: the slip speed never falls below sqrt(cf) = 3.2 mm/s, so vt ≤ 1 cm/s would leave no linear
  // part; above 1 m/s friction stays below its Coulomb level at a running foot's slip speeds.
  in_range(field(prefix, "transition_velocity"), p.transition_velocity, 0.01, 1.0, "m/s");
  // bd: the contact switches on over a penetration of ~1/bd: at most 1 cm (bd ≥ 100; softer would
  // push a foot 2 cm above the ground), at least 0.1 mm (bd ≤ 1e4; sharper is a switch a mesh
  // cannot resolve). Simbody's default: 300.
  in_range(field(prefix, "hertz_smoothing"), p.hertz_smoothing, 100.0, 1e4, "1/m");
  // bv: the pull-free cut-off acts over a penetration rate of ~1/bv: 0.1 m/s (bv = 10) to 1 mm/s
  // (bv = 1000). Simbody's default: 50.
  in_range(field(prefix, "hunt_crossley_smoothing"), p.hunt_crossley_smoothing, 10.0, 1000.0, "s/m");

  if (p.spheres.empty()) throw InputError(field(prefix, "spheres") + ": the foot needs at least one contact sphere");
  for (std::size_t i = 0; i < p.spheres.size(); ++i) {
    const ContactSphere& s = p.spheres[i];
    if (!valid_name(s.name))
      throw InputError(sphere_field(prefix, i, "name") + " = \"" + s.name +
                       "\" is not allowed: use lower-case letters, digits and _");
    for (std::size_t j = 0; j < i; ++j)
      if (p.spheres[j].name == s.name)
        throw InputError(sphere_field(prefix, i, "name") + ": the name '" + s.name + "' is used twice");
    require_finite(sphere_field(prefix, i, "x"), s.x);
    require_finite(sphere_field(prefix, i, "y"), s.y);
    in_range(sphere_field(prefix, i, "radius"), s.radius, kMinRadius, kMaxRadius, "m");
    // count: why [1, 4] at kMaxSphereCount (smooth_contact.hpp).
    require(s.count >= kMinSphereCount && s.count <= kMaxSphereCount, sphere_field(prefix, i, "count"), s.count,
            "[" + std::to_string(kMinSphereCount) + ", " + std::to_string(kMaxSphereCount) + "]");
  }
}

void validate_sphere_placement(const SmoothContactParams& p, const FootParams& foot, std::string_view prefix) {
  // x: from 5 cm behind the heel point to the toe tip. A sphere touches the ground below its centre,
  // so the centre must lie over the sole; a shoe's heel extends 1–3 cm behind the bare heel and
  // Falisse's heel sphere is centred at the posterior end of the calcaneus, hence 5 cm of slack at the
  // heel and none at the toe.
  const double toe_tip = foot.heel.x + foot.length;
  const double x_lo = foot.heel.x - 0.05;
  // y: the sphere's lowest point within 3 cm of the sole line, either way — of the order of a running
  // shoe's sole thickness (the sphere may stand for it), and more than the 1.2 cm by which the sphere
  // heights of Falisse's 2019 and 2022 models differ. Modelling choice.
  const double sole = foot.heel.y;
  constexpr double kSoleSlack = 0.03;  // m
  for (std::size_t i = 0; i < p.spheres.size(); ++i) {
    const ContactSphere& s = p.spheres[i];
    require(s.x >= x_lo && s.x <= toe_tip, sphere_field(prefix, i, "x"), s.x,
            "[" + format_value(x_lo) + ", " + format_value(toe_tip) +
                "] m: from 0.05 m behind the heel to the toe tip of the foot scaled from body.height");
    const double lo = sole - kSoleSlack + s.radius, hi = sole + kSoleSlack + s.radius;
    require(s.y >= lo && s.y <= hi, sphere_field(prefix, i, "y"), s.y,
            "[" + format_value(lo) + ", " + format_value(hi) +
                "] m: the lowest point y - radius within 0.03 m of the sole (y = " + format_value(sole) +
                " m for the foot scaled from body.height)");
  }
}

std::vector<ContactSphere> sagittal_contact_spheres(const FootParams& foot, double radius) {
  in_range("radius", radius, kMinRadius, kMaxRadius, "m");
  const double heel_x = foot.heel.x;
  const double ball_x = foot.metatarsal_head.x;
  // Linear map of calcaneus-frame x: sphere 1 -> heel point, mean of spheres 2/3 -> metatarsal head.
  const auto on_sole = [&](double falisse_x) {
    return heel_x + (falisse_x - kFalisseHeelX) / (kFalisseForefootX - kFalisseHeelX) * (ball_x - heel_x);
  };
  const double y = foot.heel.y + radius;  // one radius above the sole line
  // count: the number of Falisse's spheres each one stands for (side by side, in parallel).
  return {
      {"heel", heel_x, y, radius, 1},
      {"midfoot", on_sole(kFalisseMidfootX), y, radius, 1},
      {"metatarsal", ball_x, y, radius, 2},
      {"toe", ball_x + kFalisseToeOffset * foot.length / kReferenceFootLength, y, radius, 2},
  };
}

}  // namespace legsim
