// Trains a network on batches of a compile-time size B:
//   Trainer<Net, SoftmaxCrossEntropy, Adam, 256> trainer(net, Adam{1e-3});
//   Status s = trainer.step(x, labels, &loss);   // forward + backward + update
//   trainer.step_partial(x, labels, n, &loss);   // the same on n <= B samples (an epoch's last batch)
//   trainer.accumulate(x, labels);  ...  trainer.apply_accumulated();   // k batches, one update
// The trainer owns everything training needs besides the parameters: gradients, the activations
// of a batch, and the optimizer state; `memory_bytes` is their total. Only the parameters that
// train (layers/frozen.hpp) get gradients and optimizer state.
//
// Update::fused (Trainer<Net, Loss, Adam, 1, Update::fused>) holds no gradient buffer at all: it
// keeps the gradient of each layer's output instead, and updates each layer a block of rows at a
// time as its gradient is made. Same updates, same bits; what needs every gradient at once
// (accumulation, partial batches of one-sample gradients, clipping by global norm, gradients())
// is refused at compile time. A step that meets bad data
// (non-finite input/target/loss/gradient, label out of range) or a bad setting (a NaN or negative
// learning rate, a beta outside [0, 1), ...) returns its Status before any parameter, optimizer
// state or random stream has changed.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "finite.hpp"
#include "kernels/elementwise.hpp"
#include "network.hpp"
#include "random.hpp"
#include "real.hpp"
#include "status.hpp"

namespace tinymlp {

// How a trainer updates: after the whole backward pass from a gradient buffer, or fused into it.
enum class Update { after_backward, fused };

struct Regularization {
    double weight_decay = 0;    // coupled L2 (g += wd * w), on Dense weights
    bool decay_biases = false;  // also decay biases and PReLU slopes
    double l1 = 0;              // adds l1 * sum |W| over Dense weights to the loss
    double clip_norm = 0;       // rescale gradients whose global L2 norm exceeds this (0: off)

    bool valid() const {  // by the bits: no double arithmetic (real.hpp)
        return is_non_negative(weight_decay) && is_finite(weight_decay) && is_non_negative(l1) && is_finite(l1) &&
               is_non_negative(clip_norm) && is_finite(clip_norm);
    }
};

namespace detail {
// clip_norm of a fused trainer: assigning it stops the build with the reason.
struct ClipNormNeedsAllGradients {
    template <class T>
    ClipNormNeedsAllGradients& operator=(const T&) {
        static_assert(sizeof(T) == 0,
                      "tinymlp: clipping by global norm needs every gradient before the first update, and a fused "
                      "trainer updates each layer as soon as its gradient is known; use Update::after_backward");
        return *this;
    }
};
}  // namespace detail

// The regularization a fused trainer takes: Regularization without clipping by global norm.
struct FusedRegularization {
    double weight_decay = 0;
    bool decay_biases = false;
    double l1 = 0;
    detail::ClipNormNeedsAllGradients clip_norm;
    static constexpr double clip_norm_value = 0;

    bool valid() const {
        return is_non_negative(weight_decay) && is_finite(weight_decay) && is_non_negative(l1) && is_finite(l1);
    }
};

template <class Net, class Loss, class Optimizer, std::size_t B, Update Mode = Update::after_backward>
class Trainer {
    using S = typename Net::scalar;
    using Target = typename Net::target;
    static_assert(B > 0, "tinymlp: the batch size must be positive");
    static_assert(Net::parameter_count <= static_cast<std::size_t>(-1) / (4 * sizeof(S)) &&
                      Net::activations_per_sample + Net::saved_per_sample + 2 * Net::widest_layer <=
                          static_cast<std::size_t>(-1) / (2 * B * sizeof(S)),
                  "tinymlp: the trainer's memory for this network and batch size overflows size_t on this target");

