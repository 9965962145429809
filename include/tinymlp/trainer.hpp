// Trains a network on batches of a compile-time size B:
//   Trainer<Net, SoftmaxCrossEntropy, Adam, 256> trainer(net, Adam{1e-3});
//   Status s = trainer.step(x, labels, &loss);   // forward + backward + update
//   trainer.step_partial(x, labels, n, &loss);   // the same on n <= B samples (an epoch's last batch)
//   trainer.accumulate(x, labels);  ...  trainer.apply_accumulated();   // k batches, one update
// The trainer owns everything training needs besides the parameters: gradients, the activations
// of a batch, and the optimizer state; `memory_bytes` is their total. A step that meets bad data
// (non-finite input/target/loss/gradient, label out of range) or a bad setting (a NaN or negative
// learning rate, a beta outside [0, 1), ...) returns its Status before any parameter, optimizer
// state or random stream has changed.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "finite.hpp"
#include "kernels/elementwise.hpp"
#include "network.hpp"
#include "random.hpp"
#include "status.hpp"

namespace tinymlp {

struct Regularization {
    double weight_decay = 0;    // coupled L2 (g += wd * w), on Dense weights
    bool decay_biases = false;  // also decay biases and PReLU slopes
    double l1 = 0;              // adds l1 * sum |W| over Dense weights to the loss
    double clip_norm = 0;       // rescale gradients whose global L2 norm exceeds this (0: off)

    bool valid() const {
        const auto non_negative = [](double x) { return is_finite(x) && x >= 0; };
        return non_negative(weight_decay) && non_negative(l1) && non_negative(clip_norm);
    }
};

template <class Net, class Loss, class Optimizer, std::size_t B>
class Trainer {
    using S = typename Net::scalar;
    using Target = typename Net::target;
    static_assert(B > 0, "tinymlp: the batch size must be positive");
    static_assert(Net::parameter_count <= static_cast<std::size_t>(-1) / (4 * sizeof(S)) &&
                      Net::activations_per_sample + Net::saved_per_sample + 2 * Net::widest_layer <=
                          static_cast<std::size_t>(-1) / (2 * B * sizeof(S)),
                  "tinymlp: the trainer's memory for this network and batch size overflows size_t on this target");

public:
    using network_type = Net;
    using target_type = typename Loss::template target_type_for<S>;
    static constexpr std::size_t batch_size = B;
    // With a fused softmax loss a final Softmax layer is skipped: the loss takes its logits.
    static constexpr bool skips_final_softmax = Loss::fuses_softmax && Net::ends_with_softmax;
    static constexpr std::size_t trained_layers = Net::layer_count - (skips_final_softmax ? 1 : 0);
    static constexpr std::size_t loss_width = Net::template layer<trained_layers - 1>::out_size;
    static constexpr std::size_t targets_per_batch = B * Loss::targets_per_sample(loss_width);
    using optimizer_state = typename Optimizer::template State<S, Net::parameter_count>;
    static constexpr std::size_t optimizer_state_bytes = sizeof(optimizer_state);
    static constexpr std::size_t memory_bytes = Net::template training_bytes<B> + optimizer_state_bytes;
    // Besides memory_bytes a trainer holds its settings (network pointer, optimizer,
    // regularization, dropout stream, flags) and the alignment padding of its arrays.
    static constexpr std::size_t settings_bytes =
        sizeof(Net*) + sizeof(Optimizer) + sizeof(Regularization) + sizeof(Pcg32) + sizeof(double) + sizeof(bool) +
        sizeof(std::size_t);
    static constexpr std::size_t aligned_arrays = 7;

    explicit Trainer(Net& trained, const Optimizer& optimizer = {}, const Regularization& regularization = {},
                     std::uint64_t dropout_seed = 0x7e57ab1eULL)
        : net_(&trained), optimizer_(optimizer), regularization_(regularization), rng_(dropout_seed) {}

    // Pointers to targets that step/compute_gradients/evaluate take: target_type, and for class
    // labels also int where it is not std::int32_t (on arm-none-eabi, std::int32_t is long).
    template <class T>
    using if_targets = std::enable_if_t<
        std::is_same_v<T, target_type> || (std::is_integral_v<target_type> && std::is_same_v<T, int>), int>;

