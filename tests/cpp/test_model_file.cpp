// Model files: the default model loads and round-trips; every error path names file, key, value
// and allowed range.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "legsim/core/error.hpp"
#include "legsim/model.hpp"

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

TEST_CASE("with_params returns a changed copy and validates") {
  const Model& m = Model::default_model();
  const Model m2 = m.with_params({{"muscles.soleus.tendon_slack_length", 0.25}, {"body.mass", 80.0}});
  CHECK(m2.param("muscles.soleus.tendon_slack_length") == 0.25);
  CHECK(m2.body_mass() == 80.0);
  CHECK(m.param("muscles.soleus.tendon_slack_length") == 0.26);  // original untouched
  CHECK(m2.param("muscles.gastrocnemius.joints.1.moment_arm") == 0.05);
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
  require_error(edited(R"(moment_arm = 0\.05)", "moment_arm = 0.5"), "moment_arm = 0.5 is out of range: allowed (0, 0.2] m");
  require_error(edited(R"(\[pfj\])", "[pfjj]"), "unknown table 'pfjj'");
  require_error(edited(R"(area_model = "brechter_powers_2002")", "area_model = \"x\""), "pfj.area_model = \"x\" is out of range");
  require_error(edited(R"(relative_tolerance = 1e-6)", "relative_tolerance = 0.5"),
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
  require_error(edited(R"(output_interval = 0\.0005)", "output_interval = 1e-300"),
                "integrator.output_interval = 1e-300 is out of range: allowed [1e-05, 0.01] s");
  // The default model and the variants of the tests and examples stay valid.
  const Model& m = Model::default_model();
  CHECK_NOTHROW(m.with_params({{"contact.stiffness", 4.9e5}}));  // examples/python/impact_sensitivity.py
  CHECK_NOTHROW(m.with_params({{"muscles.soleus.tendon_slack_length", 0.25}, {"integrator.max_stance_time", 0.05}}));
}
