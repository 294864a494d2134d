// Model files (TOML; format in models/runner.toml): reading with validation of every field, writing, and parameter
// overrides by key path. One schema (the field tables below) serves the reader, the writer and
// with_params, so the three cannot drift apart.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <toml++/toml.h>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/model.hpp"

namespace legsim {
namespace {

// ---------------------------------------------------------------- schema

template <class Obj>
struct NumField {
  std::string_view key;
  std::string_view unit;  // written as a comment next to the value
  double Obj::*member;
  bool required;
};

const NumField<MuscleParams> kMuscleFields[] = {
    {"max_isometric_force", "N", &MuscleParams::max_isometric_force, true},
    {"optimal_fiber_length", "m", &MuscleParams::optimal_fiber_length, true},
    {"tendon_slack_length", "m", &MuscleParams::tendon_slack_length, true},
    {"pennation_angle_at_optimal", "rad", &MuscleParams::pennation_angle_at_optimal, false},
    {"max_contraction_velocity", "optimal fiber lengths/s", &MuscleParams::max_contraction_velocity, false},
    {"tendon_strain_at_one_norm_force", "1", &MuscleParams::tendon_strain_at_one_norm_force, false},
    {"passive_fiber_strain_at_one_norm_force", "1", &MuscleParams::passive_fiber_strain_at_one_norm_force, false},
    {"activation_time_constant", "s", &MuscleParams::activation_time_constant, false},
    {"deactivation_time_constant", "s", &MuscleParams::deactivation_time_constant, false},
    {"activation_smoothing", "1", &MuscleParams::activation_smoothing, false},
    {"min_activation", "1", &MuscleParams::min_activation, false},
    {"fiber_damping", "1", &MuscleParams::fiber_damping, false},
    {"capacity_factor", "1, effective max isometric force factor (fatigue)", &MuscleParams::capacity_factor, false},
};

const NumField<JointCrossing> kCrossingFields[] = {
    {"moment_arm", "m", &JointCrossing::moment_arm, true},
    {"angle_max_deg", "deg, inner joint angle of the largest moment arm", &JointCrossing::angle_max, false},
    {"angle_ref_deg", "deg, inner joint angle where the length change is zero", &JointCrossing::angle_ref, true},
};

const NumField<ContactParams> kContactFields[] = {
    {"stiffness", "N/m^exponent", &ContactParams::stiffness, false},
    {"exponent", "1", &ContactParams::exponent, false},
    {"dissipation", "s/m", &ContactParams::dissipation, false},
    {"damping_ramp_width", "1", &ContactParams::damping_ramp_width, false},
    {"friction_coefficient", "1", &ContactParams::friction_coefficient, false},
    {"bristle_stiffness", "N/m", &ContactParams::bristle_stiffness, false},
    {"bristle_damping", "N s/m", &ContactParams::bristle_damping, false},
    {"friction_smoothing", "1", &ContactParams::friction_smoothing, false},
};

const NumField<SmoothContactParams> kSmoothContactFields[] = {
    {"stiffness", "N/m^2", &SmoothContactParams::stiffness, false},
    {"dissipation", "s/m", &SmoothContactParams::dissipation, false},
    {"static_friction", "1", &SmoothContactParams::static_friction, false},
    {"dynamic_friction", "1", &SmoothContactParams::dynamic_friction, false},
    {"viscous_friction", "s/m", &SmoothContactParams::viscous_friction, false},
    {"transition_velocity", "m/s", &SmoothContactParams::transition_velocity, false},
    {"hertz_smoothing", "1/m", &SmoothContactParams::hertz_smoothing, false},
    {"hunt_crossley_smoothing", "s/m", &SmoothContactParams::hunt_crossley_smoothing, false},
};

const NumField<ContactSphere> kSphereFields[] = {
    {"x", "m, foot frame", &ContactSphere::x, true},
    {"y", "m, foot frame", &ContactSphere::y, true},
    {"radius", "m", &ContactSphere::radius, false},
};

/// ContactSphere::count, an integer key beside kSphereFields; the writer's comment without a note.
constexpr std::string_view kSphereCountUnit = "published 3-D spheres this one stands for";

const NumField<IntegratorSettings> kIntegratorFields[] = {
    {"relative_tolerance", "1", &IntegratorSettings::relative_tolerance, false},
    {"absolute_tolerance", "1", &IntegratorSettings::absolute_tolerance, false},
    {"initial_step", "s", &IntegratorSettings::initial_step, false},
    {"min_step", "s", &IntegratorSettings::min_step, false},
    {"max_stance_time", "s", &IntegratorSettings::max_stance_time, false},
    {"output_interval", "s", &IntegratorSettings::output_interval, false},
    {"event_tolerance", "s", &IntegratorSettings::event_tolerance, false},
};

const NumField<ControllerParams> kControllerFields[] = {
    {"ramp_time", "s", &ControllerParams::ramp_time, false},
    {"trunk_kp", "1/rad", &ControllerParams::trunk_kp, false},
    {"trunk_kd", "s/rad", &ControllerParams::trunk_kd, false},
    {"trunk_reference_lean", "rad", &ControllerParams::trunk_reference_lean, false},
};

const NumField<MuscleControl> kMuscleControlFields[] = {
    {"level", "1, feedforward excitation", &MuscleControl::level, false},
    {"onset", "s after touchdown", &MuscleControl::onset, false},
    {"offset", "s after touchdown", &MuscleControl::offset, false},
    {"force_gain", "1, per normalized tendon force", &MuscleControl::force_gain, false},
    {"length_gain", "1, per normalized fiber length", &MuscleControl::length_gain, false},
    {"length_offset", "1, normalized fiber length", &MuscleControl::length_offset, false},
    {"trunk_gain", "1, +1 hip extensor, -1 hip flexor", &MuscleControl::trunk_gain, false},
    {"pretension", "1, fraction of the touchdown-activation tendon force present at touchdown", &MuscleControl::pretension, false},
    {"effort_weight", "1, weight of the muscle's activation cubed in the effort", &MuscleControl::effort_weight, false},
};

struct BodyFields {
  double mass = 0, height = 0;
};
const NumField<BodyFields> kBodyFields[] = {
    {"mass", "kg", &BodyFields::mass, true},
    {"height", "m", &BodyFields::height, true},
};

bool is_deg_key(std::string_view key) { return key.ends_with("_deg"); }

/// The angle in degrees, as the shortest decimal that converts back to exactly `rad`: the value a
/// file gave (80.0, not 80.00000000000001), so messages and saved files show it unchanged, and
/// load(save(m)) keeps the radians. rad * kRadToDeg itself can be an ulp off every such value (about
/// 1 % of full-precision angles; make fuzz found -70.09272859363746 deg, saved as ...747, which loads
/// an ulp away), so its neighbours are candidates too; one ulp sufficed in 300 000 random angles.
double to_degrees(double rad) {
  const double deg = rad * kRadToDeg;
  const double below = std::nextafter(deg, -INFINITY), above = std::nextafter(deg, INFINITY);
  const double candidates[] = {deg, below, above, std::nextafter(below, -INFINITY), std::nextafter(above, INFINITY)};
  for (int digits = 1; digits <= 17; ++digits) {
    for (const double c : candidates) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.*g", digits, c);
      const double d = std::strtod(buf, nullptr);
      if (d * kDegToRad == rad) return d;
    }
  }
  return deg;
}

// ---------------------------------------------------------------- reading

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  /// The file's comments (collect_notes); numbers() drops the `after` notes that only repeat the
  /// unit the writer puts there, so load -> save -> load keeps the notes equal.
  std::map<std::string, FileNotes>* notes = nullptr;

