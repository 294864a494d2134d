// The batch stance engine's entry point: input validation, settings, the SIMD target (dispatch.cpp)
// and the worker threads (one workspace each, batch/worker.cpp) — see batch/stance_batch.hpp.
#include "legsim/batch/stance_batch.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "dispatch.hpp"
#include "legsim/core/error.hpp"

namespace legsim {
namespace {

void validate_job(const Model& model, const StanceJob& job, std::size_t index) {
  const std::string where = "jobs[" + std::to_string(index) + "]";
  try {
    validate(job.touchdown, model);
  } catch (const InputError& e) {
    throw InputError(where + "." + e.what());
  }
  validate_controller(model, job.controller, where + ".controller");
  validate_capacity_factors(model, job.capacity_factors, where + ".capacity_factors");
}

}  // namespace

std::vector<BatchStanceOutcome> simulate_stances(const Model& model, std::span<const StanceJob> jobs,
                                                 const BatchOptions& options) {
  if (options.threads < 0) require(false, "options.threads", options.threads, "≥ 0 (0 = all cores)");
  batch_detail::Settings s;
  static_cast<StanceSettings&>(s) =
      stance_settings(model, options.relative_tolerance, options.absolute_tolerance, options.event_tolerance);
  require(options.fixed_step >= 0 && options.fixed_step <= 1e-2, "options.fixed_step", options.fixed_step,
          "[0, 0.01] s (0 = adaptive)");
  s.fixed_step = options.fixed_step;
  if (model.muscles().size() > static_cast<std::size_t>(kMaxMuscles))
    throw InputError("muscles: the model has " + std::to_string(model.muscles().size()) + " muscles; at most " +
                     std::to_string(kMaxMuscles) + " are supported");
  const batch_detail::Target& target = batch_detail::target_for(options.simd);
  for (std::size_t j = 0; j < jobs.size(); ++j) validate_job(model, jobs[j], j);

  std::vector<BatchStanceOutcome> out(jobs.size());
  if (jobs.empty()) return out;
  unsigned threads = options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency())
                                          : static_cast<unsigned>(options.threads);
  // No more workers than there are lanes' worth of jobs to share.
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, jobs.size()));
  const std::size_t quota = std::min(target.lanes, (jobs.size() + threads - 1) / threads);
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto work = [&] {
    try {
      target.run(model, jobs, options, s, next, out, quota);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
  }
  if (error) std::rethrow_exception(error);
  return out;
}

}  // namespace legsim
