// Model selection on a real data set, as the textbook describes it:
//  1. hold out a test set and do not look at it while choosing;
//  2. K-fold cross-validation (K = 5) on the rest picks the hidden width (8, 32 or 128) and the
//     weight decay of a one-hidden-layer ReLU MLP by mean validation accuracy;
//  3. the chosen model is trained with early stopping on a train / validation split: after every
//     epoch the validation loss is measured, the best weights are kept (save_blob into a memory
//     buffer), training stops after `patience` epochs without improvement, and the best weights are
//     restored (load_blob) before the test set is used, once.
// Data: scikit-learn's digits (1797 8x8 images, 10 classes; Debian python3-sklearn ships them as
// sklearn/datasets/data/digits.csv.gz, read with tinymlp::host::load_csv), or a Fashion-MNIST
// subset (6000 train, 2000 test). --dataset auto (the default) takes digits if installed, else
// Fashion-MNIST; exit 77 if neither is.
//
//   build/x86-avx2/examples/model_selection                     # writes model_selection.csv
//   build/x86-avx2/examples/model_selection --dataset fashion
//   build/x86-avx2/examples/model_selection --short             # 3 epochs per fold (ctest)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <tinymlp/tinymlp.hpp>
#include <tinymlp_host/datasets.hpp>

#include "common/args.hpp"
#include "common/classify.hpp"
#include "common/csv.hpp"
#include "common/progress.hpp"

using namespace tinymlp;
namespace host = tinymlp::host;

