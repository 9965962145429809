// Learning-rate schedules as pure functions of the step count: schedule(t) is the factor by which
// the base learning rate is multiplied for the update that follows t completed steps, as
// torch.optim.lr_scheduler gives it when its step() is called after every optimizer step. Being
// functions of t alone, they hold no state of their own: a trainer restored from a training blob or
// checkpoint (which stores t) resumes the schedule exactly where it was.
//
//   const schedule::Cosine cosine{1000};
//   trainer.optimizer().learning_rate = base_rate * cosine(trainer.state().steps);
//   Status s = trainer.step(x, labels);   // a NaN or negative rate is refused: invalid_hyperparameter
#pragma once
#include <cmath>
#include <cstdint>

#include "finite.hpp"

namespace tinymlp::schedule {

// torch.optim.lr_scheduler.StepLR: gamma^floor(t / step_size)
struct StepDecay {
    std::uint64_t step_size;
    double gamma = 0.1;
    bool valid() const { return step_size > 0 && is_finite(gamma) && gamma >= 0; }
    double operator()(std::uint64_t t) const { return std::pow(gamma, static_cast<double>(t / step_size)); }
};

// torch.optim.lr_scheduler.ExponentialLR: gamma^t
struct Exponential {
    double gamma;
    bool valid() const { return is_finite(gamma) && gamma >= 0; }
    double operator()(std::uint64_t t) const { return std::pow(gamma, static_cast<double>(t)); }
};

// torch.optim.lr_scheduler.CosineAnnealingLR with eta_min = minimum * base rate:
// minimum + (1 - minimum) (1 + cos(pi t / period)) / 2 (periodic past `period`, as PyTorch's).
struct Cosine {
    std::uint64_t period;
    double minimum = 0;
    bool valid() const { return period > 0 && is_finite(minimum) && minimum >= 0; }
    double operator()(std::uint64_t t) const {
        const double pi = 3.14159265358979323846;
        return minimum + (1 - minimum) * (1 + std::cos(pi * static_cast<double>(t) / static_cast<double>(period))) / 2;
    }
};

// torch.optim.lr_scheduler.LinearLR (linear warmup): from `start` to `end` over `steps` steps,
// then `end`.
struct Linear {
    double start = 1.0 / 3;
    double end = 1;
    std::uint64_t steps = 5;
    bool valid() const { return is_finite(start) && start > 0 && is_finite(end) && end >= 0 && steps > 0; }
    double operator()(std::uint64_t t) const {
        const double done = t < steps ? static_cast<double>(t) / static_cast<double>(steps) : 1.0;
        return start + (end - start) * done;
    }
};

}  // namespace tinymlp::schedule
