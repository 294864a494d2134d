#include "legsim/body/params.hpp"

#include <cmath>
#include <string>

#include "legsim/core/error.hpp"

namespace legsim {
namespace {

// de Leva (1996) Table 4, adjusted Zatsiorsky–Seluyanov segment parameters: mass fraction of body
// mass, CoM fraction of segment length from the proximal end, sagittal radius of gyration fraction
// of segment length, and the reference subjects' mean segment length (m).
struct DeLevaSegment {
  double mass_fraction;
  double com_fraction;
  double gyration_fraction;
  double mean_length;
};
struct DeLevaLeg {
  double stature;  // reference stature (m): male 1.741, female 1.735
  DeLevaSegment thigh, shank, foot;
};
constexpr DeLevaLeg kDeLevaMale{1.741,
                                {0.1416, 0.4095, 0.329, 0.4222},
                                {0.0433, 0.4459, 0.255, 0.4340},
                                {0.0137, 0.4415, 0.257, 0.2581}};
constexpr DeLevaLeg kDeLevaFemale{1.735,
                                  {0.1478, 0.3612, 0.369, 0.3685},
                                  {0.0481, 0.4416, 0.271, 0.4323},
                                  {0.0129, 0.4014, 0.299, 0.2283}};

// Winter (2009) Fig. 4.1 (Drillis & Contini): heights of the greater trochanter and the shoulder
// (glenohumeral joint) and of the ankle above the sole, as fractions of standing height; Table 4.1:
// HAT CoM at 0.626 of its length from the greater trochanter, radius of gyration 0.496.
constexpr double kHipHeightFraction = 0.530;
constexpr double kShoulderHeightFraction = 0.818;
constexpr double kHatComFraction = 0.626;
constexpr double kHatGyrationFraction = 0.496;
constexpr double kAnkleHeightFraction = 0.039;

// Ball of the foot (metatarsal heads) at 0.725 of foot length from the heel; ankle above the point at
// 0.2 of the heel → ball distance (Geyer & Herr 2010 foot: 0.04 m of 0.20 m).
constexpr double kBallFraction = 0.725;
constexpr double kAnkleAlongHeelToBall = 0.2;

SegmentParams scale_segment(const DeLevaSegment& s, double body_mass, double length_scale) {
  SegmentParams p;
  p.mass = s.mass_fraction * body_mass;
  p.length = s.mean_length * length_scale;
  p.com_from_proximal = s.com_fraction * p.length;
  const double r = s.gyration_fraction * p.length;
  p.inertia_about_com = p.mass * r * r;
  return p;
}

std::string field(std::string_view prefix, std::string_view name) {
  return std::string(prefix) + "." + std::string(name);
}

void validate_segment(const SegmentParams& s, std::string_view prefix, bool com_within_length) {
  require_positive(field(prefix, "mass"), s.mass);
  require_positive(field(prefix, "length"), s.length);
  if (com_within_length) {
    require_in_range(field(prefix, "com_from_proximal"), s.com_from_proximal, 0.0, s.length);
  } else {
    require_finite(field(prefix, "com_from_proximal"), s.com_from_proximal);
  }
  require_positive(field(prefix, "inertia_about_com"), s.inertia_about_com);
}

void validate_point(const FootPoint& p, std::string_view prefix) {
  require_finite(field(prefix, "x"), p.x);
  require_finite(field(prefix, "y"), p.y);
}

}  // namespace

BodyParams scale_body(double body_mass, double height, Sex sex) {
  require_in_range("body_mass", body_mass, 20.0, 250.0);
  require_in_range("height", height, 1.0, 2.5);
  const DeLevaLeg& leg = sex == Sex::kFemale ? kDeLevaFemale : kDeLevaMale;
  const double length_scale = height / leg.stature;

  BodyParams b;
  b.body_mass = body_mass;
  b.height = height;
  b.thigh = scale_segment(leg.thigh, body_mass, length_scale);
  b.shank = scale_segment(leg.shank, body_mass, length_scale);
  const SegmentParams foot = scale_segment(leg.foot, body_mass, length_scale);

  // Foot frame at the ankle (see params.hpp).
  const double foot_length = foot.length;
  const double ankle_height = kAnkleHeightFraction * height;
  const double heel_to_ball = kBallFraction * foot_length;
  const double heel_to_ankle = kAnkleAlongHeelToBall * heel_to_ball;
  b.foot.mass = foot.mass;
  b.foot.length = foot.length;
  b.foot.com_from_proximal = foot.com_from_proximal;
  b.foot.inertia_about_com = foot.inertia_about_com;
  b.foot.heel = {-heel_to_ankle, -ankle_height};
  b.foot.metatarsal_head = {heel_to_ball - heel_to_ankle, -ankle_height};
  b.foot.com = {foot.com_from_proximal - heel_to_ankle, -0.5 * ankle_height};

  // Trunk: HAT (body − both legs) with Winter's HAT geometry, plus the swing leg as a point mass at
  // the hip (parallel-axis theorem about the lumped CoM).
  const double leg_mass = b.thigh.mass + b.shank.mass + b.foot.mass;
  const double hat_mass = body_mass - 2.0 * leg_mass;
  const double hat_length = (kShoulderHeightFraction - kHipHeightFraction) * height;
  const double hat_com = kHatComFraction * hat_length;
  const double hat_gyration = kHatGyrationFraction * hat_length;
  const double trunk_mass = hat_mass + leg_mass;
  const double trunk_com = hat_mass * hat_com / trunk_mass;
  b.trunk.mass = trunk_mass;
  b.trunk.length = hat_length;
  b.trunk.com_from_proximal = trunk_com;
  b.trunk.inertia_about_com = hat_mass * hat_gyration * hat_gyration +
                              hat_mass * (hat_com - trunk_com) * (hat_com - trunk_com) +
                              leg_mass * trunk_com * trunk_com;
  return b;
}

void validate(const BodyParams& p, std::string_view prefix) {
  require_in_range(field(prefix, "body_mass"), p.body_mass, 20.0, 250.0);
  require_in_range(field(prefix, "height"), p.height, 1.0, 2.5);
  validate_segment(p.trunk, field(prefix, "trunk"), true);
  validate_segment(p.thigh, field(prefix, "thigh"), true);
  validate_segment(p.shank, field(prefix, "shank"), true);
  validate_segment(p.foot, field(prefix, "foot"), true);
  validate_point(p.foot.heel, field(prefix, "foot.heel"));
  validate_point(p.foot.metatarsal_head, field(prefix, "foot.metatarsal_head"));
  validate_point(p.foot.com, field(prefix, "foot.com"));
  // Contact points below the ankle; the ball in front of the heel.
  require(p.foot.heel.y < 0.0, field(prefix, "foot.heel.y"), p.foot.heel.y, "(-inf, 0)");
  require(p.foot.metatarsal_head.y < 0.0, field(prefix, "foot.metatarsal_head.y"),
          p.foot.metatarsal_head.y, "(-inf, 0)");
  require(p.foot.metatarsal_head.x > p.foot.heel.x, field(prefix, "foot.metatarsal_head.x"),
          p.foot.metatarsal_head.x, "(foot.heel.x, inf) = (" + format_value(p.foot.heel.x) + ", inf)");
  // The segments must account for the whole body mass (relative tolerance 1e-9).
  const double total = p.trunk.mass + p.thigh.mass + p.shank.mass + p.foot.mass;
  const double tol = 1e-9 * p.body_mass;
  require(std::abs(total - p.body_mass) <= tol, field(prefix, "total_segment_mass"), total,
          "body_mass ± 1e-9 relative = " + format_value(p.body_mass));
}

void validate(const ContactParams& p, std::string_view prefix) {
  // Ranges of a heel pad and running shoe (the values and their sources: body/params.hpp). Each is
  // stated here only; the model reader reports it with the key path.
  const auto in_range = [&](std::string_view name, double v, double lo, double hi, std::string_view unit) {
    require(std::isfinite(v) && v >= lo && v <= hi, field(prefix, name), v,
            "[" + format_value(lo) + ", " + format_value(hi) + "]" + (unit.empty() ? "" : " ") + std::string(unit));
  };
  // Published heel-pad, shoe and foot-contact stiffnesses span ~1e4-1e8 N/m^n (the heel pad alone
  // ~1e5 N/m, stiff soles and Hertz fits with n = 1.5 up to ~1e7); the default is 1.4e6.
  in_range("stiffness", p.stiffness, 1e4, 1e8, "N/m^exponent");
  require(std::isfinite(p.exponent) && p.exponent > 1.0 && p.exponent <= 3.0,
          field(prefix, "exponent"), p.exponent, "(1, 3]");
  // Restitution e = 1 - c·v_impact within [0, 1] at heel impact speeds of 0.2-2 m/s needs c <= 5 s/m.
  in_range("dissipation", p.dissipation, 0.0, 5.0, "s/m");
  require(std::isfinite(p.damping_ramp_width) && p.damping_ramp_width > 0.0 &&
              p.damping_ramp_width <= 1.0,
          field(prefix, "damping_ramp_width"), p.damping_ramp_width, "(0, 1]");
  // Coulomb friction of a shoe on a running surface: 0 (frictionless) to 2, above dry rubber's values.
  in_range("friction_coefficient", p.friction_coefficient, 0.0, 2.0, "");
  // Tangential stiffness of sole and heel pad: of the order of the normal tangent stiffness (~1e5
  // N/m at body weight), within two decades either way.
  in_range("bristle_stiffness", p.bristle_stiffness, 1e3, 1e7, "N/m");
  // Bristle damping: relaxation times b_t/k_t of 0.1-100 ms at the default stiffness.
  in_range("bristle_damping", p.bristle_damping, 10.0, 1e5, "N s/m");
  require(std::isfinite(p.friction_smoothing) && p.friction_smoothing > 0.0 &&
              p.friction_smoothing <= 0.5,
          field(prefix, "friction_smoothing"), p.friction_smoothing, "(0, 0.5]");
}

}  // namespace legsim