    static constexpr bool fused = Mode == Update::fused;

public:
    using network_type = Net;
    using target_type = typename Loss::template target_type_for<S>;
    static constexpr std::size_t batch_size = B;
    // With a fused softmax loss a final Softmax layer is skipped: the loss takes its logits.
    static constexpr bool skips_final_softmax = Loss::fuses_softmax && Net::ends_with_softmax;
    static constexpr std::size_t trained_layers = Net::layer_count - (skips_final_softmax ? 1 : 0);
    static constexpr std::size_t loss_width = Net::template layer<trained_layers - 1>::out_size;
    static constexpr std::size_t targets_per_batch = B * Loss::targets_per_sample(loss_width);
    static_assert(Net::first_trainable_layer < trained_layers,
                  "tinymlp: nothing in this network trains (every layer with parameters is Frozen<>)");
    // Parameters that train, and the first layer back-propagation reaches.
    static constexpr std::size_t trainable_count = Net::trainable_count;
    static constexpr std::size_t first_trained_layer = Net::first_trainable_layer;
    // Where a layer's gradients start in gradients(): Net::trainable_offset (== parameter_offset
    // when every layer trains).
    static constexpr std::size_t gradient_offset(std::size_t i) { return Net::trainable_offset(i); }
    using optimizer_state = typename Optimizer::template State<S, trainable_count>;
    using regularization_type = std::conditional_t<fused, FusedRegularization, Regularization>;

private:
    // --- the buffers of a step, in scalars -----------------------------------------------------
    template <std::size_t I>
    using layer = typename Net::template layer<I>;
    using layer_indices = std::make_index_sequence<Net::layer_count>;
    static constexpr std::size_t buffer_count(std::size_t n) { return n ? n : 1; }
    static constexpr bool trains(std::size_t i) { return Net::trainable_count_of(i) > 0; }
    static constexpr std::size_t scratch_count = Net::template backward_scratch_count<B>;
    // Outputs kept for backward: those of the layer below the first that trains and up; the
    // layers before run through scratch.
    static constexpr std::size_t kept_layer = first_trained_layer > 0 ? first_trained_layer - 1 : 0;
    static constexpr std::size_t kept_per_sample = Net::activations_from(kept_layer);
    static constexpr std::size_t forward_scratch = Net::template forward_scratch_count<B, kept_layer>;
    static constexpr std::size_t activation_offset(std::size_t i) {
        return Net::activation_offset(i) - Net::activation_offset(kept_layer);
    }

    // Fused: the gradient of every trainable layer's output, from slot_offset(i); those of the
    // layers between, in one or two temporaries; the block buffer of the updates shares their room.
    template <std::size_t... I>
    static constexpr std::size_t slot_prefix(std::index_sequence<I...>, std::size_t end) {
        std::size_t total = 0;
        ((total += I >= first_trained_layer && I < end && trains(I) ? B * layer<I>::out_size : 0), ...);
        return total;
    }
    static constexpr std::size_t slot_count = slot_prefix(layer_indices{}, trained_layers);
    template <std::size_t... I>
    static constexpr std::size_t temporaries(std::index_sequence<I...>) {
        std::size_t alone = 0, pairs = 0;
        ((alone += I > first_trained_layer && I < trained_layers && !trains(I)),
         ...);
        ((pairs += I > first_trained_layer + 1 && I < trained_layers && !trains(I) && !trains(I - 1)), ...);
        return pairs ? 2 : (alone ? 1 : 0);
    }
    static constexpr std::size_t temporary_count = temporaries(layer_indices{});
    static constexpr std::size_t delta_place(std::size_t i) {
        return trains(i) ? slot_prefix(layer_indices{}, i)
                         : slot_count + (temporary_count == 2 ? i % 2 : 0) * B * Net::widest_layer;
    }
    template <class O, class = void>
    struct updates_dense_in_place : std::false_type {};
    template <class O>
    struct updates_dense_in_place<O, std::void_t<decltype(O::updates_dense_in_place)>> : std::true_type {};
    template <class L, class = void>
    struct updates_in_blocks : std::false_type {};
    template <class L>
    struct updates_in_blocks<L, std::void_t<decltype(L::updates_in_row_blocks)>> : std::true_type {};
    template <std::size_t I>
    static constexpr std::size_t update_buffer_of() {
        if constexpr (!trains(I)) return 0;
        else if constexpr (updates_in_blocks<layer<I>>::value) return layer<I>::template fused_buffer_count<Target, B>;
        else return layer<I>::param_count;
    }
    template <std::size_t... I>
    static constexpr std::size_t update_buffer(std::index_sequence<I...>) {
        std::size_t m = 0;
        ((m = update_buffer_of<I>() > m ? update_buffer_of<I>() : m), ...);
        return m;
    }
    static constexpr std::size_t larger(std::size_t a, std::size_t b) { return a > b ? a : b; }
    static constexpr std::size_t shared_count =
        larger(larger(temporary_count * B * Net::widest_layer, update_buffer(layer_indices{})), forward_scratch);

public:
    // What a step needs besides the parameters and the optimizer state. After the backward pass:
    // the gradients, the outputs backward reads (from the layer below the first that trains) and
    // saved state, two backward buffers of the widest layer and the backward scratch. Fused: no
    // gradients and no backward buffers, but the gradients of the trainable layers' outputs and
    // the shared temporaries.
    static constexpr std::size_t training_bytes =
        (B * (kept_per_sample + Net::saved_per_sample) + scratch_count +
         (fused ? slot_count + shared_count : trainable_count + 2 * B * Net::widest_layer)) *
        sizeof(S);
    static constexpr std::size_t optimizer_state_bytes = sizeof(optimizer_state);
    static constexpr std::size_t memory_bytes = training_bytes + optimizer_state_bytes;
    // Besides memory_bytes a trainer holds its settings (network pointer, optimizer,
    // regularization and its code's table, dropout stream, flags) and the alignment padding of
    // its arrays.
    static constexpr std::size_t settings_bytes = sizeof(Net*) + sizeof(Optimizer) + sizeof(regularization_type) +
                                                  sizeof(void*) + sizeof(Pcg32) + sizeof(SumType<S>) + sizeof(bool) +
                                                  sizeof(std::size_t);
    static constexpr std::size_t aligned_arrays = fused ? 5 : 6;

