// The C++ side of the PyTorch interop test (tests/interop/test_interop.py): one fixed network,
// driven through blobs and raw float32 / int32 files written by the Python side.
//
//   interop_roundtrip spell
//       prints the layer list and the topology signature
//   interop_roundtrip predict BLOB INPUTS.bin OUTPUTS.bin
//       loads BLOB, runs predict() on every sample of INPUTS.bin ([N][6] float32), writes [N][3]
//   interop_roundtrip train BLOB_IN INPUTS.bin LABELS.bin BLOB_OUT [TRAINING_BLOB_OUT]
//       loads BLOB_IN, trains with Adam and SoftmaxCrossEntropy on the samples (N a multiple of
//       the batch size; labels int32), saves the parameters to BLOB_OUT and, if given, the
//       parameters with the Adam state to TRAINING_BLOB_OUT
//   interop_roundtrip header BLOB OUT.hpp
//       loads BLOB and writes it with tinymlp::export_header(net, file, "model")
//   interop_roundtrip resave BLOB OUT
//       loads BLOB and writes the network again with tinymlp::save_blob
//
// Files are in the machine's byte order (the test runs on the host). A blob the loader refuses
// prints "load_blob: <BlobStatus>" on stderr and exits 1.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <tinymlp/blob.hpp>
#include <tinymlp/export.hpp>
#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;

namespace {

using Net = Sequential<Dense<6, 16>, PReLU<Slopes::per_unit>, Dense<16, 12>, LeakyReLU<1, 10>,
                       Dense<12, 8, Bias::off>, Tanh, Dense<8, 3>, Softmax>;
constexpr std::size_t batch = 8;
constexpr int epochs = 30;
using AdamTrainer = Trainer<Net, SoftmaxCrossEntropy, Adam, batch>;

bool read_file(const char* path, std::vector<unsigned char>& out) {
    std::FILE* file = std::fopen(path, "rb");
    if (!file) {
        std::fprintf(stderr, "cannot open %s\n", path);
        return false;
    }
    out.clear();
    unsigned char chunk[4096];
    std::size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) out.insert(out.end(), chunk, chunk + n);
    const bool ok = !std::ferror(file);
    std::fclose(file);
    if (!ok) std::fprintf(stderr, "cannot read %s\n", path);
    return ok;
}

bool write_file(const char* path, const void* data, std::size_t n) {
    std::FILE* file = std::fopen(path, "wb");
    if (!file) {
        std::fprintf(stderr, "cannot create %s\n", path);
        return false;
    }
    const bool ok = std::fwrite(data, 1, n, file) == n;
    return std::fclose(file) == 0 && ok;
}

template <class T>
bool read_array(const char* path, std::size_t per_sample, std::vector<T>& out, std::size_t& samples) {
    std::vector<unsigned char> bytes;
    if (!read_file(path, bytes)) return false;
    if (bytes.size() % (per_sample * sizeof(T)) != 0) {
        std::fprintf(stderr, "%s: %lu bytes is not a whole number of samples of %lu values\n", path,
                     static_cast<unsigned long>(bytes.size()), static_cast<unsigned long>(per_sample));
        return false;
    }
    out.resize(bytes.size() / sizeof(T));
    if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    samples = out.size() / per_sample;
    return true;
}

bool load(const char* path, Net& net) {
    std::vector<unsigned char> bytes;
    if (!read_file(path, bytes)) return false;
    const BlobStatus status = load_blob(net, bytes.data(), bytes.size());
    if (status != BlobStatus::ok) {
        std::fprintf(stderr, "load_blob: %s\n", to_string(status));
        return false;
    }
    return true;
}

bool save(const char* path, const Net& net) {
    static unsigned char blob[blob_bytes<Net>];
    const BlobStatus status = save_blob(net, blob, sizeof blob);
    if (status != BlobStatus::ok) {
        std::fprintf(stderr, "save_blob: %s\n", to_string(status));
        return false;
    }
    return write_file(path, blob, sizeof blob);
}

int spell() {
    char text[Net::spelling_capacity];
    (void)Net::spell_layers(text, sizeof text);
    std::printf("%s\n0x%016llx %lu\n", text, static_cast<unsigned long long>(Net::topology_signature()),
                static_cast<unsigned long>(Net::parameter_count));
    return 0;
}

