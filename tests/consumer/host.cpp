// The installed host helpers (tinymlp::host): writes an IDX label file and a CSV file, reads them
// back, and trains a linear classifier on the CSV rows through shuffled batches.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <tinymlp/tinymlp.hpp>
#include <tinymlp_host/datasets.hpp>

namespace host = tinymlp::host;

static bool write(const std::string& path, const void* data, std::size_t n) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(data, 1, n, f) == n;
    return std::fclose(f) == 0 && ok;
}

int main(int, char** argv) {
    const std::string base = std::string(argv[0]) + ".data";

    const unsigned char idx[] = {0, 0, 8, 1, 0, 0, 0, 3, 2, 0, 1};  // labels 2, 0, 1
    if (!write(base + ".idx", idx, sizeof idx)) return 1;
    const auto labels = host::load_idx_labels(base + ".idx");
    if (!labels || labels.value != std::vector<std::int32_t>{2, 0, 1}) {
        std::printf("IDX: %s\n", labels.error.message.c_str());
        return 1;
    }

    // Class 1 when x0 + x1 > 1.
    std::string csv = "x0,x1,class\n";
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j)
            csv += std::to_string(i / 7.0) + "," + std::to_string(j / 7.0) + "," + (i + j > 7 ? "1" : "0") + "\n";
    if (!write(base + ".csv", csv.data(), csv.size())) return 1;
    const auto data = host::load_csv(base + ".csv");
    if (!data || data.value.count != 64 || data.value.feature_names.size() != 2) {
        std::printf("CSV: %s\n", data.error.message.c_str());
        return 1;
    }

    using Net = tinymlp::Sequential<tinymlp::Dense<2, 2>>;
    static Net net;
    net.init(1);
    static tinymlp::Trainer<Net, tinymlp::SoftmaxCrossEntropy, tinymlp::Adam, 8> trainer(net, tinymlp::Adam{0.1});
    tinymlp::Pcg32 rng(5);
    float x[8 * 2];
    std::int32_t y[8];
    for (int epoch = 0; epoch < 60; ++epoch) {
        const std::vector<std::size_t> order = host::shuffled_indices(data.value.count, rng);
        for (std::size_t first = 0; first < order.size(); first += 8) {
            if (!host::gather_batch(data.value, order, first, 8, x, y).ok()) return 1;
            if (trainer.step(x, y) != tinymlp::Status::ok) return 1;
        }
    }
    int correct = 0;
    for (std::size_t n = 0; n < data.value.count; ++n) {
        float p[2];
        if (net.predict(data.value.row(n), p) != tinymlp::Status::ok) return 1;
        correct += (p[1] > p[0]) == (data.value.labels[n] == 1);
    }
    std::printf("consumer_host: IDX labels read, CSV %zu rows, %d/64 correct, gzip %s\n", data.value.count, correct,
                host::gzip_supported() ? "supported" : "not supported");
    std::remove((base + ".idx").c_str());
    std::remove((base + ".csv").c_str());
    return correct >= 60 ? 0 : 1;
}
