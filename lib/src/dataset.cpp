#include "tinymlp_host/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <utility>

#include "format.hpp"

namespace tinymlp::host {

Error validate(const Dataset& d) {
    if (d.feature_count != 0 && d.count > d.features.size() / d.feature_count)
        return make_error(ErrorCode::invalid_argument,
                          detail::format("%zu features for %zu examples of %zu features",
                                         d.features.size(), d.count, d.feature_count));
    if (d.features.size() != d.count * d.feature_count)
        return make_error(ErrorCode::invalid_argument,
                          detail::format("%zu features for %zu examples of %zu features",
                                         d.features.size(), d.count, d.feature_count));
    if (!d.labels.empty() && d.labels.size() != d.count)
        return make_error(ErrorCode::invalid_argument,
                          detail::format("%zu labels for %zu examples", d.labels.size(), d.count));
    if (!d.targets.empty() && d.targets.size() != d.count)
        return make_error(ErrorCode::invalid_argument,
                          detail::format("%zu targets for %zu examples", d.targets.size(), d.count));
    for (std::size_t i = 0; i < d.labels.size(); ++i)
        if (d.labels[i] < 0)
            return make_error(ErrorCode::bad_value,
                              detail::format("negative label %d at index %zu", int(d.labels[i]), i));
    return {};
}

std::size_t class_count(const Dataset& d) {
    std::int32_t largest = -1;
    for (std::int32_t label : d.labels) largest = std::max(largest, label);
    return static_cast<std::size_t>(largest + 1);
}

// --- indices ----------------------------------------------------------------------------------

std::uint64_t uniform_below(tinymlp::Pcg32& rng, std::uint64_t bound) {
    if (bound <= 1) return 0;
    if (bound <= 0xffffffffull) {
        // Reject the lowest (2^32 mod bound) values so every residue is equally likely.
        const auto b = static_cast<std::uint32_t>(bound);
        const std::uint32_t threshold = static_cast<std::uint32_t>(-b) % b;
        for (;;) {
            const std::uint32_t r = rng.next_u32();
            if (r >= threshold) return r % b;
        }
    }
    const std::uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        const std::uint64_t r = (std::uint64_t(rng.next_u32()) << 32) | rng.next_u32();
        if (r >= threshold) return r % bound;
    }
}

std::vector<std::size_t> sequential_indices(std::size_t n) {
    std::vector<std::size_t> indices(n);
    for (std::size_t i = 0; i < n; ++i) indices[i] = i;
    return indices;
}

void shuffle_indices(std::vector<std::size_t>& indices, tinymlp::Pcg32& rng) {
    for (std::size_t i = indices.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(uniform_below(rng, i));
        std::swap(indices[i - 1], indices[j]);
    }
}

std::vector<std::size_t> shuffled_indices(std::size_t n, tinymlp::Pcg32& rng) {
    std::vector<std::size_t> indices = sequential_indices(n);
    shuffle_indices(indices, rng);
    return indices;
}

// --- batches ----------------------------------------------------------------------------------

Error gather_batch(const Dataset& d, const std::size_t* indices, std::size_t batch_size,
                   float* features, std::int32_t* labels) {
    if (batch_size == 0) return {};
    if (indices == nullptr || features == nullptr)
        return make_error(ErrorCode::invalid_argument, "null indices or features buffer");
    if (d.features.size() != d.count * d.feature_count)
        return make_error(ErrorCode::invalid_argument, "features do not match count x feature_count");
    if (labels != nullptr && d.labels.size() != d.count)
        return make_error(ErrorCode::invalid_argument, "labels requested but the set has none");
    const std::size_t f = d.feature_count;
    for (std::size_t b = 0; b < batch_size; ++b) {
        const std::size_t i = indices[b];
        if (i >= d.count)
            return make_error(ErrorCode::invalid_argument,
                              detail::format("index %zu (batch row %zu) out of range: %zu examples",
                                             i, b, d.count));
        if (f != 0) std::memcpy(features + b * f, d.features.data() + i * f, f * sizeof(float));
        if (labels != nullptr) labels[b] = d.labels[i];
    }
    return {};
}

Error gather_batch(const Dataset& d, const std::vector<std::size_t>& indices, std::size_t first,
                   std::size_t batch_size, float* features, std::int32_t* labels) {
    if (first > indices.size() || batch_size > indices.size() - first)
        return make_error(ErrorCode::invalid_argument,
                          detail::format("batch [%zu, %zu + %zu) past the %zu indices", first, first,
                                         batch_size, indices.size()));
    return gather_batch(d, indices.data() + first, batch_size, features, labels);
}