int predict(const char* blob, const char* inputs, const char* outputs) {
    static Net net;
    if (!load(blob, net)) return 1;
    std::vector<float> x;
    std::size_t samples = 0;
    if (!read_array(inputs, Net::input_size, x, samples)) return 1;
    std::vector<float> y(samples * Net::output_size);
    for (std::size_t n = 0; n < samples; ++n) {
        const Status status = net.predict(&x[n * Net::input_size], &y[n * Net::output_size]);
        if (status != Status::ok) {
            std::fprintf(stderr, "predict, sample %lu: %s\n", static_cast<unsigned long>(n), to_string(status));
            return 1;
        }
    }
    return write_file(outputs, y.data(), y.size() * sizeof(float)) ? 0 : 1;
}

int train(const char* blob_in, const char* inputs, const char* labels_path, const char* blob_out,
          const char* training_blob_out) {
    static Net net;
    if (!load(blob_in, net)) return 1;
    std::vector<float> x;
    std::vector<std::int32_t> labels;
    std::size_t samples = 0, label_count = 0;
    if (!read_array(inputs, Net::input_size, x, samples) || !read_array(labels_path, 1, labels, label_count))
        return 1;
    if (samples != label_count || samples == 0 || samples % batch != 0) {
        std::fprintf(stderr, "train: %lu samples and %lu labels (need equal counts, a multiple of %lu)\n",
                     static_cast<unsigned long>(samples), static_cast<unsigned long>(label_count),
                     static_cast<unsigned long>(batch));
        return 1;
    }
    static AdamTrainer trainer(net, Adam{0.01});
    float first = 0, last = 0;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        float sum = 0;
        for (std::size_t at = 0; at < samples; at += batch) {
            float loss = 0;
            const Status status = trainer.step(&x[at * Net::input_size], &labels[at], &loss);
            if (status != Status::ok) {
                std::fprintf(stderr, "train, epoch %d, sample %lu: %s\n", epoch, static_cast<unsigned long>(at),
                             to_string(status));
                return 1;
            }
            sum += loss;
        }
        const float mean = sum / static_cast<float>(samples / batch);
        if (epoch == 0) first = mean;
        last = mean;
    }
    std::printf("trained %d epochs, %lu Adam steps: mean loss %.6f -> %.6f\n", epochs,
                static_cast<unsigned long>(trainer.state().steps), static_cast<double>(first),
                static_cast<double>(last));
    if (!save(blob_out, net)) return 1;
    if (training_blob_out) {
        static unsigned char blob[training_blob_bytes<AdamTrainer>];
        const BlobStatus status = save_training_blob(trainer, blob, sizeof blob);
        if (status != BlobStatus::ok) {
            std::fprintf(stderr, "save_training_blob: %s\n", to_string(status));
            return 1;
        }
        if (!write_file(training_blob_out, blob, sizeof blob)) return 1;
    }
    return 0;
}

int header(const char* blob, const char* out_path) {
    static Net net;
    if (!load(blob, net)) return 1;
    std::FILE* out = std::fopen(out_path, "w");
    if (!out) {
        std::fprintf(stderr, "cannot create %s\n", out_path);
        return 1;
    }
    const bool ok = export_header(net, out, "model");
    return std::fclose(out) == 0 && ok ? 0 : 1;
}

int resave(const char* blob, const char* out_path) {
    static Net net;
    if (!load(blob, net)) return 1;
    return save(out_path, net) ? 0 : 1;
}

int usage(const char* program) {
    std::fprintf(stderr,
                 "usage: %s spell\n"
                 "       %s predict BLOB INPUTS.bin OUTPUTS.bin\n"
                 "       %s train BLOB_IN INPUTS.bin LABELS.bin BLOB_OUT [TRAINING_BLOB_OUT]\n"
                 "       %s header BLOB OUT.hpp\n"
                 "       %s resave BLOB OUT\n",
                 program, program, program, program, program);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "spell" && argc == 2) return spell();
    if (command == "predict" && argc == 5) return predict(argv[2], argv[3], argv[4]);
    if (command == "train" && (argc == 6 || argc == 7))
        return train(argv[2], argv[3], argv[4], argv[5], argc == 7 ? argv[6] : nullptr);
    if (command == "header" && argc == 4) return header(argv[2], argv[3]);
    if (command == "resave" && argc == 4) return resave(argv[2], argv[3]);
    return usage(argv[0]);
}