  [[noreturn]] void fail(const std::string& msg) const { throw ModelFileError(origin_ + ": " + msg); }

  static std::string join(const std::string& a, std::string_view b) {
    return a.empty() ? std::string(b) : a + "." + std::string(b);
  }

  const toml::table& table(const toml::table& parent, std::string_view key, const std::string& path,
                           bool required) const {
    static const toml::table kEmpty;
    const toml::node* n = parent.get(key);
    if (!n) {
      if (required) fail("missing required table '" + join(path, key) + "'");
      return kEmpty;
    }
    if (!n->is_table()) fail("'" + join(path, key) + "' must be a table, got " + type_name(*n));
    return *n->as_table();
  }

  static std::string type_name(const toml::node& n) {
    std::ostringstream os;
    os << n.type();
    return os.str();
  }

  double number(const toml::table& t, std::string_view key, const std::string& path) const {
    const toml::node* n = t.get(key);
    const std::string full = join(path, key);
    double v = 0;
    if (auto f = n->as_floating_point()) v = f->get();
    else if (auto i = n->as_integer()) v = static_cast<double>(i->get());
    else fail("'" + full + "' must be a number, got " + type_name(*n));
    if (!std::isfinite(v)) fail(full + " = " + format_value(v) + " is out of range: allowed a finite number");
    return v;
  }

  /// An integer key (a TOML integer, not a float such as 2.0) in [lo, hi]; the range is checked here
  /// only so that a value beyond int's range cannot wrap: validate() checks it again.
  int integer(const toml::table& t, std::string_view key, const std::string& path, int lo, int hi) const {
    const toml::node* n = t.get(key);
    const std::string full = join(path, key);
    const std::string allowed = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (auto f = n->as_floating_point())
      fail(full + " = " + format_value(f->get()) + " is not an integer: allowed an integer in " + allowed);
    const auto i = n->as_integer();
    if (!i) fail("'" + full + "' must be an integer, got " + type_name(*n));
    if (i->get() < lo || i->get() > hi)
      fail(full + " = " + std::to_string(i->get()) + " is out of range: allowed " + allowed);
    return static_cast<int>(i->get());
  }

