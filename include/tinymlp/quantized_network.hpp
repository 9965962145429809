// An int8 (or int16) network made from a float one by post-training quantization, computing as
// TensorFlow Lite (Micro) and CMSIS-NN do:
//   QuantizedNetwork<Net> q;                  // int8 activations; QuantizedNetwork<Net, std::int16_t>: int16
//   QuantizationStatus s = quantize(net, calibration_x, calibration_count, q);   // host or device
//   q.predict(x_int8, y_int8);  q.predict(x_float, y_float);  q.classify(x_float, &label);
// Each Dense layer becomes int8 weights with one symmetric scale per output channel (zero point
// 0), an int32 bias, and a multiplier and shift per channel (quantization.hpp); every tensor
// between layers is int8 with one scale and zero point, chosen from the calibration samples as
// TFLite's converter chooses them (ChooseQuantizationParams: the range widened to hold 0, the zero
// point nudged to an integer). With int16 activations (TFLite's 16x8 mode, CMSIS-NN's s16) every
// tensor is symmetric (zero point 0, scale max|x| / 32767) and the bias is int64. A ReLU after a Dense layer is fused into its clamp; Identity and
// Dropout pass through; a final Softmax is left out (the outputs are the logits, whose arg-max it
// keeps). Other layers stop the build with a message.
//
// No heap, every size a constexpr. quantize() checks everything first (finite parameters and
// samples, at least one sample, a range that is not a single point, every multiplier
// representable) and writes nothing unless all of it holds.
#pragma once
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include "finite.hpp"
#include "kernels/quantized_dense.hpp"
#include "layers/activations.hpp"
#include "layers/context.hpp"
#include "layers/dropout.hpp"
#include "quantization.hpp"
#include "status.hpp"

namespace tinymlp {

enum class [[nodiscard]] QuantizationStatus {
    ok = 0,
    no_calibration_samples,  // count 0
    non_finite_parameter,    // a weight or bias of the float network is NaN or infinite
    non_finite_sample,       // a calibration sample, or a float activation it produces, is not finite
    empty_range,             // a tensor took one value only (all zeros, say): no scale to choose
    scale_out_of_range,      // a multiplier or a bias that int32 cannot hold
    invalid_percentile,      // CalibrationOptions::percentile outside (50, 100]
    sample_unavailable,      // the read function could not read a calibration sample
};

constexpr const char* to_string(QuantizationStatus status) {
    switch (status) {
        case QuantizationStatus::ok: return "ok";
        case QuantizationStatus::no_calibration_samples: return "no calibration samples";
        case QuantizationStatus::non_finite_parameter: return "non-finite parameter";
        case QuantizationStatus::non_finite_sample: return "non-finite calibration sample";
        case QuantizationStatus::empty_range: return "empty calibration range";
        case QuantizationStatus::scale_out_of_range: return "scale out of range";
        case QuantizationStatus::invalid_percentile: return "invalid percentile";
        case QuantizationStatus::sample_unavailable: return "calibration sample unavailable";
    }
    return "unknown quantization status";
}

struct CalibrationOptions {
    // 100: each tensor's range is the min and max it took. Below: the range keeps that percentage
    // of the values, dropping (100 - percentile) / 2 % at each end (a histogram of 256 bins per
    // tensor, one extra pass over the samples per tensor); outliers then saturate.
    double percentile = 100;
};

// One integer tensor's real value: scale * (q - zero_point).
struct TensorQuantization {
    float scale = 1;
    std::int32_t zero_point = 0;
};

// TFLite's ChooseQuantizationParams<int8_t>(rmin, rmax): the range widened to hold 0, the zero
// point from whichever end gives the smaller error, rounded and clamped to [-128, 127].
inline TensorQuantization choose_tensor_quantization(double rmin, double rmax) {
    constexpr double qmin = -128, qmax = 127;
    rmin = rmin < 0 ? rmin : 0;
    rmax = rmax > 0 ? rmax : 0;
    const double scale = (rmax - rmin) / (qmax - qmin);
    const double zero_point_from_min = qmin - rmin / scale, zero_point_from_max = qmax - rmax / scale;
    const double error_from_min = std::fabs(qmin) - std::fabs(rmin / scale);
    const double error_from_max = std::fabs(qmax) - std::fabs(rmax / scale);
    const double zero_point = error_from_min < error_from_max ? zero_point_from_min : zero_point_from_max;
    std::int32_t nudged = zero_point < qmin ? -128 : zero_point > qmax ? 127 : static_cast<std::int32_t>(std::round(zero_point));
    return {static_cast<float>(scale), nudged};
}

namespace detail {

enum class IntegerKind { dense, relu, pass, softmax, unsupported };

template <class L, class = void>
struct IsSoftmax : std::false_type {};
template <class L>
struct IsSoftmax<L, std::void_t<decltype(L::is_softmax)>> : std::true_type {};

template <class L>
constexpr IntegerKind integer_kind() {
    using S = typename L::scalar_type;
    constexpr std::size_t N = L::out_size;
    if constexpr (L::weight_count > 0 && L::param_count == L::weight_count + L::out_size) return IntegerKind::dense;
    else if constexpr (std::is_same_v<L, ActivationLayer<S, N, ReLUFunction>>) return IntegerKind::relu;
    else if constexpr (std::is_same_v<L, ActivationLayer<S, N, IdentityFunction>>) return IntegerKind::pass;
    else if constexpr (IsSoftmax<L>::value) return IntegerKind::softmax;
    else if constexpr (L::param_count == 0 && L::saved_per_sample > 0) return IntegerKind::pass;  // dropout
    else return IntegerKind::unsupported;
}

}  // namespace detail

// The int16 tensors' choice: symmetric, scale max(|rmin|, |rmax|) / 32767.
inline TensorQuantization choose_symmetric_quantization(double rmin, double rmax) {
    const double largest = std::fabs(rmin) > std::fabs(rmax) ? std::fabs(rmin) : std::fabs(rmax);
    return {static_cast<float>(largest / 32767), 0};
}

template <class Net, class Activation = std::int8_t>
class QuantizedNetwork {
    static_assert(std::is_same_v<Activation, std::int8_t> || std::is_same_v<Activation, std::int16_t>,
                  "tinymlp: integer activations are std::int8_t or std::int16_t");
    using S = typename Net::scalar;
    using A = Activation;
    static constexpr std::size_t L = Net::layer_count;

