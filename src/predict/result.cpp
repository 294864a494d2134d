// A solved step's report: trajectories at the nodes, metabolic cost, variables on bounds
// (include/legsim/predict/predict.hpp, PredictedGait).
#include <cmath>

#include "legsim/core/constants.hpp"
#include "problem.hpp"

namespace legsim::predict::detail {

using casadi::DM;

void fill_trajectories(PredictedGait& out, const Problem& P, const std::vector<double>& times, const DM& Xv,
                       const DM& Uv, const std::vector<DM>& sv) {
  const Layout& L = P.L;
  const PredictOptions& opt = P.opt;
  const int N = static_cast<int>(times.size()) - 1;
  for (int k = 0; k <= N; ++k) {
    out.time.push_back(times[k]);
    std::vector<double> q(kNq), qd(kNq), qdd(kNq);
    for (int j = 0; j < kNq; ++j) {
      q[j] = static_cast<double>(Xv(L.q(j), k));
      qd[j] = static_cast<double>(Xv(L.qd(j), k));
      qdd[j] = static_cast<double>(Uv(L.qdd(j), k)) * kAccelerationScale;
    }
    out.q.push_back(q);
    out.qd.push_back(qd);
    out.qdd.push_back(qdd);
    std::vector<double> e, a, ft, ln;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < L.m; ++i) {
        e.push_back(static_cast<double>(Uv(L.e(s, i), k)));
        a.push_back(static_cast<double>(Xv(L.a(s, i), k)));
        ft.push_back(static_cast<double>(sv[3](s * L.m + i, k)));
        ln.push_back(static_cast<double>(sv[4](s * L.m + i, k)));
      }
    out.excitation.push_back(e);
    out.activation.push_back(a);
    out.tendon_force.push_back(ft);
    out.fiber_length_norm.push_back(ln);
    std::vector<double> mom(6), resv(6, 0.0), grf(4), cop(2), quad(2);
    for (int j = 0; j < 6; ++j) mom[j] = static_cast<double>(sv[2](j, k));
    if (L.reserves)
      for (int s = 0; s < 2; ++s)
        for (int j = 0; j < 3; ++j) resv[3 * s + j] = static_cast<double>(Uv(L.res(s, j), k)) * opt.reserve_scale;
    for (int j = 0; j < 4; ++j) grf[j] = static_cast<double>(sv[0](j, k));
    for (int j = 0; j < 2; ++j) {
      cop[j] = static_cast<double>(sv[1](j, k));
      quad[j] = static_cast<double>(sv[5](j, k));
    }
    out.joint_moment.push_back(mom);
    out.reserve.push_back(resv);
    out.grf.push_back(grf);
    out.cop_x.push_back(cop);
    out.quadriceps_force.push_back(quad);
    std::vector<double> pf(2), ps(2);
    for (int s = 0; s < 2; ++s) {
      const PfjLoad<double> l = pfj_load(quad[s], q[joint_coordinate(kSides[s], 1)] * kRadToDeg, P.pfj);
      pf[s] = l.force;
      ps[s] = l.stress;
    }
    out.pfj_force.push_back(pf);
    out.pfj_stress.push_back(ps);
    std::vector<double> er(2 * L.m);
    for (int i = 0; i < 2 * L.m; ++i) er[i] = static_cast<double>(sv[8](i, k));
    out.metabolic_rate.push_back(er);
  }
  // Muscle metabolic energy per kg body mass and metre of the step (whichever the objective), by the
  // trapezoidal rule over the node times, and its parts.
  {
    const double per = 1.0 / (out.step_length * out.body_mass);  // 1/(kg·m)
    auto integral = [&](auto value) {
      double s = 0.0;
      for (int k = 0; k < N; ++k) s += 0.5 * (value(k) + value(k + 1)) * (out.time[k + 1] - out.time[k]);
      return s * per;
    };
    double total = 0.0;
    for (int t = 0; t < kMetabolicTerms; ++t) {
      const double v = integral([&](int k) { return static_cast<double>(sv[9](t, k)); });
      out.metabolic_cost[kMetabolicTermNames[t]] = v;
      if (t != kMetabolicTerms - 1) total += v;  // negative work is reported, not counted
    }
    out.metabolic_cost["total"] = total;
  }
}

void find_variables_on_bounds(PredictedGait& out, const Problem& P, const NodeBounds& b) {
  const Layout& L = P.L;
  const int N = static_cast<int>(out.time.size()) - 1;
  const double T = out.time[N] - out.time[0];
  std::vector<double> weight(N + 1, 0.0);  // trapezoidal quadrature weights
  for (int k = 0; k < N; ++k) {
    const double h = out.time[k + 1] - out.time[k];
    weight[k] += 0.5 * h;
    weight[k + 1] += 0.5 * h;
  }
  const auto &xlo = b.xlo, &xhi = b.xhi, &uhi = b.uhi;
  // Variables resting on a bound at touchdown (node 0) or for more than 5 % of the mesh: joint
  // angles and excitations (a bound is a wide physiological limit, so resting on it is a finding).
  // (On a graded mesh "5 % of the mesh" is 5 % of the step's duration, by quadrature weight.)
  auto check = [&](const std::string& name, double lo, double hi, auto value) {
    const double tol = 1e-3 * (hi - lo);
    double share = 0.0;
    bool at_td = false;
    for (int k = 0; k < N; ++k) {
      const double v = value(k);
      const bool on = v <= lo + tol || v >= hi - tol;
      if (on) share += (k == 0 ? weight[0] + weight[N] : weight[k]) / T;
      if (k == 0) at_td = on;
    }
    if (at_td || share > 0.05) out.variables_on_bounds.push_back(name);
  };
  for (int j = 2; j < kNq; ++j)
    check(coordinate_name(j), xlo[L.q(j)], xhi[L.q(j)], [&](int k) { return out.q[k][j]; });
  // A joint pressed past its soft range-of-motion limit (where the passive moment rises steeply) is
  // resting on a limit too: the passive moment then carries load that muscles would otherwise carry.
  for (int s = 0; s < 2; ++s)
    for (int jj = 0; jj < 3; ++jj) {
      const int j = joint_coordinate(kSides[s], jj);
      check(coordinate_name(j) + " (passive limit)", kPassiveRange[jj].lo_deg * kDegToRad,
            kPassiveRange[jj].hi_deg * kDegToRad, [&](int k) { return out.q[k][j]; });
    }
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < L.m; ++i) {
      const int idx = s * L.m + i;
      // Only the upper bound of an excitation is a limit; resting at minimum excitation is normal.
      check("excitation_" + out.muscle_names[idx], -1.0, uhi[L.e(s, i)], [&](int k) { return out.excitation[k][idx]; });
    }
}

}  // namespace legsim::predict::detail
