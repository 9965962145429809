// The baseline of the benchmark's Eigen section (bench/eigen_cases.cpp): an MLP of Dense + ReLU
// hidden layers and a linear output, trained with softmax cross-entropy and plain SGD, written by
// hand with Eigen 3.4 as one would without tinymlp. The same math as
// Trainer<Net, SoftmaxCrossEntropy, Sgd, B>::step:
//   forward   A_l = relu(W_l A_{l-1} + b_l)        (the last layer: logits Z = W A + b, no relu)
//   loss      mean over the batch of logsumexp(Z_n) - Z_n[label_n]
//   backward  D_L = (softmax(Z) - onehot(labels)) / B
//             dW_l = D_l A_{l-1}^T,  db_l = row sums of D_l
//             D_{l-1} = (W_l^T D_l) .* (A_{l-1} > 0)   (not for the first layer)
//   update    W_l -= lr dW_l,  b_l -= lr db_l   (after the whole backward pass, as the trainer's)
// Column-major batches: a batch is In x B, sample n in column n, which is tinymlp's [B][In] array
// as it is; W_l is Out x In column-major, which is tinymlp's input-major [In][Out] array as it is,
// so parameters copy over unchanged.
//
// Sizes are compile-time constants. Every matrix lives in one aligned block allocated by the
// constructor; a step allocates nothing of its own. Eigen sees the sizes at compile time where
// that helps it (Sizes::automatic, the default): its fixed-size matrix products skip cache
// blocking and pack whole operands into buffers on the stack (gemm_blocking_space<..., true> in
// Eigen/src/Core/products/GeneralMatrixMatrix.h), which is quickest for small layers and for one
// sample (matrix-vector products), but 5-10 % slower than its cache-blocked products from a few
// hundred KB of operands on (measured with AVX2 on 784-256-10 at batches 8 to 256), and a stack
// overflow for 784x2048. A layer whose products would pack more than fixed_packing_limit bytes
// therefore maps its matrices with run-time sizes (the same memory, the same compile-time
// constants passed at run time), where Eigen blocks for the caches.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

// Eigen puts temporaries up to this size on the stack and larger ones on the heap; among them the
// packing buffers of its cache-blocked products with run-time sizes. Raised from 128 KB so that a
// step makes no heap allocation (checked with EIGEN_RUNTIME_NO_MALLOC on every network and batch
// of the benchmark), but for Eigen's own blocking where it asks for more: 784-2048-10 at batch 256
// with AVX-512 packs 784 x 2048 at once on a CPU that reports a large L3, one malloc per step.
#ifndef EIGEN_STACK_ALLOCATION_LIMIT
#define EIGEN_STACK_ALLOCATION_LIMIT (4 * 1024 * 1024)
#endif
#include <Eigen/Core>