    template <std::size_t... I>
    static constexpr std::array<detail::IntegerKind, L> kinds_of(std::index_sequence<I...>) {
        return {detail::integer_kind<typename Net::template layer<I>>()...};
    }
    static constexpr std::array<detail::IntegerKind, L> kinds = kinds_of(std::make_index_sequence<L>{});

    static constexpr bool supported() {
        if (kinds[0] != detail::IntegerKind::dense) return false;
        for (std::size_t i = 0; i < L; ++i) {
            if (kinds[i] == detail::IntegerKind::unsupported) return false;
            if (kinds[i] == detail::IntegerKind::softmax && i + 1 != L) return false;
        }
        return true;
    }
    static_assert(supported(), "tinymlp: the integer path takes Dense layers (with a bias), ReLU, Identity, Dropout and a "
                               "final Softmax, starting with a Dense layer");

    static constexpr std::size_t count_dense() {
        std::size_t n = 0;
        for (auto kind : kinds) n += kind == detail::IntegerKind::dense;
        return n;
    }

public:
    using network_type = Net;
    using activation_type = Activation;
    // int8: int32 bias; int16: int64 bias.
    using bias_type = std::conditional_t<std::is_same_v<A, std::int8_t>, std::int32_t, std::int64_t>;
    static constexpr std::int32_t activation_lowest = std::is_same_v<A, std::int8_t> ? -128 : -32768;
    static constexpr std::int32_t activation_highest = std::is_same_v<A, std::int8_t> ? 127 : 32767;
    static constexpr std::size_t dense_count = count_dense();

private:
    static constexpr std::array<std::size_t, dense_count> dense_indices() {
        std::array<std::size_t, dense_count> out{};
        std::size_t k = 0;
        for (std::size_t i = 0; i < L; ++i)
            if (kinds[i] == detail::IntegerKind::dense) out[k++] = i;
        return out;
    }

public:
    // The float layer of quantized layer k.
    static constexpr std::array<std::size_t, dense_count> dense_layer = dense_indices();
    // A ReLU between Dense layer K and the next: fused into K's clamp.
    static constexpr bool relu_after(std::size_t k) {
        const std::size_t end = k + 1 < dense_count ? dense_layer[k + 1] : L;
        for (std::size_t i = dense_layer[k] + 1; i < end; ++i)
            if (kinds[i] == detail::IntegerKind::relu) return true;
        return false;
    }
    // The float layer whose output is the int8 tensor after Dense layer K (its last pass-through
    // or ReLU before the next Dense, a final Softmax excluded).
    static constexpr std::size_t tensor_layer(std::size_t k) {
        std::size_t end = k + 1 < dense_count ? dense_layer[k + 1] : L;
        if (k + 1 == dense_count && kinds[L - 1] == detail::IntegerKind::softmax) --end;
        return end - 1;
    }

public:
    template <std::size_t K>
    using dense = typename Net::template layer<dense_layer[K]>;

