// Body segment parameters: de Leva scaling, foot geometry, lumped trunk, validation messages.
#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "legsim/body/params.hpp"
#include "legsim/core/error.hpp"

using namespace legsim;

namespace {

constexpr double kRelTol = 1e-12;

template <class F>
std::string input_error_message(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError>";
}

}  // namespace

TEST_CASE("scale_body reproduces de Leva (1996) at the reference subject", "[body]") {
  const BodyParams b = scale_body(73.0, 1.741);
  CHECK(b.thigh.mass == Approx(0.1416 * 73.0).epsilon(kRelTol));
  CHECK(b.shank.mass == Approx(0.0433 * 73.0).epsilon(kRelTol));
  CHECK(b.foot.mass == Approx(0.0137 * 73.0).epsilon(kRelTol));
  CHECK(b.thigh.length == Approx(0.4222).epsilon(kRelTol));
  CHECK(b.shank.length == Approx(0.4340).epsilon(kRelTol));
  CHECK(b.foot.length == Approx(0.2581).epsilon(kRelTol));
  CHECK(b.thigh.com_from_proximal == Approx(0.4095 * 0.4222).epsilon(kRelTol));
  CHECK(b.shank.inertia_about_com ==
        Approx(0.0433 * 73.0 * std::pow(0.255 * 0.4340, 2)).epsilon(kRelTol));
  // The segments add up to the body; the trunk carries the rest (HAT + swing leg).
  CHECK(b.trunk.mass + b.thigh.mass + b.shank.mass + b.foot.mass == Approx(73.0).epsilon(kRelTol));
  CHECK(b.trunk.mass == Approx(73.0 * (1.0 - 0.1416 - 0.0433 - 0.0137)).epsilon(kRelTol));
  // Trunk CoM above the hip and inertia in the range of published HAT values (Geyer & Herr: 3 kg·m²).
  CHECK(b.trunk.com_from_proximal > 0.15);
  CHECK(b.trunk.com_from_proximal < 0.35);
  CHECK(b.trunk.inertia_about_com > 2.0);
  CHECK(b.trunk.inertia_about_com < 5.0);
  CHECK_NOTHROW(validate(b));
}

TEST_CASE("scale_body foot geometry", "[body]") {
  const double h = 1.80;
  const BodyParams b = scale_body(75.0, h);
  const double foot = b.foot.length;
  // Sole 0.039·height below the ankle (Winter); ball at 0.725 of foot length from the heel.
  CHECK(b.foot.heel.y == Approx(-0.039 * h).epsilon(kRelTol));
  CHECK(b.foot.metatarsal_head.y == Approx(-0.039 * h).epsilon(kRelTol));
  CHECK(b.foot.metatarsal_head.x - b.foot.heel.x == Approx(0.725 * foot).epsilon(kRelTol));
  CHECK(b.foot.heel.x < 0.0);
  CHECK(b.foot.metatarsal_head.x > 0.0);
  // Foot CoM between heel and ball, between sole and ankle.
  CHECK(b.foot.com.x > b.foot.heel.x);
  CHECK(b.foot.com.x < b.foot.metatarsal_head.x);
  CHECK(b.foot.com.y == Approx(-0.5 * 0.039 * h).epsilon(kRelTol));
  CHECK(b.foot.com.x - b.foot.heel.x == Approx(b.foot.com_from_proximal).epsilon(kRelTol));
}

TEST_CASE("scale_body scales lengths with height and masses with mass; female table differs", "[body]") {
  const BodyParams a = scale_body(60.0, 1.60);
  const BodyParams b = scale_body(90.0, 1.92);
  CHECK(b.thigh.length / a.thigh.length == Approx(1.92 / 1.60).epsilon(kRelTol));
  CHECK(b.thigh.mass / a.thigh.mass == Approx(1.5).epsilon(kRelTol));
  const BodyParams f = scale_body(60.0, 1.735, Sex::kFemale);
  CHECK(f.thigh.mass == Approx(0.1478 * 60.0).epsilon(kRelTol));
  CHECK(f.thigh.length == Approx(0.3685).epsilon(kRelTol));
  CHECK(f.foot.com_from_proximal == Approx(0.4014 * 0.2283).epsilon(kRelTol));
  CHECK_NOTHROW(validate(f));
}

