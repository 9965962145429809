// What trains, said in the layer list:
//   using Net = Sequential<Frozen<Dense<64, 32>>, ReLU, BiasOnly<Dense<32, 16>>, ReLU, Dense<16, 5>>;
// Frozen<L>: L's parameters never change; the trainer holds no gradient and no optimizer state
// for them. BiasOnly<Dense<...>>: the weights are frozen, the bias trains (TinyTL's bias-only
// update). Back-propagation stops at the lowest layer that trains: the layers below it run
// forward only.
//
// Frozen<L, Storage::external>: L's parameters are not in the network object at all but in an
// array the caller keeps (an exported header's const array, in flash), laid out as the whole
// network's parameters; such layers come first. See Network(const Scalar*).
//
// Freezing changes what trains, not the parameters: a frozen layer's spelling and parameter
// layout are its inner layer's, so a network and its frozen form share the topology signature,
// and blobs and exported headers move between them.
#pragma once
#include <cstddef>
#include <type_traits>

#include "context.hpp"

namespace tinymlp {

// A layer's parameters [trainable_begin, param_count) train: all of them unless it says otherwise.
template <class Layer, class = void>
struct TrainableBegin {
    static constexpr std::size_t value = 0;
};
template <class Layer>
struct TrainableBegin<Layer, std::void_t<decltype(Layer::trainable_begin)>> {
    static constexpr std::size_t value = Layer::trainable_begin;
};

namespace detail {

// The input gradient alone, dx = dL/dx, with no parameter gradient.
template <class Layer, class Target, std::size_t B, class S>
void backward_input_only(const S* p, const S* x, const S* y, const S* kept, const S* dy, S* dx, S* scratch) {
    if constexpr (Layer::param_count == 0)
        Layer::template backward<Target, B>(p, x, y, kept, dy, dx, nullptr, scratch);
    else
        Layer::template backward_input<Target, B>(p, x, y, kept, dy, dx, scratch);
}

template <class Spec, class = void>
struct InputSizeOf {};
template <class Spec>
struct InputSizeOf<Spec, std::void_t<decltype(Spec::in_size)>> {
    static constexpr std::size_t in_size = Spec::in_size;
};

}  // namespace detail

// Where a frozen layer's parameters are: in the network object, or in the caller's array.
enum class Storage { network, external };

template <class Inner, Storage Where = Storage::network>
struct FrozenLayer : Inner {
    using S = typename Inner::scalar_type;
    static constexpr std::size_t trainable_begin = Inner::param_count;
    static constexpr bool stored_externally = Where == Storage::external;

    template <class Target, std::size_t B, bool Accumulate = false>
    static void backward(const S* p, const S* x, const S* y, const S* kept, const S* dy, S* dx, S*, S* scratch) {
        if (dx) detail::backward_input_only<Inner, Target, B>(p, x, y, kept, dy, dx, scratch);
    }
};

template <class Inner>
struct BiasOnlyLayer : Inner {
    static_assert(Inner::weight_count > 0 && Inner::param_count > Inner::weight_count,
                  "tinymlp: BiasOnly<> takes a Dense layer with a bias");
    using S = typename Inner::scalar_type;
    static constexpr std::size_t trainable_begin = Inner::weight_count;

    // dp: the bias gradient (the layer's trainable parameters).
    template <class Target, std::size_t B, bool Accumulate = false>
    static void backward(const S* p, const S* x, const S* y, const S* kept, const S* dy, S* dx, S* dp, S* scratch) {
        Inner::template backward_bias<Target, B, Accumulate>(dy, dp);
        if (dx) Inner::template backward_input<Target, B>(p, x, y, kept, dy, dx, scratch);
    }
};

// Layer specs.
template <class Spec, Storage Where = Storage::network>
struct Frozen : detail::InputSizeOf<Spec> {
    static constexpr bool stored_externally = Where == Storage::external;
    template <class S, std::size_t Width>
    using bind = FrozenLayer<typename Spec::template bind<S, Width>, Where>;
};

// Layers (and layer specs) whose parameters the network does not hold.
template <class Layer, class = void>
struct StoredExternally : std::false_type {};
template <class Layer>
struct StoredExternally<Layer, std::void_t<decltype(Layer::stored_externally)>>
    : std::bool_constant<Layer::stored_externally> {};
template <class Spec>
struct BiasOnly : detail::InputSizeOf<Spec> {
    template <class S, std::size_t Width>
    using bind = BiasOnlyLayer<typename Spec::template bind<S, Width>>;
};

}  // namespace tinymlp
