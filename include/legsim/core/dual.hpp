#pragma once
// Forward-mode dual numbers over any scalar type the physics uses (double, xsimd batches — one
// derivative per lane —, casadi::SX): Dual<T>{v, d} carries a value and its derivative along one
// direction, and every operation applies the chain rule to d. The curve derivatives (curves.hpp)
// are the templated curves evaluated at Dual<T>{x, 1}, so a derivative cannot disagree with its
// curve. Eigen::AutoDiffScalar, the autodiff the double path already uses, does not do this job on
// SIMD lanes: its comparisons return one `bool` (and its abs picks the derivative's sign from one),
// so AutoDiffScalar<Matrix<BatchD, 1, 1>> compiles but gives every lane the same branch — fV' came
// out wrong on the lanes with ṽ < −0.046 (0.0014 instead of 0.334 at ṽ = −1; checked 2026-12-06).
//
// Branches are the ops.hpp kind: comparisons compare values (a mask for batches, an expression for
// SX), and a select/min/max picks the chosen operand's value and derivative together. Dual<T> for a
// batch or SX counts as a SymbolicScalar (ops.hpp), whose select/min/max call if_else/fmin/fmax,
// found here by argument-dependent lookup.
#include <cmath>

#include "legsim/core/ops.hpp"

namespace legsim {

template <class T>
struct Dual {
  T v;  ///< value
  T d;  ///< derivative

  Dual() : v(0.0), d(0.0) {}
  /// A constant (derivative 0), as in the physics templates' T(1.0).
  explicit Dual(double value) : v(value), d(0.0) {}
  Dual(const T& value, const T& derivative) : v(value), d(derivative) {}
};

template <class T>
inline Dual<T> operator+(const Dual<T>& a, const Dual<T>& b) {
  return {a.v + b.v, a.d + b.d};
}
template <class T>
inline Dual<T> operator-(const Dual<T>& a, const Dual<T>& b) {
  return {a.v - b.v, a.d - b.d};
}
template <class T>
inline Dual<T> operator-(const Dual<T>& a) {
  return {-a.v, -a.d};
}
template <class T>
inline Dual<T> operator*(const Dual<T>& a, const Dual<T>& b) {
  return {a.v * b.v, a.d * b.v + a.v * b.d};
}
template <class T>
inline Dual<T> operator/(const Dual<T>& a, const Dual<T>& b) {
  const T q = a.v / b.v;
  return {q, (a.d - q * b.d) / b.v};
}

template <class T>
inline auto operator<(const Dual<T>& a, const Dual<T>& b) {
  return a.v < b.v;
}
template <class T>
inline auto operator>(const Dual<T>& a, const Dual<T>& b) {
  return a.v > b.v;
}

template <class T>
inline Dual<T> exp(const Dual<T>& a) {
  using std::exp;
  const T e = exp(a.v);
  return {e, e * a.d};
}
template <class T>
inline Dual<T> log(const Dual<T>& a) {
  using std::log;
  return {log(a.v), a.d / a.v};
}
template <class T>
inline Dual<T> sqrt(const Dual<T>& a) {
  using std::sqrt;
  const T s = sqrt(a.v);
  return {s, a.d / (T(2.0) * s)};
}
/// |a| with the derivative sign(a)·a' (+a' at a = 0, the right derivative).
template <class T>
inline Dual<T> abs(const Dual<T>& a) {
  using std::abs;
  return {abs(a.v), legsim::select(a.v < T(0.0), T(-a.d), a.d)};
}

// select/min/max for Dual<batch> and Dual<SX> (ops.hpp's SymbolicScalar overloads land here).
template <class C, class T>
inline Dual<T> if_else(const C& cond, const Dual<T>& a, const Dual<T>& b) {
  return {legsim::select(cond, a.v, b.v), legsim::select(cond, a.d, b.d)};
}
template <class T>
inline Dual<T> fmin(const Dual<T>& a, const Dual<T>& b) {
  return if_else(b.v < a.v, b, a);
}
template <class T>
inline Dual<T> fmax(const Dual<T>& a, const Dual<T>& b) {
  return if_else(a.v < b.v, b, a);
}

}  // namespace legsim