Error gather_targets(const Dataset& d, const std::size_t* indices, std::size_t batch_size,
                     float* targets) {
    if (batch_size == 0) return {};
    if (indices == nullptr || targets == nullptr)
        return make_error(ErrorCode::invalid_argument, "null indices or targets buffer");
    if (d.targets.size() != d.count)
        return make_error(ErrorCode::invalid_argument, "targets requested but the set has none");
    for (std::size_t b = 0; b < batch_size; ++b) {
        const std::size_t i = indices[b];
        if (i >= d.count)
            return make_error(ErrorCode::invalid_argument,
                              detail::format("index %zu (batch row %zu) out of range: %zu examples",
                                             i, b, d.count));
        targets[b] = d.targets[i];
    }
    return {};
}

Result<Dataset> subset(const Dataset& d, const std::vector<std::size_t>& indices) {
    using R = Result<Dataset>;
    Error e = validate(d);
    if (!e.ok()) return R::failure(std::move(e));
    R result;
    Dataset& out = result.value;
    out.count = indices.size();
    out.feature_count = d.feature_count;
    out.feature_names = d.feature_names;
    out.target_name = d.target_name;
    try {
        out.features.resize(indices.size() * d.feature_count);
        if (!d.labels.empty()) out.labels.resize(indices.size());
        if (!d.targets.empty()) out.targets.resize(indices.size());
    } catch (const std::bad_alloc&) {
        return R::failure(ErrorCode::too_large, "out of memory");
    }
    e = gather_batch(d, indices.data(), indices.size(), out.features.data(),
                     d.labels.empty() ? nullptr : out.labels.data());
    if (!e.ok()) return R::failure(std::move(e));
    if (!d.targets.empty()) {
        e = gather_targets(d, indices.data(), indices.size(), out.targets.data());
        if (!e.ok()) return R::failure(std::move(e));
    }
    return result;
}

// --- splits -----------------------------------------------------------------------------------

namespace {

Result<IndexSplit> split_order(std::vector<std::size_t> order, double test_fraction) {
    using R = Result<IndexSplit>;
    if (!(test_fraction >= 0.0 && test_fraction <= 1.0))
        return R::failure(ErrorCode::invalid_argument,
                          detail::format("test fraction %g outside [0, 1]", test_fraction));
    const std::size_t n = order.size();
    auto n_test = static_cast<std::size_t>(std::llround(test_fraction * static_cast<double>(n)));
    n_test = std::min(n_test, n);
    R result;
    const auto cut = order.begin() + static_cast<std::ptrdiff_t>(n - n_test);
    result.value.train.assign(order.begin(), cut);
    result.value.test.assign(cut, order.end());
    return result;
}

Result<DatasetSplit> split_dataset(const Dataset& d, Result<IndexSplit> parts) {
    using R = Result<DatasetSplit>;
    if (!parts) return R::failure(std::move(parts.error));
    auto train = subset(d, parts.value.train);
    if (!train) return R::failure(std::move(train.error));
    auto test = subset(d, parts.value.test);
    if (!test) return R::failure(std::move(test.error));
    R result;
    result.value.train = std::move(train.value);
    result.value.test = std::move(test.value);
    return result;
}

Result<std::vector<IndexSplit>> kfold_order(const std::vector<std::size_t>& order, std::size_t k) {
    using R = Result<std::vector<IndexSplit>>;
    const std::size_t n = order.size();
    if (k < 2 || k > n)
        return R::failure(ErrorCode::invalid_argument,
                          detail::format("%zu folds of %zu examples: need 2 <= k <= n", k, n));
    R result;
    result.value.resize(k);
    std::size_t begin = 0;
    for (std::size_t fold = 0; fold < k; ++fold) {
        const std::size_t size = n / k + (fold < n % k ? 1 : 0);
        const std::size_t end = begin + size;
        IndexSplit& s = result.value[fold];
        s.test.assign(order.begin() + static_cast<std::ptrdiff_t>(begin),
                      order.begin() + static_cast<std::ptrdiff_t>(end));
        s.train.reserve(n - size);
        s.train.insert(s.train.end(), order.begin(), order.begin() + static_cast<std::ptrdiff_t>(begin));
        s.train.insert(s.train.end(), order.begin() + static_cast<std::ptrdiff_t>(end), order.end());
        begin = end;
    }
    return result;
}

}  // namespace

