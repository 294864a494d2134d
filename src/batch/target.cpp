// This SIMD target's description for the dispatcher (batch/dispatch.hpp): compiled with the target's
// flags beside worker.cpp, so the instruction set and lane count are the ones the worker runs with.
#include "lanes.hpp"

// The extra targets are named by CMake; the library's own worker is "native" in LEGSIM_NATIVE builds,
// else the name of its instruction set (e.g. "sse2").
#if defined(LEGSIM_BATCH_NAME)
#elif defined(LEGSIM_NATIVE_BUILD)
#define LEGSIM_BATCH_NAME "native"
#else
#define LEGSIM_BATCH_NAME B::arch_type::name()
#endif

namespace legsim::batch_detail::LEGSIM_BATCH_NS {

const Target kTarget{LEGSIM_BATCH_NAME, B::arch_type::name(), kW, &run_worker};

}  // namespace legsim::batch_detail::LEGSIM_BATCH_NS
