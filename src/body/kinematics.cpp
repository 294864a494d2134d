// The scalar path's segment sines and cosines in one SIMD batch (body/kinematics.hpp,
// detail::segment_sin_cos). Compiled once, with the library's instruction set, as
// src/sim/muscle_lanes.cpp is: a header-only version would give the scalar path a different batch
// type in each of the batch engine's instruction-set workers.
#include "legsim/body/kinematics.hpp"

#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace legsim::detail {

void segment_sin_cos(const std::array<double, kNumSegments>& angle, std::array<double, kNumSegments>& sine,
                     std::array<double, kNumSegments>& cosine) {
  // Four lanes when the instruction set has them (AVX), else whole batches of the default width.
  using Four = xsimd::make_sized_batch_t<double, kNumSegments>;
  using Lanes = std::conditional_t<std::is_void_v<Four>, xsimd::batch<double>, Four>;
  static_assert(kNumSegments % Lanes::size == 0, "whole batches");
  for (std::size_t i = 0; i < kNumSegments; i += Lanes::size) {
    const auto [s, c] = xsimd::sincos(Lanes::load_unaligned(angle.data() + i));
    s.store_unaligned(sine.data() + i);
    c.store_unaligned(cosine.data() + i);
  }
}

}  // namespace legsim::detail
