// Writing a model file: one writer for every table, its numbers and enum names taken from the
// schema's tables (schema.hpp) that the reader uses, with each table's and key's comments (notes) kept.
// Not toml++'s serializer: it writes no comments, and Debian's toml++ 3.3 prints every float with
// 17 significant digits (0.1 as 0.10000000000000001), where format_value gives the shortest
// decimal that reads back to the same double.
#include <fstream>
#include <sstream>
#include <string>
#include <toml++/toml.h>

#include "legsim/core/error.hpp"
#include "legsim/model.hpp"
#include "schema.hpp"

namespace legsim {

using namespace model_file;

namespace {

/// A TOML basic string, escaped by toml++'s formatter (control characters as \n, \uXXXX). Single-line
/// basic strings only: toml++ 3.3 writes a string starting with a newline as a multi-line string
/// whose first newline a reader then drops.
std::string toml_string(std::string_view s) {
  std::ostringstream os;
  os << toml::toml_formatter{toml::value<std::string>(std::string(s)), toml::format_flags::allow_unicode_strings};
  return os.str();
}

std::string number_text(double v) {
  std::string s = format_value(v);
  // TOML needs a float to look like one; integers are fine for numbers but keep floats explicit.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

/// A comment on one line: control characters (a note set in code may hold a newline) become spaces.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

/// Writes a model file with its notes: the comment lines above each table and key, and after each
/// value its citation (or, for a number without one, its unit).
class Writer {
 public:
  explicit Writer(const Model::Parts& p) : p_(p) {}

  void table(const std::string& path, bool array_element = false) {
    above(path);
    const std::string name = array_element ? path.substr(0, path.rfind('.')) : path;
    os_ << (array_element ? "[[" : "[") << name << (array_element ? "]]\n" : "]\n");
  }

  void key(const std::string& table, std::string_view key, const std::string& value, std::string_view unit = {}) {
    const std::string path = table + "." + std::string(key);
    above(path);
    const auto it = p_.notes.find(path);
    const std::string_view comment = it != p_.notes.end() && !it->second.after.empty() ? it->second.after : unit;
    os_ << key << " = " << value;
    if (!comment.empty()) os_ << "  # " << one_line(comment);
    os_ << "\n";
  }

  template <class Obj, std::size_t N>
  void numbers(const std::string& table, const NumField<Obj> (&fields)[N], const Obj& obj) {
    for (const auto& f : fields) {
      const double v = obj.*f.member;
      key(table, f.key, number_text(is_deg_key(f.key) ? to_degrees(v) : v), f.unit);
    }
  }

  void source(const std::string& table) {
    if (const auto it = p_.sources.find(table); it != p_.sources.end()) key(table, "source", toml_string(it->second));
  }

  void above(const std::string& path) {
    if (const auto it = p_.notes.find(path); it != p_.notes.end())
      for (const std::string& line : it->second.above) os_ << (line.empty() ? "#" : "# " + one_line(line)) << "\n";
  }

  std::ostringstream& out() { return os_; }

 private:
  const Model::Parts& p_;
  std::ostringstream os_;
};

}  // namespace

std::string Model::to_toml() const {
  const Parts& p = parts_;
  Writer w(p);
  if (p.notes.contains("model")) w.above("model");
  else w.out() << "# " << kDefaultHeader << "\n";
  w.out() << "\n[model]\n";
  w.key("model", "name", toml_string(p.name));
  w.key("model", "description", toml_string(p.description));
  w.key("model", "format_version", "1");
  w.source("model");
  w.out() << "\n";
  w.table("body");
  w.numbers("body", kBodyFields, BodyFields{p.body_mass, p.height});
  w.key("body", "sex", toml_string(choice_name(kSexChoices, p.sex)));
  w.source("body");
  w.out() << "\n";
  w.table("contact");
  w.numbers("contact", kContactFields, p.contact);
  w.source("contact");
  w.out() << "\n";
  w.table("foot_contact");
  w.numbers("foot_contact", kSmoothContactFields, p.foot_contact);
  w.source("foot_contact");
  for (std::size_t i = 0; i < p.foot_contact.spheres.size(); ++i) {
    const ContactSphere& sphere = p.foot_contact.spheres[i];
    const std::string sp = "foot_contact.spheres." + std::to_string(i);
    w.table(sp, true);
    w.key(sp, "name", toml_string(sphere.name));
    w.numbers(sp, kSphereFields, sphere);
    w.key(sp, "count", std::to_string(sphere.count), kSphereCountUnit);
  }
  for (const MuscleSpec& m : p.muscles) {
    const std::string path = "muscles." + m.name;
    w.out() << "\n";
    w.table(path);
    w.numbers(path, kMuscleFields, m.params);
    w.key(path, "tendon", toml_string(choice_name(kTendonChoices, m.params.tendon)));
    w.key(path, "slow_twitch_fraction", number_text(m.slow_twitch_fraction), "1, type I fiber fraction");
    std::string tags = "[";
    for (std::size_t i = 0; i < m.tags.size(); ++i) tags += std::string(i ? ", " : "") + toml_string(m.tags[i]);
    w.key(path, "tags", tags + "]");
    w.key(path, "source", toml_string(m.source));
    for (std::size_t j = 0; j < m.joints.size(); ++j) {
      const JointCrossing& c = m.joints[j];
      const std::string jp = path + ".joints." + std::to_string(j);
      w.table(jp, true);
      w.key(jp, "joint", toml_string(choice_name(kJointChoices, c.joint)));
      w.numbers(jp, kCrossingFields, c);
      w.key(jp, "action", toml_string(choice_name(kActionChoices, c.action > 0 ? 1 : -1)));
    }
  }
  w.out() << "\n";
  w.table("pfj");
  w.key("pfj", "area_model", toml_string(choice_name(kAreaModelChoices, p.pfj.contact_area)));
  w.key("pfj", "weight_bearing_area", p.pfj.besier_weight_bearing ? "true" : "false");
  w.source("pfj");
  w.out() << "\n";
  w.table("integrator");
  w.numbers("integrator", kIntegratorFields, p.integrator);
  w.out() << "\n";
  w.table("controller");
  w.numbers("controller", kControllerFields, p.controller);
  w.source("controller");
  for (std::size_t i = 0; i < p.controller.muscles.size(); ++i) {
    const std::string path = "controller.muscles." + p.controller.muscle_names[i];
    w.out() << "\n";
    w.table(path);
    w.numbers(path, kMuscleControlFields, p.controller.muscles[i]);
  }
  return w.out().str();
}

void Model::save(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw InputError(path.string() + ": cannot write the model file");
  out << to_toml();
  if (!out) throw InputError(path.string() + ": writing the model file failed");
}

}  // namespace legsim