Result<IndexSplit> train_test_split_indices(std::size_t n, double test_fraction) {
    return split_order(sequential_indices(n), test_fraction);
}

Result<IndexSplit> train_test_split_indices(std::size_t n, double test_fraction,
                                            tinymlp::Pcg32& rng) {
    if (!(test_fraction >= 0.0 && test_fraction <= 1.0)) return split_order({}, test_fraction);
    return split_order(shuffled_indices(n, rng), test_fraction);
}

Result<DatasetSplit> train_test_split(const Dataset& d, double test_fraction) {
    return split_dataset(d, train_test_split_indices(d.count, test_fraction));
}

Result<DatasetSplit> train_test_split(const Dataset& d, double test_fraction,
                                      tinymlp::Pcg32& rng) {
    return split_dataset(d, train_test_split_indices(d.count, test_fraction, rng));
}

Result<std::vector<IndexSplit>> kfold_indices(std::size_t n, std::size_t k) {
    return kfold_order(sequential_indices(n), k);
}

Result<std::vector<IndexSplit>> kfold_indices(std::size_t n, std::size_t k, tinymlp::Pcg32& rng) {
    if (k < 2 || k > n) return kfold_order(std::vector<std::size_t>(n), k);  // the error
    return kfold_order(shuffled_indices(n, rng), k);
}

// --- standardization -------------------------------------------------------------------------

void Standardizer::apply(float* rows, std::size_t count) const {
    const std::size_t f = mean.size();
    for (std::size_t i = 0; i < count; ++i) {
        float* x = rows + i * f;
        for (std::size_t j = 0; j < f; ++j) x[j] = (x[j] - mean[j]) / stddev[j];
    }
}

Result<Standardizer> fit_standardizer(const Dataset& train, float min_stddev) {
    using R = Result<Standardizer>;
    if (train.features.size() != train.count * train.feature_count)
        return R::failure(ErrorCode::invalid_argument, "features do not match count x feature_count");
    if (train.count == 0)
        return R::failure(ErrorCode::invalid_argument, "cannot fit a standardizer on 0 examples");
    const std::size_t f = train.feature_count;
    std::vector<double> sum(f, 0.0), squares(f, 0.0);
    for (std::size_t i = 0; i < train.count; ++i) {
        const float* x = train.row(i);
        for (std::size_t j = 0; j < f; ++j) sum[j] += x[j];
    }
    const double n = static_cast<double>(train.count);
    for (std::size_t j = 0; j < f; ++j) sum[j] /= n;  // now the mean
    for (std::size_t i = 0; i < train.count; ++i) {
        const float* x = train.row(i);
        for (std::size_t j = 0; j < f; ++j) {
            const double d = x[j] - sum[j];
            squares[j] += d * d;
        }
    }
    R result;
    Standardizer& s = result.value;
    s.mean.resize(f);
    s.stddev.resize(f);
    for (std::size_t j = 0; j < f; ++j) {
        const double sd = std::sqrt(squares[j] / n);
        s.mean[j] = static_cast<float>(sum[j]);
        s.stddev[j] = (sd < static_cast<double>(min_stddev) || !std::isfinite(sd))
                          ? 1.0f
                          : static_cast<float>(sd);
    }
    return result;
}

Error standardize(Dataset& data, const Standardizer& s) {
    if (s.mean.size() != data.feature_count || s.stddev.size() != data.feature_count)
        return make_error(ErrorCode::invalid_argument,
                          detail::format("standardizer for %zu features, data has %zu",
                                         s.mean.size(), data.feature_count));
    if (data.features.size() != data.count * data.feature_count)
        return make_error(ErrorCode::invalid_argument, "features do not match count x feature_count");
    s.apply(data.features.data(), data.count);
    return {};
}

Result<Standardizer> standardize(Dataset& train, Dataset& test, float min_stddev) {
    auto s = fit_standardizer(train, min_stddev);
    if (!s) return s;
    if (test.feature_count != train.feature_count)
        return Result<Standardizer>::failure(
            ErrorCode::invalid_argument,
            detail::format("train has %zu features, test %zu", train.feature_count,
                           test.feature_count));
    Error e = standardize(test, s.value);
    if (!e.ok()) return Result<Standardizer>::failure(std::move(e));
    e = standardize(train, s.value);
    if (!e.ok()) return Result<Standardizer>::failure(std::move(e));
    return s;
}

}  // namespace tinymlp::host