  std::string string(const toml::table& t, std::string_view key, const std::string& path,
                     bool required, std::string def = {}) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) fail("missing required key '" + join(path, key) + "'");
      return def;
    }
    if (!n->is_string()) fail("'" + join(path, key) + "' must be a string, got " + type_name(*n));
    return n->as_string()->get();
  }

  template <class Obj, std::size_t N>
  void numbers(const toml::table& t, const NumField<Obj> (&fields)[N], const std::string& path, Obj& obj) const {
    for (const auto& f : fields) {
      if (!t.contains(f.key)) {
        if (f.required) fail("missing required key '" + join(path, f.key) + "' (" + std::string(f.unit) + ")");
        continue;
      }
      const double v = number(t, f.key, path);
      obj.*f.member = is_deg_key(f.key) ? v * kDegToRad : v;
      if (notes) drop_unit_note(join(path, f.key), f.unit);
    }
  }

  void drop_unit_note(const std::string& path, std::string_view unit) const {
    const auto it = notes->find(path);
    if (it == notes->end() || it->second.after != unit) return;
    it->second.after.clear();
    if (it->second.above.empty()) notes->erase(it);
  }

  /// Every key of t must be one of `allowed`; names the unknown key and the allowed ones.
  void known_keys(const toml::table& t, const std::vector<std::string_view>& allowed, const std::string& path) const {
    for (const auto& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
      std::string list;
      for (const std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail("unknown key '" + join(path, k.str()) + "'; allowed keys: " + list);
    }
  }

  /// The same for a table of numeric fields and the `extra` keys beside them.
  template <class Obj, std::size_t N>
  void known_keys(const toml::table& t, const NumField<Obj> (&fields)[N], std::initializer_list<std::string_view> extra,
                  const std::string& path) const {
    std::vector<std::string_view> allowed;
    for (const auto& f : fields) allowed.push_back(f.key);
    allowed.insert(allowed.end(), extra);
    known_keys(t, allowed, path);
  }

  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
};

Joint parse_joint(const Reader& r, const std::string& name, const std::string& path) {
  if (name == "hip") return Joint::kHip;
  if (name == "knee") return Joint::kKnee;
  if (name == "ankle") return Joint::kAnkle;
  r.fail(path + " = \"" + name + "\" is not a joint: allowed \"hip\", \"knee\", \"ankle\"");
}

const char* joint_name(Joint j) {
  switch (j) {
    case Joint::kHip: return "hip";
    case Joint::kKnee: return "knee";
    case Joint::kAnkle: return "ankle";
  }
  return "?";
}

MuscleSpec read_muscle(const Reader& r, const std::string& name, const toml::table& t, const std::string& path) {
  MuscleSpec m;
  m.name = name;
  r.known_keys(t, kMuscleFields, {"tendon", "tags", "slow_twitch_fraction", "source", "joints"}, path);
  r.numbers(t, kMuscleFields, path, m.params);
  const std::string tendon = r.string(t, "tendon", path, false, "compliant");
  if (tendon == "compliant") m.params.tendon = TendonModel::kCompliant;
  else if (tendon == "rigid") m.params.tendon = TendonModel::kRigid;
  else r.fail(path + ".tendon = \"" + tendon + "\" is not a tendon model: allowed \"compliant\", \"rigid\"");
  m.source = r.string(t, "source", path, true);
  if (t.contains("slow_twitch_fraction")) {
    m.slow_twitch_fraction = r.number(t, "slow_twitch_fraction", path);
    require_in_range(path + ".slow_twitch_fraction", m.slow_twitch_fraction, 0.0, 1.0);
  }
  if (const toml::node* tags = t.get("tags")) {
    const toml::array* arr = tags->as_array();
    if (!arr) r.fail("'" + path + ".tags' must be an array of strings");
    for (const auto& e : *arr) {
      if (!e.is_string()) r.fail("'" + path + ".tags' must be an array of strings");
      m.tags.push_back(e.as_string()->get());
    }
  }
  const toml::node* joints = t.get("joints");
  if (!joints) r.fail("missing required key '" + path + ".joints' (array of tables)");
  const toml::array* arr = joints->as_array();
  if (!arr || arr->empty() || arr->size() > 2)
    r.fail("'" + path + ".joints' must be an array of 1 or 2 tables ([[" + path + ".joints]])");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string jp = path + ".joints." + std::to_string(i);
    const toml::table* jt = (*arr)[i].as_table();
    if (!jt) r.fail("'" + jp + "' must be a table");
    if (jt->contains("rho"))
      r.fail("'" + jp + ".rho' is no longer a key: a muscle path's length change is the integral of its "
                        "moment arm (virtual work; docs/decisions.md); delete the key");
    r.known_keys(*jt, kCrossingFields, {"joint", "action"}, jp);
    JointCrossing c;
    c.joint = parse_joint(r, r.string(*jt, "joint", jp, true), jp + ".joint");
    c.angle_max = kPi;
    r.numbers(*jt, kCrossingFields, jp, c);
    if (c.joint != Joint::kHip && !jt->contains("angle_max_deg"))
      r.fail("missing required key '" + jp + ".angle_max_deg' (deg) for the " + joint_name(c.joint));
    const std::string action = r.string(*jt, "action", jp, true);
    if (action == "extend") c.action = 1;
    else if (action == "flex") c.action = -1;
    else r.fail(jp + ".action = \"" + action + "\" is not an action: allowed \"extend\" (increase the inner "
                     "angle: hip/knee extension, plantarflexion), \"flex\"");
    for (const auto& other : m.joints)
      if (other.joint == c.joint) r.fail("'" + jp + "' crosses the " + joint_name(c.joint) + " twice");
    m.joints.push_back(c);
  }
  return m;
}

// Physiological ranges of the inner joint angles of geometry.hpp (hip: 180 - flexion, knee: 180 -
// flexion, ankle: 90 - dorsiflexion, deg). Passive ranges of motion: hip flexion ~120 deg and
// extension ~10 deg, knee flexion ~145 deg, ankle dorsiflexion ~15-20 deg and plantarflexion ~40-50
// deg (Roaas A, Andersson GBJ (1982) Acta Orthop Scand 53(2):205-208), widened by 10-30 deg for
// individual variation. A crossing's reference and maximum-moment-arm angles lie within them.
struct InnerAngleRange {
  double lo, hi;  // deg
  const char* why;
};
const InnerAngleRange kInnerAngleRange[kNumJoints] = {
    {50.0, 220.0, "hip: flexion <= 130 deg, extension <= 40 deg"},
    {20.0, 195.0, "knee: flexion <= 160 deg, hyperextension <= 15 deg"},
    {30.0, 150.0, "ankle: dorsiflexion <= 60 deg, plantarflexion <= 60 deg"},
};

