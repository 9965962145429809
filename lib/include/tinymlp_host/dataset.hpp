// In-memory dataset and the helpers a training loop needs: shuffled indices (tinymlp::Pcg32, so
// the same seed gives the same order everywhere), batch gathering into caller buffers,
// train/test and K-fold splits, feature standardization.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <tinymlp/random.hpp>

#include "result.hpp"

namespace tinymlp::host {

struct Dataset {
    std::vector<float> features;         // [count][feature_count], row-major
    std::vector<std::int32_t> labels;    // [count] class indices; empty if the set has none
    std::size_t count = 0;               // number of examples
    std::size_t feature_count = 0;       // features per example
    std::vector<float> targets;          // [count] regression targets (CSV, CsvTarget::value)
    std::vector<std::string> feature_names;  // from a CSV header; empty otherwise
    std::string target_name;                 // from a CSV header; empty otherwise

    const float* row(std::size_t i) const { return features.data() + i * feature_count; }
};

// Checks that the vector sizes agree with count and feature_count (labels and targets may be
// empty) and that labels are >= 0.
Error validate(const Dataset& data);

// Largest label + 1 (0 for a set without labels).
std::size_t class_count(const Dataset& data);

// --- indices ----------------------------------------------------------------------------------

// Uniform integer in [0, bound) without modulo bias; bound must be > 0.
std::uint64_t uniform_below(tinymlp::Pcg32& rng, std::uint64_t bound);

// 0, 1, ..., n-1.
std::vector<std::size_t> sequential_indices(std::size_t n);

// Fisher-Yates shuffle in place.
void shuffle_indices(std::vector<std::size_t>& indices, tinymlp::Pcg32& rng);

// A random permutation of 0..n-1.
std::vector<std::size_t> shuffled_indices(std::size_t n, tinymlp::Pcg32& rng);

// --- batches ----------------------------------------------------------------------------------

// Copies the examples indices[0..batch_size) into features [batch_size][feature_count] and, if
// labels is not null, their labels into labels [batch_size]. invalid_argument if an index is out
// of range or labels are asked for but the set has none; nothing is promised about the output
// buffers then.
Error gather_batch(const Dataset& data, const std::size_t* indices, std::size_t batch_size,
                   float* features, std::int32_t* labels);

// Same for the examples indices[first .. first+batch_size) (e.g. one batch of a shuffled epoch).
Error gather_batch(const Dataset& data, const std::vector<std::size_t>& indices,
                   std::size_t first, std::size_t batch_size, float* features,
                   std::int32_t* labels);

// Copies the regression targets of indices[0..batch_size) into targets [batch_size].
Error gather_targets(const Dataset& data, const std::size_t* indices, std::size_t batch_size,
                     float* targets);

// The examples at indices (in that order) as a new set, names carried over.
Result<Dataset> subset(const Dataset& data, const std::vector<std::size_t>& indices);

// --- splits -----------------------------------------------------------------------------------

struct IndexSplit {
    std::vector<std::size_t> train;
    std::vector<std::size_t> test;
};

// test gets round(test_fraction * n) indices. Without rng: test is the last part, in order.
// With rng: a random permutation is split. invalid_argument unless 0 <= test_fraction <= 1.
Result<IndexSplit> train_test_split_indices(std::size_t n, double test_fraction);
Result<IndexSplit> train_test_split_indices(std::size_t n, double test_fraction,
                                            tinymlp::Pcg32& rng);

struct DatasetSplit {
    Dataset train;
    Dataset test;
};

Result<DatasetSplit> train_test_split(const Dataset& data, double test_fraction);
Result<DatasetSplit> train_test_split(const Dataset& data, double test_fraction,
                                      tinymlp::Pcg32& rng);

// K folds: fold i's test part is the i-th of k contiguous chunks of the (shuffled, with rng)
// order, sizes differing by at most one; its train part is everything else, in order.
// invalid_argument unless 2 <= k <= n.
Result<std::vector<IndexSplit>> kfold_indices(std::size_t n, std::size_t k);
Result<std::vector<IndexSplit>> kfold_indices(std::size_t n, std::size_t k, tinymlp::Pcg32& rng);

// --- standardization -------------------------------------------------------------------------

// Per-feature mean and standard deviation (population, computed in double). A feature whose
// standard deviation is below min_stddev gets stddev 1, so it is only centred.
struct Standardizer {
    std::vector<float> mean;
    std::vector<float> stddev;

    std::size_t feature_count() const { return mean.size(); }
    // rows [count][feature_count()] in place: x = (x - mean) / stddev.
    void apply(float* rows, std::size_t count) const;
};

// Fit on the training set (needs count >= 1), then apply the same to train and test.
Result<Standardizer> fit_standardizer(const Dataset& train, float min_stddev = 1e-6f);
Error standardize(Dataset& data, const Standardizer& standardizer);

// fit on train, apply to both.
Result<Standardizer> standardize(Dataset& train, Dataset& test, float min_stddev = 1e-6f);

}  // namespace tinymlp::host