    static constexpr std::uint64_t default_dropout_seed = 0x7e57ab1eULL;
    explicit Trainer(Net& trained, const Optimizer& optimizer = {}) : net_(&trained), optimizer_(optimizer) {}
    Trainer(Net& trained, const Optimizer& optimizer, const regularization_type& regularization,
            std::uint64_t dropout_seed = default_dropout_seed)
        : net_(&trained), optimizer_(optimizer), regularization_(regularization), penalties_(&penalty_code),
          rng_(dropout_seed) {}
    // A fused trainer given a Regularization: stopped here, since it may ask for clipping.
    template <class R, std::enable_if_t<fused && std::is_same_v<R, Regularization>, int> = 0>
    Trainer(Net& trained, const Optimizer& optimizer, const R&, std::uint64_t = 0) : Trainer(trained, optimizer) {
        static_assert(sizeof(R) == 0,
                      "tinymlp: a fused trainer takes FusedRegularization: clipping by global norm needs every "
                      "gradient before the first update, and fused updates apply each layer's as soon as it is known");
    }

    // Pointers to targets that step/compute_gradients/evaluate take: target_type, and for class
    // labels also int where it is not std::int32_t (on arm-none-eabi, std::int32_t is long).
    template <class T>
    using if_targets = std::enable_if_t<
        std::is_same_v<T, target_type> || (std::is_integral_v<target_type> && std::is_same_v<T, int>), int>;

    // forward + backward + update on one batch: x [B][input_size], targets [targets_per_batch].
    template <class T, if_targets<T> = 0>
    Status step(const S* x, const T* targets, S* loss = nullptr) {
        if constexpr (fused) {
            const Pcg32 rng_before = rng_;
            const Status status = fused_step(x, targets, loss);
            if (status != Status::ok) rng_ = rng_before;
            return status;
        } else {
            const Status status = compute_gradients(x, targets, loss);
            if (status == Status::ok) apply_update();
            return status;
        }
    }

    // step on the first n (1 <= n <= B) samples of x and targets: the update of the mean loss over
    // those n, as a batch of n would give, so that no sample of an epoch is left out. n < B runs
    // the samples one at a time through the one-sample kernels, adding up their gradients.
    template <class T, if_targets<T> = 0>
    Status step_partial(const S* x, const T* targets, std::size_t n, S* loss = nullptr) {
        static_assert(!fused || B == 1,
                      "tinymlp: step_partial adds up one-sample gradients, which a fused trainer never holds; "
                      "use batch size 1 or Update::after_backward");
        if (n == B) return step(x, targets, loss);
        if (n == 0 || n > B) return Status::invalid_sample_count;
        if constexpr (fused) {
            return Status::invalid_sample_count;  // unreachable: B == 1
        } else {
            const Pcg32 rng_before = rng_;
            Status status = check_samples(x, targets, n);
            S total = 0;
            for (std::size_t i = 0; status == Status::ok && i < n; ++i) {
                S value = 0;
                status = i == 0 ? backward_samples<1, false>(input_of(x, i), targets_of(targets, i), value)
                                : backward_samples<1, true>(input_of(x, i), targets_of(targets, i), value);
                total += value;
            }
            if (status == Status::ok) status = finish_gradients(S(1) / static_cast<S>(n));
            if (status != Status::ok) {
                rng_ = rng_before;
                return status;
            }
            if (loss) *loss = total / static_cast<S>(n);
            apply_update();
            return Status::ok;
        }
    }

    // Gradient accumulation: accumulate() runs forward + backward on a batch and adds its gradients
    // to a running sum; apply_accumulated() updates with the mean over the k batches accumulated,
    // as one step on all k * B samples together would, then starts a new sum. Memory stays that of
    // one batch. A refused batch is not added (and changes nothing else); a non-finite mean
    // gradient refuses the update and discards the sum. Anything else that writes the gradients
    // (step, step_partial, compute_gradients, a training-blob load) discards it too.
    template <class T, if_targets<T> = 0>
    Status accumulate(const S* x, const T* targets, S* loss = nullptr) {
        static_assert(!fused || sizeof(T) == 0,
                      "tinymlp: gradient accumulation needs a gradient buffer, which a fused trainer does not hold");
        const Pcg32 rng_before = rng_;
        Status status = check_samples(x, targets, B);
        S value = 0;
        if (status == Status::ok)
            status = accumulated_ == 0 ? backward_samples<B, false>(x, targets, value)
                                       : backward_samples<B, true>(x, targets, value);
        if (status != Status::ok) {
            rng_ = rng_before;
            return status;
        }
        ++accumulated_;
        if (loss) *loss = value;
        return Status::ok;
    }
    template <bool Fused = fused>
    Status apply_accumulated() {
        static_assert(!Fused, "tinymlp: gradient accumulation needs a gradient buffer, which a fused trainer does not hold");
        if (accumulated_ == 0) return Status::invalid_sample_count;
        const Status status = finish_gradients(S(1) / static_cast<S>(accumulated_));
        accumulated_ = 0;
        if (status == Status::ok) apply_update();
        return status;
    }
    // Batches accumulated since the last apply_accumulated().
    std::size_t accumulated_batches() const { return accumulated_; }

