#pragma once
// Scalar-ops shim: one spelling of select/min/max/clamp for every scalar type the physics is
// instantiated for (double, Eigen::AutoDiffScalar, xsimd::batch<double>). Physics code never
// branches on values of T; it computes every branch and chooses with select().
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

namespace legsim {

/// The default SIMD batch of doubles for the instruction set this translation unit is compiled for.
using BatchD = xsimd::batch<double>;

template <class T>
struct is_batch : std::false_type {};
template <class T, class A>
struct is_batch<xsimd::batch<T, A>> : std::true_type {};
template <class T>
inline constexpr bool is_batch_v = is_batch<std::remove_cvref_t<T>>::value;

// ---- scalar (double, autodiff, any type whose comparisons give bool) ----
template <class T>
  requires(!is_batch_v<T>)
inline T select(bool cond, const T& a, const T& b) {
  return cond ? a : b;
}
template <class T>
  requires(!is_batch_v<T>)
inline T min(const T& a, const T& b) {
  return b < a ? b : a;
}
template <class T>
  requires(!is_batch_v<T>)
inline T max(const T& a, const T& b) {
  return a < b ? b : a;
}

// ---- SIMD batches ----
template <class T, class A>
inline xsimd::batch<T, A> select(const xsimd::batch_bool<T, A>& cond, const xsimd::batch<T, A>& a,
                                 const xsimd::batch<T, A>& b) {
  return xsimd::select(cond, a, b);
}
template <class T, class A>
inline xsimd::batch<T, A> min(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) {
  return xsimd::min(a, b);
}
template <class T, class A>
inline xsimd::batch<T, A> max(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) {
  return xsimd::max(a, b);
}

/// (sin x, cos x) for every scalar type; SIMD batches share one range reduction (xsimd::sincos).
template <class T>
inline std::pair<T, T> sin_cos(const T& x) {
  if constexpr (is_batch_v<T>) {
    return xsimd::sincos(x);
  } else {
    using std::cos;
    using std::sin;
    return {sin(x), cos(x)};
  }
}

/// clamp(x, lo, hi) = min(max(x, lo), hi) for every scalar type.
template <class T>
inline T clamp(const T& x, const T& lo, const T& hi) {
  return legsim::min(legsim::max(x, lo), hi);
}

/// Broadcast a double to T (T(double) works for double, autodiff and batches).
template <class T>
inline T splat(double v) {
  return T(v);
}

/// Number of lanes of T (1 for scalars).
template <class T>
inline constexpr std::size_t lanes_v = [] {
  if constexpr (is_batch_v<T>) return T::size; else return std::size_t{1};
}();

}  // namespace legsim
