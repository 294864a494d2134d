#pragma once
// One FMU instance, independent of the FMI version's C interface (fmi2.cpp wraps it): the bundled
// model, the parameters (touchdown state), the inputs (excitations) and the stance stepper.
// Methods throw legsim::Error with the message the wrapper logs and turns into a status.
#include <optional>
#include <string>
#include <vector>

#include "legsim/model.hpp"
#include "legsim/sim/stance_stepper.hpp"

namespace legsim::fmu {

class Instance {
 public:
  /// Loads runner.toml from the FMU's resources directory (a path; FMI 2.0 passes a file: URI,
  /// see path_from_uri) and checks that the model description's GUID (FMI 3.0: instantiation
  /// token) was made from that file.
  Instance(const std::string& resource_dir, const std::string& expected_guid);

  void setup_experiment(double start_time);
  void enter_initialization();
  void exit_initialization();
  void terminate() { mode_ = Mode::kTerminated; }
  void reset();

  void set_real(unsigned value_reference, double value);
  double get_real(unsigned value_reference);
  /// The FMU's time (s): the start time plus the time since touchdown.
  double time() const { return start_time_ + (stepper_ ? stepper_->time() : 0.0); }
  /// One communication step from current_time (must equal the FMU's time) over h > 0, the inputs
  /// held constant. A numerical failure throws SimulationError and leaves the instance failed.
  void do_step(double current_time, double h);

 private:
  enum class Mode { kInstantiated, kInitialization, kStepping, kFailed, kTerminated };
  const StanceStepper& stepper();

  Model model_;
  TouchdownState touchdown_;
  std::vector<double> excitations_;
  std::optional<StanceStepper> stepper_;  ///< built from the parameters when first needed
  double start_time_ = 0.0;
  Mode mode_ = Mode::kInstantiated;
};

/// The file-system path of a file: URI ("file:///a/b", "file:/a/b", "file://localhost/a/b"),
/// percent-decoded. Throws InputError for any other scheme.
std::string path_from_uri(const std::string& uri);

}  // namespace legsim::fmu