    // One quantized Dense layer, what inference reads and nothing else (an aggregate, so that an
    // exported header can make a whole network a constant in flash): W [Out][In] (a row per
    // output channel), as the kernels take it.
    template <std::size_t In, std::size_t Out>
    struct Layer {
        static constexpr std::size_t in_size = In, out_size = Out;
        std::int8_t weights[Out * In];
        // int8: TFLite's int32 bias plus input_offset times the row's weight sum, wrapping as the
        // int32 sums do (CMSIS-NN's kernel sums: the kernels then run with no input offset);
        // int16: the int64 bias (zero points are 0)
        bias_type bias[Out];
        QuantizedMultiplier multipliers[Out];  // input scale * weight scale / output scale
        kernels::QuantizedDenseParams params;
        TensorQuantization output;
    };
    template <std::size_t K>
    using layer_type = Layer<dense<K>::in_size, dense<K>::out_size>;

    static constexpr std::size_t input_size = Net::input_size;
    static constexpr std::size_t output_size = dense<dense_count - 1>::out_size;

private:
    template <std::size_t... K>
    static std::tuple<layer_type<K>...> layers_of(std::index_sequence<K...>);
    using Layers = decltype(layers_of(std::make_index_sequence<dense_count>{}));
    template <std::size_t... K>
    static constexpr std::size_t widest_of(std::index_sequence<K...>) {
        std::size_t m = 0;
        ((m = dense<K>::out_size > m ? dense<K>::out_size : m), ...);
        return m;
    }
    template <std::size_t... K>
    static constexpr std::size_t weight_count_of(std::index_sequence<K...>) {
        return (std::size_t(0) + ... + (dense<K>::in_size * dense<K>::out_size));
    }

public:
    static constexpr std::size_t widest_layer = widest_of(std::make_index_sequence<dense_count>{});
    static constexpr std::size_t weight_bytes = weight_count_of(std::make_index_sequence<dense_count>{});
    // What predict() keeps on the stack: two activation buffers of the widest layer.
    static constexpr std::size_t predict_scratch_bytes = 2 * widest_layer * sizeof(A);

    QuantizedNetwork() = default;
    // The whole network from its parts, as an exported header spells it: constant-initialised,
    // so that a `const` one stays in flash and runs from there.
    template <class... Layers, class = std::enable_if_t<sizeof...(Layers) == dense_count>>
    constexpr QuantizedNetwork(const TensorQuantization& input, const Layers&... layers)
        : input_(input), layers_(layers...) {}

    template <std::size_t K>
    layer_type<K>& layer() { return std::get<K>(layers_); }
    template <std::size_t K>
    constexpr const layer_type<K>& layer() const { return std::get<K>(layers_); }
    constexpr const TensorQuantization& input_quantization() const { return input_; }
    constexpr const TensorQuantization& output_quantization() const { return std::get<dense_count - 1>(layers_).output; }

