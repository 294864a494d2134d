#pragma once
// The collocation NLP of one problem structure (private to src/predict): built once and reused by a
// Predictor (collocation.cpp) for every condition of that structure. Transcription: transcription.cpp.
#include <casadi/casadi.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "problem.hpp"

namespace legsim::predict::detail {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Parameters of the NLP, the numbers a condition changes without changing the graph:
/// p = [c_1 … c_m (each muscle's active capacity); d (step length, m); h_0 … h_{N−1} (interval lengths, s)].
std::vector<double> nlp_parameters(const Problem& P, const std::vector<double>& times);

/// The collocation NLP of one problem structure (model and body size, the options that shape the
/// graph, the kind of foot-strike constraint) with the condition's numbers as parameters
/// (nlp_parameters), and its exact derivatives. Building it is most of a warm solve's cost when done
/// per condition (CasADi's algorithmic differentiation of the expanded graph: ≈ 4.5 s for the gradient
/// and Jacobian, ≈ 11.5 s for the Hessian at the default options, docs/decisions.md); a Predictor
/// builds it once and reuses it.
struct Transcription {
  casadi::Function nlp;                // (x, p) → (f, g), one SX graph
  casadi::Function oracle;             // the same as calls of SX functions of f and g (given to nlpsol)
  casadi::Function grad_f, jac_g;      // IPOPT's first derivatives, built with nlp
  casadi::Function hess_l;             // the Hessian of the Lagrangian, built at the first exact run
  casadi::Function terms;              // (x, p) → the objective's terms
  casadi::Function full;               // (x, p) → (X, U) at nodes 0..N
  casadi::Function signals;            // (x_k, u_k, c) → reporting signals of one node
  double build_seconds = 0.0;          // nlp, grad_f and jac_g
};

/// Held while CasADi builds expression graphs (the transcription, the Hessian, an nlpsol instance):
/// one process-wide lock, because concurrent graph construction corrupted CasADi's heap (the C API's
/// two-thread test crashed in SXElem::binary / ad_forward, 2026-12-06, casadi 3.8.2 wheel, even with
/// its thread-safe-symbolics switch compiled in; docs/decisions.md). Solving and evaluating built
/// functions run unlocked, so predictions on several threads still solve in parallel.
std::mutex& symbolic_mutex();

/// The NLP of one problem structure; holds symbolic_mutex() while it builds.
std::shared_ptr<Transcription> build_transcription(const Problem& P);

/// IPOPT's Hessian of the Lagrangian, σ∇²f + Σλ_i∇²g_i (upper triangle), as IPOPT's interface builds it.
/// Holds symbolic_mutex() while it builds.
void build_hessian(Transcription& tr);

/// What distinguishes one transcription from another: everything that enters the graph other than
/// its parameters. Body size from the condition changes the model; an ankle-angle foot strike
/// constrains another quantity than a foot-strike band.
std::string transcription_key(const GaitCondition& c, const PredictOptions& o);

/// Bounds (rad) of the foot-strike constraint at node 0, the last row of g: the foot angle in the band
/// of the condition's foot strike (Altman & Davis 2012, Gait Posture 35(2):298–300: rearfoot > 8°,
/// midfoot −1.6…8°, forefoot < −1.6°), or the given ankle angle. (The row before it, the right foot's
/// vertical force at the 20 N threshold, is an equality.)
std::array<double, 2> foot_strike_bounds(const ResolvedCondition& c);

}  // namespace legsim::predict::detail