    // forward + backward without the update: gradients() then holds dLoss/dparams (with the L1
    // term and clipping applied, as the update would see them). A refused batch leaves no trace,
    // not even in the dropout stream.
    template <class T, if_targets<T> = 0>
    Status compute_gradients(const S* x, const T* targets, S* loss = nullptr) {
        static_assert(!fused || sizeof(T) == 0, "tinymlp: a fused trainer never holds all gradients at once");
        const Pcg32 rng_before = rng_;
        const Status status = forward_backward(x, targets, loss);
        if (status != Status::ok) rng_ = rng_before;
        return status;
    }

    // Loss (without regularization terms) of a batch in evaluation mode, with no update; for
    // SoftmaxCrossEntropy also the number of samples whose arg-max output is the label.
    template <class T, if_targets<T> = 0>
    Status evaluate(const S* x, const T* targets, S* loss, std::size_t* correct = nullptr) {
        if (Status s = check_batch(x, targets); s != Status::ok) return s;
        return evaluate_samples<B>(x, targets, loss, correct);
    }

    // evaluate on the first n (1 <= n <= B) samples: the mean loss over them, and how many are
    // right. n < B runs the samples one at a time.
    template <class T, if_targets<T> = 0>
    Status evaluate_partial(const S* x, const T* targets, std::size_t n, S* loss, std::size_t* correct = nullptr) {
        if (n == B) return evaluate(x, targets, loss, correct);
        if (n == 0 || n > B) return Status::invalid_sample_count;
        if (Status s = check_samples(x, targets, n); s != Status::ok) return s;
        S total = 0;
        std::size_t right = 0;
        for (std::size_t i = 0; i < n; ++i) {
            S value = 0;
            std::size_t one = 0;
            if (Status s = evaluate_samples<1>(input_of(x, i), targets_of(targets, i), &value, &one); s != Status::ok)
                return s;
            total += value;
            right += one;
        }
        if (loss) *loss = total / static_cast<S>(n);
        if (correct) *correct = right;
        return Status::ok;
    }

    // Dropout is active in training by default; off, training runs the evaluation-mode network.
    void set_dropout_active(bool active) { dropout_active_ = active; }

    // The gradients of the trainable parameters, layer i's from gradient_offset(i).
    template <bool Fused = fused>
    const S* gradients() const {
        static_assert(!Fused, "tinymlp: a fused trainer never holds all gradients at once");
        return buffers_.gradients;
    }
    // Writable: training-blob loads stage parameters here when it holds them all (stages_parameters),
    // so a refused load changes nothing. Writing them discards an accumulation in progress.
    template <bool Fused = fused>
    S* gradients() {
        static_assert(!Fused, "tinymlp: a fused trainer never holds all gradients at once");
        accumulated_ = 0;
        norm_held_ = false;
        return buffers_.gradients;
    }
    static constexpr bool stages_parameters = !fused && trainable_count >= Net::parameter_count;
    // Outputs of the last forward pass, [B][loss_width] (logits when the final Softmax is skipped).
    const S* outputs() const { return outputs_of<B>(); }
    // The L2 norm of the gradients the trainer holds (the last step's, or an accumulation's so
    // far), before clipping; 0 before the first. Taken when asked, a pass over gradients() that a
    // step does not pay for, unless clipping took it already. Not finite after a step refused
    // for non-finite gradients.
    template <bool Fused = fused>
    SumType<S> last_gradient_norm() const {
        static_assert(!Fused, "tinymlp: a fused trainer never holds all gradients, so it has no global norm");
        if (norm_held_) return gradient_norm_;
        return kernels::l2_norm(Target{}, buffers_.gradients, trainable_count);
    }
    Net& network() { return *net_; }
    Optimizer& optimizer() { return optimizer_; }
    const optimizer_state& state() const { return state_; }
    optimizer_state& state() { return state_; }
    const S* network_parameters() const { return net_->parameters(); }
    static constexpr const char* optimizer_name = Optimizer::name;
    regularization_type& regularization() {
        penalties_ = &penalty_code;
        return regularization_;
    }

private:
    template <class T>
    Status forward_backward(const S* x, const T* targets, S* loss) {
        S largest_x = 0;
        if (Status s = check_samples(x, targets, B, &largest_x); s != Status::ok) return s;
        S value = 0;
        S largest_dy[Net::layer_count];
        if (Status s = backward_samples<B, false>(x, targets, value, largest_dy); s != Status::ok) return s;
        if (Status s = finish_gradients(S(1), x, largest_x, largest_dy); s != Status::ok) return s;
        if (loss) *loss = value;
        return Status::ok;
    }

