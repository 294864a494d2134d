#pragma once
// Scalar-ops shim: one spelling of select/min/max/clamp for every scalar type the physics is
// instantiated for (double, Eigen::AutoDiffScalar, xsimd::batch<double>, and symbolic scalars such
// as casadi::SX). Physics code never branches on values of T; it computes every branch and chooses
// with select().
//
// Every overload lives here: the physics templates call legsim::select/min/max qualified, and a
// qualified call in a template sees only the overloads declared before the template's definition.
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

/// The type of `a < b` for two values of T (bool for double and autodiff, a mask for batches, an
/// expression for symbolic scalars).
template <class T>
using comparison_t = decltype(std::declval<const T&>() < std::declval<const T&>());

/// A symbolic scalar: not a SIMD batch, and its comparisons give an expression, not a bool — e.g.
/// casadi::SX, whose `x < y` is a symbolic node. Such a type cannot be branched on with `?:` (its
/// truth value is unknown when the expression is built: CasADi throws, or a bool conversion would
/// pick one branch for all inputs), so select/min/max build the branch into the expression instead.
/// legsim::Dual over a batch or an SX is one too (core/dual.hpp provides its if_else/fmin/fmax).
template <class T>
concept SymbolicScalar = !is_batch_v<T> && requires { typename comparison_t<T>; } &&
                         !std::is_same_v<std::remove_cvref_t<comparison_t<T>>, bool>;

// ---- scalar (double, autodiff, any type whose comparisons give bool) ----
template <class T>
  requires(!is_batch_v<T>)
inline T select(bool cond, const T& a, const T& b) {
  return cond ? a : b;
}
template <class T>
  requires(!is_batch_v<T> && !SymbolicScalar<T>)
inline T min(const T& a, const T& b) {
  return b < a ? b : a;
}
template <class T>
  requires(!is_batch_v<T> && !SymbolicScalar<T>)
inline T max(const T& a, const T& b) {
  return a < b ? b : a;
}

// ---- symbolic scalars (casadi::SX) ----
// if_else, fmin and fmax are found by argument-dependent lookup when the template is instantiated
// (CasADi declares them as friends of its expression classes), so this header needs no CasADi
// include. CasADi's if_else keeps both branches in the expression but discards the unselected
// one's value (a nan or inf there does not propagate), matching the batch path's select.
// fmin/fmax differ from `b < a ? b : a` only for NaN operands (C fmin returns the other operand).
template <class T>
  requires SymbolicScalar<T>
inline T select(const comparison_t<T>& cond, const T& a, const T& b) {
  return if_else(cond, a, b);
}
template <class T>
  requires SymbolicScalar<T>
inline T min(const T& a, const T& b) {
  return fmin(a, b);
}
template <class T>
  requires SymbolicScalar<T>
inline T max(const T& a, const T& b) {
  return fmax(a, b);
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
