// Result of a run-time operation. Every check that can fail at run time returns one of these;
// on any value but `ok` the operation has changed neither weights nor optimizer state.
#pragma once

namespace tinymlp {

enum class [[nodiscard]] Status {
    ok = 0,
    non_finite_input,     // an input feature is NaN or infinite
    non_finite_target,    // a regression / BCE target is NaN or infinite
    label_out_of_range,   // a class label is < 0 or >= number of classes
    non_finite_loss,      // the forward pass produced a NaN or infinite loss
    non_finite_gradient,  // a gradient is NaN or infinite (checked before any update)
    non_finite_output,    // predict: an output is NaN or infinite (e.g. a damaged weight); y holds it
    invalid_hyperparameter,  // an optimizer or regularization setting is non-finite or out of range
    invalid_sample_count,    // a partial batch of 0 or more than B samples; nothing accumulated to apply
    sample_unavailable,      // a sample source (stream.hpp) could not read a sample
};

constexpr const char* to_string(Status status) {
    switch (status) {
        case Status::ok: return "ok";
        case Status::non_finite_input: return "non-finite input";
        case Status::non_finite_target: return "non-finite target";
        case Status::label_out_of_range: return "label out of range";
        case Status::non_finite_loss: return "non-finite loss";
        case Status::non_finite_gradient: return "non-finite gradient";
        case Status::non_finite_output: return "non-finite output";
        case Status::invalid_hyperparameter: return "invalid hyperparameter";
        case Status::invalid_sample_count: return "invalid sample count";
        case Status::sample_unavailable: return "sample unavailable";
    }
    return "unknown status";
}

}  // namespace tinymlp