    // Settings and the first n samples' data, checked before anything runs; a whole batch's
    // largest |x| goes to largest_x when the check takes it (input_magnitude_from_check).
    template <class T>
    Status check_samples(const S* x, const T* targets, std::size_t n, S* largest_x = nullptr) const {
        if (!optimizer_.valid() || !regularization_.valid()) return Status::invalid_hyperparameter;
        if (n == B) return check_batch(x, targets, largest_x);
        for (std::size_t i = 0; i < n; ++i) {
            if (!kernels::all_finite(Target{}, input_of(x, i), Net::input_size)) return Status::non_finite_input;
            if (Status s = Loss::template check_targets<Target, 1, loss_width>(targets_of(targets, i)); s != Status::ok)
                return s;
        }
        return Status::ok;
    }
    static const S* input_of(const S* x, std::size_t i) { return x + i * Net::input_size; }
    template <class T>
    static const T* targets_of(const T* targets, std::size_t i) {
        return targets + i * Loss::targets_per_sample(loss_width);
    }

    // forward + backward of Rows samples (loss plus the L1 term in `value`), writing the
    // gradients or, with Accumulate, adding them to what gradients_ holds. Refuses a non-finite
    // loss before any gradient is touched.
    template <std::size_t Rows, bool Accumulate, class T>
    Status backward_samples(const S* x, const T* targets, S& value, S* largest_dy = nullptr) {
        static_assert(Rows == B || Net::template backward_scratch_count<Rows> <= buffer_count(Net::template backward_scratch_count<B>),
                      "tinymlp: one sample's backward needs more scratch than the batch's");
        ForwardContext context{dropout_active_, &rng_};
        Net::template forward_layers<Rows, 0, trained_layers, kept_layer>(
            net_->parameter_source(), x, buffers_.activations, buffers_.saved, context, forward_scratch_buffer());
        value = Loss::template forward_backward<Target, Rows, loss_width>(outputs_of<Rows>(), targets, loss_gradient());
        if (!is_zero(regularization_.l1)) value += penalties_->l1_loss(*this);
        if (!is_finite(value)) return Status::non_finite_loss;
        if constexpr (!Accumulate) accumulated_ = 0;  // the gradients are about to be overwritten
        norm_held_ = false;
        S* delta_a = buffers_.deltas;
        S* delta_b = buffers_.deltas + B * Net::widest_layer;
        Net::template backward_layers<Rows, trained_layers, Accumulate, kept_layer>(
            net_->parameter_source(), x, buffers_.activations, buffers_.saved, delta_b, buffers_.gradients, delta_a,
            delta_b, buffers_.scratch, largest_dy);
        return Status::ok;
    }

    // The gradients as the update sees them: scaled (the mean over accumulated batches or
    // samples), plus the L1 term, checked finite, clipped. Without clipping no norm is taken.
    // The check tests each gradient, or, after one batch's backward pass (largest_dy given) and
    // with no L1 term, each layer whose gradients are known finite from its bound skips the test.
    Status finish_gradients(S scale, const S* x = nullptr, S largest_x = 0, const S* largest_dy = nullptr) {
        S* gradients = buffers_.gradients;
        if (scale != S(1)) kernels::scale(Target{}, gradients, trainable_count, scale);
        const bool l1 = !is_zero(regularization_.l1);
        if (l1) penalties_->add_l1(*this);
        const bool finite = largest_dy && !l1 ? layers_finite(x, largest_x, largest_dy, layer_indices{})
                                              : kernels::all_finite(Target{}, gradients, trainable_count);
        if (!finite) return Status::non_finite_gradient;
        if (!is_zero(regularization_.clip_norm)) return penalties_->clip(*this);
        return Status::ok;
    }
    template <std::size_t... I>
    bool layers_finite(const S* x, S largest_x, const S* largest_dy, std::index_sequence<I...>) const {
        return (layer_finite<I>(x, largest_x, largest_dy) && ...);
    }
    template <std::size_t I>
    bool layer_finite(const S* x, S largest_x, const S* largest_dy) const {
        if constexpr (!trains(I)) {
            return true;
        } else {
            if constexpr (Net::template gradient_bound_pays<B, I>)
                if (within_gradient_bound<I>(largest_dy[I], x, largest_x)) return true;
            return kernels::all_finite(Target{}, buffers_.gradients + Net::trainable_offset(I), Net::trainable_count_of(I));
        }
    }
    // Every gradient of layer I's parameters is a sum of at most B * in_size products of an input
    // and an output gradient of the layer: finite when those are finite and small enough that no
    // sum can overflow. (Fused steps refuse what fails this bound; the others test such a layer's
    // gradients one by one.) largest_x: the batch's largest |x|, which layer 0 takes from the
    // input check where that check takes it.
    template <std::size_t I>
    bool within_gradient_bound(S largest_dy, const S* x, S largest_x) const {
        // in S, so that cores without a double unit do no software double here:
        // terms * dy * max(in, 1) <= limit  <=>  dy <= limit / terms / max(in, 1)
        constexpr S limit = std::numeric_limits<S>::max() / S(4);
        constexpr S terms = static_cast<S>(B * layer<I>::in_size);
        const S in = I == 0 && input_magnitude_from_check
                         ? largest_x
                         : kernels::largest_magnitude(input_of_layer<I>(x), B * layer<I>::in_size);
        return largest_dy <= limit / terms / (in > S(1) ? in : S(1));
    }

