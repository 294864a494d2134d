// Reading a model file: every table and key checked against the schema (schema.hpp), with messages
// that name the file, the key path, the value and what is allowed; then the Model's own validation.
#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <toml++/toml.h>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/model.hpp"
#include "model_file.hpp"
#include "schema.hpp"

namespace legsim {
namespace model_file {
namespace {

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

  /// A string key that must name one of `choices`; `def` when the key is absent (none: required).
  /// The refusal says what the value is not ("is not a tendon model") and lists the allowed names.
  template <class E, std::size_t N>
  E choice(const toml::table& t, std::string_view key, const std::string& path, const Choice<E> (&choices)[N],
           std::string_view refusal, std::optional<E> def = std::nullopt) const {
    if (def && !t.contains(key)) return *def;
    const std::string name = string(t, key, path, true);
    for (const Choice<E>& c : choices)
      if (c.name == name) return c.value;
    std::string allowed;
    for (const Choice<E>& c : choices) {
      allowed += (allowed.empty() ? "\"" : ", \"") + std::string(c.name) + "\"";
      if (!c.meaning.empty()) allowed += " (" + std::string(c.meaning) + ")";
    }
    fail(join(path, key) + " = \"" + name + "\" " + std::string(refusal) + ": allowed " + allowed);
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

MuscleSpec read_muscle(const Reader& r, const std::string& name, const toml::table& t, const std::string& path) {
  MuscleSpec m;
  m.name = name;
  r.known_keys(t, kMuscleFields, {"tendon", "tags", "slow_twitch_fraction", "source", "joints"}, path);
  r.numbers(t, kMuscleFields, path, m.params);
  m.params.tendon =
      r.choice(t, "tendon", path, kTendonChoices, "is not a tendon model", std::optional(TendonModel::kCompliant));
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
    c.joint = r.choice(*jt, "joint", jp, kJointChoices, "is not a joint");
    c.angle_max = kPi;
    r.numbers(*jt, kCrossingFields, jp, c);
    if (c.joint != Joint::kHip && !jt->contains("angle_max_deg"))
      r.fail("missing required key '" + jp + ".angle_max_deg' (deg) for the " + joint_name(c.joint));
    c.action = r.choice(*jt, "action", jp, kActionChoices, "is not an action");
    for (const auto& other : m.joints)
      if (other.joint == c.joint) r.fail("'" + jp + "' crosses the " + joint_name(c.joint) + " twice");
    m.joints.push_back(c);
  }
  return m;
}

bool valid_name(const std::string& s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_';
  });
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
  p.sex = r.choice(body, "sex", "body", kSexChoices, "is out of range", std::optional(Sex::kMale));

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
  p.pfj.contact_area = r.choice(pfj, "area_model", "pfj", kAreaModelChoices, "is out of range",
                                std::optional(PfjContactArea::kBrechterPowers2002Fit));
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

}  // namespace

Model read_model(const toml::table& root, std::string_view text, const std::string& origin) {
  Reader r{origin};
  try {
    return Model(read_parts(root, text, r));
  } catch (const ModelFileError&) {
    throw;
  } catch (const InputError& e) {
    r.fail(e.what());
  }
}

}  // namespace model_file

Model Model::from_toml(std::string_view text, std::string_view origin) {
  const std::string where(origin);
  model_file::check_nesting(text, where);
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << e.description() << " (line " << e.source().begin.line << ", column " << e.source().begin.column << ")";
    throw ModelFileError(where + ": TOML syntax error: " + os.str());
  }
  return model_file::read_model(root, text, where);
}

Model Model::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileError(path.string() + ": cannot open the model file");
  std::stringstream ss;
  ss << in.rdbuf();
  return from_toml(ss.str(), path.string());
}

}  // namespace legsim
