#include "legsim/body/biped.hpp"

#include <cmath>
#include <string>

#include "legsim/core/error.hpp"

namespace legsim {
namespace {

std::string field(std::string_view prefix, std::string_view name) {
  return std::string(prefix) + "." + std::string(name);
}

// The same segment rule as validate(BodyParams) (params.cpp): positive mass, length and inertia, the
// CoM within the segment.
void validate_segment(const SegmentParams& s, std::string_view prefix) {
  require_positive(field(prefix, "mass"), s.mass);
  require_positive(field(prefix, "length"), s.length);
  require_in_range(field(prefix, "com_from_proximal"), s.com_from_proximal, 0.0, s.length);
  require_positive(field(prefix, "inertia_about_com"), s.inertia_about_com);
}

}  // namespace

BipedParams biped_params(const BodyParams& body) {
  validate(body, "body");
  BipedParams p;
  p.body_mass = body.body_mass;
  p.thigh = body.thigh;
  p.shank = body.shank;
  p.foot = body.foot;

  // Remove the swing leg, lumped in body.trunk as a point mass at the hip (params.hpp; derivation in
  // biped.hpp): M c = m_hat c_hat and I = I_hat + m_hat (c_hat − c)² + m_l c².
  const double leg_mass = body.thigh.mass + body.shank.mass + body.foot.mass;
  const double trunk_mass = body.trunk.mass;
  const double c = body.trunk.com_from_proximal;
  const double hat_mass = trunk_mass - leg_mass;
  require(hat_mass > 0.0, "biped.hat.mass", hat_mass,
          "(0, inf): body.trunk.mass − (thigh + shank + foot) mass = body_mass − 2 legs");
  p.hat.mass = hat_mass;
  p.hat.length = body.trunk.length;
  p.hat.com_from_proximal = c * trunk_mass / hat_mass;
  p.hat.inertia_about_com = body.trunk.inertia_about_com - leg_mass * c * c * trunk_mass / hat_mass;
  validate(p, "biped");
  return p;
}

void validate(const BipedParams& p, std::string_view prefix) {
  require_in_range(field(prefix, "body_mass"), p.body_mass, 20.0, 250.0);
  validate_segment(p.hat, field(prefix, "hat"));
  validate_segment(p.thigh, field(prefix, "thigh"));
  validate_segment(p.shank, field(prefix, "shank"));
  validate_segment(p.foot, field(prefix, "foot"));
  require_finite(field(prefix, "foot.heel.x"), p.foot.heel.x);
  require_finite(field(prefix, "foot.metatarsal_head.x"), p.foot.metatarsal_head.x);
  require_finite(field(prefix, "foot.com.x"), p.foot.com.x);
  require_finite(field(prefix, "foot.com.y"), p.foot.com.y);
  // Contact points below the ankle; the ball in front of the heel (as validate(BodyParams)).
  require(std::isfinite(p.foot.heel.y) && p.foot.heel.y < 0.0, field(prefix, "foot.heel.y"), p.foot.heel.y,
          "(-inf, 0)");
  require(std::isfinite(p.foot.metatarsal_head.y) && p.foot.metatarsal_head.y < 0.0,
          field(prefix, "foot.metatarsal_head.y"), p.foot.metatarsal_head.y, "(-inf, 0)");
  require(p.foot.metatarsal_head.x > p.foot.heel.x, field(prefix, "foot.metatarsal_head.x"),
          p.foot.metatarsal_head.x, "(foot.heel.x, inf) = (" + format_value(p.foot.heel.x) + ", inf)");
  // HAT and both legs account for the whole body mass (relative tolerance 1e-9).
  const double total = p.hat.mass + 2.0 * (p.thigh.mass + p.shank.mass + p.foot.mass);
  require(std::abs(total - p.body_mass) <= 1e-9 * p.body_mass, field(prefix, "total_segment_mass"), total,
          "body_mass ± 1e-9 relative = " + format_value(p.body_mass));
}

}  // namespace legsim
