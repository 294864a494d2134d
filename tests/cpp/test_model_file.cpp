// Model files: the default model loads and round-trips; every error path names file, key, value
// and allowed range.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <string>

#include "legsim/body/smooth_contact.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/model.hpp"
#include "legsim/model_schema.hpp"

using legsim::InputError;
using legsim::Model;
using legsim::ModelFileError;

namespace {

std::string default_text() { return std::string(Model::default_model_toml()); }

/// The default model's text with one line (matched by regex) replaced.
std::string edited(const std::string& pattern, const std::string& replacement) {
  const std::string text = default_text();
  const std::string out = std::regex_replace(text, std::regex(pattern), replacement,
                                             std::regex_constants::format_first_only);
  REQUIRE(out != text);  // the edit must apply, or the test below proves nothing
  return out;
}

void require_error(const std::string& text, const std::string& expected_substring) {
  try {
    (void)Model::from_toml(text, "bad.toml");
    FAIL("no exception; expected one containing: " << expected_substring);
  } catch (const ModelFileError& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.rfind("bad.toml: ", 0) == 0);
    CHECK(what.find(expected_substring) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("default model: 70 kg, 1.75 m runner with the muscles of DESIGN 3.3") {
  const Model& m = Model::default_model();
  CHECK(m.body_mass() == 70.0);
  CHECK(m.height() == 1.75);
  for (const char* name : {"soleus", "gastrocnemius", "hamstrings", "quadriceps", "tibialis_anterior",
                           "gluteus", "hip_flexor"})
    CHECK_NOTHROW(m.muscle_index(name));
  CHECK(m.muscles()[m.muscle_index("quadriceps")].has_tag("knee_extensor"));
  CHECK(m.muscles()[m.muscle_index("soleus")].params.max_isometric_force == 6194.8);
  // Segment masses add up to the body mass.
  const auto& b = m.body();
  CHECK(b.trunk.mass + b.thigh.mass + b.shank.mass + b.foot.mass == Approx(70.0).epsilon(1e-12));
}

TEST_CASE("model file save -> load round-trips to an identical model") {
  const Model& m = Model::default_model();
  const auto path = std::filesystem::temp_directory_path() / "legsim_roundtrip_test.toml";
  m.save(path);
  const Model back = Model::load(path);
  std::filesystem::remove(path);
  CHECK(back == m);
  CHECK(back.to_toml() == m.to_toml());
  CHECK(back.muscles()[2].params.pennation_angle_at_optimal == m.muscles()[2].params.pennation_angle_at_optimal);
}

namespace {

/// Field-by-field equality of two models' parts (not through to_toml, which the round trip tests).
void require_same_parts(const Model& a, const Model& b) {
  const Model::Parts &x = a.parts(), &y = b.parts();
  CHECK(x.name == y.name);
  CHECK(x.description == y.description);
  CHECK(x.sources == y.sources);
  CHECK(x.notes == y.notes);
  CHECK(x.body_mass == y.body_mass);
  CHECK(x.height == y.height);
  CHECK(x.sex == y.sex);
  const auto &c = x.contact, &d = y.contact;
  CHECK((c.stiffness == d.stiffness && c.exponent == d.exponent && c.dissipation == d.dissipation &&
         c.damping_ramp_width == d.damping_ramp_width && c.friction_coefficient == d.friction_coefficient &&
         c.bristle_stiffness == d.bristle_stiffness && c.bristle_damping == d.bristle_damping &&
         c.friction_smoothing == d.friction_smoothing));
  const auto &fc = x.foot_contact, &gc = y.foot_contact;
  CHECK((fc.stiffness == gc.stiffness && fc.dissipation == gc.dissipation && fc.static_friction == gc.static_friction &&
         fc.dynamic_friction == gc.dynamic_friction && fc.viscous_friction == gc.viscous_friction &&
         fc.transition_velocity == gc.transition_velocity && fc.hertz_smoothing == gc.hertz_smoothing &&
         fc.hunt_crossley_smoothing == gc.hunt_crossley_smoothing));
  REQUIRE(fc.spheres.size() == gc.spheres.size());
  for (std::size_t i = 0; i < fc.spheres.size(); ++i)
    CHECK((fc.spheres[i].name == gc.spheres[i].name && fc.spheres[i].x == gc.spheres[i].x &&
           fc.spheres[i].y == gc.spheres[i].y && fc.spheres[i].radius == gc.spheres[i].radius &&
           fc.spheres[i].count == gc.spheres[i].count));
  REQUIRE(x.muscles.size() == y.muscles.size());
  for (std::size_t i = 0; i < x.muscles.size(); ++i) {
    const legsim::MuscleSpec &m = x.muscles[i], &n = y.muscles[i];
    INFO("muscle " << m.name);
    CHECK(m.name == n.name);  // same order
    CHECK(m.tags == n.tags);
    CHECK(m.source == n.source);
    CHECK(m.slow_twitch_fraction == n.slow_twitch_fraction);
    const legsim::MuscleParams &p = m.params, &q = n.params;
    for (const auto& f : legsim::muscle_parameter_fields()) {
      INFO(f.key);
      CHECK(p.*f.member == q.*f.member);
    }
    CHECK(p.tendon == q.tendon);
    REQUIRE(m.joints.size() == n.joints.size());
    for (std::size_t j = 0; j < m.joints.size(); ++j) {
      const legsim::JointCrossing &u = m.joints[j], &v = n.joints[j];
      CHECK((u.joint == v.joint && u.moment_arm == v.moment_arm && u.angle_max == v.angle_max &&
             u.angle_ref == v.angle_ref && u.action == v.action));
    }
  }
  CHECK((x.pfj.contact_area == y.pfj.contact_area && x.pfj.besier_weight_bearing == y.pfj.besier_weight_bearing));
  const auto &s = x.integrator, &t = y.integrator;
  CHECK((s.relative_tolerance == t.relative_tolerance && s.absolute_tolerance == t.absolute_tolerance &&
         s.initial_step == t.initial_step && s.min_step == t.min_step && s.max_stance_time == t.max_stance_time &&
         s.output_interval == t.output_interval && s.event_tolerance == t.event_tolerance));
  const auto &e = x.controller, &f = y.controller;
  CHECK((e.ramp_time == f.ramp_time && e.trunk_kp == f.trunk_kp && e.trunk_kd == f.trunk_kd &&
         e.trunk_reference_lean == f.trunk_reference_lean && e.muscle_names == f.muscle_names));
  REQUIRE(e.muscles.size() == f.muscles.size());
  for (std::size_t i = 0; i < e.muscles.size(); ++i) {
    const legsim::MuscleControl &g = e.muscles[i], &h = f.muscles[i];
    CHECK((g.level == h.level && g.onset == h.onset && g.offset == h.offset && g.force_gain == h.force_gain &&
           g.length_gain == h.length_gain && g.length_offset == h.length_offset && g.trunk_gain == h.trunk_gain &&
           g.pretension == h.pretension && g.effort_weight == h.effort_weight));
  }
}

Model saved_and_loaded(const Model& m) {
  const auto path = std::filesystem::temp_directory_path() / "legsim_roundtrip_fields.toml";
  m.save(path);
  const Model back = Model::load(path);
  std::filesystem::remove(path);
  return back;
}

}  // namespace

TEST_CASE("every accepted model round-trips field by field, with its sources, citations and muscle order") {
  const Model& m = Model::default_model();
  // The file's muscle order (toml++ iterates tables by name: gastrocnemius would come first).
  CHECK(m.muscle_names() == std::vector<std::string>{"soleus", "gastrocnemius", "quadriceps", "hamstrings",
                                                     "tibialis_anterior", "gluteus", "hip_flexor"});
  // Sources of every table and per-value citations (the comment beside a value) are kept.
  const auto& p = m.parts();
  CHECK(p.sources.at("body").rfind("segments scaled from de Leva P (1996)", 0) == 0);
  CHECK(p.sources.at("contact").find("see legsim/body/params.hpp for each value's source") != std::string::npos);
  CHECK(p.sources.at("controller").rfind("Geyer H, Herr H (2010)", 0) == 0);
  CHECK(p.sources.at("pfj").rfind("van Eijden 1986", 0) == 0);
  CHECK(p.notes.at("muscles.soleus.max_isometric_force").after == "N, Rajagopal 2016");
  CHECK(p.notes.at("muscles.gastrocnemius.max_isometric_force").after ==
        "N, medialis 3115.5 + lateralis 1575.1, Rajagopal 2016");
  CHECK(p.notes.at("controller.trunk_kp").after == "1/rad, Geyer & Herr 2010");
  CHECK(p.notes.at("muscles.quadriceps.max_isometric_force").above ==
        std::vector<std::string>{"The vasti (knee extensors; rectus femoris is not modelled, as in Geyer & Herr 2010)."});
  CHECK(p.notes.at("model").above.front() == "legsim default model: a 70 kg, 1.75 m male runner.");
  CHECK(p.notes.at("muscles.soleus.optimal_fiber_length").after == "m, Geyer & Herr 2010");
  CHECK_FALSE(p.notes.contains("muscles.gluteus.optimal_fiber_length"));  // "# m": the unit only, not kept

  require_same_parts(saved_and_loaded(m), m);
  require_same_parts(Model::from_toml(m.to_toml()), m);
  const Model twice = saved_and_loaded(saved_and_loaded(m));
  require_same_parts(twice, m);

  // Strings with newlines, control characters, quotes and backslashes (issue 18, item 8: this model
  // loaded but could not be saved or pickled).
  std::string text(Model::default_model_toml());
  const std::string from = "description = \"70 kg";
  text.replace(text.find(from), from.size(),
               "description = \"\"\"\ntwo\nlines\ttab \\\"quoted\\\" back\\\\slash \\u0001\"\"\"\ndummy = \"70 kg");
  text.replace(text.find("dummy = "), 8, "# ");
  const Model odd = Model::from_toml(text, "odd.toml");
  CHECK(odd.description() == "two\nlines\ttab \"quoted\" back\\slash \x01");
  require_same_parts(saved_and_loaded(odd), odd);
  const std::string leading = "\nstarts with a newline\r\n\"\"\"";
  Model::Parts parts = m.parts();
  parts.description = leading;
  parts.muscles[0].tags.push_back("a\nb");
  parts.sources["model"] = "line one\nline two";
  parts.notes["body.mass"].after = "kg\nwith a newline";  // written on one line
  const Model built(parts);
  const Model back = saved_and_loaded(built);
  CHECK(back.description() == leading);
  CHECK(back.muscles()[0].tags.back() == "a\nb");
  CHECK(back.parts().sources.at("model") == "line one\nline two");
  CHECK(back.parts().notes.at("body.mass").after == "kg with a newline");
}

TEST_CASE("with_params returns a changed copy and validates") {
  const Model& m = Model::default_model();
  const Model m2 = m.with_params({{"muscles.soleus.tendon_slack_length", 0.25}, {"body.mass", 80.0}});
  CHECK(m2.param("muscles.soleus.tendon_slack_length") == 0.25);
  CHECK(m2.body_mass() == 80.0);
  CHECK(m.param("muscles.soleus.tendon_slack_length") == 0.26);  // original untouched
  CHECK(m2.param("muscles.gastrocnemius.joints.1.moment_arm") == 0.035);
  CHECK_THROWS_WITH(m.with_params({{"muscles.soleus.max_force", 1.0}}),
                    Catch::Contains("unknown numeric model parameter 'muscles.soleus.max_force'"));
  CHECK_THROWS_WITH(m.with_params({{"muscles.soleus.max_isometric_force", -5.0}}),
                    Catch::Contains("muscles.soleus.max_isometric_force = -5 is out of range: allowed [1, 1e+05] N"));
  CHECK_THROWS_AS(m.muscle_index("biceps"), InputError);
  CHECK_THROWS_WITH(m.muscle_index("biceps"), Catch::Contains("unknown muscle 'biceps'"));
}

TEST_CASE("model file errors name the file, key, value and allowed range") {
  require_error("[model\nname=1", "TOML syntax error");
  require_error(edited(R"(max_isometric_force = 6194\.8)", "max_isometric_force = -1.0"),
                "muscles.soleus.max_isometric_force = -1 is out of range: allowed [1, 1e+05] N");
  require_error(edited(R"(max_isometric_force = 6194\.8)", "max_isometric_force = nan"),
                "muscles.soleus.max_isometric_force = nan is out of range: allowed a finite number");
  require_error(edited(R"(max_isometric_force = 6194\.8)", "max_isometric_force = \"big\""),
                "'muscles.soleus.max_isometric_force' must be a number, got string");
  require_error(edited(R"(max_isometric_force = 6194\.8[^\n]*\n)", ""),
                "missing required key 'muscles.soleus.max_isometric_force' (N)");
  require_error(edited(R"(max_isometric_force = 6194\.8)", "max_force = 1.0"),
                "unknown key 'muscles.soleus.max_force'; allowed keys: max_isometric_force");
  require_error(edited(R"(mass = 70\.0)", "mass = -70.0"), "body.mass = -70 is out of range: allowed [20, 250]");
  require_error(edited(R"(sex = "male")", "sex = \"x\""), "body.sex = \"x\" is out of range: allowed \"male\", \"female\"");
  require_error(edited(R"(pennation_angle_at_optimal = 0\.382[0-9]*)", "pennation_angle_at_optimal = 1.6"),
                "muscles.soleus.pennation_angle_at_optimal = 1.6 is out of range");
  require_error(edited(R"(joint = "ankle")", "joint = \"toe\""), "muscles.soleus.joints.0.joint = \"toe\" is not a joint");
  require_error(edited(R"(action = "extend")", "action = \"push\""), "is not an action");
  require_error(edited(R"(moment_arm = 0\.025)", "moment_arm = 0.5"), "moment_arm = 0.5 is out of range: allowed [0.005, 0.2] m");
  // Geyer & Herr's length factor is gone: the length change is the moment arm's integral.
  require_error(edited(R"(moment_arm = 0\.025)", "moment_arm = 0.025\nrho = 0.5"),
                "'muscles.soleus.joints.0.rho' is no longer a key");
  require_error(edited(R"(\[pfj\])", "[pfjj]"), "unknown table 'pfjj'");
  require_error(edited(R"(area_model = "brechter_powers_2002")", "area_model = \"x\""), "pfj.area_model = \"x\" is out of range");
  require_error(edited(R"(relative_tolerance = 1e-4)", "relative_tolerance = 0.5"),
                "integrator.relative_tolerance = 0.5 is out of range: allowed [1e-12, 0.01]");
  require_error(edited(R"(\[contact\])", "[contact]\nstiffness = -3.0"), "contact.stiffness = -3 is out of range");
  CHECK_THROWS_WITH(Model::load("/nonexistent/model.toml"), Catch::Contains("cannot open the model file"));
}

TEST_CASE("absurd model values that loaded before issue 18 are rejected naming key, value and range") {
  // Each loaded and gave status ok with NaN metrics or a 1e-7 s contact, or loaded silently.
  require_error(edited(R"(\[contact\])", "[contact]\nstiffness = 1e20"),
                "contact.stiffness = 1e+20 is out of range: allowed [10000, 1e+08] N/m^exponent");
  require_error(edited(R"(max_isometric_force = 6194\.8)", "max_isometric_force = 1e12"),
                "muscles.soleus.max_isometric_force = 1e+12 is out of range: allowed [1, 1e+05] N");
  require_error(edited(R"(optimal_fiber_length = 0\.04)", "optimal_fiber_length = 1e308"),
                "muscles.soleus.optimal_fiber_length = 1e+308 is out of range: allowed [0.01, 0.5] m");
  require_error(edited(R"(angle_ref_deg = 80\.0)", "angle_ref_deg = 341.1"),
                "muscles.soleus.joints.0.angle_ref_deg = 341.1 is out of range: allowed [30, 150] deg (ankle");
  require_error(edited(R"(angle_ref_deg = 165\.0)", "angle_ref_deg = 250.0"),
                "muscles.gastrocnemius.joints.1.angle_ref_deg = 250 is out of range: allowed [20, 195] deg (knee");
  require_error(edited(R"(moment_arm = 0\.025)", "moment_arm = 1e-300"),
                "muscles.soleus.joints.0.moment_arm = 1e-300 is out of range: allowed [0.005, 0.2] m");
  require_error(edited(R"(ramp_time = 0\.01)", "ramp_time = 1e-300"),
                "controller.ramp_time = 1e-300 is out of range: allowed [0.001, 0.1] s");
  require_error(edited(R"(output_interval = 0\.0005)", "output_interval = 1e-300"),
                "integrator.output_interval = 1e-300 is out of range: allowed [1e-05, 0.01] s");
  // The default model and the variants of the tests and examples stay valid.
  const Model& m = Model::default_model();
  CHECK_NOTHROW(m.with_params({{"contact.stiffness", 4.9e5}}));  // examples/python/impact_sensitivity.py
  CHECK_NOTHROW(m.with_params({{"muscles.soleus.tendon_slack_length", 0.25}, {"integrator.max_stance_time", 0.05}}));
}

// ------------------------------------------------------------------ [foot_contact] (issue 19)

using legsim::ContactSphere;
using legsim::sagittal_contact_spheres;
using legsim::SmoothContactParams;

namespace {

std::string model_file_error(const std::string& text) {
  try {
    (void)Model::from_toml(text, "bad.toml");
  } catch (const ModelFileError& e) {
    return e.what();
  }
  return "<no ModelFileError>";
}

/// The default model's text without its [foot_contact] table and spheres (a model file from before
/// issue 19).
std::string without_foot_contact(const std::string& text) {
  const std::size_t from = text.find("# Smooth sphere contact for gait prediction");
  const std::size_t to = text.find("[muscles.soleus]");
  REQUIRE(from != std::string::npos);
  REQUIRE(to > from);
  return text.substr(0, from) + text.substr(to);
}

}  // namespace

TEST_CASE("model file: [foot_contact] holds Falisse 2019's values and four spheres on the foot",
          "[smooth_contact][model_file]") {
  const Model& m = Model::default_model();
  const SmoothContactParams& p = m.foot_contact();
  CHECK(p.stiffness == 1e6);
  CHECK(p.dissipation == 2.0);
  CHECK(p.static_friction == 0.8);
  CHECK(p.dynamic_friction == 0.8);
  CHECK(p.viscous_friction == 0.5);
  CHECK(p.transition_velocity == 0.2);
  CHECK(p.hertz_smoothing == 300.0);
  CHECK(p.hunt_crossley_smoothing == 50.0);
  // The file's spheres are sagittal_contact_spheres(foot) rounded to 0.1 mm.
  const std::vector<ContactSphere> placed = sagittal_contact_spheres(m.body().foot);
  REQUIRE(p.spheres.size() == placed.size());
  for (std::size_t i = 0; i < placed.size(); ++i) {
    INFO(placed[i].name);
    CHECK(p.spheres[i].name == placed[i].name);
    CHECK(p.spheres[i].x == Approx(placed[i].x).margin(5e-5));
    CHECK(p.spheres[i].y == Approx(placed[i].y).margin(5e-5));
    CHECK(p.spheres[i].radius == placed[i].radius);
    CHECK(p.spheres[i].count == placed[i].count);
  }
  CHECK(p.spheres[0].count == 1);
  CHECK(p.spheres[1].count == 1);
  CHECK(p.spheres[2].count == 2);
  CHECK(p.spheres[3].count == 2);
  CHECK(m.parts().notes.at("foot_contact.stiffness").after == "N/m^2, plane-strain modulus E, Falisse 2019");
  CHECK(m.parts().sources.at("foot_contact").rfind("Serrancoli 2019", 0) == 0);
}

TEST_CASE("model file: a file without [foot_contact] loads with the defaults, spheres on its own foot",
          "[smooth_contact][model_file]") {
  const std::string old = without_foot_contact(default_text());
  const Model m = Model::from_toml(old, "old.toml");
  const SmoothContactParams defaults;
  CHECK(m.foot_contact().stiffness == defaults.stiffness);
  CHECK(m.foot_contact().transition_velocity == defaults.transition_velocity);
  REQUIRE(m.foot_contact().spheres.size() == 4);
  CHECK(m.foot_contact().spheres[3].x == sagittal_contact_spheres(m.body().foot)[3].x);
  CHECK(m.foot_contact().spheres[2].count == 2);  // the default spheres' counts
  // A short runner's old file: the default spheres follow the smaller foot (fixed places would not
  // fit it: 1.2 m puts the toe tip at 0.152 m, behind the default toe sphere's 0.2032 m).
  const std::string short_runner = std::regex_replace(old, std::regex(R"(height = 1\.75)"), "height = 1.2");
  const Model s = Model::from_toml(short_runner, "short.toml");
  CHECK(s.foot_contact().spheres[3].x == sagittal_contact_spheres(s.body().foot)[3].x);
  CHECK(model_file_error(std::regex_replace(default_text(), std::regex(R"(height = 1\.75)"), "height = 1.2"))
            .find("foot_contact.spheres.3.x = 0.2032 is out of range") != std::string::npos);
  // Saved, it writes the table with the values in use: the round trip is exact.
  CHECK(Model::from_toml(m.to_toml()).to_toml() == m.to_toml());
}

TEST_CASE("model file: [foot_contact] errors name the key, the value and the range", "[smooth_contact][model_file]") {
  using Catch::Contains;
  CHECK_THAT(model_file_error(edited(R"(stiffness = 1\.0e6)", "stiffness = 1e12")),
             Contains("bad.toml: foot_contact.stiffness = 1e+12 is out of range: allowed [1e+05, 1e+09] N/m^2"));
  CHECK_THAT(model_file_error(edited(R"(dynamic_friction = 0\.8)", "dynamic_friction = 1.2")),
             Contains("foot_contact.dynamic_friction = 1.2 is out of range: allowed [0, static_friction] = [0, 0.8]"));
  CHECK_THAT(model_file_error(edited(R"(transition_velocity = 0\.2)", "transition_velocity = \"fast\"")),
             Contains("'foot_contact.transition_velocity' must be a number, got string"));
  CHECK_THAT(model_file_error(edited(R"(hertz_smoothing = 300\.0)", "hertz_smoothing = 300.0\nsmoothing = 1.0")),
             Contains("unknown key 'foot_contact.smoothing'; allowed keys: stiffness"));
  CHECK_THAT(model_file_error(edited(R"(\nx = 0\.2032)", "\nx = 0.35")),
             Contains("foot_contact.spheres.3.x = 0.35 is out of range: allowed [-0.0876"));
  CHECK_THAT(model_file_error(edited(R"(\nx = 0\.2032)", "\nx = 0.35")), Contains("to the toe tip"));
  CHECK_THAT(model_file_error(edited(R"(\nx = -0\.0376)", "\nx = -0.2")), Contains("foot_contact.spheres.0.x = -0.2 is out of range"));
  CHECK_THAT(model_file_error(edited(R"(y = -0\.03625)", "y = 0.01")),
             Contains("foot_contact.spheres.0.y = 0.01 is out of range: allowed [-0.066"));
  CHECK_THAT(model_file_error(edited(R"(y = -0\.03625)", "y = 0.01")), Contains("the lowest point y - radius within 0.03 m"));
  CHECK_THAT(model_file_error(edited(R"(radius = 0\.032)", "radius = 0")),
             Contains("foot_contact.spheres.0.radius = 0 is out of range: allowed [0.005, 0.1] m"));
  CHECK_THAT(model_file_error(edited(R"(name = "midfoot")", "name = \"heel\"")),
             Contains("foot_contact.spheres.1.name: the name 'heel' is used twice"));
  CHECK_THAT(model_file_error(edited(R"(name = "heel"\n)", "")), Contains("missing required key 'foot_contact.spheres.0.name'"));
  CHECK_THAT(model_file_error(edited(R"(\nx = -0\.0376[^\n]*)", "")),
             Contains("missing required key 'foot_contact.spheres.0.x' (m, foot frame)"));
  CHECK_THAT(model_file_error(edited(R"(radius = 0\.032)", "radius = 0.032\nz = 0.01")),
             Contains("unknown key 'foot_contact.spheres.0.z'"));
  CHECK_THAT(model_file_error(without_foot_contact(default_text()) + "\n[foot_contact]\nspheres = 3\n"),
             Contains("'foot_contact.spheres' must be an array of at least one table"));
  // count: an integer in [1, 4].
  const auto count_edit = [](const std::string& value) { return edited(R"(count = 2  # Falisse 2019 toes[^\n]*)", "count = " + value); };
  CHECK_THAT(model_file_error(count_edit("0")), Contains("bad.toml: foot_contact.spheres.3.count = 0 is out of range: allowed [1, 4]"));
  CHECK_THAT(model_file_error(count_edit("5")), Contains("foot_contact.spheres.3.count = 5 is out of range: allowed [1, 4]"));
  CHECK_THAT(model_file_error(count_edit("-1")), Contains("foot_contact.spheres.3.count = -1 is out of range: allowed [1, 4]"));
  CHECK_THAT(model_file_error(count_edit("4294967298")),  // 2^32 + 2: would wrap to 2 in an int
             Contains("foot_contact.spheres.3.count = 4294967298 is out of range: allowed [1, 4]"));
  CHECK_THAT(model_file_error(count_edit("2.0")),
             Contains("foot_contact.spheres.3.count = 2 is not an integer: allowed an integer in [1, 4]"));
  CHECK_THAT(model_file_error(count_edit("1.5")),
             Contains("foot_contact.spheres.3.count = 1.5 is not an integer: allowed an integer in [1, 4]"));
  CHECK_THAT(model_file_error(count_edit("\"two\"")), Contains("'foot_contact.spheres.3.count' must be an integer, got string"));
}

TEST_CASE("model file: a sphere's count is optional (1), read, written and reached by with_params",
          "[smooth_contact][model_file]") {
  const Model& m = Model::default_model();
  // Without count keys (a file from before count): every sphere stands for one.
  const std::string no_count = std::regex_replace(default_text(), std::regex(R"(\ncount = [0-9][^\n]*)"), "");
  REQUIRE(no_count.find("\ncount = ") == std::string::npos);
  const Model old = Model::from_toml(no_count, "old.toml");
  REQUIRE(old.foot_contact().spheres.size() == 4);
  for (const ContactSphere& s : old.foot_contact().spheres) CHECK(s.count == 1);
  // The writer writes count, with the unit comment when the file had none, and reads it back.
  const std::string written = old.to_toml();
  CHECK(written.find("\ncount = 1  # published 3-D spheres this one stands for\n") != std::string::npos);
  CHECK(Model::from_toml(written).to_toml() == written);
  CHECK(Model::from_toml(written).parts().notes == old.parts().notes);
  // The default file's comments beside count survive a save.
  CHECK(m.to_toml().find("\ncount = 2  # Falisse 2019 calcaneus spheres 2 and 3, in parallel\n") != std::string::npos);
  // with_params and param: integer values only.
  CHECK(m.param("foot_contact.spheres.2.count") == 2.0);
  const Model v = m.with_params({{"foot_contact.spheres.2.count", 1.0}, {"foot_contact.spheres.0.count", 4.0}});
  CHECK(v.foot_contact().spheres[2].count == 1);
  CHECK(v.foot_contact().spheres[0].count == 4);
  CHECK(v.param("foot_contact.spheres.0.count") == 4.0);
  CHECK(Model::from_toml(v.to_toml()).foot_contact().spheres[0].count == 4);
  CHECK(m.foot_contact().spheres[0].count == 1);  // the original is untouched
  CHECK_THROWS_WITH(m.with_params({{"foot_contact.spheres.2.count", 2.5}}),
                    Catch::Contains("foot_contact.spheres.2.count = 2.5 is not an integer: allowed an integer in [1, 4]"));
  CHECK_THROWS_WITH(m.with_params({{"foot_contact.spheres.2.count", 0.0}}),
                    Catch::Contains("foot_contact.spheres.2.count = 0 is out of range: allowed [1, 4]"));
  CHECK_THROWS_WITH(m.with_params({{"foot_contact.spheres.2.count", 1e300}}),
                    Catch::Contains("foot_contact.spheres.2.count = 1e+300 is not an integer"));
  CHECK_THROWS_AS(m.with_params({{"foot_contact.spheres.2.count", 2.5}}), ModelFileError);
  // format_version stays no parameter.
  CHECK_THROWS_WITH(m.with_params({{"model.format_version", 1.0}}),
                    Catch::Contains("unknown numeric model parameter 'model.format_version'"));
}

TEST_CASE("model file: [foot_contact] round-trips and with_params reaches every value", "[smooth_contact][model_file]") {
  const Model& m = Model::default_model();
  const Model back = Model::from_toml(m.to_toml());
  CHECK(back.to_toml() == m.to_toml());
  const auto& a = m.foot_contact();
  const auto& b = back.foot_contact();
  CHECK((a.stiffness == b.stiffness && a.dissipation == b.dissipation && a.static_friction == b.static_friction &&
         a.dynamic_friction == b.dynamic_friction && a.viscous_friction == b.viscous_friction &&
         a.transition_velocity == b.transition_velocity && a.hertz_smoothing == b.hertz_smoothing &&
         a.hunt_crossley_smoothing == b.hunt_crossley_smoothing));
  REQUIRE(a.spheres.size() == b.spheres.size());
  for (std::size_t i = 0; i < a.spheres.size(); ++i)
    CHECK((a.spheres[i].name == b.spheres[i].name && a.spheres[i].x == b.spheres[i].x &&
           a.spheres[i].y == b.spheres[i].y && a.spheres[i].radius == b.spheres[i].radius &&
           a.spheres[i].count == b.spheres[i].count));
  CHECK(back.parts().notes == m.parts().notes);
  // The comments above the spheres survive a save.
  CHECK(m.to_toml().find("# Four spheres along the sole, centres in the foot frame") != std::string::npos);

  const Model v = m.with_params({{"foot_contact.stiffness", 2e6}, {"foot_contact.spheres.1.x", 0.06},
                                 {"foot_contact.spheres.3.radius", 0.025}});
  CHECK(v.foot_contact().stiffness == 2e6);
  CHECK(v.foot_contact().spheres[1].x == 0.06);
  CHECK(v.foot_contact().spheres[3].radius == 0.025);
  CHECK(v.param("foot_contact.spheres.1.x") == 0.06);
  CHECK(m.foot_contact().spheres[1].x == 0.0496);  // the original is untouched
  CHECK_THROWS_WITH(m.with_params({{"foot_contact.spheres.0.radius", 0.5}}),
                    Catch::Contains("foot_contact.spheres.0.radius = 0.5 is out of range: allowed [0.005, 0.1] m"));
  CHECK_THROWS_WITH(m.with_params({{"foot_contact.spheres.9.x", 0.1}}),
                    Catch::Contains("unknown numeric model parameter 'foot_contact.spheres.9.x'"));
}

TEST_CASE("model file: a new body.height moves the foot_contact spheres with the foot", "[smooth_contact][model_file]") {
  // Gait conditions with a height (condition_model) go through with_params: the default spheres must
  // follow the smaller foot (fixed, the toe sphere would lie beyond a 1.5 m runner's toe tip).
  const Model& m = Model::default_model();
  for (double height : {1.2, 1.5, 2.1}) {
    INFO("height " << height);
    const Model v = m.with_params({{"body.height", height}});
    const std::vector<ContactSphere> placed = sagittal_contact_spheres(v.body().foot);
    REQUIRE(v.foot_contact().spheres.size() == placed.size());
    for (std::size_t i = 0; i < placed.size(); ++i) {
      // The file's 0.05 mm rounding, scaled.
      CHECK(v.foot_contact().spheres[i].x == Approx(placed[i].x).margin(5e-5 * height / 1.75 + 1e-12));
      CHECK(v.foot_contact().spheres[i].y == Approx(placed[i].y).margin(5e-5 * height / 1.75 + 1e-12));
      CHECK(v.foot_contact().spheres[i].radius == placed[i].radius);
    }
  }
  // Setting a sphere in the same call keeps the file's places: too long for a 1.5 m runner's foot.
  CHECK_THROWS_WITH(m.with_params({{"body.height", 1.5}, {"foot_contact.spheres.0.radius", 0.03}}),
                    Catch::Contains("foot_contact.spheres.3.x = 0.2032 is out of range"));
}

// ------------------------------------------------------------------ found by make fuzz (issue 20)

namespace {

std::string repeated(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("model file: keys and tables nested too deep are rejected before they overflow the stack", "[model_file]") {
  // "[model.a.a.a…]" of 60 000 parts (120 kB) overflowed the stack in toml++ 3.3's parser, and 12 000
  // in the reader's walk over the tables (tests/fuzz/regressions/model_file/).
  for (int parts : {33, 12'000, 60'000}) {
    INFO(parts << " parts");
    require_error("[model" + repeated(".a", parts - 1) + "]\n",
                  "line 1: a dotted key or table header has more than 32 parts: allowed at most 32");
  }
  require_error(default_text() + "\n[pfj.x]\n" + repeated("y.", 40) + "z = 1\n",
                "a dotted key or table header has more than 32 parts");
  require_error("x = " + repeated("[", 40) + repeated("]", 40) + "\n",
                "line 1: arrays and inline tables nest more than 32 levels deep: allowed at most 32");
  require_error("x = " + repeated("{a=", 40) + "1" + repeated("}", 40) + "\n", "nest more than 32 levels deep");
  // 32 parts pass the check (toml++ then reads the file, and the reader names the unknown key).
  require_error("[model" + repeated(".a", 31) + "]\n", "unknown key 'model.a'");
}

TEST_CASE("model file: dots and brackets in strings and comments are not nesting", "[model_file]") {
  const std::string dots = repeated(".[{", 50);
  std::string text = default_text();
  const std::string from = "description = \"70 kg";
  text.replace(text.find(from), from.size(),
               "description = \"\"\"" + dots + "\n\\\"\"\"" + dots + "\"\"\"\"\ndummy = \"70 kg");
  text.replace(text.find("dummy = "), 8, "# " + dots + " ");
  text += "# " + dots + "\n";
  text.replace(text.find("[model]\n"), 8, "[model]\nsource = '" + dots + "'\n");
  const Model m = Model::from_toml(text, "dots.toml");
  CHECK(m.description() == dots + "\n\"\"\"" + dots + "\"");
  CHECK(m.parts().sources.at("model") == dots);
}

TEST_CASE("model file: an empty key is unknown in [model] and [pfj]", "[model_file]") {
  // It matched the blank placeholder that stood for "no numeric fields" and was silently ignored.
  require_error(edited(R"(\[pfj\])", "[pfj]\n\"\" = 1"),
                "unknown key 'pfj.'; allowed keys: area_model, weight_bearing_area, source");
  require_error(edited(R"(\[model\])", "[model]\n\"\" = 1"),
                "unknown key 'model.'; allowed keys: name, description, format_version, source");
}

TEST_CASE("model file: an angle in degrees keeps its radians through save and load", "[model_file]") {
  // The writer gave rad * (180/pi) when no decimal of it converted back to rad: about 1 % of
  // full-precision angles (5 of the 100 below) then loaded an ulp away, breaking load(save(m)) == m.
  const Model& m = Model::default_model();
  const auto check_round_trip = [&](const std::string& muscle, const std::string& key, double deg) {
    INFO(muscle << " " << key << " = " << legsim::format_value(deg));
    const Model v = m.with_params({{"muscles." + muscle + ".joints.0." + key, deg}});
    const auto angle = [&](const Model& model) {
      const legsim::JointCrossing& c = model.muscles()[model.muscle_index(muscle)].joints[0];
      return key == "angle_ref_deg" ? c.angle_ref : c.angle_max;
    };
    REQUIRE(angle(v) == deg * legsim::kDegToRad);
    CHECK(angle(Model::from_toml(v.to_toml())) == angle(v));
  };
  check_round_trip("hip_flexor", "angle_max_deg", -70.09272859363746);  // tests/fuzz/regressions/with_params/
  for (int i = 100; i < 200; ++i) check_round_trip("soleus", "angle_ref_deg", 30.0 + i * 0.1234567891234567);
}

TEST_CASE("model file: the schema lists every MuscleParams field once, and each round-trips exactly", "[model_file]") {
  // The schema is the one list of muscle fields (the reader, the writer, with_params and Python's
  // legsim.MuscleTendon take it from there), so a double added to MuscleParams without a row in
  // it would be neither read nor written: the struct's size gives it away. The one other field is
  // the enum `tendon`, padded to a double's size.
  const auto fields = legsim::muscle_parameter_fields();
  CHECK(sizeof(legsim::MuscleParams) == (fields.size() + 1) * sizeof(double));
  for (std::size_t i = 0; i < fields.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      INFO(fields[i].key << " and " << fields[j].key);
      CHECK(fields[i].member != fields[j].member);
      CHECK(fields[i].key != fields[j].key);
    }
  // Each field changed by one ulp (towards zero; a zero becomes the smallest denormal) in one muscle,
  // through the file and through with_params: the written text must give back exactly that double.
  const Model& m = Model::default_model();
  for (const auto& f : fields) {
    for (std::size_t k = 0; k < m.muscles().size(); ++k) {
      INFO(m.muscles()[k].name << "." << f.key);
      Model::Parts parts = m.parts();
      double& value = parts.muscles[k].params.*f.member;
      value = value == 0.0 ? std::nextafter(0.0, 1.0) : std::nextafter(value, 0.0);
      const Model changed(parts);
      const Model back = Model::from_toml(changed.to_toml());
      CHECK(back.muscles()[k].params.*f.member == value);
      const std::string path = "muscles." + m.muscles()[k].name + "." + std::string(f.key);
      CHECK(changed.param(path) == value);
      CHECK(m.with_params({{path, value}}).muscles()[k].params.*f.member == value);
    }
  }
}

TEST_CASE("model file: every name of a string key is read, written back, and listed when one is wrong",
          "[model_file]") {
  // The names exist once (src/io/schema.hpp's Choice tables) for the reader and the writer.
  const std::pair<std::string, std::string> edits[] = {
      {R"(\[muscles\.soleus\])", "[muscles.soleus]\ntendon = \"rigid\""},
      {R"(area_model = "brechter_powers_2002")", R"(area_model = "besier_2005")"},
      {R"(action = "extend")", R"(action = "flex")"},
  };
  for (const auto& [pattern, replacement] : edits) {
    INFO(replacement);
    const Model m = Model::from_toml(edited(pattern, replacement));
    const std::string written = replacement.substr(replacement.find('\n') + 1);
    CHECK(m.to_toml().find(written) != std::string::npos);
    CHECK(Model::from_toml(m.to_toml()) == m);
  }
  {
    // A female runner's shorter foot: the default spheres are placed on it (Model's constructor).
    Model::Parts parts = Model::default_model().parts();
    parts.sex = legsim::Sex::kFemale;
    parts.foot_contact.spheres.clear();
    const Model m(parts);
    CHECK(m.to_toml().find(R"(sex = "female")") != std::string::npos);
    CHECK(Model::from_toml(m.to_toml()).parts().sex == legsim::Sex::kFemale);
  }
  require_error(edited(R"(\[muscles\.soleus\])", "[muscles.soleus]\ntendon = \"stiff\""),
                "muscles.soleus.tendon = \"stiff\" is not a tendon model: allowed \"compliant\", \"rigid\"");
  require_error(edited(R"(joint = "ankle")", "joint = \"toe\""),
                "muscles.soleus.joints.0.joint = \"toe\" is not a joint: allowed \"hip\", \"knee\", \"ankle\"");
  require_error(edited(R"(action = "extend")", "action = \"push\""),
                "muscles.soleus.joints.0.action = \"push\" is not an action: allowed \"extend\" (increase the inner "
                "angle: hip/knee extension, plantarflexion), \"flex\"");
  require_error(edited(R"(area_model = "brechter_powers_2002")", "area_model = \"x\""),
                "pfj.area_model = \"x\" is out of range: allowed \"brechter_powers_2002\", \"besier_2005\"");
}

TEST_CASE("model: parts built in code with an enum or action the file cannot name are refused", "[model_file]") {
  // A file yields only named values; code can cast any integer. Before, an unknown joint indexed
  // past the joint-angle ranges, and the writer saved a sex, area model or action it could not name
  // as another one.
  const auto require_refused = [](const std::function<void(Model::Parts&)>& edit, const std::string& expected) {
    Model::Parts parts = Model::default_model().parts();
    edit(parts);
    try {
      const Model m(parts);
      FAIL("no exception; expected one containing: " << expected);
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(expected) != std::string::npos);
    }
  };
  require_refused([](Model::Parts& p) { p.muscles[0].joints[0].joint = static_cast<legsim::Joint>(7); },
                  "muscles.soleus.joints.0.joint = 7 is out of range");
  require_refused([](Model::Parts& p) { p.muscles[0].joints[0].action = 2; },
                  "muscles.soleus.joints.0.action = 2 is out of range: allowed 1 (extend), -1 (flex)");
  require_refused([](Model::Parts& p) { p.sex = static_cast<legsim::Sex>(2); }, "body.sex = 2 is out of range");
  require_refused([](Model::Parts& p) { p.pfj.contact_area = static_cast<legsim::PfjContactArea>(5); },
                  "pfj.contact_area = 5 is out of range");
}
