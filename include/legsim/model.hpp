#pragma once
// Model: everything fixed during a run — body, contact, muscles with their joint geometry, the
// patellofemoral model and the integrator settings. Immutable once built, validated at
// construction, safe to share between threads (DESIGN 2). Per-run state lives in a workspace.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "legsim/body/params.hpp"
#include "legsim/body/smooth_contact.hpp"
#include "legsim/control/controller.hpp"
#include "legsim/core/error.hpp"  // the exceptions the functions below throw
#include "legsim/joint_load/pfj.hpp"
#include "legsim/muscle/geometry.hpp"
#include "legsim/muscle/params.hpp"

namespace legsim {

/// One muscle–tendon unit of the model and the joints it crosses.
struct MuscleSpec {
  std::string name;                    ///< [a-z_][a-z0-9_]*, unique in the model
  MuscleParams params;
  std::vector<JointCrossing> joints;   ///< 1 or 2 crossings, each joint at most once
  std::vector<std::string> tags;       ///< e.g. "knee_extensor" (read by the PFJ model), "calf"
  double slow_twitch_fraction = 0.5;   ///< type I fiber fraction, [0, 1] (fatigue weights, DESIGN 3.4)
  std::string source;                  ///< citation of the parameters

  bool has_tag(std::string_view tag) const;
};

/// Comments of a model file that load and save keep (issue 18, item 8), for one table or key.
struct FileNotes {
  std::vector<std::string> above;  ///< comment lines above the table header or key (without "# ")
  std::string after;               ///< the comment after the value on its line: unit, citation
  bool operator==(const FileNotes&) const = default;
};

/// Integration settings of a stance simulation (sim/).
struct IntegratorSettings {
  double relative_tolerance = 1e-4;    ///< (0, 1e-2]; models/runner.toml says why
  double absolute_tolerance = 1e-5;    ///< (0, 1e-2]
  double initial_step = 1e-5;          ///< s, (0, 1e-2]
  double min_step = 1e-12;             ///< s, step-size underflow below this, (0, initial_step]
  double max_stance_time = 0.6;        ///< s, no toe-off within this is a failure, (0, 5]
  double output_interval = 5e-4;       ///< s, spacing of recorded samples, (0, 0.01]
  double event_tolerance = 1e-5;       ///< s, toe-off location accuracy, (0, 1e-3]
};

/// The model (see the file-level comment). Build with Model::load, Model::default_model or
/// Model::from_toml; derive variants with with_params.
class Model {
 public:
  /// Reads and validates a model file (TOML, DESIGN 6). Throws ModelFileError/InputError naming the
  /// file, the key path, the value and the allowed range.
  static Model load(const std::filesystem::path& path);
  /// Parses a model from TOML text; `origin` names it in error messages.
  static Model from_toml(std::string_view text, std::string_view origin = "<string>");
  /// The default runner (models/runner.toml, compiled into the library).
  static const Model& default_model();
  /// The default model file's text.
  static std::string_view default_model_toml();

  /// Writes the model as TOML; load(save(m)) == m, field by field, with its sources, comments (units
  /// and per-value citations) and muscle order. Strings are escaped by toml++'s formatter.
  void save(const std::filesystem::path& path) const;
  std::string to_toml() const;

  /// A copy with numeric parameters changed, by key path (e.g. "muscles.soleus.max_isometric_force",
  /// "body.mass", "contact.stiffness", "muscles.soleus.joints.0.moment_arm", "foot_contact.stiffness",
  /// "foot_contact.spheres.0.x", "foot_contact.spheres.2.count"). Throws InputError for an unknown
  /// path or an out-of-range value (an integer key such as count also for a value that is not an
  /// integer).
  /// A new "body.height" also rescales the foot_contact spheres with the foot (x and y − radius ∝
  /// height) unless the same call sets a "foot_contact.spheres." key.
  Model with_params(const std::map<std::string, double>& params) const;
  /// The value of a numeric parameter by key path.
  double param(std::string_view path) const;

  const std::string& name() const { return parts_.name; }
  const std::string& description() const { return parts_.description; }
  double body_mass() const { return parts_.body_mass; }
  double height() const { return parts_.height; }
  Sex sex() const { return parts_.sex; }
  const BodyParams& body() const { return body_; }
  const ContactParams& contact() const { return parts_.contact; }
  /// Smooth sphere contact for gait prediction by direct collocation ([foot_contact] of the model
  /// file; its spheres lie on body().foot). Not used by the stance simulation, which uses contact().
  const SmoothContactParams& foot_contact() const { return parts_.foot_contact; }
  const std::vector<MuscleSpec>& muscles() const { return parts_.muscles; }
  std::vector<std::string> muscle_names() const;
  /// Index of a muscle by name; throws InputError naming the unknown muscle and the known ones.
  std::size_t muscle_index(std::string_view name) const;
  const PfjParams& pfj() const { return parts_.pfj; }
  const IntegratorSettings& integrator() const { return parts_.integrator; }
  /// Default stance controller (muscles in model order).
  const ControllerParams& controller() const { return parts_.controller; }
  double body_weight() const;  ///< N

  bool operator==(const Model& other) const { return to_toml() == other.to_toml(); }

  // Construction from parts (validated); used by the reader.
  struct Parts {
    std::string name, description;
    /// The `source` of each table that has one: "model", "body", "contact", "foot_contact", "pfj", "controller"
    /// (a muscle's is MuscleSpec::source).
    std::map<std::string, std::string> sources;
    double body_mass = 70.0, height = 1.75;
    Sex sex = Sex::kMale;
    ContactParams contact;
    /// Spheres empty: the constructor places the default ones on the foot (sagittal_contact_spheres).
    SmoothContactParams foot_contact;
    std::vector<MuscleSpec> muscles;
    PfjParams pfj;
    IntegratorSettings integrator;
    ControllerParams controller;  ///< muscles aligned with `muscles` by the constructor
    /// File comments by key path: "model" (the file header above [model]), "muscles.soleus",
    /// "muscles.soleus.max_isometric_force", "muscles.soleus.joints.0", ... A value's `after` that
    /// only repeats the unit the writer puts there is not kept.
    std::map<std::string, FileNotes> notes;
  };
  explicit Model(Parts parts);
  const Parts& parts() const { return parts_; }

 private:
  Parts parts_;
  BodyParams body_;  ///< derived from body_mass, height and sex (de Leva 1996 scaling)
};

}  // namespace legsim