void validate_crossing(const JointCrossing& c, const std::string& path) {
  // Leg muscle moment arms are 1-10 cm (Geyer & Herr 2010: 0.025-0.056 m as length gains); 5 mm-20 cm.
  require(std::isfinite(c.moment_arm) && c.moment_arm >= 0.005 && c.moment_arm <= 0.2, path + ".moment_arm",
          c.moment_arm, "[0.005, 0.2] m");
  const InnerAngleRange& range = kInnerAngleRange[static_cast<int>(c.joint)];
  const std::string allowed = "[" + format_value(range.lo) + ", " + format_value(range.hi) + "] deg (" + range.why + ")";
  const auto check = [&](double rad, const char* key) {
    const double deg = to_degrees(rad);
    require(deg >= range.lo && deg <= range.hi, path + "." + key, deg, allowed);
  };
  check(c.angle_ref, "angle_ref_deg");
  if (c.joint != Joint::kHip) check(c.angle_max, "angle_max_deg");  // unused at the hip (constant arm)
}

bool valid_name(const std::string& s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_';
  });
}

// ---------------------------------------------------------------- comments

/// The header the writer puts above [model] when the model has none of its own (not kept as a note).
constexpr std::string_view kDefaultHeader =
    "legsim model file. SI units; each value's unit is in the comment beside it.";

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// "# text" -> "text" (one space after '#' is the writer's, not the comment's).
std::string comment_text(std::string_view comment) {
  comment.remove_prefix(1);
  if (!comment.empty() && comment.front() == ' ') comment.remove_prefix(1);
  return std::string(trimmed(comment));
}

/// Where each table and key of the file starts (toml++ source positions), by key path. Arrays of
/// values are leaves; arrays of tables give "path.0", "path.1", ...
struct NodePlace {
  std::string path;
  const toml::node* node;
};
void list_nodes(const toml::node& n, const std::string& path, std::vector<NodePlace>& out) {
  if (!path.empty()) out.push_back({path, &n});
  if (const toml::table* t = n.as_table()) {
    for (const auto& [k, v] : *t) list_nodes(v, path.empty() ? std::string(k.str()) : path + "." + std::string(k.str()), out);
  } else if (const toml::array* a = n.as_array(); a && a->is_array_of_tables()) {
    for (std::size_t i = 0; i < a->size(); ++i) list_nodes((*a)[i], path + "." + std::to_string(i), out);
  }
}

/// The comments of a file by key path: the comment lines between the previous content line and a
/// table header or key (kept by the most specific path starting on that line), and the comment
/// after a value on its last line. Lines inside multi-line strings are content, not comments.
std::map<std::string, FileNotes> collect_notes(const toml::table& root, std::string_view text) {
  const std::vector<std::string_view> lines = split_lines(text);
  std::vector<NodePlace> nodes;
  list_nodes(root, "", nodes);
  std::vector<bool> in_value(lines.size() + 2, false);  // 1-based: lines inside a multi-line value
  for (const NodePlace& n : nodes) {
    const auto& src = n.node->source();
    if (!n.node->is_table() && !n.node->is_array_of_tables())
      for (auto l = src.begin.line + 1; l <= src.end.line && l < in_value.size(); ++l) in_value[l] = true;
  }
  // The most specific path starting on each line owns the comments above that line.
  std::map<std::size_t, const NodePlace*> owner;
  for (const NodePlace& n : nodes) {
    const NodePlace*& o = owner[n.node->source().begin.line];
    if (!o || n.path.size() > o->path.size()) o = &n;
  }
  std::map<std::string, FileNotes> notes;
  for (const auto& [line, n] : owner) {
    std::vector<std::string> above;
    for (std::size_t l = line - 1; l >= 1 && l <= lines.size() && !in_value[l]; --l) {
      const std::string_view t = trimmed(lines[l - 1]);
      if (t.empty()) continue;
      if (t.front() != '#') break;
      above.insert(above.begin(), comment_text(t));
    }
    if (n->path == "model" && above == std::vector<std::string>{std::string(kDefaultHeader)}) above.clear();
    if (!above.empty()) notes[n->path].above = std::move(above);
  }
  for (const NodePlace& n : nodes) {
    if (n.node->is_table() || n.node->is_array_of_tables()) continue;
    const auto& end = n.node->source().end;
    if (end.line < 1 || end.line > lines.size()) continue;
    const std::string_view line = lines[end.line - 1];
    const std::size_t from = std::min<std::size_t>(end.column > 0 ? end.column - 1 : 0, line.size());
    const std::size_t hash = line.find('#', from);
    if (hash != std::string_view::npos) notes[n.path].after = comment_text(line.substr(hash));
  }
  return notes;
}

// ---------------------------------------------------------------- nesting

