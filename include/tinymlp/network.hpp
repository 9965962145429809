// A network is a type: Network<Scalar, Target, LayerSpecs...>, usually spelled
//   using Net = Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>;   // float, default target
// Every size is a constexpr of that type. The object holds the parameters and nothing else
// (one flat, aligned block), so an inference-only firmware carries no training memory;
// gradients, activations and optimizer state live in a Trainer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <tuple>
#include <type_traits>
#include <utility>

#include "init.hpp"
#include "kernels/elementwise.hpp"
#include "layers/context.hpp"
#include "layers/frozen.hpp"
#include "random.hpp"
#include "spelling.hpp"
#include "status.hpp"
#include "target.hpp"

namespace tinymlp {

namespace detail {

// Fails with the layer index and both sizes in the instantiation trace when a layer's declared
// input size differs from the previous layer's output size.
template <std::size_t LayerIndex, std::size_t PreviousOutputSize, std::size_t DeclaredInputSize>
struct check_adjacent_sizes {
    static_assert(PreviousOutputSize == DeclaredInputSize,
                  "tinymlp: a layer's input size differs from the previous layer's output size; "
                  "see check_adjacent_sizes<layer index, previous output size, declared input size>");
    static constexpr bool value = true;
};

template <class Spec, class = void>
struct declares_input_size : std::false_type {};
template <class Spec>
struct declares_input_size<Spec, std::void_t<decltype(Spec::in_size)>> : std::true_type {};

template <class Spec, std::size_t PreviousOutputSize, std::size_t Index>
constexpr bool input_size_matches() {
    if constexpr (declares_input_size<Spec>::value)
        return check_adjacent_sizes<Index, PreviousOutputSize, Spec::in_size>::value;
    else
        return true;
}

// Binds each spec to the scalar type and the width of the layer before it.
template <class S, std::size_t Width, std::size_t Index, class... Specs>
struct BindLayers {
    using type = std::tuple<>;
};
template <class S, std::size_t Width, std::size_t Index, class First, class... Rest>
struct BindLayers<S, Width, Index, First, Rest...> {
    static_assert(input_size_matches<First, Width, Index>());
    using layer = typename First::template bind<S, Width>;
    using rest = typename BindLayers<S, layer::out_size, Index + 1, Rest...>::type;
    using type = decltype(std::tuple_cat(std::declval<std::tuple<layer>>(), std::declval<rest>()));
};

template <class Layer, class = void>
struct is_softmax_layer : std::false_type {};
template <class Layer>
struct is_softmax_layer<Layer, std::void_t<decltype(Layer::is_softmax)>> : std::true_type {};

template <class Tuple, std::size_t... I>
constexpr std::size_t sum_params(std::index_sequence<I...>, std::size_t end) {
    std::size_t total = 0;
    ((total += I < end ? std::tuple_element_t<I, Tuple>::param_count : 0), ...);
    return total;
}

constexpr std::size_t nonzero(std::size_t n) { return n ? n : 1; }

// Scratch a layer's backward needs on Target for a batch of B: its backward_scratch_count, or none.
template <class Layer, class Target, std::size_t B, class = void>
struct BackwardScratch {
    static constexpr std::size_t count = 0;
};
template <class Layer, class Target, std::size_t B>
struct BackwardScratch<Layer, Target, B,
                       std::void_t<decltype(Layer::template backward_scratch_count<Target, B>)>> {
    static constexpr std::size_t count = Layer::template backward_scratch_count<Target, B>;
};

}  // namespace detail

namespace detail {
// The array of a network's externally stored layers, if it has any (empty otherwise).
template <class Scalar, bool Has>
struct ExternalParameters {
    const Scalar* external_ = nullptr;
};
template <class Scalar>
struct ExternalParameters<Scalar, false> {};
}  // namespace detail

template <class Scalar, class Target, class... Specs>
class Network : detail::ExternalParameters<Scalar, (StoredExternally<Specs>::value || ...)> {
    static_assert(sizeof...(Specs) > 0, "tinymlp: a network needs at least one layer");
    static_assert(detail::declares_input_size<std::tuple_element_t<0, std::tuple<Specs...>>>::value,
                  "tinymlp: the first layer must fix the input size (e.g. Dense<In, Out>)");

public:
    using scalar = Scalar;
    using target = Target;
    using layers = typename detail::BindLayers<
        Scalar, std::tuple_element_t<0, std::tuple<Specs...>>::in_size, 0, Specs...>::type;
    template <std::size_t I>
    using layer = std::tuple_element_t<I, layers>;