    template <std::size_t Rows, class T>
    Status evaluate_samples(const S* x, const T* targets, S* loss, std::size_t* correct) {
        ForwardContext context{false, nullptr};
        Net::template forward_layers<Rows, 0, trained_layers, kept_layer>(
            net_->parameter_source(), x, buffers_.activations, buffers_.saved, context, forward_scratch_buffer());
        const S value =
            Loss::template forward_backward<Target, Rows, loss_width>(outputs_of<Rows>(), targets, loss_gradient());
        if (loss) *loss = value;
        if (correct) *correct = count_correct<Rows>(targets);
        return is_finite(value) ? Status::ok : Status::non_finite_loss;
    }
    template <std::size_t Rows>
    const S* outputs_of() const {
        return buffers_.activations + Rows * activation_offset(trained_layers - 1);
    }
    // Where the layers below the kept ones put their outputs: room the backward pass uses later.
    S* forward_scratch_buffer() {
        if constexpr (fused) return buffers_.deltas + slot_count;
        else return buffers_.deltas;
    }
    // Where the loss writes the gradient of the outputs.
    S* loss_gradient() {
        if constexpr (fused) return buffers_.deltas + delta_place(trained_layers - 1);
        else return buffers_.deltas + B * Net::widest_layer;
    }

    // A step's input check takes the batch's largest |x| where Network says it pays: NaN and
    // infinity come out infinite, so it answers the finiteness test too.
    static constexpr bool input_magnitude_from_check = Net::input_magnitude_from_check;
    template <class T>
    Status check_batch(const S* x, const T* targets, S* largest_x = nullptr) const {
        if (input_magnitude_from_check && largest_x) {
            *largest_x = kernels::largest_magnitude(x, B * Net::input_size);
            if (!is_finite(*largest_x)) return Status::non_finite_input;
        } else if (!kernels::all_finite(Target{}, x, B * Net::input_size)) {
            return Status::non_finite_input;
        }
        return Loss::template check_targets<Target, B, loss_width>(targets);
    }

    // A step's regularization settings in S, converted once (doubles are library calls on most
    // Cortex-M): the decay of weights and of biases and slopes (theirs only with decay_biases, as
    // in the textbook).
    struct Decays {
        S weights, others;
    };
    Decays decays() const {
        const S decay = is_zero(regularization_.weight_decay) ? S(0) : scalar_of<S>(regularization_.weight_decay);
        return {decay, regularization_.decay_biases ? decay : S(0)};
    }
    void apply_update() {
        optimizer_.begin_step(state_);
        update_layers(decays(), layer_indices{});
    }
    template <std::size_t... I>
    void update_layers(const Decays& decays, std::index_sequence<I...>) {
        (update_layer<I>(decays), ...);
    }
    // `first` counts from the layer's first parameter, `g` holds the gradient of `count` of them;
    // with_l1: add the L1 term's gradient first (the unfused path has added it to every gradient).
    template <std::size_t I>
    void update_segment(std::size_t first, S* g, std::size_t count, bool with_l1, const Decays& decays) {
        using L = layer<I>;
        S* p = net_->template layer_parameters<I>() + first;
        const bool weights = first < L::weight_count;
        if (with_l1 && weights && !is_zero(regularization_.l1)) penalties_->add_l1_gradient(p, g, count, regularization_.l1);
        optimizer_.template update<Target>(state_, p, g, Net::trainable_offset(I) + first - Net::template trainable_begin<I>,
                                           count, weights ? decays.weights : decays.others);
    }
    // The trainable weights of layer I: [trainable_begin, weight_count), if any.
    template <std::size_t I>
    static constexpr std::size_t trainable_weights =
        Net::template trainable_begin<I> < layer<I>::weight_count ? layer<I>::weight_count - Net::template trainable_begin<I> : 0;

    // The weights, then the rest: separate segments since weight decay differs.
    template <std::size_t I>
    void update_layer(const Decays& decays) {
        using L = layer<I>;
        constexpr std::size_t begin = Net::template trainable_begin<I>, weights = trainable_weights<I>;
        S* g = buffers_.gradients + Net::trainable_offset(I);
        if constexpr (weights > 0) update_segment<I>(begin, g, weights, false, decays);
        if constexpr (L::param_count > begin + weights)
            update_segment<I>(begin + weights, g + weights, L::param_count - begin - weights, false, decays);
    }

