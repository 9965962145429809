// Inference straight from a constant parameter array, e.g. weights that an exported header
// (export.hpp) placed in flash: nothing is copied into RAM.
//   constexpr tinymlp::NetworkView<model::Network> view{model::parameters};
//   Status s = view.predict(x, y);
#pragma once
#include <cstddef>

#include "status.hpp"

namespace tinymlp {

template <class Net>
class NetworkView {
public:
    using network_type = Net;
    using scalar = typename Net::scalar;

    constexpr explicit NetworkView(const scalar* parameters) : parameters_(parameters) {}

    Status predict(const scalar* x, scalar* y) const { return Net::predict_with(parameters_, x, y); }
    template <std::size_t B>
    Status predict_batch(const scalar* x, scalar* y, scalar* scratch) const {
        return Net::template predict_batch_with<B>(parameters_, x, y, scratch);
    }
    constexpr const scalar* parameters() const { return parameters_; }

private:
    const scalar* parameters_;
};

}  // namespace tinymlp