    static constexpr std::size_t layer_count = sizeof...(Specs);
    static constexpr std::size_t input_size = layer<0>::in_size;
    static constexpr std::size_t output_size = layer<layer_count - 1>::out_size;
    static constexpr bool ends_with_softmax = detail::is_softmax_layer<layer<layer_count - 1>>::value;

private:
    using indices = std::make_index_sequence<layer_count>;
    template <std::size_t... I>
    static constexpr std::size_t widest_of(std::index_sequence<I...>, std::size_t end) {
        std::size_t m = 0;
        ((m = I < end && layer<I>::out_size > m ? layer<I>::out_size : m), ...);
        return m;
    }
    template <std::size_t... I>
    static constexpr std::size_t max_out(std::index_sequence<I...>) {
        std::size_t m = 0;
        ((m = layer<I>::out_size > m ? layer<I>::out_size : m), ...);
        return m;
    }
    template <std::size_t... I>
    static constexpr std::size_t prefix(std::index_sequence<I...>, std::size_t end, int what) {
        std::size_t total = 0;
        ((total += I < end ? (what == 0 ? layer<I>::out_size : layer<I>::saved_per_sample) : 0), ...);
        return total;
    }

    template <std::size_t B, std::size_t... I>
    static constexpr std::size_t max_backward_scratch(std::index_sequence<I...>) {
        std::size_t m = 0;
        ((m = detail::BackwardScratch<layer<I>, Target, B>::count > m ? detail::BackwardScratch<layer<I>, Target, B>::count : m), ...);
        return m;
    }

    template <std::size_t... I>
    static constexpr std::size_t trainable_prefix(std::index_sequence<I...>, std::size_t end) {
        std::size_t total = 0;
        ((total += I < end ? layer<I>::param_count - TrainableBegin<layer<I>>::value : 0), ...);
        return total;
    }
    // One past the last externally stored layer; the layers before it that have parameters must all
    // be stored externally.
    template <std::size_t... I>
    static constexpr std::size_t last_external(std::index_sequence<I...>) {
        std::size_t end = 0;
        ((end = StoredExternally<layer<I>>::value ? I + 1 : end), ...);
        return end;
    }
    template <std::size_t... I>
    static constexpr bool external_layers_first(std::index_sequence<I...>) {
        return ((I >= last_external(indices{}) || layer<I>::param_count == 0 || StoredExternally<layer<I>>::value) && ...);
    }
    static_assert(external_layers_first(std::make_index_sequence<sizeof...(Specs)>{}),
                  "tinymlp: layers stored externally (Frozen<L, Storage::external>) come before every layer the network holds");

    template <std::size_t... I>
    static constexpr std::size_t first_trainable(std::index_sequence<I...>) {
        std::size_t first = layer_count;
        ((first = first == layer_count && layer<I>::param_count > TrainableBegin<layer<I>>::value ? I : first), ...);
        return first;
    }

public:
    // Parameters: counts, bytes, and where layer i's block starts in the flat array.
    static constexpr std::size_t parameter_count = detail::sum_params<layers>(indices{}, layer_count);
    static constexpr std::size_t parameter_bytes = parameter_count * sizeof(Scalar);
    static constexpr std::size_t gradient_bytes = parameter_bytes;
    static constexpr std::size_t parameter_offset(std::size_t i) { return detail::sum_params<layers>(indices{}, i); }

    // What trains (layers/frozen.hpp): layer i's parameters [trainable_begin<i>, param_count),
    // trainable_count in all; gradients and optimizer state hold these only, layer i's from
    // trainable_offset(i). Back-propagation stops at first_trainable_layer.
    template <std::size_t I>
    static constexpr std::size_t trainable_begin = TrainableBegin<layer<I>>::value;
    static constexpr std::size_t trainable_count_of(std::size_t i) { return trainable_prefix(indices{}, i + 1) - trainable_prefix(indices{}, i); }
    static constexpr std::size_t trainable_offset(std::size_t i) { return trainable_prefix(indices{}, i); }
    static constexpr std::size_t trainable_count = trainable_prefix(indices{}, layer_count);
    static constexpr std::size_t first_trainable_layer = first_trainable(indices{});
    // Whether a trainer checks layer i's gradients at batch B through a bound from its largest
    // input and output gradient (B * (in + out) values read) rather than one by one: when they
    // are many times more on the Cortex-M ports, since a value of the bound costs several of the
    // test on the M4 (a compare and select in core registers against a VFMA per value loaded
    // eight at a time); when they are more on xsimd's instruction sets, where both take one
    // integer instruction per vector of values (the compiler vectorises the bound's loop). There
    // a trainer also takes the batch's largest |x| in the pass that checks it finite
    // (input_magnitude_from_check), so layer 0's bound reads only its output gradients.
    static constexpr std::size_t bound_value_cost = TINYMLP_XSIMD ? 1 : 8;
    static constexpr bool input_magnitude_from_check = TINYMLP_XSIMD != 0;
    template <std::size_t I>
    static constexpr std::size_t bound_values_per_sample =
        (I == 0 && input_magnitude_from_check ? 0 : layer<I>::in_size) + layer<I>::out_size;
    template <std::size_t B, std::size_t I>
    static constexpr bool gradient_bound_pays = trainable_count_of(I) > bound_value_cost * B * bound_values_per_sample<I>;