    // --- L1 and clipping by global norm ---------------------------------------------------------
    // Reached through penalties_, which only the constructor that takes a regularization and
    // regularization() set: firmware that never asks for them links none of this code. A step
    // calls them only when their setting is not zero, which only those two can make it.
    struct PenaltyCode {
        S (*l1_loss)(const Trainer&);  // l1 * sum |W| over the weights that train
        void (*add_l1)(Trainer&);      // its gradient, added to every weight's
        void (*add_l1_gradient)(const S* w, S* g, std::size_t count, double l1);
        Status (*clip)(Trainer&);
    };
    static S l1_loss(const Trainer& t) {
        return static_cast<S>(scalar_of<SumType<S>>(t.regularization_.l1) * t.sum_abs_weights(layer_indices{}));
    }
    static void add_l1(Trainer& t) {
        if constexpr (!fused) t.add_l1_each(layer_indices{});  // fused: in update_segment
    }
    static void add_l1_gradient(const S* w, S* g, std::size_t count, double l1) {
        kernels::add_l1_gradient(Target{}, w, g, count, scalar_of<S>(l1));
    }
    // Keeps the norm it took for last_gradient_norm(); refuses gradients whose squares overflow
    // even the robust norm, since they cannot be scaled to it.
    static Status clip(Trainer& t) {
        if constexpr (!fused) {  // fused: no clipping (FusedRegularization)
            using Sum = SumType<S>;
            const Sum norm = kernels::l2_norm(Target{}, t.buffers_.gradients, trainable_count);
            if (!is_finite(norm)) return Status::non_finite_gradient;
            const Sum clip_norm = scalar_of<Sum>(t.regularization_.clip_norm);
            // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6)
            if (norm > clip_norm)
                kernels::scale(Target{}, t.buffers_.gradients, trainable_count, static_cast<S>(clip_norm / (norm + Sum(1e-6))));
            t.gradient_norm_ = norm;
            t.norm_held_ = true;
        }
        return Status::ok;
    }
    static constexpr PenaltyCode penalty_code{&l1_loss, &add_l1, &add_l1_gradient, &clip};
    template <std::size_t... I>
    SumType<S> sum_abs_weights(std::index_sequence<I...>) const {
        const Net& net = *net_;
        return (kernels::sum_of_absolute_values(Target{}, net.template layer_parameters<I>() + Net::template trainable_begin<I>,
                                                trainable_weights<I>) + ...);
    }
    template <std::size_t... I>
    void add_l1_each(std::index_sequence<I...>) {
        const Net& net = *net_;
        const S l1 = scalar_of<S>(regularization_.l1);
        (kernels::add_l1_gradient(Target{}, net.template layer_parameters<I>() + Net::template trainable_begin<I>,
                                  buffers_.gradients + Net::trainable_offset(I), trainable_weights<I>, l1),
         ...);
    }

