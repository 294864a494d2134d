// The batch engine's SIMD dispatch (issue 22.2, batch/dispatch.hpp): the compiled targets, whether
// this CPU runs them, and the choice — BatchOptions::simd, else LEGSIM_SIMD, else the widest.
//
// CPU support comes from the compiler's __builtin_cpu_supports (libgcc's cpuinfo, which also checks
// that the OS saves the AVX and AVX-512 registers, XCR0), not from xsimd 8.1's
// available_architectures(): that one reads the AVX bit from CPUID leaf 0x80000001 instead of leaf 1
// and never checks XCR0 (xsimd/config/xsimd_cpuid.hpp), so it can report AVX-512 that the OS
// does not enable.
#include <cstdlib>
#include <string>

#include "dispatch.hpp"
#include "legsim/core/error.hpp"

namespace legsim::batch_detail {

// Every target's description (target.cpp); the library's own is always compiled.
namespace default_target {
extern const Target kTarget;
}
#ifdef LEGSIM_BATCH_HAS_SSE2
namespace arch_sse2 {
extern const Target kTarget;
}
#endif
#ifdef LEGSIM_BATCH_HAS_AVX2
namespace arch_avx2 {
extern const Target kTarget;
}
#endif
#ifdef LEGSIM_BATCH_HAS_AVX512
namespace arch_avx512 {
extern const Target kTarget;
}
#endif

namespace {

// The features each extra target's flags enable (cmake/LegsimSimdTargets.cmake); those targets are
// compiled only on x86-64 with GCC.
#ifdef LEGSIM_BATCH_HAS_SSE2
bool cpu_has_sse2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse2");
}
#endif
#ifdef LEGSIM_BATCH_HAS_AVX2
bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif
#ifdef LEGSIM_BATCH_HAS_AVX512
bool cpu_has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}
#endif

struct Entry {
  const Target* target;
  bool supported;
};

/// The compiled targets, the library's own first (it is compiled for the machine it runs on).
const std::vector<Entry>& entries() {
  static const std::vector<Entry> list = [] {
    std::vector<Entry> v{{&default_target::kTarget, true}};
#ifdef LEGSIM_BATCH_HAS_SSE2
    v.push_back({&arch_sse2::kTarget, cpu_has_sse2()});
#endif
#ifdef LEGSIM_BATCH_HAS_AVX2
    v.push_back({&arch_avx2::kTarget, cpu_has_avx2()});
#endif
#ifdef LEGSIM_BATCH_HAS_AVX512
    v.push_back({&arch_avx512::kTarget, cpu_has_avx512()});
#endif
    return v;
  }();
  return list;
}

std::string names(bool supported_only) {
  std::string s;
  for (const Entry& e : entries())
    if (e.supported || !supported_only) s += (s.empty() ? "" : ", ") + std::string(e.target->name);
  return s;
}

/// The supported target called `name`; InputError naming `field` otherwise.
const Target& find(const std::string& name, const std::string& field) {
  for (const Entry& e : entries()) {
    if (name != e.target->name) continue;
    if (e.supported) return *e.target;
    throw InputError(field + " = '" + name + "': this CPU cannot run that SIMD target; supported here: " +
                     names(true));
  }
  throw InputError(field + " = '" + name + "': not a SIMD target of this build; compiled: " + names(false) +
                   " (supported here: " + names(true) + ")");
}

/// LEGSIM_SIMD's target, else the supported one with the most lanes (the first on a tie).
const Target& choose_default() {
  if (const char* env = std::getenv("LEGSIM_SIMD"); env != nullptr && *env != '\0')
    return find(env, "LEGSIM_SIMD (environment variable)");
  const Target* best = entries().front().target;
  for (const Entry& e : entries())
    if (e.supported && e.target->lanes > best->lanes) best = e.target;
  return *best;
}

const Target& default_choice() {
  static const Target& chosen = choose_default();
  return chosen;
}

SimdTarget describe(const Entry& e) {
  return {e.target->name, e.target->instruction_set, e.target->lanes, e.supported};
}

}  // namespace

const Target& target_for(const std::string& simd) {
  return simd.empty() ? default_choice() : find(simd, "options.simd");
}

}  // namespace legsim::batch_detail

namespace legsim {

std::vector<SimdTarget> simd_targets() {
  std::vector<SimdTarget> out;
  for (const batch_detail::Entry& e : batch_detail::entries()) out.push_back(batch_detail::describe(e));
  return out;
}

const SimdTarget& simd_target() {
  static const SimdTarget chosen = [] {
    const batch_detail::Target& t = batch_detail::default_choice();
    for (const batch_detail::Entry& e : batch_detail::entries())
      if (e.target == &t) return batch_detail::describe(e);
    return SimdTarget{};
  }();
  return chosen;
}

std::size_t batch_lanes() { return simd_target().lanes; }

}  // namespace legsim