    // Activations kept for backward: every layer's output, plus per-layer saved state (dropout masks).
    static constexpr std::size_t widest_layer = max_out(indices{});
    static constexpr std::size_t activations_per_sample = prefix(indices{}, layer_count, 0);
    static constexpr std::size_t saved_per_sample = prefix(indices{}, layer_count, 1);
    static constexpr std::size_t activation_offset(std::size_t i) { return prefix(indices{}, i, 0); }
    static constexpr std::size_t saved_offset(std::size_t i) { return prefix(indices{}, i, 1); }

    // Scratch of backward for a batch of B on this network's target (the W^T tiles of wide Dense
    // layers with SIMD; none with the reference kernels).
    template <std::size_t B>
    static constexpr std::size_t backward_scratch_count = max_backward_scratch<B>(indices{});

    // Memory of a training run at batch size B (what a Trainer holds besides optimizer state):
    // gradients, activations, saved state, two backward buffers of the widest layer, and the
    // backward scratch.
    template <std::size_t B>
    static constexpr std::size_t training_bytes =
        gradient_bytes + (B * (activations_per_sample + saved_per_sample + 2 * widest_layer) +
                          backward_scratch_count<B>) * sizeof(Scalar);
    // The scratch predict() keeps on the stack for one sample: two buffers of the widest layer (a
    // lower bound of its stack, which adds the call frames).
    static constexpr std::size_t predict_scratch_bytes = 2 * widest_layer * sizeof(Scalar);

    // --- parameters -------------------------------------------------------------------
    // The network object holds the parameters of layers [stored_from, layer_count): all of them,
    // unless its first layers are Frozen<L, Storage::external> (layers/frozen.hpp), whose
    // parameters stay in an array of the caller's, laid out as the whole network's (an exported
    // header's, in flash): Network(const Scalar*) takes it.
    static constexpr std::size_t stored_from = last_external(indices{});
    static constexpr std::size_t stored_count = parameter_count - parameter_offset(stored_from);
    static constexpr std::size_t stored_bytes = stored_count * sizeof(Scalar);
    static constexpr bool stores_all_parameters = stored_from == 0;

    Network() = default;
    // A network with externally stored layers: they are read from `whole` (parameter_count
    // scalars, e.g. the network trained on the host, exported to a header), which must outlive the
    // network; the other layers start as copies of their parameters there.
    template <bool External = !stores_all_parameters, std::enable_if_t<External, int> = 0>
    explicit Network(const Scalar* whole) {
        this->external_ = whole;
        for (std::size_t i = 0; i < stored_count; ++i) params_[i] = whole[parameter_offset(stored_from) + i];
    }

    // The parameters the object holds (every parameter, unless some layers are stored externally).
    Scalar* parameters() { return params_; }
    const Scalar* parameters() const { return params_; }
    // Where layer I's parameters start, wherever they are (const if stored externally).
    template <std::size_t I>
    std::conditional_t<(I < stored_from), const Scalar*, Scalar*> layer_parameters() {
        if constexpr (I < stored_from) return parameter_source().template of<I>();
        else return params_ + (parameter_offset(I) - parameter_offset(stored_from));
    }
    template <std::size_t I>
    const Scalar* layer_parameters() const {
        return parameter_source().template of<I>();
    }