    // Integer in, integer out (the quantized logits).
    void predict(const A* x, A* y) const {
        A scratch[2 * widest_layer];
        run<1, 0>(x, y, scratch);
    }
    // A batch of B samples, integer in and out, with caller-owned scratch of
    // inference_scratch_count<B> activations (the int8 kernels load each weight once for several
    // samples).
    template <std::size_t B>
    static constexpr std::size_t inference_scratch_count = 2 * B * widest_layer;
    template <std::size_t B>
    void predict_batch(const A* x, A* y, A* scratch) const {
        run<B, 0>(x, y, scratch);
    }
    // float in (quantized with the input's scale and zero point, saturating), float out
    // (dequantized). Refuses a non-finite input.
    Status predict(const S* x, S* y) const {
        A xq[input_size], yq[output_size];
        if (Status s = quantize_input(x, xq); s != Status::ok) return s;
        predict(xq, yq);
        const TensorQuantization& out = output_quantization();
        for (std::size_t o = 0; o < output_size; ++o)
            y[o] = static_cast<S>(out.scale * static_cast<float>(yq[o] - out.zero_point));
        return Status::ok;
    }
    // The arg-max output (the first of equal ones), as a final Softmax would give it.
    Status classify(const S* x, std::size_t* label) const {
        A xq[input_size], yq[output_size];
        if (Status s = quantize_input(x, xq); s != Status::ok) return s;
        predict(xq, yq);
        std::size_t best = 0;
        for (std::size_t o = 1; o < output_size; ++o)
            if (yq[o] > yq[best]) best = o;
        *label = best;
        return Status::ok;
    }
    Status quantize_input(const S* x, A* xq) const {
        // every check before any write, in a loop without early exits (it vectorizes)
        bool finite = true;
        for (std::size_t i = 0; i < input_size; ++i) finite &= is_finite(x[i]);
        if (!finite) return Status::non_finite_input;
        constexpr float lowest = activation_lowest, highest = activation_highest;
        // in locals: int8 stores may alias input_, which the compiler would otherwise reload
        const float scale = input_.scale, zero_point = static_cast<float>(input_.zero_point);
        for (std::size_t i = 0; i < input_size; ++i) {
            const float q = std::round(static_cast<float>(x[i]) / scale) + zero_point;  // halves away from zero
            xq[i] = static_cast<A>(q < lowest ? lowest : q > highest ? highest : q);
        }
        return Status::ok;
    }

private:
    template <std::size_t B, std::size_t K>
    void run(const A* in, A* y, A* scratch) const {
        const layer_type<K>& l = std::get<K>(layers_);
        A* out = K + 1 == dense_count ? y : scratch + (K % 2) * B * widest_layer;
        if constexpr (std::is_same_v<A, std::int8_t>) {
            kernels::QuantizedDenseParams folded = l.params;  // the offset is in the bias
            folded.input_offset = 0;
            kernels::quantized_dense_forward<B, layer_type<K>::in_size, layer_type<K>::out_size>(
                typename Net::target{}, in, l.weights, l.bias, l.multipliers, folded, out);
        } else {
            kernels::quantized_dense_forward<B, layer_type<K>::in_size, layer_type<K>::out_size>(
                typename Net::target{}, in, l.weights, l.bias, l.multipliers, l.params, out);
        }
        if constexpr (K + 1 < dense_count) run<B, K + 1>(out, y, scratch);
    }

public:
    void set_input_quantization(const TensorQuantization& input) { input_ = input; }

private:
    TensorQuantization input_;
    Layers layers_;
};

namespace detail {

// The float tensors calibration looks at: the input, then the output of each quantized layer.
template <class Net, class A>
struct Calibration {
    using Q = QuantizedNetwork<Net, A>;
    using S = typename Net::scalar;
    static constexpr std::size_t tensors = Q::dense_count + 1;