// toml++ 3.3 (Debian 12's) recurses once per part of a dotted key or table header, and
// collect_notes once per table level: "[model.a.a.a…]" with 60 000 parts, a 120 kB file, overflowed
// the stack and killed the process (tests/fuzz/regressions/model_file/). toml++ 3.4 caps dotted
// keys at 1024 parts (marzer/tomlplusplus#242); arrays and inline tables it caps at 256 levels, about
// 3 kB of stack each (marzer/tomlplusplus#292). Model files need 3 parts and 2 levels; the limits
// below leave room and keep both recursions shallow.
constexpr int kMaxKeyParts = 32;
constexpr int kMaxBracketDepth = 32;

/// The index of the last character of the string whose opening quote is text[i], counting the
/// newlines inside it. An unterminated string ends before its newline (toml++ rejects it).
std::size_t string_end(std::string_view text, std::size_t i, std::size_t& line) {
  const char q = text[i];
  const bool basic = q == '"';  // escapes with backslashes; literal strings ('...') do not
  const std::string_view delim = basic ? R"(""")" : "'''";
  if (text.substr(i, 3) == delim) {
    for (std::size_t j = i + 3; j < text.size(); ++j) {
      if (basic && text[j] == '\\') {
        if (j + 1 < text.size() && text[j + 1] == '\n') ++line;
        ++j;
      } else if (text[j] == '\n') {
        ++line;
      } else if (text.substr(j, 3) == delim) {
        std::size_t end = j + 2;
        // One or two quotes right before the closing delimiter belong to the string.
        for (int extra = 0; extra < 2 && end + 1 < text.size() && text[end + 1] == q; ++extra) ++end;
        return end;
      }
    }
    return text.size() - 1;
  }
  for (std::size_t j = i + 1; j < text.size(); ++j) {
    if (text[j] == '\n') return j - 1;
    if (text[j] == q) return j;
    if (basic && text[j] == '\\' && j + 1 < text.size() && text[j + 1] != '\n') ++j;
  }
  return text.size() - 1;
}

/// Rejects text whose dotted keys or table headers have more than kMaxKeyParts parts, or whose
/// arrays, inline tables and headers nest deeper than kMaxBracketDepth, before toml++ parses it.
/// Outside strings and comments a dotted key's parts are the dots since the last newline, bracket,
/// brace, '=' or ',', plus one: a value adds at most one (a float, a time's fraction).
void check_nesting(std::string_view text, const Reader& r) {
  std::size_t line = 1;
  int parts = 1, depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    switch (text[i]) {
      case '\n': ++line; parts = 1; break;
      case '#': {
        const std::size_t nl = text.find('\n', i);
        i = nl == std::string_view::npos ? text.size() : nl - 1;
        break;
      }
      case '"':
      case '\'': i = string_end(text, i, line); break;
      case '.':
        if (++parts > kMaxKeyParts)
          r.fail("line " + std::to_string(line) + ": a dotted key or table header has more than " +
                 std::to_string(kMaxKeyParts) + " parts: allowed at most " + std::to_string(kMaxKeyParts));
        break;
      case '[':
      case '{':
        if (++depth > kMaxBracketDepth)
          r.fail("line " + std::to_string(line) + ": arrays and inline tables nest more than " +
                 std::to_string(kMaxBracketDepth) + " levels deep: allowed at most " + std::to_string(kMaxBracketDepth));
        parts = 1;
        break;
      case ']':
      case '}': depth = std::max(depth - 1, 0); parts = 1; break;
      case '=':
      case ',': parts = 1; break;
      default: break;
    }
  }
}

Model::Parts read_parts(const toml::table& root, std::string_view text, Reader& r) {
  Model::Parts p;
  p.notes = collect_notes(root, text);
  r.notes = &p.notes;
  for (const auto& [k, v] : root) {
    const std::string_view key = k.str();
    static constexpr std::string_view kTop[] = {"model", "body", "contact", "foot_contact", "muscles", "pfj",
                                                "integrator", "controller"};
    if (std::find(std::begin(kTop), std::end(kTop), key) == std::end(kTop))
      r.fail("unknown table '" + std::string(key) +
             "'; allowed: model, body, contact, foot_contact, muscles, pfj, integrator, controller");
  }
  const toml::table& model = r.table(root, "model", "", true);
  r.known_keys(model, {"name", "description", "format_version", "source"}, "model");
  p.name = r.string(model, "name", "model", true);
  p.description = r.string(model, "description", "model", false);
  const auto source = [&](const toml::table& t, const char* path) {
    if (t.contains("source")) p.sources[path] = r.string(t, "source", path, true);
  };
  source(model, "model");
  if (model.contains("format_version")) {
    const double fv = r.number(model, "format_version", "model");
    if (fv != 1.0) r.fail("model.format_version = " + format_value(fv) + " is not supported: allowed 1");
  }

  const toml::table& body = r.table(root, "body", "", true);
  r.known_keys(body, kBodyFields, {"sex", "source"}, "body");
  BodyFields bf;
  r.numbers(body, kBodyFields, "body", bf);
  p.body_mass = bf.mass;
  p.height = bf.height;
  source(body, "body");
  const std::string sex = r.string(body, "sex", "body", false, "male");
  if (sex == "male") p.sex = Sex::kMale;
  else if (sex == "female") p.sex = Sex::kFemale;
  else r.fail("body.sex = \"" + sex + "\" is out of range: allowed \"male\", \"female\"");

  const toml::table& contact = r.table(root, "contact", "", false);
  r.known_keys(contact, kContactFields, {"source"}, "contact");
  r.numbers(contact, kContactFields, "contact", p.contact);
  source(contact, "contact");

  // Optional: without it (model files before issue 19) the defaults of SmoothContactParams, and
  // without spheres the default ones placed on the foot (Model's constructor).
  const toml::table& fc = r.table(root, "foot_contact", "", false);
  r.known_keys(fc, kSmoothContactFields, {"source", "spheres"}, "foot_contact");
  r.numbers(fc, kSmoothContactFields, "foot_contact", p.foot_contact);
  source(fc, "foot_contact");
  if (const toml::node* spheres = fc.get("spheres")) {
    const toml::array* arr = spheres->as_array();
    if (!arr || arr->empty() || !arr->is_array_of_tables())
      r.fail("'foot_contact.spheres' must be an array of at least one table ([[foot_contact.spheres]])");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string sp = "foot_contact.spheres." + std::to_string(i);
      const toml::table& st = *(*arr)[i].as_table();
      r.known_keys(st, kSphereFields, {"name", "count"}, sp);
      ContactSphere sphere;
      sphere.name = r.string(st, "name", sp, true);
      r.numbers(st, kSphereFields, sp, sphere);
      if (st.contains("count")) {
        sphere.count = r.integer(st, "count", sp, kMinSphereCount, kMaxSphereCount);
        if (r.notes) r.drop_unit_note(sp + ".count", kSphereCountUnit);
      }
      p.foot_contact.spheres.push_back(sphere);
    }
  }

  const toml::table& muscles = r.table(root, "muscles", "", true);
  if (muscles.empty()) r.fail("'muscles' must define at least one muscle");
  // In the file's order (toml++ tables iterate by name): the order is the model's muscle order.
  std::vector<std::pair<std::string_view, const toml::node*>> in_file_order;
  for (const auto& [k, v] : muscles) in_file_order.emplace_back(k.str(), &v);
  std::stable_sort(in_file_order.begin(), in_file_order.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin < b.second->source().begin;
  });
  for (const auto& [k, node] : in_file_order) {
    const toml::node& v = *node;
    const std::string name(k);
    const std::string path = "muscles." + name;
    if (!valid_name(name)) r.fail("muscle name '" + name + "' is not allowed: use lower-case letters, digits and _");
    if (!v.is_table()) r.fail("'" + path + "' must be a table");
    p.muscles.push_back(read_muscle(r, name, *v.as_table(), path));
  }

  const toml::table& pfj = r.table(root, "pfj", "", false);
  r.known_keys(pfj, {"area_model", "weight_bearing_area", "source"}, "pfj");
  const std::string area = r.string(pfj, "area_model", "pfj", false, "brechter_powers_2002");
  if (area == "brechter_powers_2002") p.pfj.contact_area = PfjContactArea::kBrechterPowers2002Fit;
  else if (area == "besier_2005") p.pfj.contact_area = PfjContactArea::kBesier2005Measured;
  else r.fail("pfj.area_model = \"" + area + "\" is out of range: allowed \"brechter_powers_2002\", \"besier_2005\"");
  if (const toml::node* wb = pfj.get("weight_bearing_area")) {
    if (!wb->is_boolean()) r.fail("'pfj.weight_bearing_area' must be a boolean");
    p.pfj.besier_weight_bearing = wb->as_boolean()->get();
  }
  source(pfj, "pfj");

  const toml::table& integ = r.table(root, "integrator", "", false);
  r.known_keys(integ, kIntegratorFields, {}, "integrator");
  r.numbers(integ, kIntegratorFields, "integrator", p.integrator);

  const toml::table& ctrl = r.table(root, "controller", "", false);
  r.known_keys(ctrl, kControllerFields, {"muscles", "source"}, "controller");
  r.numbers(ctrl, kControllerFields, "controller", p.controller);
  source(ctrl, "controller");
  const toml::table& cm = r.table(ctrl, "muscles", "controller", false);
  for (const auto& [k, v] : cm) {
    const std::string name(k.str());
    const std::string path = "controller.muscles." + name;
    const bool known = std::any_of(p.muscles.begin(), p.muscles.end(), [&](const MuscleSpec& m) { return m.name == name; });
    if (!known) r.fail("'" + path + "' names no muscle of the model");
    if (!v.is_table()) r.fail("'" + path + "' must be a table");
    r.known_keys(*v.as_table(), kMuscleControlFields, {}, path);
    MuscleControl mc;
    r.numbers(*v.as_table(), kMuscleControlFields, path, mc);
    p.controller.muscle_names.push_back(name);
    p.controller.muscles.push_back(mc);
  }
  return p;
}

// ---------------------------------------------------------------- writing

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

// ---------------------------------------------------------------- Model

bool MuscleSpec::has_tag(std::string_view tag) const {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

Model::Model(Parts parts) : parts_(std::move(parts)) {
  require_in_range("body.mass", parts_.body_mass, 20.0, 250.0);  // kg, the range scale_body accepts
  require_in_range("body.height", parts_.height, 1.0, 2.5);      // m
  body_ = scale_body(parts_.body_mass, parts_.height, parts_.sex);
  validate(body_, "body");
  validate(parts_.contact, "contact");
  if (parts_.foot_contact.spheres.empty()) parts_.foot_contact.spheres = sagittal_contact_spheres(body_.foot);
  validate(parts_.foot_contact, "foot_contact");
  validate_sphere_placement(parts_.foot_contact, body_.foot, "foot_contact");
  if (parts_.muscles.empty()) throw InputError("muscles: the model needs at least one muscle");
  for (std::size_t i = 0; i < parts_.muscles.size(); ++i) {
    const MuscleSpec& m = parts_.muscles[i];
    const std::string path = "muscles." + m.name;
    validate(m.params, path);
    require_in_range(path + ".slow_twitch_fraction", m.slow_twitch_fraction, 0.0, 1.0);
    if (m.joints.empty()) throw InputError(path + ".joints: a muscle must cross at least one joint");
    for (std::size_t j = 0; j < m.joints.size(); ++j) validate_crossing(m.joints[j], path + ".joints." + std::to_string(j));
    for (std::size_t k = 0; k < i; ++k)
      if (parts_.muscles[k].name == m.name) throw InputError("muscles: the name '" + m.name + "' is used twice");
  }
  // Controller: align per-muscle settings with the model's muscle order (missing muscles: at rest).
  {
    ControllerParams& c = parts_.controller;
    std::vector<MuscleControl> aligned(parts_.muscles.size());
    for (std::size_t k = 0; k < c.muscle_names.size(); ++k) {
      const std::size_t i = muscle_index(c.muscle_names[k]);
      aligned[i] = c.muscles.at(k);
    }
    c.muscle_names = muscle_names();
    c.muscles = std::move(aligned);
    // Rise time of the feedforward excitation: 1-100 ms, of the order of activation dynamics.
    require(c.ramp_time >= 1e-3 && c.ramp_time <= 0.1, "controller.ramp_time", c.ramp_time, "[0.001, 0.1] s");
    require_in_range("controller.trunk_kp", c.trunk_kp, 0.0, 20.0);
    require_in_range("controller.trunk_kd", c.trunk_kd, 0.0, 5.0);
    require_in_range("controller.trunk_reference_lean", c.trunk_reference_lean, -0.5, 0.8);
    for (std::size_t i = 0; i < c.muscles.size(); ++i) {
      const MuscleControl& m = c.muscles[i];
      const std::string path = "controller.muscles." + c.muscle_names[i];
      require_in_range(path + ".level", m.level, 0.0, 1.0);
      require_in_range(path + ".onset", m.onset, -0.5, 1.0);
      require(std::isfinite(m.offset) && m.offset > m.onset && m.offset <= 1.0, path + ".offset", m.offset,
              "(onset, 1] s");
      require_in_range(path + ".force_gain", m.force_gain, 0.0, 2.0);
      require_in_range(path + ".length_gain", m.length_gain, 0.0, 5.0);
      require_in_range(path + ".length_offset", m.length_offset, 0.0, 2.0);
      require_in_range(path + ".trunk_gain", m.trunk_gain, -1.0, 1.0);
      require_in_range(path + ".pretension", m.pretension, 0.0, 1.0);
      require_in_range(path + ".effort_weight", m.effort_weight, 0.0, 100.0);
    }
  }
  // Tolerances below ~1e-12 cannot be met in double precision (the integrator would only shrink its
  // step); an output interval below 10 us (100 kHz, far above force-plate rates of 1-4 kHz) would
  // only fill memory.
  const IntegratorSettings& s = parts_.integrator;
  require_in_range("integrator.relative_tolerance", s.relative_tolerance, 1e-12, 1e-2);
  require_in_range("integrator.absolute_tolerance", s.absolute_tolerance, 1e-14, 1e-2);
  require(s.initial_step >= 1e-9 && s.initial_step <= 1e-2, "integrator.initial_step", s.initial_step, "[1e-09, 0.01] s");
  require(s.min_step >= 1e-15 && s.min_step <= s.initial_step, "integrator.min_step", s.min_step, "[1e-15 s, initial_step]");
  require(s.max_stance_time > 0 && s.max_stance_time <= 5, "integrator.max_stance_time", s.max_stance_time, "(0, 5] s");
  require(s.output_interval >= 1e-5 && s.output_interval <= 1e-2, "integrator.output_interval", s.output_interval, "[1e-05, 0.01] s");
  require(s.event_tolerance >= 1e-12 && s.event_tolerance <= 1e-3, "integrator.event_tolerance", s.event_tolerance, "[1e-12, 0.001] s");
}

Model Model::from_toml(std::string_view text, std::string_view origin) {
  Reader r{std::string(origin)};
  check_nesting(text, r);
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << e.description() << " (line " << e.source().begin.line << ", column " << e.source().begin.column << ")";
    r.fail("TOML syntax error: " + os.str());
  }
  try {
    return Model(read_parts(root, text, r));
  } catch (const ModelFileError&) {
    throw;
  } catch (const InputError& e) {
    r.fail(e.what());
  }
}

Model Model::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileError(path.string() + ": cannot open the model file");
  std::stringstream ss;
  ss << in.rdbuf();
  return from_toml(ss.str(), path.string());
}

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
  w.key("body", "sex", toml_string(p.sex == Sex::kMale ? "male" : "female"));
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
    w.key(path, "tendon", toml_string(m.params.tendon == TendonModel::kCompliant ? "compliant" : "rigid"));
    w.key(path, "slow_twitch_fraction", number_text(m.slow_twitch_fraction), "1, type I fiber fraction");
    std::string tags = "[";
    for (std::size_t i = 0; i < m.tags.size(); ++i) tags += std::string(i ? ", " : "") + toml_string(m.tags[i]);
    w.key(path, "tags", tags + "]");
    w.key(path, "source", toml_string(m.source));
    for (std::size_t j = 0; j < m.joints.size(); ++j) {
      const JointCrossing& c = m.joints[j];
      const std::string jp = path + ".joints." + std::to_string(j);
      w.table(jp, true);
      w.key(jp, "joint", toml_string(joint_name(c.joint)));
      w.numbers(jp, kCrossingFields, c);
      w.key(jp, "action", toml_string(c.action > 0 ? "extend" : "flex"));
    }
  }
  w.out() << "\n";
  w.table("pfj");
  w.key("pfj", "area_model",
        toml_string(p.pfj.contact_area == PfjContactArea::kBrechterPowers2002Fit ? "brechter_powers_2002" : "besier_2005"));
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

namespace {

/// Finds the node at a dotted key path ("muscles.soleus.joints.0.moment_arm") in a table.
toml::node* find_path(toml::table& root, std::string_view path) {
  toml::node* n = &root;
  std::size_t start = 0;
  while (n && start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string_view part = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (auto* t = n->as_table()) {
      n = t->get(part);
    } else if (auto* a = n->as_array()) {
      std::size_t idx = 0;
      const auto res = std::from_chars(part.data(), part.data() + part.size(), idx);
      n = (res.ec == std::errc{} && res.ptr == part.data() + part.size()) ? a->get(idx) : nullptr;
    } else {
      return nullptr;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return n;
}

}  // namespace

double Model::param(std::string_view path) const {
  toml::table root = toml::parse(to_toml());
  const toml::node* n = find_path(root, path);
  if (!n || !(n->is_floating_point() || n->is_integer()))
    throw InputError("unknown numeric model parameter '" + std::string(path) +
                     "' (paths look like \"muscles.soleus.max_isometric_force\", \"body.mass\")");
  return n->is_integer() ? static_cast<double>(n->as_integer()->get()) : n->as_floating_point()->get();
}

Model Model::with_params(const std::map<std::string, double>& params) const {
  const std::string text = to_toml();
  toml::table root = toml::parse(text);
  // A new body.height rescales the foot and so the contact spheres on it (unless the same call sets
  // a sphere): x and the sphere's lowest point y − radius scale with height, as every foot dimension
  // of scale_body does; the radius does not. The default spheres, placed by sagittal_contact_spheres,
  // stay where that rule puts them on the new foot (to the file's 0.1 mm rounding).
  const auto height = params.find("body.height");
  const bool spheres_given = std::any_of(params.begin(), params.end(),
                                         [](const auto& kv) { return kv.first.starts_with("foot_contact.spheres."); });
  if (height != params.end() && !spheres_given && std::isfinite(height->second) && height->second > 0.0) {
    const double scale = height->second / parts_.height;
    for (std::size_t i = 0; i < parts_.foot_contact.spheres.size(); ++i) {
      const ContactSphere& s = parts_.foot_contact.spheres[i];
      const std::string sp = "foot_contact.spheres." + std::to_string(i);
      *find_path(root, sp + ".x")->as_floating_point() = s.x * scale;
      *find_path(root, sp + ".y")->as_floating_point() = (s.y - s.radius) * scale + s.radius;
    }
  }
  for (const auto& [path, value] : params) {
    toml::node* n = find_path(root, path);
    // Numeric parameters are written as floats by to_toml(), but for the integer ones
    // (foot_contact.spheres.<i>.count); format_version is not a parameter.
    const bool integer = n && n->is_integer() && path != "model.format_version";
    if (!n || !(n->is_floating_point() || integer))
      throw InputError("unknown numeric model parameter '" + path +
                       "' (paths look like \"muscles.soleus.max_isometric_force\", \"body.mass\")");
    require_finite(path, value);
    if (!integer) {
      *n->as_floating_point() = value;
    } else if (value == std::trunc(value) && std::abs(value) < 1e15) {
      *n->as_integer() = static_cast<std::int64_t>(value);
    } else {
      // Not an integer: put it in as a float, and the reader rejects it naming the path and value.
      const std::size_t dot = path.rfind('.');
      find_path(root, path.substr(0, dot))->as_table()->insert_or_assign(path.substr(dot + 1), value);
    }
  }
  // Re-read the edited table: the same checks as a model file, so an override cannot sneak past them.
  Reader r{"model '" + name() + "' with_params"};
  try {
    return Model(read_parts(root, text, r));
  } catch (const ModelFileError&) {
    throw;
  } catch (const InputError& e) {
    r.fail(e.what());
  }
}

std::vector<std::string> Model::muscle_names() const {
  std::vector<std::string> names;
  for (const auto& m : parts_.muscles) names.push_back(m.name);
  return names;
}

std::size_t Model::muscle_index(std::string_view name) const {
  for (std::size_t i = 0; i < parts_.muscles.size(); ++i)
    if (parts_.muscles[i].name == name) return i;
  std::string known;
  for (const auto& m : parts_.muscles) known += (known.empty() ? "" : ", ") + m.name;
  throw InputError("unknown muscle '" + std::string(name) + "': the model has " + known);
}

double Model::body_weight() const { return parts_.body_mass * kGravity; }

}  // namespace legsim