    // Where each layer's parameters are, for the static passes below: the external array for
    // layers before stored_from, the object's own after.
    struct Parameters {
        const Scalar* external;
        const Scalar* stored;
        template <std::size_t I>
        const Scalar* of() const {
            if constexpr (I < stored_from) return external + parameter_offset(I);
            else return stored + (parameter_offset(I) - parameter_offset(stored_from));
        }
    };
    Parameters parameter_source() const {
        if constexpr (stores_all_parameters) return Parameters{params_, params_};
        else return Parameters{this->external_, params_};
    }
    // A whole parameter array (parameter_count scalars, e.g. const weights in flash).
    static Parameters whole(const Scalar* params) { return Parameters{params, params + parameter_offset(stored_from)}; }

    // --- initialisation -----------------------------------------------------------------
    // Every layer's default: Dense as torch.nn.Linear (U(+-1/sqrt(fan_in)) for W and b), PReLU 0.25.
    void init(Pcg32& rng) { init_each_default(rng, indices{}); }
    void init(std::uint64_t seed) {
        Pcg32 rng(seed);
        init(rng);
    }
    // One Dense layer: weights from `weight_init`, bias from `bias_init` (zeros by default).
    template <std::size_t I, class WeightInit, class BiasInit = init::Zeros>
    void init_layer(const WeightInit& weight_init, Pcg32& rng, const BiasInit& bias_init = {}) {
        layer<I>::init(layer_parameters<I>(), weight_init, bias_init, rng);
    }
    // Every Dense layer the same way (other layers keep their defaults).
    template <class WeightInit, class BiasInit = init::Zeros>
    void init_dense_layers(const WeightInit& weight_init, Pcg32& rng, const BiasInit& bias_init = {}) {
        init_each(weight_init, bias_init, rng, indices{});
    }

    // --- inference -----------------------------------------------------------------------
    // One sample: x [input_size] -> y [output_size]. Keeps predict_scratch_bytes on the stack.
    Status predict(const Scalar* x, Scalar* y) const {
        Scalar scratch[2 * widest_layer];
        return predict_batch_from<1>(parameter_source(), x, y, scratch);
    }

    // A batch of B samples, with caller-owned scratch of inference_scratch_count<B> scalars.
    template <std::size_t B>
    static constexpr std::size_t inference_scratch_count = 2 * B * widest_layer;
    template <std::size_t B>
    Status predict_batch(const Scalar* x, Scalar* y, Scalar* scratch) const {
        return predict_batch_from<B>(parameter_source(), x, y, scratch);
    }

    // The same on any parameter array (e.g. const weights in flash).
    static Status predict_with(const Scalar* params, const Scalar* x, Scalar* y) {
        Scalar scratch[2 * widest_layer];
        return predict_batch_with<1>(params, x, y, scratch);
    }
    template <std::size_t B>
    static Status predict_batch_with(const Scalar* params, const Scalar* x, Scalar* y, Scalar* scratch) {
        return predict_batch_from<B>(whole(params), x, y, scratch);
    }
    template <std::size_t B>
    static Status predict_batch_from(const Parameters& params, const Scalar* x, Scalar* y, Scalar* scratch) {
        if (!kernels::all_finite(Target{}, x, B * input_size)) return Status::non_finite_input;
        ForwardContext context;
        infer<B, 0>(params, x, y, scratch, context);
        // A NaN or infinite weight reaches the outputs whatever the input; say so instead of ok.
        return kernels::all_finite(Target{}, y, B * output_size) ? Status::ok : Status::non_finite_output;
    }

    // --- passes used by Trainer ------------------------------------------------------------
    // The widest output among layers [0, end).
    static constexpr std::size_t widest_before(std::size_t end) { return widest_of(indices{}, end); }
    // Scratch of forward_layers when it keeps the outputs of layers from Kept on: the layers
    // before pass theirs through one or two buffers of the widest of them.
    template <std::size_t B, std::size_t Kept>
    static constexpr std::size_t forward_scratch_count = (Kept > 1 ? 2 : Kept) * B * widest_before(Kept);
    // Activations kept from layer Kept on, per sample.
    static constexpr std::size_t activations_from(std::size_t kept) {
        return activations_per_sample - activation_offset(kept);
    }