TEST_CASE("scale_body rejects out-of-range inputs", "[body]") {
  CHECK(input_error_message([] { scale_body(10.0, 1.7); }) ==
        "body_mass = 10 is out of range: allowed [20, 250]");
  CHECK(input_error_message([] { scale_body(70.0, 3.0); }) ==
        "height = 3 is out of range: allowed [1, 2.5]");
  CHECK(input_error_message([] { scale_body(NAN, 1.7); }) ==
        "body_mass = nan is out of range: allowed [20, 250]");
}

TEST_CASE("validate(BodyParams) names the field, the value and the range", "[body]") {
  const BodyParams ok = scale_body(70.0, 1.75);
  auto message = [&](auto mutate) {
    BodyParams p = ok;
    mutate(p);
    return input_error_message([&] { validate(p); });
  };
  CHECK(message([](BodyParams& p) { p.body_mass = 300.0; }) ==
        "body.body_mass = 300 is out of range: allowed [20, 250]");
  CHECK(message([](BodyParams& p) { p.height = 0.5; }) ==
        "body.height = 0.5 is out of range: allowed [1, 2.5]");
  CHECK(message([](BodyParams& p) { p.trunk.mass = -1.0; }) ==
        "body.trunk.mass = -1 is out of range: allowed (0, inf)");
  CHECK(message([](BodyParams& p) { p.thigh.length = 0.0; }) ==
        "body.thigh.length = 0 is out of range: allowed (0, inf)");
  CHECK(message([](BodyParams& p) { p.shank.com_from_proximal = 0.5; }) ==
        "body.shank.com_from_proximal = 0.5 is out of range: allowed [0, " +
            format_value(ok.shank.length) + "]");
  CHECK(message([](BodyParams& p) { p.foot.inertia_about_com = NAN; }) ==
        "body.foot.inertia_about_com = nan is out of range: allowed (0, inf)");
  CHECK(message([](BodyParams& p) { p.foot.heel.x = INFINITY; }) ==
        "body.foot.heel.x = inf is out of range: allowed a finite number");
  CHECK(message([](BodyParams& p) { p.foot.metatarsal_head.y = NAN; }) ==
        "body.foot.metatarsal_head.y = nan is out of range: allowed a finite number");
  CHECK(message([](BodyParams& p) { p.foot.com.x = NAN; }) ==
        "body.foot.com.x = nan is out of range: allowed a finite number");
  CHECK(message([](BodyParams& p) { p.foot.heel.y = 0.01; }) ==
        "body.foot.heel.y = 0.01 is out of range: allowed (-inf, 0)");
  CHECK(message([](BodyParams& p) { p.foot.metatarsal_head.y = 0.0; }) ==
        "body.foot.metatarsal_head.y = 0 is out of range: allowed (-inf, 0)");
  CHECK(message([&](BodyParams& p) { p.foot.metatarsal_head.x = p.foot.heel.x - 0.01; }) ==
        "body.foot.metatarsal_head.x = " + format_value(ok.foot.heel.x - 0.01) +
            " is out of range: allowed (foot.heel.x, inf) = (" + format_value(ok.foot.heel.x) + ", inf)");
  const double total = (ok.trunk.mass + 1.0) + ok.thigh.mass + ok.shank.mass + ok.foot.mass;
  CHECK(message([](BodyParams& p) { p.trunk.mass += 1.0; }) ==
        "body.total_segment_mass = " + format_value(total) +
            " is out of range: allowed body_mass ± 1e-9 relative = 70");
  BodyParams p = ok;
  p.thigh.mass = 0.0;
  CHECK(input_error_message([&] { validate(p, "model.body"); }) ==
        "model.body.thigh.mass = 0 is out of range: allowed (0, inf)");
}