namespace eigen_reference {

enum class Sizes { automatic, fixed, dynamic };

// The largest packing buffers (bytes) a fixed-size layer may make Eigen put on the stack.
inline constexpr std::size_t fixed_packing_limit = 256 * 1024;

// The packing buffers of a product rows x depth times depth x cols with fixed sizes: both operands.
constexpr std::size_t fixed_packing_bytes(std::size_t rows, std::size_t cols, std::size_t depth) {
    return (rows + cols) * depth * sizeof(float);
}

// Whether the products of a layer In -> Out at batch B map their matrices with fixed sizes: the
// forward W A (Out x In . In x B), dW = D A^T (Out x B . B x In), dA = W^T D (In x Out . Out x B).
// One sample (batch 1) makes matrix-vector and outer products, which pack nothing.
constexpr bool layer_fixed(Sizes mode, std::size_t in, std::size_t out, std::size_t batch) {
    if (mode != Sizes::automatic) return mode == Sizes::fixed;
    if (batch == 1) return true;
    const std::size_t forward = fixed_packing_bytes(out, batch, in);
    const std::size_t weights = fixed_packing_bytes(out, in, batch);
    const std::size_t input = fixed_packing_bytes(in, batch, out);
    std::size_t most = forward > weights ? forward : weights;
    most = most > input ? most : input;
    return most <= fixed_packing_limit;
}

// A map of R x C floats at p (64-byte aligned): fixed sizes or run-time ones.
template <bool Fixed, int R, int C>
auto matrix(float* p) {
    if constexpr (Fixed) return Eigen::Map<Eigen::Matrix<float, R, C>, Eigen::Aligned64>(p);
    else return Eigen::Map<Eigen::MatrixXf, Eigen::Aligned64>(p, R, C);
}
// The same over the caller's input batch, whose alignment is unknown.
template <bool Fixed, int R, int C>
auto input_matrix(const float* p) {
    if constexpr (Fixed) return Eigen::Map<const Eigen::Matrix<float, R, C>>(p);
    else return Eigen::Map<const Eigen::MatrixXf>(p, R, C);
}

// Widths: input, hidden..., classes. B: the batch of step(), or 1 for one-sample predict().
template <int B, Sizes Mode, int... Widths>
class Mlp {
    static_assert(sizeof...(Widths) >= 2, "an MLP needs an input and an output width");

public:
    static constexpr int layer_count = static_cast<int>(sizeof...(Widths)) - 1;
    static constexpr int width(int i) {
        constexpr int w[] = {Widths...};
        return w[i];
    }
    static constexpr int input_size = width(0), classes = width(layer_count);
    static constexpr bool layer_is_fixed(int l) { return layer_fixed(Mode, width(l), width(l + 1), B); }
    template <int L>
    static constexpr bool fixed = layer_is_fixed(L);

private:
    // Storage: per layer W, b, dW, db, A (output, Out x B), D (gradient of the pre-activation,
    // Out x B); then the softmax's per-sample max and sum. Every piece starts on 64 bytes.
    static constexpr std::size_t round(std::size_t n) { return (n + 15) / 16 * 16; }
    enum Piece { piece_w, piece_b, piece_dw, piece_db, piece_a, piece_d, pieces };
    static constexpr std::size_t piece_size(int l, int piece) {
        const std::size_t in = width(l), out = width(l + 1);
        switch (piece) {
            case piece_w: case piece_dw: return round(in * out);
            case piece_b: case piece_db: return round(out);
            default: return round(out * B);
        }
    }
    static constexpr std::size_t offset(int l, int piece) {
        std::size_t total = 0;
        for (int i = 0; i < l; ++i)
            for (int p = 0; p < pieces; ++p) total += piece_size(i, p);
        for (int p = 0; p < piece; ++p) total += piece_size(l, p);
        return total;
    }
    static constexpr std::size_t maxes_offset = offset(layer_count, 0);
    static constexpr std::size_t sums_offset = maxes_offset + round(B);
    static constexpr std::size_t total = sums_offset + round(B);

    struct Free {
        void operator()(float* p) const { std::free(p); }
    };
    std::unique_ptr<float[], Free> storage_;

    float* at(int l, Piece piece) { return storage_.get() + offset(l, piece); }

public:
    Mlp() : storage_(static_cast<float*>(std::aligned_alloc(64, total * sizeof(float)))) {
        if (!storage_) throw std::bad_alloc();
        std::memset(storage_.get(), 0, total * sizeof(float));
    }
    static constexpr std::size_t bytes = total * sizeof(float);

    // Layer l's parameters as tinymlp lays them out: W [In][Out] (Out x In column-major), then b.
    void set_parameters(int l, const float* p) {
        const std::size_t weights = std::size_t(width(l)) * width(l + 1);
        std::memcpy(at(l, piece_w), p, weights * sizeof(float));
        std::memcpy(at(l, piece_b), p + weights, width(l + 1) * sizeof(float));
    }
    void get_parameters(int l, float* p) {
        const std::size_t weights = std::size_t(width(l)) * width(l + 1);
        std::memcpy(p, at(l, piece_w), weights * sizeof(float));
        std::memcpy(p + weights, at(l, piece_b), width(l + 1) * sizeof(float));
    }

    // Forward pass of a batch x (B samples, [B][input_size]); the logits are at logits().
    void forward(const float* x) { forward_layer<0>(x); }
    const float* logits() { return at(layer_count - 1, piece_a); }

