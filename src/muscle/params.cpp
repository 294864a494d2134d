// Validation of MuscleParams: every field finite and inside the range of a human leg muscle, so a
// model file with an absurd value (1e12 N, a 1e308 m fiber) is rejected at load instead of giving a
// stance that "succeeds" with NaN metrics (issue 18, item 5). Each range below is the one place it
// is stated; the model reader reports it with the field's key path.
#include <cmath>
#include <string>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/muscle/params.hpp"

namespace legsim {

namespace {

void in_range(const std::string& field, double v, double lo, double hi, std::string_view unit) {
  require(std::isfinite(v) && v >= lo && v <= hi, field, v,
          "[" + format_value(lo) + ", " + format_value(hi) + "]" + (unit.empty() ? "" : " ") + std::string(unit));
}

}  // namespace

void validate(const MuscleParams& p, std::string_view prefix) {
  const std::string pre = std::string(prefix) + ".";
  const auto field = [&](const char* name) { return pre + name; };

  // Leg muscles span ~100 N (small) to ~1e4 N (the vasti together 9594 N, Rajagopal A et al. (2016)
  // IEEE TBME 63(10):2068-2079); 1e5 N leaves a tenfold margin for lumped or scaled muscles.
  in_range(field("max_isometric_force"), p.max_isometric_force, 1.0, 1e5, "N");
  // Optimal fiber lengths of the leg: ~2 cm (soleus) to ~45 cm (sartorius) (Ward SR et al. (2009)
  // Clin Orthop Relat Res 467(4):1074-1082); 1 cm - 50 cm.
  in_range(field("optimal_fiber_length"), p.optimal_fiber_length, 0.01, 0.5, "m");
  // Tendon slack lengths of the leg reach ~0.4 m (gastrocnemius, Geyer & Herr 2010; Rajagopal 2016);
  // down to a few mm for muscles attached almost directly to bone.
  in_range(field("tendon_slack_length"), p.tendon_slack_length, 0.005, 0.6, "m");
  // Pennation at optimal fiber length: leg muscles 0-~30 deg (Ward 2009: soleus 28 deg); up to 45 deg
  // (0.785 rad). The constant-thickness geometry itself breaks down at 90 deg.
  in_range(field("pennation_angle_at_optimal"), p.pennation_angle_at_optimal, 0.0, kPi / 4.0, "rad");
  // 6 (slow) to 12 (fast) optimal fiber lengths/s in Geyer & Herr 2010, 10 in Zajac FE (1989) Crit
  // Rev Biomed Eng 17(4):359-411; 2-20 spans the published values with margin.
  in_range(field("max_contraction_velocity"), p.max_contraction_velocity, 2.0, 20.0, "optimal fiber lengths/s");
  // Tendon strain at the maximum isometric force: 0.033 (Zajac 1989) to ~0.05-0.1 in vivo for the
  // Achilles tendon; 0.01-0.15.
  in_range(field("tendon_strain_at_one_norm_force"), p.tendon_strain_at_one_norm_force, 0.01, 0.15, "");
  // Passive fiber strain at one normalized force: 0.6 (young) and 0.5 (old) in Thelen DG (2003)
  // J Biomech Eng 125(1):70-77; 0.2-1.5.
  in_range(field("passive_fiber_strain_at_one_norm_force"), p.passive_fiber_strain_at_one_norm_force, 0.2, 1.5, "");
  // Activation 5-20 ms, deactivation 40-80 ms (Thelen 2003: 15 and 60 ms; Winters JM (1995) Ann
  // Biomed Eng 23(4):359-374), each with a wide margin.
  in_range(field("activation_time_constant"), p.activation_time_constant, 0.002, 0.1, "s");
  in_range(field("deactivation_time_constant"), p.deactivation_time_constant, 0.01, 0.2, "s");
  // b of De Groote et al. (2016) Ann Biomed Eng 44(10):2922-2936: 10 there, 0.1 in OpenSim.
  in_range(field("activation_smoothing"), p.activation_smoothing, 0.1, 100.0, "");
  // A resting muscle keeps a small activation (0.01-0.05 in Thelen 2003 and Millard 2013); [0, 0.2].
  in_range(field("min_activation"), p.min_activation, 0.0, 0.2, "");
  // Normalized fiber damping: 0.1 in Millard M et al. (2013) J Biomech Eng 135(2):021005; [0, 1].
  in_range(field("fiber_damping"), p.fiber_damping, 0.0, 1.0, "");
  require(std::isfinite(p.capacity_factor) && p.capacity_factor > 0.0 && p.capacity_factor <= 1.0,
          field("capacity_factor"), p.capacity_factor, "(0, 1]");
  const int tendon = static_cast<int>(p.tendon);
  require(p.tendon == TendonModel::kCompliant || p.tendon == TendonModel::kRigid, field("tendon"), tendon,
          "0 (compliant) or 1 (rigid)");
}

}  // namespace legsim