namespace {

constexpr std::size_t batch = 32, classes = 10;
const char* const digits_default = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

struct EpochLog {
    double train_loss = 0, val_loss = 0, val_acc = 0;
};

struct RunConfig {
    std::size_t width = 32;
    double weight_decay = 0;
    double learning_rate = 0.1;
    long epochs = 30;
    long patience = 0;  // early stopping after this many epochs without a better validation loss; 0: off
    std::uint64_t seed = 1;
};

struct RunResult {
    std::vector<EpochLog> log;
    examples::Metrics val;  // at the end (with the restored weights when stopping early)
    long best_epoch = 0;
    examples::Metrics test_last, test_best;  // early stopping only
};

// Trains a fresh In-W-10 ReLU MLP with SGD on `train`, validating on `val` after every epoch.
template <std::size_t In, std::size_t W>
RunResult train_run(const host::Dataset& train, const host::Dataset& val, const host::Dataset* test,
                    const RunConfig& config, examples::Progress* progress, std::size_t& progress_done) {
    using Net = Sequential<Dense<In, W>, ReLU, Dense<W, classes>>;
    using TrainerT = Trainer<Net, SoftmaxCrossEntropy, Sgd, batch>;
    static Net net;
    static TrainerT trainer(net);
    Pcg32 rng(config.seed);
    net.init(rng);
    trainer.state() = {};
    trainer.optimizer() = Sgd{config.learning_rate};
    trainer.regularization() = Regularization{config.weight_decay};

    RunResult result;
    std::vector<unsigned char> best(blob_bytes<Net>);
    double best_loss = INFINITY;
    long since_best = 0;
    std::vector<std::size_t> order = host::sequential_indices(train.count);
    for (long epoch = 1; epoch <= config.epochs; ++epoch) {
        host::shuffle_indices(order, rng);
        examples::Metrics fit;
        if (!examples::train_epoch(trainer, train, order, fit)) return result;
        const examples::Metrics v = examples::evaluate(trainer, val);
        result.log.push_back({fit.loss, v.loss, v.accuracy});
        if (progress) progress->update(++progress_done, fit.loss);
        if (config.patience > 0) {
            if (v.loss < best_loss) {
                best_loss = v.loss;
                result.best_epoch = epoch;
                since_best = 0;
                if (save_blob(net, best.data(), best.size()) != BlobStatus::ok) return result;
            } else if (++since_best >= config.patience) {
                break;
            }
        }
    }
    if (config.patience > 0) {
        if (test) result.test_last = examples::evaluate(trainer, *test);
        if (const BlobStatus s = load_blob(net, best.data(), best.size()); s != BlobStatus::ok) {
            std::fprintf(stderr, "load_blob: %s\n", to_string(s));
            return result;
        }
        if (test) result.test_best = examples::evaluate(trainer, *test);
    }
    result.val = examples::evaluate(trainer, val);
    return result;
}

template <std::size_t In>
RunResult train_width(const host::Dataset& train, const host::Dataset& val, const host::Dataset* test,
                      const RunConfig& config, examples::Progress* progress, std::size_t& done) {
    switch (config.width) {
        case 8: return train_run<In, 8>(train, val, test, config, progress, done);
        case 32: return train_run<In, 32>(train, val, test, config, progress, done);
        case 128: return train_run<In, 128>(train, val, test, config, progress, done);
    }
    std::fprintf(stderr, "model_selection: width %zu is not compiled in (8, 32, 128)\n", config.width);
    return {};
}

RunResult train_any(const host::Dataset& train, const host::Dataset& val, const host::Dataset* test,
                    const RunConfig& config, examples::Progress* progress, std::size_t& done) {
    if (train.feature_count == 64) return train_width<64>(train, val, test, config, progress, done);
    return train_width<784>(train, val, test, config, progress, done);
}

host::Dataset take(const host::Dataset& data, const std::vector<std::size_t>& indices) {
    return host::subset(data, indices).value;
}

// Loads the data set; returns 0, 77 (not installed) or 1 (error).
int load(const std::string& which, const std::string& path, std::uint64_t seed, host::Dataset& pool,
         host::Dataset& test, std::string& name) {
    const std::string digits_path = path.empty() ? digits_default : path;
    if (which == "digits" || (which == "auto" && host::file_exists(digits_path))) {
        host::CsvOptions options;
        options.header = host::CsvHeader::absent;
        auto digits = host::load_csv(digits_path, options);
        if (!digits) {
            std::printf("digits: %s\n", digits.error.message.c_str());
            return digits.error.code == host::ErrorCode::not_found ? 77 : 1;
        }
        for (float& v : digits.value.features) v /= 16.0f;  // pixel counts 0..16 -> [0, 1]
        Pcg32 rng(seed + 100);
        auto split = host::train_test_split(digits.value, 0.2, rng);
        if (!split) return 1;
        pool = std::move(split.value.train);
        test = std::move(split.value.test);
        name = "scikit-learn digits (" + digits_path + ")";
        return 0;
    }
    if (which != "fashion" && which != "auto") {
        std::fprintf(stderr, "model_selection: --dataset must be auto, digits or fashion\n");
        return 2;
    }
    const std::string dir = which == "fashion" && !path.empty() ? path : host::fashion_mnist_default_dir();
    auto train = host::load_fashion_mnist(dir, host::Split::train);
    auto full_test = train ? host::load_fashion_mnist(dir, host::Split::test) : train;
    if (!train || !full_test) {
        const host::Error& e = train ? full_test.error : train.error;
        std::printf("%s: neither scikit-learn's digits (python3-sklearn) nor Fashion-MNIST "
                    "(dataset-fashion-mnist) is installed: skipped\n", e.message.c_str());
        return e.code == host::ErrorCode::not_found ? 77 : 1;
    }
    Pcg32 rng(seed + 100);
    std::vector<std::size_t> a = host::shuffled_indices(train.value.count, rng), b = host::shuffled_indices(full_test.value.count, rng);
    a.resize(6000);
    b.resize(2000);
    pool = take(train.value, a);
    test = take(full_test.value, b);
    name = "Fashion-MNIST subset (" + dir + ")";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    examples::Args args("model_selection", "K-fold cross-validation and early stopping on a real data set.");
    args.flag("--short", "quick run for ctest: 3 epochs per fold, early stopping within 6 epochs");
    args.option("--dataset", "NAME", "auto", "auto, digits or fashion");
    args.option("--data", "PATH", "", "digits CSV (default: " + std::string(digits_default) + ") or Fashion-MNIST dir");
    args.option("--csv", "FILE", "model_selection.csv", "per-epoch log of every candidate (mean over folds) and the final run");
    args.option("--folds", "K", "5", "folds");
    args.option("--widths", "LIST", "8,32,128", "hidden widths to compare (each of 8, 32, 128)");
    args.option("--wd", "LIST", "0,0.001", "weight decays to compare");
    args.option("--epochs", "N", "30", "epochs per fold");
    args.option("--max-epochs", "N", "200", "epoch limit of the early-stopping run");
    args.option("--patience", "N", "10", "epochs without a better validation loss before stopping");
    args.option("--lr", "RATE", "0.1", "SGD learning rate (batch 32)");
    args.option("--seed", "N", "1", "seed of the splits, initialisation and shuffling");
    args.parse(argc, argv);
    const bool short_mode = args.has("--short");
    const long folds = args.integer("--folds");
    const long epochs = short_mode && !args.has("--epochs") ? 3 : args.integer("--epochs");
    const long max_epochs = short_mode && !args.has("--max-epochs") ? 6 : args.integer("--max-epochs");
    const long patience = short_mode && !args.has("--patience") ? 2 : args.integer("--patience");
    const double lr = args.number("--lr");
    const auto seed = static_cast<std::uint64_t>(args.integer("--seed"));
    const std::vector<double> widths = args.numbers("--widths"), decays = args.numbers("--wd");
    if (folds < 2 || epochs < 1 || max_epochs < 1 || patience < 1 || lr <= 0 || widths.empty() || decays.empty())
        args.fail("need --folds >= 2, --epochs, --max-epochs, --patience >= 1, --lr > 0, non-empty lists");
    for (double w : widths)
        if (w != 8 && w != 32 && w != 128) args.fail("--widths: each must be 8, 32 or 128 (compiled in)");

    host::Dataset pool, test;
    std::string name;
    if (const int rc = load(args.text("--dataset"), args.text("--data"), seed, pool, test, name); rc != 0) return rc;
    std::printf("data: %s; %zu samples for model selection, %zu held out for the test (%zu features)\n",
                name.c_str(), pool.count, test.count, pool.feature_count);

    examples::CsvWriter csv;
    if (!csv.open(args.text("--csv"), {"run", "epoch", "train_loss", "val_loss", "val_acc"})) return 1;

    // --- K-fold cross-validation ----------------------------------------------------------------
    Pcg32 fold_rng(seed + 200);
    const auto splits = host::kfold_indices(pool.count, static_cast<std::size_t>(folds), fold_rng);
    if (!splits) {
        std::fprintf(stderr, "kfold: %s\n", splits.error.message.c_str());
        return 1;
    }
    std::vector<host::Dataset> fold_train, fold_val;
    for (const host::IndexSplit& s : splits.value) {
        fold_train.push_back(take(pool, s.train));
        fold_val.push_back(take(pool, s.test));
    }
    std::printf("%ld-fold cross-validation, %ld epochs per fold, SGD lr %g, batch %zu, %zu-W-10 ReLU MLP:\n", folds,
                epochs, lr, batch, pool.feature_count);

    struct Candidate {
        std::size_t width;
        double weight_decay;
        double mean = 0, stddev = 0;
    };
    std::vector<Candidate> candidates;
    for (double w : widths)
        for (double d : decays) candidates.push_back({static_cast<std::size_t>(w), d});
    const std::size_t total = candidates.size() * static_cast<std::size_t>(folds * epochs);
    std::size_t done = 0;
    examples::Progress progress("cross-validation", total, pool.count / static_cast<std::size_t>(folds) * (folds - 1));
    std::vector<std::string> lines;
    for (Candidate& c : candidates) {
        std::vector<double> accuracy;
        std::vector<EpochLog> mean_log(static_cast<std::size_t>(epochs));
        for (long k = 0; k < folds; ++k) {
            RunConfig config{c.width, c.weight_decay, lr, epochs, 0, seed + static_cast<std::uint64_t>(k)};
            const RunResult r = train_any(fold_train[k], fold_val[k], nullptr, config, &progress, done);
            accuracy.push_back(r.val.accuracy);
            for (std::size_t e = 0; e < r.log.size() && e < mean_log.size(); ++e) {
                mean_log[e].train_loss += r.log[e].train_loss / folds;
                mean_log[e].val_loss += r.log[e].val_loss / folds;
                mean_log[e].val_acc += r.log[e].val_acc / folds;
            }
        }
        for (double a : accuracy) c.mean += a / folds;
        for (double a : accuracy) c.stddev += (a - c.mean) * (a - c.mean) / folds;
        c.stddev = std::sqrt(c.stddev);
        char run[64];
        std::snprintf(run, sizeof run, "cv_width%zu_wd%g", c.width, c.weight_decay);
        for (std::size_t e = 0; e < mean_log.size(); ++e)
            csv.row(run, e + 1, mean_log[e].train_loss, mean_log[e].val_loss, mean_log[e].val_acc);
        std::string line;
        char text[160];
        std::snprintf(text, sizeof text, "  width %3zu, weight decay %-7g: validation accuracy %.4f +- %.4f  (folds:",
                      c.width, c.weight_decay, c.mean, c.stddev);
        line = text;
        for (double a : accuracy) {
            std::snprintf(text, sizeof text, " %.3f", a);
            line += text;
        }
        lines.push_back(line + ")");
    }
    progress.finish();
    for (const std::string& line : lines) std::printf("%s\n", line.c_str());
    // Best mean accuracy; on a near tie (within 0.001) the candidate listed first (smaller width,
    // then smaller decay).
    const Candidate* chosen = &candidates[0];
    for (const Candidate& c : candidates)
        if (c.mean > chosen->mean + 1e-3) chosen = &c;
    std::printf("chosen: width %zu, weight decay %g (cross-validation took %.1f s)\n", chosen->width,
                chosen->weight_decay, progress.seconds());

    // --- early stopping ----------------------------------------------------------------------
    Pcg32 split_rng(seed + 300);
    auto split = host::train_test_split(pool, 0.2, split_rng);
    if (!split) return 1;
    RunConfig config{chosen->width, chosen->weight_decay, lr, max_epochs, patience, seed + 1000};
    std::size_t ignored = 0;
    const RunResult final_run = train_any(split.value.train, split.value.test, &test, config, nullptr, ignored);
    char run[64];
    std::snprintf(run, sizeof run, "early_stopping_width%zu", chosen->width);
    for (std::size_t e = 0; e < final_run.log.size(); ++e)
        csv.row(run, e + 1, final_run.log[e].train_loss, final_run.log[e].val_loss, final_run.log[e].val_acc);
    std::printf("early stopping on %zu train / %zu validation samples (patience %ld, at most %ld epochs):\n",
                split.value.train.count, split.value.test.count, patience, max_epochs);
    const EpochLog& best = final_run.log[static_cast<std::size_t>(final_run.best_epoch - 1)];
    std::printf("  stopped after epoch %zu; best validation loss %.4f (accuracy %.4f) at epoch %ld, restored\n",
                final_run.log.size(), best.val_loss, best.val_acc, final_run.best_epoch);
    std::printf("  test accuracy (%zu held-out samples): %.4f with the restored best weights, %.4f with the "
                "last epoch's\n", test.count, final_run.test_best.accuracy, final_run.test_last.accuracy);
    std::printf("  test loss: %.4f restored, %.4f last\n", final_run.test_best.loss, final_run.test_last.loss);
    std::printf("log: %s\n", args.text("--csv").c_str());
    return final_run.best_epoch > 0 ? 0 : 1;
}