    // Runs layers [First, Last) on a batch, keeping the output of every layer from Kept on in
    // `activations` (laid out by (activation_offset(i) - activation_offset(Kept)) * B) and saved
    // state in `saved`; the outputs of the layers before Kept, which backward never reads (they
    // lie below the first layer that trains), only pass through `scratch`
    // (forward_scratch_count<B, Kept> scalars).
    template <std::size_t B, std::size_t First, std::size_t Last, std::size_t Kept = 0>
    static void forward_layers(const Parameters& params, const Scalar* x, Scalar* activations, Scalar* saved,
                               ForwardContext& context, Scalar* scratch = nullptr) {
        if constexpr (First < Last) {
            const Scalar* in = First == 0 ? x : output_of<B, Kept>(First - 1, activations, scratch);
            layer<First>::template forward<Target, B>(params.template of<First>(), in,
                                                      output_of<B, Kept>(First, activations, scratch),
                                                      saved + B * saved_offset(First), context);
            forward_layers<B, First + 1, Last, Kept>(params, x, activations, saved, context, scratch);
        }
    }
    // Where forward_layers<B, ..., Kept> puts layer i's output.
    template <std::size_t B, std::size_t Kept>
    static Scalar* output_of(std::size_t i, Scalar* activations, Scalar* scratch) {
        if (i < Kept) return scratch + (i % 2) * B * widest_before(Kept);
        return activations + B * (activation_offset(i) - activation_offset(Kept));
    }

    // Back-propagates dy (gradient of the loss w.r.t. the output of layer Last - 1) down to
    // first_trainable_layer, writing the gradient of every trainable parameter (Accumulate:
    // adding to it), layer i's at gradients + trainable_offset(i). delta_a / delta_b:
    // B * widest_layer scalars each; scratch: backward_scratch_count<B>. largest_dy, when given:
    // [layer_count], where layer i's largest |dy| goes for each i with gradient_bound_pays<B, i>.
    template <std::size_t B, std::size_t Last, bool Accumulate = false, std::size_t Kept = 0>
    static void backward_layers(const Parameters& params, const Scalar* x, const Scalar* activations,
                                const Scalar* saved, const Scalar* dy, Scalar* gradients, Scalar* delta_a,
                                Scalar* delta_b, Scalar* scratch, Scalar* largest_dy = nullptr) {
        if constexpr (Last > first_trainable_layer) {
            constexpr std::size_t i = Last - 1;
            if constexpr (gradient_bound_pays<B, i>)
                if (largest_dy) largest_dy[i] = kernels::largest_magnitude(dy, B * layer<i>::out_size);
            static_assert(i == 0 || i - 1 >= Kept, "tinymlp: backward reads the outputs forward kept");
            const Scalar* in = i == 0 ? x : activations + B * (activation_offset(i - 1) - activation_offset(Kept));
            // no gradient below the first layer that trains
            Scalar* dx = i == first_trainable_layer ? nullptr : delta_a;
            const Scalar* out = activations + B * (activation_offset(i) - activation_offset(Kept));
            const Scalar* kept = saved + B * saved_offset(i);
            Scalar* dp = gradients + trainable_offset(i);
            if constexpr (Accumulate && layer<i>::param_count > 0)
                layer<i>::template backward<Target, B, true>(params.template of<i>(), in, out, kept, dy, dx, dp, scratch);
            else
                layer<i>::template backward<Target, B>(params.template of<i>(), in, out, kept, dy, dx, dp, scratch);
            backward_layers<B, i, Accumulate, Kept>(params, x, activations, saved, dx, gradients, delta_b, delta_a, scratch,
                                                    largest_dy);
        }
    }

    // --- identity ----------------------------------------------------------------------------
    // The layer list as written in C++ ("Dense<3, 2>, ReLU, Dense<2, 1>"), names qualified by
    // `prefix`; constexpr. spelling_capacity holds any list spelled without a prefix.
    static constexpr std::size_t spelling_capacity = 64 * layer_count;
    template <std::size_t Capacity = spelling_capacity>
    static constexpr Spelling<Capacity> spelling(const char* prefix = "") {
        Spelling<Capacity> text;
        spell_each(text, prefix, indices{});
        return text;
    }
    // The same into a caller's buffer; returns the length it needs, like snprintf (output
    // truncated to n - 1 characters).
    static std::size_t spell_layers(char* out, std::size_t n, const char* prefix = "") {
        const Spelling<4 * spelling_capacity> text = spelling<4 * spelling_capacity>(prefix);
        for (std::size_t i = 0; n > 0 && i < n - 1 && i < text.length && text.text[i]; ++i) out[i] = text.text[i];
        if (n > 0) out[text.length < n - 1 ? text.length : n - 1] = '\0';
        return text.length;
    }
    // FNV-1a 64 of spelling(""): differs for any change of layer kind, size, order or option. A
    // compile-time constant (detail::topology_signature_of).
    static constexpr std::uint64_t topology_signature();

