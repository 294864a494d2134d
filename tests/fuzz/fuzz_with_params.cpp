// Fuzzes Model::with_params on the default model. The input decodes into 1-3 overrides, each a key
// path — one of the model's numeric values, one of its tables with an arbitrary key, or arbitrary
// bytes — and a value: a special one (NaN, ±inf, ±DBL_MAX, subnormal, −0, beyond int64), the
// path's own value times a factor (to get past the range checks), or any 64-bit pattern. Every call
// either gives a model or throws a legsim::Error; a model it gives holds the new values and
// round-trips.
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fuzzer/FuzzedDataProvider.h>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "fuzz_check.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/model.hpp"

using legsim::Model;

namespace {

struct Param {
  std::string path;
  double value;
};

void collect(const toml::node& n, const std::string& path, std::vector<Param>& out) {
  if (n.is_number()) {
    out.push_back({path, n.is_integer() ? static_cast<double>(n.as_integer()->get()) : n.as_floating_point()->get()});
  } else if (const toml::table* t = n.as_table()) {
    for (const auto& [k, v] : *t) collect(v, path.empty() ? std::string(k.str()) : path + "." + std::string(k.str()), out);
  } else if (const toml::array* a = n.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) collect((*a)[i], path + "." + std::to_string(i), out);
  }
}

/// Every numeric value of the default model by key path ("body.mass", "foot_contact.spheres.0.x",
/// "muscles.soleus.joints.0.moment_arm", "model.format_version", ...), read from its saved text so
/// the list follows the schema.
const std::vector<Param>& known_params() {
  static const std::vector<Param> params = [] {
    std::vector<Param> out;
    collect(toml::parse(Model::default_model().to_toml()), "", out);
    return out;
  }();
  return params;
}

Param pick_path(FuzzedDataProvider& in) {
  const std::vector<Param>& known = known_params();
  const Param& p = known[in.ConsumeIntegralInRange<std::size_t>(0, known.size() - 1)];
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0:
    case 1: return p;
    case 2: return {p.path.substr(0, p.path.rfind('.') + 1) + in.ConsumeRandomLengthString(24), 1.0};
    default: return {in.ConsumeRandomLengthString(64), 1.0};
  }
}

double pick_value(FuzzedDataProvider& in, double current) {
  static constexpr double kSpecial[] = {
      std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
      std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
      DBL_MAX, -DBL_MAX, DBL_MIN, std::numeric_limits<double>::denorm_min(), 0.0, -0.0, 1.0, -1.0, 0.5,
      1e15, -1e15, 9.3e18, -9.3e18, 2147483648.0, -2147483649.0};
  switch (in.ConsumeIntegralInRange(0, 2)) {
    case 0: return in.PickValueInArray(kSpecial);
    case 1: return current * in.ConsumeFloatingPointInRange(-3.0, 3.0);
    default: return std::bit_cast<double>(in.ConsumeIntegral<std::uint64_t>());
  }
}

/// A value read back equals the one set; an angle in degrees converts to the same radians (the model
/// keeps radians and writes the shortest decimal that converts back to them, which for a subnormal
/// angle can be far from the decimal set).
bool same_value(const std::string& path, double set, double got) {
  if (path.ends_with("_deg")) return got * legsim::kDegToRad == set * legsim::kDegToRad;
  return got == set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  std::map<std::string, double> params;
  const int n = in.ConsumeIntegralInRange(1, 3);
  for (int i = 0; i < n; ++i) {
    const Param p = pick_path(in);
    params[p.path] = pick_value(in, p.value);
  }
  std::optional<Model> m;
  try {
    m.emplace(Model::default_model().with_params(params));
  } catch (const legsim::Error&) {
    return 0;  // an unknown path or a value out of range: the outcome most inputs get
  }
  for (const auto& [path, value] : params)
    if (!same_value(path, value, m->param(path)))
      legsim::fuzz::fail("with_params did not set the value", path + " = " + legsim::format_value(value) +
                                                                    ", read back " + legsim::format_value(m->param(path)));
  legsim::fuzz::check_round_trip(*m);
  return 0;
}
