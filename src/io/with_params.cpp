// Model parameters by key path ("muscles.soleus.max_isometric_force"): reading one, and a copy with
// some changed. Both go through the written file's table (to_toml), so every numeric key of the
// schema is a parameter, and a changed copy is read back with the checks a model file gets.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <toml++/toml.h>

#include "legsim/core/error.hpp"
#include "legsim/model.hpp"
#include "model_file.hpp"

namespace legsim {
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
  return model_file::read_model(root, text, "model '" + name() + "' with_params");
}

}  // namespace legsim
