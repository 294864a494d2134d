#pragma once
// Parameters of the planar body (trunk, stance thigh, shank, foot) and of the foot–ground contact.
// SI units throughout: kg, m, kg·m², N, s. Validation throws legsim::InputError naming the field,
// the value and the allowed range (DESIGN 3.1, 3.2).
#include <string_view>

namespace legsim {

enum class Sex { kMale, kFemale };

/// One rigid segment of the planar chain.
struct SegmentParams {
  double mass = 0.0;               ///< m (kg), (0, inf)
  double length = 0.0;             ///< proximal → distal joint (m), (0, inf)
  double com_from_proximal = 0.0;  ///< CoM distance from the proximal end along the segment (m), [0, length]
  double inertia_about_com = 0.0;  ///< sagittal moment of inertia about the CoM (kg·m²), (0, inf)
};

/// A point in the foot frame: origin at the ankle joint, x along the sole heel → toe, y perpendicular
/// to it, up when the foot is flat on the ground (m).
struct FootPoint {
  double x = 0.0;
  double y = 0.0;
};

/// The foot: segment parameters plus contact geometry in the foot frame.
/// For the foot, `length` is heel → toe tip and `com_from_proximal` is the CoM distance from the heel
/// along the sole (de Leva's definition; kept for reporting). The dynamics use `com` below.
struct FootParams : SegmentParams {
  FootPoint heel;             ///< heel contact point (posterior end of the sole, below the ankle) (m)
  FootPoint metatarsal_head;  ///< metatarsal-head (ball) contact point (m)
  FootPoint com;              ///< foot centre of mass (m)
};

/// The whole planar body.
struct BodyParams {
  double body_mass = 0.0;  ///< whole-body mass (kg); must equal the sum of the segment masses
  double height = 0.0;     ///< standing height (m)
  /// Head, arms, trunk, pelvis and the swing leg lumped into one rigid body above the hip
  /// (DESIGN 3.1). `length` is hip → shoulder, `com_from_proximal` is measured from the hip upward.
  SegmentParams trunk;
  SegmentParams thigh;  ///< hip → knee joint centre
  SegmentParams shank;  ///< knee → ankle joint centre
  FootParams foot;
};

/// Scales the body to a runner's mass (kg) and standing height (m).
///
/// Thigh, shank, foot: de Leva P (1996) J Biomech 29(9):1223–1230, doi:10.1016/0021-9290(95)00178-6
/// (adjusted Zatsiorsky–Seluyanov): mass fraction, CoM fraction from the proximal end, sagittal radius
/// of gyration fraction; segment lengths = de Leva's mean lengths × height / reference stature
/// (male 1.741 m, female 1.735 m).
///
/// Trunk (the lumped body above the hip): mass = body mass − stance thigh, shank and foot. It is the
/// "HAT" (head, arms, trunk = body − both legs, de Leva) plus the swing leg. HAT geometry from Winter
/// DA (2009) Biomechanics and Motor Control of Human Movement, 4th ed., Table 4.1 and Fig. 4.1: HAT
/// length greater trochanter → glenohumeral joint = (0.818 − 0.530)·height, CoM at 0.626 of it above
/// the hip, radius of gyration about the CoM 0.496 of it (for a 73 kg, 1.741 m runner I_HAT ≈ 2.7 kg·m²,
/// close to the 3 kg·m² of Geyer & Herr 2010's HAT). The swing leg is lumped as a point mass at the hip:
/// its own rotation is driven by the swing-hip muscles, not by the trunk, so it adds mass (and lowers
/// the trunk CoM) but no rotational inertia about the hip. This is a modelling choice, not a published
/// value.
///
/// Foot contact geometry (foot frame at the ankle): ankle height above the sole 0.039·height (Winter
/// 2009, Fig. 4.1); metatarsal heads at 0.725 of foot length from the heel (the ball-of-foot position
/// used in foot anthropometry, 0.70–0.75); the ankle lies above a point at 0.2 of the heel → ball
/// distance (Geyer & Herr 2010's foot: heel → ball 0.20 m, ankle 0.16 m behind the ball). Foot CoM:
/// along the sole at de Leva's fraction from the heel, halfway between the sole and the ankle height
/// (Winter 2009 puts the foot CoM midway on the ankle → metatarsal line).
///
/// Throws InputError unless body_mass ∈ [20, 250] kg and height ∈ [1.0, 2.5] m.
BodyParams scale_body(double body_mass, double height, Sex sex = Sex::kMale);

/// Validates every field; throws InputError naming "<prefix>.<field>", the value and the allowed range.
void validate(const BodyParams& p, std::string_view prefix = "body");

/// Foot–ground contact (DESIGN 3.2). Each of the two foot points (heel, metatarsal head) carries a
/// normal force and a tangential bristle-friction force; the ground is the line y = 0.
///
/// Normal force (Hunt KH, Crossley FRE (1975) J Appl Mech 42(2):440–445, doi:10.1115/1.3423596):
///   δ = −y_point (penetration, m), δ̇ = −ẏ_point (penetration rate, m/s)
///   F_n = k · δ₊ⁿ · ramp(1 + 1.5·c·δ̇)        (N, ≥ 0)
/// δ₊ⁿ = 0 for δ ≤ 0. ramp(d) = d for d ≥ d₀, 0 for d ≤ 0, and the C¹ cubic d²(2d₀ − d)/d₀² between,
/// so F_n never pulls (a fast-separating foot feels zero force, not a negative one) and is C¹ in
/// (δ, δ̇) for n > 1. Since ramp(d) ≤ d for d < 1 and = d for d ≥ 1 (d₀ ≤ 1), the damping part never
/// adds energy: F_n·δ̇ − d/dt(k δ^(n+1)/(n+1)) = k δⁿ δ̇ (ramp(d) − 1) ≥ 0.
///
/// Friction (tangential bristle, an elasto-plastic anchor model): each point has one state, the
/// bristle deflection z = x_point − x_anchor (m). The bristle is a spring k_t in parallel with a
/// damper b_t between the foot point and a massless anchor that slides on the ground when the bristle
/// force reaches the Coulomb limit L = μ·F_n:
///   f₀ = k_t·z + b_t·ẋ_point                     trial (sticking) bristle force
///   f  = sat_L(f₀)                                 bristle force, |f| ≤ L
///   F_t = −f                                       friction force on the foot (N)
///   ż  = (f − k_t·z) / b_t                         (= ẋ_point while sticking)
/// sat_L(x) = x for |x| ≤ (1−w)L, sign(x)·L for |x| ≥ (1+w)L and the C¹ quadratic blend
/// sign(x)·(|x| − (|x| − (1−w)L)²/(4wL)) between. Energy: with E_b = ½ k_t z², the friction power on
/// the foot is F_t·ẋ = −Ė_b − b_t ż² − f·(f₀ − f)/b_t, and f·(f₀ − f) ≥ 0 because sat_L keeps the sign
/// and |sat_L(x)| ≤ |x|: friction never adds energy. With F_n = 0, L = 0 gives F_t = 0 exactly (no
/// sticking when the foot lifts) and z relaxes as ż = −k_t z / b_t. The stiffest time constant is
/// b_t/k_t or m/b_t, not μF_n/(m·v_slip) as for a tanh-regularized Coulomb law (DESIGN 3.2).
struct ContactParams {
  /// k (N/m^n), (0, inf). A Hertz-type (n = 1.5) heel pad + shoe: ≈ 10 mm deformation at 2 body
  /// weights of a 70 kg runner on one point (heel-pad deformation in running ≈ 9–11 mm, De Clercq D,
  /// Aerts P, Kunnen M (1994) J Biomech 27(10):1213–1222). Derived, not a published stiffness.
  double stiffness = 1.4e6;
  /// n, (1, 3]; 1.5 = Hertz contact (Hunt & Crossley 1975).
  double exponent = 1.5;
  /// c (s/m), [0, 100]. Hunt & Crossley: 1.5·c = 3(1 − e)/(2 v_impact), i.e. e = 1 − c·v_impact.
  /// The heel pad loses 30–35 % of the energy of a loading cycle at locomotion-like rates (Bennett MB,
  /// Ker RF (1990) J Anat 171:131–138: ≈ 70 % returned; Ker RF (1996) J Exp Biol 199:1501–1508:
  /// ≈ 33 % with 1 s rest between cycles), so e = √(1 − 0.33) = 0.82; at a heel impact velocity of
  /// 1 m/s (the in-vivo heel drop tests of Kinoshita H et al. (1993) Int J Sports Med 14(6):312–319
  /// used 0.93 m/s) c = (1 − e)/v = 0.18 s/m. (An earlier c = 1 s/m, e = 0.5 at 0.5 m/s, had no such
  /// source and over-damped heel strikes at 1–2 m/s: e → 0 and a force step at first contact.)
  double dissipation = 0.18;
  /// d₀ of the C¹ ramp on the damping factor (dimensionless), (0, 1].
  double damping_ramp_width = 0.1;
  /// μ, [0, 2]. Sliding friction 0.8 (Geyer H, Herr H (2010) IEEE TNSRE 18(3):263–273,
  /// doi:10.1109/TNSRE.2010.2047592: μ_slide 0.8).
  double friction_coefficient = 0.8;
  /// k_t (N/m), (0, inf): tangential bristle stiffness, the shear compliance of sole and heel pad.
  /// Chosen of the order of the normal tangent stiffness at body weight (≈ 1.7e5 N/m); the bristle
  /// deflects ≈ 5 mm at 1100 N of friction. Modelling choice.
  double bristle_stiffness = 2.0e5;
  /// b_t (N·s/m), (0, inf): bristle damping; ≈ 0.6 of critical for a 4 kg foot + shank on k_t, and
  /// the relaxation time of an unloaded bristle b_t/k_t = 5 ms. Modelling choice.
  double bristle_damping = 1.0e3;
  /// w, the relative half-width of the saturation blend of sat_L, (0, 0.5].
  double friction_smoothing = 0.1;
};

/// Validates every field; throws InputError naming "<prefix>.<field>", the value and the allowed range.
void validate(const ContactParams& p, std::string_view prefix = "contact");

}  // namespace legsim