    // forward + backward + update on one batch: x [B][input_size], targets [targets_per_batch].
    template <class T, if_targets<T> = 0>
    Status step(const S* x, const T* targets, S* loss = nullptr) {
        const Status status = compute_gradients(x, targets, loss);
        if (status == Status::ok) apply_update();
        return status;
    }

    // step on the first n (1 <= n <= B) samples of x and targets: the update of the mean loss over
    // those n, as a batch of n would give, so that no sample of an epoch is left out. n < B runs
    // the samples one at a time through the one-sample kernels, adding up their gradients.
    template <class T, if_targets<T> = 0>
    Status step_partial(const S* x, const T* targets, std::size_t n, S* loss = nullptr) {
        if (n == B) return step(x, targets, loss);
        if (n == 0 || n > B) return Status::invalid_sample_count;
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

    // Gradient accumulation: accumulate() runs forward + backward on a batch and adds its gradients
    // to a running sum; apply_accumulated() updates with the mean over the k batches accumulated,
    // as one step on all k * B samples together would, then starts a new sum. Memory stays that of
    // one batch. A refused batch is not added (and changes nothing else); a non-finite mean
    // gradient refuses the update and discards the sum. Anything else that writes the gradients
    // (step, step_partial, compute_gradients, a training-blob load) discards it too.
    template <class T, if_targets<T> = 0>
    Status accumulate(const S* x, const T* targets, S* loss = nullptr) {
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
    Status apply_accumulated() {
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

    const S* gradients() const { return gradients_; }
    // Writable: training-blob loads stage parameters here, so a refused load changes nothing.
    // Writing them discards an accumulation in progress.
    S* gradients() {
        accumulated_ = 0;
        return gradients_;
    }
    // Outputs of the last forward pass, [B][loss_width] (logits when the final Softmax is skipped).
    const S* outputs() const { return outputs_of<B>(); }
    double last_gradient_norm() const { return gradient_norm_; }
    Net& network() { return *net_; }
    Optimizer& optimizer() { return optimizer_; }
    const optimizer_state& state() const { return state_; }
    optimizer_state& state() { return state_; }
    const S* network_parameters() const { return net_->parameters(); }
    static constexpr const char* optimizer_name = Optimizer::name;
    Regularization& regularization() { return regularization_; }

private:
    template <class T>
    Status forward_backward(const S* x, const T* targets, S* loss) {
        if (Status s = check_samples(x, targets, B); s != Status::ok) return s;
        S value = 0;
        if (Status s = backward_samples<B, false>(x, targets, value); s != Status::ok) return s;
        if (Status s = finish_gradients(S(1)); s != Status::ok) return s;
        if (loss) *loss = value;
        return Status::ok;
    }

    // Settings and the first n samples' data, checked before anything runs.
    template <class T>
    Status check_samples(const S* x, const T* targets, std::size_t n) const {
        if (!optimizer_.valid() || !regularization_.valid()) return Status::invalid_hyperparameter;
        if (n == B) return check_batch(x, targets);
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
    Status backward_samples(const S* x, const T* targets, S& value) {
        static_assert(Rows == B || Net::template backward_scratch_count<Rows> <= buffer_count(Net::template backward_scratch_count<B>),
                      "tinymlp: one sample's backward needs more scratch than the batch's");
        ForwardContext context{dropout_active_, &rng_};
        Net::template forward_layers<Rows, 0, trained_layers>(net_->parameters(), x, activations_, saved_, context);
        value = Loss::template forward_backward<Target, Rows, loss_width>(outputs_of<Rows>(), targets, delta_b_);
        if (regularization_.l1 > 0) value += static_cast<S>(regularization_.l1 * sum_abs_weights(layer_indices{}));
        if (!is_finite(value)) return Status::non_finite_loss;
        if constexpr (!Accumulate) accumulated_ = 0;  // the gradients are about to be overwritten
        Net::template backward_layers<Rows, trained_layers, Accumulate>(net_->parameters(), x, activations_, saved_,
                                                                        delta_b_, gradients_, delta_a_, delta_b_,
                                                                        backward_scratch_);
        return Status::ok;
    }

    // The gradients as the update sees them: scaled (the mean over accumulated batches or
    // samples), plus the L1 term, checked finite, clipped.
    Status finish_gradients(S scale) {
        if (scale != S(1)) kernels::scale(Target{}, gradients_, Net::parameter_count, scale);
        if (regularization_.l1 > 0) add_l1(layer_indices{});
        const double norm = std::sqrt(kernels::sum_of_squares(Target{}, gradients_, Net::parameter_count));
        if (!is_finite(norm)) return Status::non_finite_gradient;
        if (regularization_.clip_norm > 0 && norm > regularization_.clip_norm) {
            // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6)
            kernels::scale(Target{}, gradients_, Net::parameter_count,
                           static_cast<S>(regularization_.clip_norm / (norm + 1e-6)));
        }
        gradient_norm_ = norm;
        return Status::ok;
    }

    template <std::size_t Rows, class T>
    Status evaluate_samples(const S* x, const T* targets, S* loss, std::size_t* correct) {
        ForwardContext context{false, nullptr};
        Net::template forward_layers<Rows, 0, trained_layers>(net_->parameters(), x, activations_, saved_, context);
        const S value = Loss::template forward_backward<Target, Rows, loss_width>(outputs_of<Rows>(), targets, delta_b_);
        if (loss) *loss = value;
        if (correct) *correct = count_correct<Rows>(targets);
        return is_finite(value) ? Status::ok : Status::non_finite_loss;
    }
    template <std::size_t Rows>
    const S* outputs_of() const {
        return activations_ + Rows * Net::activation_offset(trained_layers - 1);
    }

    using layer_indices = std::make_index_sequence<Net::layer_count>;
    static constexpr std::size_t buffer_count(std::size_t n) { return n ? n : 1; }

    template <class T>
    Status check_batch(const S* x, const T* targets) const {
        if (!kernels::all_finite(Target{}, x, B * Net::input_size)) return Status::non_finite_input;
        return Loss::template check_targets<Target, B, loss_width>(targets);
    }

    void apply_update() {
        optimizer_.begin_step(state_);
        update_layers(layer_indices{});
    }
    template <std::size_t... I>
    void update_layers(std::index_sequence<I...>) {
        (update_layer<I>(), ...);
    }
    // Weights get weight decay; biases and slopes only with decay_biases (as in the textbook).
    template <std::size_t I>
    void update_layer() {
        using L = typename Net::template layer<I>;
        constexpr std::size_t offset = Net::parameter_offset(I);
        const S decay = static_cast<S>(regularization_.weight_decay);
        S* p = net_->parameters();
        if constexpr (L::weight_count > 0)
            optimizer_.template update<Target>(state_, p + offset, gradients_ + offset, offset, L::weight_count, decay);
        if constexpr (L::param_count > L::weight_count) {
            constexpr std::size_t rest = offset + L::weight_count;
            optimizer_.template update<Target>(state_, p + rest, gradients_ + rest, rest,
                                               L::param_count - L::weight_count,
                                               regularization_.decay_biases ? decay : S(0));
        }
    }

    template <std::size_t... I>
    double sum_abs_weights(std::index_sequence<I...>) const {
        const S* p = net_->parameters();
        return (kernels::sum_of_absolute_values(Target{}, p + Net::parameter_offset(I),
                                                Net::template layer<I>::weight_count) + ...);
    }
    template <std::size_t... I>
    void add_l1(std::index_sequence<I...>) {
        const S* p = net_->parameters();
        const S l1 = static_cast<S>(regularization_.l1);
        (kernels::add_l1_gradient(Target{}, p + Net::parameter_offset(I), gradients_ + Net::parameter_offset(I),
                                  Net::template layer<I>::weight_count, l1),
         ...);
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

    Net* net_;
    Optimizer optimizer_;
    Regularization regularization_;
    Pcg32 rng_;
    bool dropout_active_ = true;
    std::size_t accumulated_ = 0;
    double gradient_norm_ = 0;
    optimizer_state state_{};
    alignas(storage_alignment) S gradients_[Net::parameter_count];
    alignas(storage_alignment) S activations_[B * Net::activations_per_sample];
    alignas(storage_alignment) S saved_[buffer_count(B * Net::saved_per_sample)];
    alignas(storage_alignment) S delta_a_[B * Net::widest_layer];
    alignas(storage_alignment) S delta_b_[B * Net::widest_layer];
    alignas(storage_alignment) S backward_scratch_[buffer_count(Net::template backward_scratch_count<B>)];
};

}  // namespace tinymlp
