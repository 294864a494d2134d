#pragma once
// An L-stable Rosenbrock stepper for the forward simulation of a predicted gait (forward.cpp).
#include <Eigen/Dense>
#include <boost/numeric/odeint.hpp>
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace legsim::predict::detail {

namespace odeint = boost::numeric::odeint;
using State = std::vector<double>;

inline constexpr double kJacobianStep = 1.5e-8;  // ≈ √ε, relative to max(1, |x_j|)

/// Odeint's rosenbrock4 (Shampine 1982, ACM TOMS 8(2):93–113: L-stable, order 4, embedded order 3)
/// and its step-size controller (rosenbrock4_controller: RMS error norm, PI control), with the
/// scheme's coefficients taken from Odeint (default_rosenbrock_coefficients) and the linear algebra
/// in Eigen: Odeint's own rosenbrock4 is written for uBLAS, whose Boost 1.74 storage calls
/// std::allocator::construct, removed in C++20, so it does not compile here. The Jacobian is by
/// forward differences (n + 1 derivative evaluations per step). Same try_step interface as Odeint's
/// controlled steppers (the system argument is ignored: the derivative is bound at construction).
class RosenbrockStepper {
 public:
  using Rhs = std::function<void(const double*, double*, double)>;
  RosenbrockStepper(double atol, double rtol, std::size_t n, Rhs rhs)
      : atol_(atol), rtol_(rtol), n_(static_cast<Eigen::Index>(n)), rhs_(std::move(rhs)), J_(n_, n_) {
    for (Eigen::VectorXd* v : {&f0_, &f1_, &xp_, &dfdt_, &g1_, &g2_, &g3_, &g4_, &g5_, &xtmp_, &err_, &xnew_})
      v->resize(n_);
  }

  template <class Ignored>
  odeint::controlled_step_result try_step(Ignored, State& x, double& t, double& dt) {
    using std::pow;
    constexpr double safe = 0.9, fac1 = 5.0, fac2 = 1.0 / 6.0;
    const Eigen::Map<Eigen::VectorXd> xv(x.data(), n_);
    step(xv, t, dt);
    double err = 0.0;
    for (Eigen::Index i = 0; i < n_; ++i) {
      const double sk = atol_ + rtol_ * std::max(std::abs(xv(i)), std::abs(xnew_(i)));
      err += err_(i) * err_(i) / (sk * sk);
    }
    err = std::sqrt(err / static_cast<double>(n_));
    if (!std::isfinite(err)) err = 1e10;  // reject, shrink by fac1
    double fac = std::max(fac2, std::min(fac1, pow(err, 0.25) / safe));
    double dt_new = dt / fac;
    if (err > 1.0) {
      dt = dt_new;
      last_rejected_ = true;
      return odeint::fail;
    }
    if (first_step_) {
      first_step_ = false;
    } else {
      const double fac_pred = std::max(fac2, std::min(fac1, (dt_old_ / dt) * pow(err * err / err_old_, 0.25) / safe));
      fac = std::max(fac, fac_pred);
      dt_new = dt / fac;
    }
    dt_old_ = dt;
    err_old_ = std::max(0.01, err);
    if (last_rejected_) dt_new = std::min(dt_new, dt);
    t += dt;
    dt = dt_new;
    last_rejected_ = false;
    std::copy(xnew_.data(), xnew_.data() + n_, x.begin());
    return odeint::success;
  }

 private:
  void f(const Eigen::VectorXd& x, Eigen::VectorXd& dxdt, double t) { rhs_(x.data(), dxdt.data(), t); }

  void step(const Eigen::Map<Eigen::VectorXd>& x, double t, double dt) {
    const odeint::default_rosenbrock_coefficients<double> c;
    // Jacobian and ∂f/∂t by forward differences (∂f/∂t forward, into the step's mesh interval).
    xp_ = x;
    f(xp_, f0_, t);
    for (Eigen::Index j = 0; j < n_; ++j) {
      const double d = kJacobianStep * std::max(1.0, std::abs(x(j)));
      xp_(j) = x(j) + d;
      f(xp_, f1_, t);
      J_.col(j) = (f1_ - f0_) / d;
      xp_(j) = x(j);
    }
    const double dt_fd = kJacobianStep * std::max(1.0, t);
    f(xp_, f1_, t + dt_fd);
    dfdt_ = (f1_ - f0_) / dt_fd;
    // W = I/(γ·dt) − J, as Odeint.
    const Eigen::MatrixXd W = Eigen::MatrixXd::Identity(n_, n_) / (c.gamma * dt) - J_;
    const Eigen::PartialPivLU<Eigen::MatrixXd> lu(W);
    g1_ = lu.solve(f0_ + dt * c.d1 * dfdt_);
    xtmp_ = x + c.a21 * g1_;
    f(xtmp_, f1_, t + c.c2 * dt);
    g2_ = lu.solve(f1_ + dt * c.d2 * dfdt_ + c.c21 * g1_ / dt);
    xtmp_ = x + c.a31 * g1_ + c.a32 * g2_;
    f(xtmp_, f1_, t + c.c3 * dt);
    g3_ = lu.solve(f1_ + dt * c.d3 * dfdt_ + (c.c31 * g1_ + c.c32 * g2_) / dt);
    xtmp_ = x + c.a41 * g1_ + c.a42 * g2_ + c.a43 * g3_;
    f(xtmp_, f1_, t + c.c4 * dt);
    g4_ = lu.solve(f1_ + dt * c.d4 * dfdt_ + (c.c41 * g1_ + c.c42 * g2_ + c.c43 * g3_) / dt);
    xtmp_ = x + c.a51 * g1_ + c.a52 * g2_ + c.a53 * g3_ + c.a54 * g4_;
    f(xtmp_, f1_, t + dt);
    g5_ = lu.solve(f1_ + (c.c51 * g1_ + c.c52 * g2_ + c.c53 * g3_ + c.c54 * g4_) / dt);
    xtmp_ += g5_;
    f(xtmp_, f1_, t + dt);
    err_ = lu.solve(f1_ + (c.c61 * g1_ + c.c62 * g2_ + c.c63 * g3_ + c.c64 * g4_ + c.c65 * g5_) / dt);
    xnew_ = xtmp_ + err_;
  }

  double atol_, rtol_;
  Eigen::Index n_;
  Rhs rhs_;
  Eigen::MatrixXd J_;
  Eigen::VectorXd f0_, f1_, xp_, dfdt_, g1_, g2_, g3_, g4_, g5_, xtmp_, err_, xnew_;
  bool first_step_ = true, last_rejected_ = false;
  double dt_old_ = 0.0, err_old_ = 0.0;
};

}  // namespace legsim::predict::detail