    // --- fused step --------------------------------------------------------------------------
    // forward; the gradient of every layer's output, from the top down to the first trainable
    // layer, each with the weights the forward pass used; then, once all are known to give finite
    // parameter gradients, the updates, layer by layer and block by block.
    template <class T>
    Status fused_step(const S* x, const T* targets, S* loss) {
        S largest_x = 0;
        if (Status s = check_samples(x, targets, B, &largest_x); s != Status::ok) return s;
        ForwardContext context{dropout_active_, &rng_};
        Net::template forward_layers<B, 0, trained_layers, kept_layer>(net_->parameter_source(), x, buffers_.activations,
                                                                       buffers_.saved, context, forward_scratch_buffer());
        S value = Loss::template forward_backward<Target, B, loss_width>(outputs_of<B>(), targets, loss_gradient());
        if (!is_zero(regularization_.l1)) value += penalties_->l1_loss(*this);
        if (!is_finite(value)) return Status::non_finite_loss;
        fused_deltas<trained_layers - 1>(x);
        if (!fused_gradients_finite(x, largest_x, layer_indices{})) return Status::non_finite_gradient;
        optimizer_.begin_step(state_);
        fused_updates(x, decays(), layer_indices{});
        if (loss) *loss = value;
        return Status::ok;
    }
    template <std::size_t I>
    const S* input_of_layer(const S* x) const {
        return I == 0 ? x : buffers_.activations + B * activation_offset(I - 1);
    }
    template <std::size_t I>
    void fused_deltas(const S* x) {
        if constexpr (I > first_trained_layer) {
            S* deltas = buffers_.deltas;
            detail::backward_input_only<layer<I>, Target, B>(
                net_->parameter_source().template of<I>(), input_of_layer<I>(x),
                buffers_.activations + B * activation_offset(I), buffers_.saved + B * Net::saved_offset(I),
                deltas + delta_place(I), deltas + delta_place(I - 1), buffers_.scratch);
            fused_deltas<I - 1>(x);
        }
    }
    // Every gradient a layer's update will see must be within within_gradient_bound (decay and L1
    // terms come on top, far inside the bound's margin). A step that fails it is refused before any
    // update, as one whose gradient is not finite (the bound refuses some finite ones, all of them
    // within a factor B * in_size of the largest float).
    template <std::size_t... I>
    bool fused_gradients_finite(const S* x, S largest_x, std::index_sequence<I...>) const {
        return (fused_layer_finite<I>(x, largest_x) && ...);
    }
    template <std::size_t I>
    bool fused_layer_finite(const S* x, S largest_x) const {
        if constexpr (I < first_trained_layer || I >= trained_layers || !trains(I)) {
            return true;
        } else {
            const S dy = kernels::largest_magnitude(buffers_.deltas + delta_place(I), B * layer<I>::out_size);
            return within_gradient_bound<I>(dy, x, largest_x);
        }
    }
    template <std::size_t... I>
    void fused_updates(const S* x, const Decays& decays, std::index_sequence<I...>) {
        (fused_update<I>(x, decays), ...);
    }
    template <std::size_t I>
    void fused_update(const S* x, const Decays& decays) {
        if constexpr (I >= first_trained_layer && I < trained_layers && trains(I)) {
            using L = layer<I>;
            constexpr std::size_t begin = Net::template trainable_begin<I>;
            const S* dy = buffers_.deltas + delta_place(I);
            S* block = buffers_.deltas + slot_count;  // the temporaries' room, free by now
            const auto update = [this, &decays](std::size_t first, S* g, std::size_t count) {
                update_segment<I>(first, g, count, true, decays);
            };
            if constexpr (updates_in_blocks<L>::value) {
                if constexpr (B == 1 && updates_dense_in_place<Optimizer>::value) {
                    // batch 1: the weights straight from x and dy, no gradient block
                    if (is_zero(regularization_.weight_decay) && is_zero(regularization_.l1)) {
                        if constexpr (begin < L::weight_count) {
                            constexpr std::size_t first_row = begin / L::out_size;
                            optimizer_.template update_dense_one_sample<Target, L::in_size - first_row, L::out_size>(
                                state_, input_of_layer<I>(x) + first_row, dy,
                                net_->template layer_parameters<I>() + begin, Net::trainable_offset(I));
                        }
                        if constexpr (L::has_bias) {
                            kernels::dense_backward_bias<B, L::out_size>(Target{}, dy, block);
                            update(L::weight_count, block, L::out_size);
                        }
                        return;
                    }
                }
                L::template fused_update<Target, B, begin>(input_of_layer<I>(x), dy, block, update);
            } else {
                const S* p = net_->parameter_source().template of<I>();
                L::template backward<Target, B>(p, input_of_layer<I>(x), buffers_.activations + B * activation_offset(I),
                                                buffers_.saved + B * Net::saved_offset(I), dy, nullptr, block,
                                                buffers_.scratch);
                constexpr std::size_t weights = trainable_weights<I>;
                if constexpr (weights > 0) update_segment<I>(begin, block, weights, true, decays);
                if constexpr (L::param_count > begin + weights)
                    update_segment<I>(begin + weights, block + weights, L::param_count - begin - weights, true, decays);
            }
        }
    }

    template <std::size_t Rows, class T>
    std::size_t count_correct(const T* targets) const {
        std::size_t correct = 0;
        const S* out = outputs_of<Rows>();
        for (std::size_t n = 0; n < Rows; ++n) {
            if constexpr (Loss::fuses_softmax) {
                std::size_t best = 0;
                for (std::size_t c = 1; c < loss_width; ++c)
                    if (out[n * loss_width + c] > out[n * loss_width + best]) best = c;
                correct += static_cast<std::size_t>(targets[n]) == best;
            } else {
                // one binary decision per output: output above the loss's threshold vs target > 0.5
                const S threshold = static_cast<S>(Loss::decision_threshold);
                for (std::size_t c = 0; c < loss_width; ++c)
                    correct += (out[n * loss_width + c] > threshold) == (targets[n * loss_width + c] > S(0.5));
            }
        }
        return correct;
    }

    struct BuffersAfterBackward {
        alignas(storage_alignment) S gradients[buffer_count(trainable_count)];
        alignas(storage_alignment) S activations[B * kept_per_sample];
        alignas(storage_alignment) S saved[buffer_count(B * Net::saved_per_sample)];
        alignas(storage_alignment) S deltas[2 * B * Net::widest_layer];  // the two backward buffers
        alignas(storage_alignment) S scratch[buffer_count(scratch_count)];
    };
    struct FusedBuffers {
        alignas(storage_alignment) S activations[B * kept_per_sample];
        alignas(storage_alignment) S saved[buffer_count(B * Net::saved_per_sample)];
        alignas(storage_alignment) S deltas[buffer_count(slot_count + shared_count)];
        alignas(storage_alignment) S scratch[buffer_count(scratch_count)];
    };

    Net* net_;
    Optimizer optimizer_;
    regularization_type regularization_{};
    const PenaltyCode* penalties_ = nullptr;
    Pcg32 rng_{default_dropout_seed};
    bool dropout_active_ = true;
    std::size_t accumulated_ = 0;
    SumType<S> gradient_norm_ = 0;  // the norm clipping took (norm_held_), or 0 before any gradient
    bool norm_held_ = true;
    optimizer_state state_{};
    std::conditional_t<fused, FusedBuffers, BuffersAfterBackward> buffers_;
};

}  // namespace tinymlp