    // One-sample inference (B == 1): y = logits of x.
    void predict(const float* x, float* y) {
        static_assert(B == 1, "predict is the one-sample forward pass");
        forward(x);
        std::memcpy(y, logits(), classes * sizeof(float));
    }

    // forward + backward + SGD update on a batch; returns the mean loss.
    float step(const float* x, const std::int32_t* labels, float learning_rate) {
        forward(x);
        const float loss = softmax_cross_entropy(labels);
        backward_layer<layer_count - 1>(x);
        update<0>(learning_rate);
        return loss;
    }

private:
    template <int L>
    void forward_layer(const float* x) {
        constexpr int in = width(L), out = width(L + 1);
        constexpr bool f = fixed<L>;
        auto W = matrix<f, out, in>(at(L, piece_w));
        auto bias = matrix<f, out, 1>(at(L, piece_b));
        auto A = matrix<f, out, B>(at(L, piece_a));
        if constexpr (L == 0) A.noalias() = W * input_matrix<f, in, B>(x);
        else A.noalias() = W * matrix<f, in, B>(at(L - 1, piece_a));
        A.colwise() += bias.col(0);
        if constexpr (L + 1 < layer_count) {
            A = A.cwiseMax(0.f);
            forward_layer<L + 1>(x);
        }
    }

    // D of the last layer = (softmax(Z) - onehot) / B, column by column; returns the mean loss.
    float softmax_cross_entropy(const std::int32_t* labels) {
        constexpr int L = layer_count - 1;
        constexpr bool f = fixed<L>;
        auto Z = matrix<f, classes, B>(at(L, piece_a));
        auto D = matrix<f, classes, B>(at(L, piece_d));
        auto maxes = matrix<f, 1, B>(storage_.get() + maxes_offset);
        auto sums = matrix<f, 1, B>(storage_.get() + sums_offset);
        maxes = Z.colwise().maxCoeff();
        D.array() = (Z.rowwise() - maxes.row(0)).array().exp();
        sums = D.colwise().sum();
        float picked = 0;
        for (int n = 0; n < B; ++n) picked += Z(labels[n], n);
        const float loss = ((sums.array().log() + maxes.array()).sum() - picked) / float(B);
        sums.array() = 1.f / (sums.array() * float(B));  // each column's scale, in place: no temporary
        D.array().rowwise() *= sums.array().row(0);
        for (int n = 0; n < B; ++n) D(labels[n], n) -= 1.f / float(B);
        return loss;
    }

    template <int L>
    void backward_layer(const float* x) {
        constexpr int in = width(L), out = width(L + 1);
        constexpr bool f = fixed<L>;
        auto D = matrix<f, out, B>(at(L, piece_d));
        auto dW = matrix<f, out, in>(at(L, piece_dw));
        auto db = matrix<f, out, 1>(at(L, piece_db));
        if constexpr (L == 0) dW.noalias() = D * input_matrix<f, in, B>(x).transpose();
        else dW.noalias() = D * matrix<f, in, B>(at(L - 1, piece_a)).transpose();
        db = D.rowwise().sum();
        if constexpr (L > 0) {
            auto W = matrix<f, out, in>(at(L, piece_w));
            auto below = matrix<f, in, B>(at(L - 1, piece_d));
            below.noalias() = W.transpose() * D;
            below.array() = (matrix<f, in, B>(at(L - 1, piece_a)).array() > 0.f).select(below.array(), 0.f);
            backward_layer<L - 1>(x);
        }
    }

    template <int L>
    void update(float learning_rate) {
        constexpr int in = width(L), out = width(L + 1);
        constexpr bool f = fixed<L>;
        auto W = matrix<f, out, in>(at(L, piece_w));
        auto bias = matrix<f, out, 1>(at(L, piece_b));
        W -= learning_rate * matrix<f, out, in>(at(L, piece_dw));
        bias -= learning_rate * matrix<f, out, 1>(at(L, piece_db));
        if constexpr (L + 1 < layer_count) update<L + 1>(learning_rate);
    }
};

}  // namespace eigen_reference