    // Runs one sample through the float network; visit(tensor, values, count) for each tensor.
    template <class Visit>
    static bool visit_sample(const Net& net, const S* x, Visit&& visit) {
        S activations[Net::activations_per_sample];
        S saved[Net::saved_per_sample > 0 ? Net::saved_per_sample : 1];
        ForwardContext context{false, nullptr};
        Net::template forward_layers<1, 0, Net::layer_count>(net.parameter_source(), x, activations, saved, context);
        visit(0, x, Net::input_size);
        bool finite = all_finite(x, Net::input_size);
        visit_layers(activations, visit, finite, std::make_index_sequence<Q::dense_count>{});
        return finite;
    }
    template <class Visit, std::size_t... K>
    static void visit_layers(const S* activations, Visit& visit, bool& finite, std::index_sequence<K...>) {
        ((visit(K + 1, activations + Net::activation_offset(Q::tensor_layer(K)), Q::template dense<K>::out_size),
          finite = finite && all_finite(activations + Net::activation_offset(Q::tensor_layer(K)),
                                        Q::template dense<K>::out_size)),
         ...);
    }
    static bool all_finite(const S* v, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            if (!is_finite(v[i])) return false;
        return true;
    }
};

}  // namespace detail

namespace detail {
// Per-channel symmetric weights (scale max|w| / 127, values in [-127, 127]), bias at the input
// scale times the channel's, multiplier input scale * weight scale / output scale.
template <class Net, class A, std::size_t K>
void quantize_layer(const Net& net, const TensorQuantization* tensor, QuantizedNetwork<Net, A>& out, bool write,
                    bool& representable) {
    using Q = QuantizedNetwork<Net, A>;
    // int32 bias; int64 bias of the int16 layers within what requantize_wide takes (|acc| < 2^47
    // with room for In products of 2^15 * 2^7), multiplier shift at most 14
    constexpr bool narrow = std::is_same_v<A, std::int8_t>;
    constexpr double bias_limit = narrow ? 2147483647.0 : 140737488355328.0 / 2;
    using D = typename Q::template dense<K>;
    constexpr std::size_t In = D::in_size, Out = D::out_size;
    const auto* p = net.template layer_parameters<Q::dense_layer[K]>();
    const auto* b = p + In * Out;
    auto& l = out.template layer<K>();
    const TensorQuantization in = tensor[K], result = tensor[K + 1];
    for (std::size_t o = 0; o < Out; ++o) {
        double largest = 0;
        for (std::size_t i = 0; i < In; ++i) {
            const double w = std::fabs(static_cast<double>(p[i * Out + o]));
            largest = w > largest ? w : largest;
        }
        // an all-zero channel: any scale will do; TFLite's converter takes 1
        const float weight_scale = largest > 0 ? static_cast<float>(largest / 127) : 1.0f;
        const double bias = std::round(static_cast<double>(b[o]) / (static_cast<double>(in.scale) * weight_scale));
        QuantizedMultiplier m;
        if (!(bias >= -bias_limit && bias <= bias_limit) ||
            !quantize_multiplier(static_cast<double>(in.scale) * weight_scale / static_cast<double>(result.scale), m) ||
            (!narrow && m.shift > 14))
            representable = false;
        if (!write) continue;
        for (std::size_t i = 0; i < In; ++i) {
            const double q = std::round(static_cast<double>(p[i * Out + o]) / weight_scale);
            l.weights[o * In + i] = static_cast<std::int8_t>(q < -127 ? -127 : q > 127 ? 127 : q);
        }
        std::uint32_t row_sum = 0;
        for (std::size_t i = 0; i < In; ++i) row_sum += static_cast<std::uint32_t>(static_cast<std::int32_t>(l.weights[o * In + i]));
        const auto tflite_bias = static_cast<typename Q::bias_type>(bias);
        l.bias[o] = narrow ? static_cast<typename Q::bias_type>(static_cast<std::int32_t>(
                                 static_cast<std::uint32_t>(tflite_bias) + static_cast<std::uint32_t>(-in.zero_point) * row_sum))
                           : tflite_bias;
        l.multipliers[o] = m;
    }
    if (!write) return;
    l.output = result;
    l.params.input_offset = -in.zero_point;
    l.params.output_offset = result.zero_point;
    l.params.activation_min = Q::relu_after(K) ? result.zero_point : Q::activation_lowest;
    l.params.activation_max = Q::activation_highest;
}
template <class Net, class A, std::size_t... K>
void quantize_layers(const Net& net, const TensorQuantization* tensor, QuantizedNetwork<Net, A>& out, bool write,
                     bool& representable, std::index_sequence<K...>) {
    (quantize_layer<Net, A, K>(net, tensor, out, write, representable), ...);
}

template <class Q, class Net, std::size_t... K>
bool finite_parameters(const Net& net, std::index_sequence<K...>) {
    const auto finite = [](const auto* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            if (!is_finite(p[i])) return false;
        return true;
    };
    return (finite(net.template layer_parameters<Q::dense_layer[K]>(), Net::template layer<Q::dense_layer[K]>::param_count) &&
            ...);
}
}  // namespace detail


// Post-training quantization of `net` from `count` calibration samples, read one at a time by
// read(k, x) (x: input_size scalars; false: the sample cannot be read), so that on a device they
// can come from flash or a sensor with one sample in RAM. Each sample is read once, and once more
// per tensor with a percentile below 100.
template <class Net, class A, class Read,
          class = std::enable_if_t<std::is_invocable_r_v<bool, Read&, std::size_t, typename Net::scalar*>>>
QuantizationStatus quantize(const Net& net, Read&& read, std::size_t count, QuantizedNetwork<Net, A>& out,
                            const CalibrationOptions& options = {}) {
    using Q = QuantizedNetwork<Net, A>;
    using C = detail::Calibration<Net, A>;
    using S = typename Net::scalar;
    constexpr std::size_t T = C::tensors;
    if (count == 0) return QuantizationStatus::no_calibration_samples;
    if (!(options.percentile > 50 && options.percentile <= 100)) return QuantizationStatus::invalid_percentile;
    if (!detail::finite_parameters<Q>(net, std::make_index_sequence<Q::dense_count>{}))
        return QuantizationStatus::non_finite_parameter;

    // 1. ranges: min and max of each tensor over the samples
    double low[T], high[T];
    for (std::size_t t = 0; t < T; ++t) low[t] = HUGE_VAL, high[t] = -HUGE_VAL;
    S sample[Net::input_size];
    for (std::size_t n = 0; n < count; ++n) {
        if (!read(n, sample)) return QuantizationStatus::sample_unavailable;
        const bool finite = C::visit_sample(net, sample, [&](std::size_t t, const S* v, std::size_t m) {
            for (std::size_t i = 0; i < m; ++i) {
                const double value = static_cast<double>(v[i]);
                low[t] = value < low[t] ? value : low[t];
                high[t] = value > high[t] ? value : high[t];
            }
        });
        if (!finite) return QuantizationStatus::non_finite_sample;
    }
    // 2. percentile: narrow each range to the quantiles of a 256-bin histogram over it
    if (options.percentile < 100) {
        constexpr std::size_t bins = 256;
        for (std::size_t t = 0; t < T; ++t) {
            if (!(high[t] > low[t])) continue;
            std::uint32_t histogram[bins] = {};
            std::size_t total = 0;
            const double width = (high[t] - low[t]) / bins;
            for (std::size_t n = 0; n < count; ++n) {
                if (!read(n, sample)) return QuantizationStatus::sample_unavailable;
                (void)C::visit_sample(net, sample, [&](std::size_t u, const S* v, std::size_t m) {
                    if (u != t) return;
                    for (std::size_t i = 0; i < m; ++i) {
                        std::size_t b = static_cast<std::size_t>((static_cast<double>(v[i]) - low[t]) / width);
                        ++histogram[b < bins ? b : bins - 1];
                        ++total;
                    }
                });
            }
            const double drop = static_cast<double>(total) * (100 - options.percentile) / 200;
            double seen = 0;
            std::size_t first = 0, last = bins - 1;
            while (first < bins - 1 && seen + histogram[first] <= drop) seen += histogram[first++];
            seen = 0;
            while (last > first && seen + histogram[last] <= drop) seen += histogram[last--];
            const double new_low = low[t] + width * static_cast<double>(first);
            const double new_high = low[t] + width * static_cast<double>(last + 1);
            low[t] = new_low;
            high[t] = new_high;
        }
    }
    // 3. every scale and multiplier, checked before anything is written
    TensorQuantization tensor[T];
    for (std::size_t t = 0; t < T; ++t) {
        const double lo = low[t] < 0 ? low[t] : 0, hi = high[t] > 0 ? high[t] : 0;
        if (!(hi > lo)) return QuantizationStatus::empty_range;
        tensor[t] = std::is_same_v<A, std::int8_t> ? choose_tensor_quantization(lo, hi)
                                                   : choose_symmetric_quantization(lo, hi);
        if (!(tensor[t].scale > 0) || !is_finite(tensor[t].scale)) return QuantizationStatus::scale_out_of_range;
    }
    bool representable = true;
    detail::quantize_layers(net, tensor, out, false, representable, std::make_index_sequence<Q::dense_count>{});
    if (!representable) return QuantizationStatus::scale_out_of_range;
    // 4. write
    out.set_input_quantization(tensor[0]);
    detail::quantize_layers(net, tensor, out, true, representable, std::make_index_sequence<Q::dense_count>{});
    return QuantizationStatus::ok;
}

// The same from an array of samples [count][input_size].
template <class Net, class A>
QuantizationStatus quantize(const Net& net, const typename Net::scalar* samples, std::size_t count,
                            QuantizedNetwork<Net, A>& out, const CalibrationOptions& options = {}) {
    using S = typename Net::scalar;
    const auto read = [samples](std::size_t k, S* x) {
        for (std::size_t i = 0; i < Net::input_size; ++i) x[i] = samples[k * Net::input_size + i];
        return true;
    };
    return quantize(net, read, count, out, options);
}

}  // namespace tinymlp
