// Force-included (-include) first into every legsim translation unit built with GCC < 13, through
// legsim_warnings. GCC 12's own AVX-512 intrinsics (_mm512_undefined_pd's self-initialized __Y,
// inlined into xsimd's and Eigen's AVX-512 code in -march=native builds) raise hundreds of false
// -Wmaybe-uninitialized / -Wuninitialized warnings: GCC bug 105593, fixed in GCC 13. Including the
// intrinsics headers here, before anything else, silences those two diagnostics for the intrinsics'
// own text only; legsim's code keeps them.
#pragma once
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