    // --- summary ---------------------------------------------------------------------------
    // A torchsummary-like table and the memory figures for a batch of `batch` samples.
    static void summary(std::FILE* out = stdout, std::size_t batch = 1) {
        std::fprintf(out, "%-4s %-12s %-16s %10s\n", "#", "Layer", "Output shape", "Params");
        summary_rows(out, indices{});
        const auto as_long = [](std::size_t n) { return static_cast<unsigned long>(n); };
        std::fprintf(out, "Trainable params: %lu\n", as_long(parameter_count));
        std::fprintf(out, "Parameter bytes: %lu (scalar: %lu bytes)\n", as_long(parameter_bytes),
                     as_long(sizeof(Scalar)));
        std::fprintf(out, "Gradient bytes: %lu\n", as_long(gradient_bytes));
        std::fprintf(out, "Activation bytes for batch %lu (training): %lu\n", as_long(batch),
                     as_long(batch * (activations_per_sample + saved_per_sample + 2 * widest_layer) *
                             sizeof(Scalar)));
        std::fprintf(out, "Optimizer state bytes: SGD 0, momentum %lu, Adam %lu\n",
                     as_long(parameter_bytes), as_long(2 * parameter_bytes));
        std::fprintf(out, "Inference scratch on the stack (one sample): %lu\n", as_long(predict_scratch_bytes));
    }

private:
    template <std::size_t B, std::size_t I>
    static void infer(const Parameters& params, const Scalar* in, Scalar* y, Scalar* scratch,
                      ForwardContext& context) {
        // Ping-pong between the two halves of scratch; the last layer writes straight to y.
        Scalar* out = I + 1 == layer_count ? y : scratch + (I % 2) * B * widest_layer;
        // In evaluation mode no layer needs saved state; dropout writes its all-ones mask to `out`.
        layer<I>::template forward<Target, B>(params.template of<I>(), in, out, out, context);
        if constexpr (I + 1 < layer_count) infer<B, I + 1>(params, out, y, scratch, context);
    }

    template <std::size_t... I>
    void init_each_default(Pcg32& rng, std::index_sequence<I...>) {
        (init_default_of<I>(rng), ...);
    }
    template <std::size_t I>
    void init_default_of(Pcg32& rng) {
        if constexpr (I >= stored_from) layer<I>::init_default(layer_parameters<I>(), rng);
    }
    template <std::size_t I, class WeightInit, class BiasInit>
    void init_if_dense(const WeightInit& weight_init, const BiasInit& bias_init, Pcg32& rng) {
        if constexpr (layer<I>::weight_count > 0 && I >= stored_from) init_layer<I>(weight_init, rng, bias_init);
    }
    template <class WeightInit, class BiasInit, std::size_t... I>
    void init_each(const WeightInit& weight_init, const BiasInit& bias_init, Pcg32& rng,
                   std::index_sequence<I...>) {
        (init_if_dense<I>(weight_init, bias_init, rng), ...);
    }
    template <class Text, std::size_t... I>
    static constexpr void spell_each(Text& text, const char* prefix, std::index_sequence<I...>) {
        ((text << (I == 0 ? "" : ", "), layer<I>::spell(text, prefix)), ...);
    }
    template <std::size_t... I>
    static void summary_rows(std::FILE* out, std::index_sequence<I...>) {
        (summary_row(out, I, layer<I>::name, layer<I>::out_size, layer<I>::param_count), ...);
    }
    static void summary_row(std::FILE* out, std::size_t index, const char* name, std::size_t width,
                            std::size_t params) {
        char shape[32];
        std::snprintf(shape, sizeof shape, "[-1, %lu]", static_cast<unsigned long>(width));
        std::fprintf(out, "%-4lu %-12s %-16s %10lu\n", static_cast<unsigned long>(index), name, shape,
                     static_cast<unsigned long>(params));
    }

    alignas(storage_alignment) Scalar params_[detail::nonzero(stored_count)];
};

namespace detail {
// Outside the class, so that the network is complete when its spelling is evaluated.
template <class Net>
inline constexpr std::uint64_t topology_signature_of = [] {
    constexpr auto text = Net::spelling();
    static_assert(text.fits(), "tinymlp: the layer list does not fit spelling_capacity");
    return text.fnv1a64();
}();
}  // namespace detail

template <class Scalar, class Target, class... Specs>
constexpr std::uint64_t Network<Scalar, Target, Specs...>::topology_signature() {
    return detail::topology_signature_of<Network>;
}

template <class... Specs>
using Sequential = Network<float, DefaultTarget, Specs...>;

}  // namespace tinymlp
