// Trains export_test::Net and writes it as a header; with a second path, also trains, quantizes
// and writes export_test::QuantizableNet's int8 network:
//   generate_header <output.hpp> [<quantized output.hpp>]
#include <cstdio>

#include <tinymlp/export.hpp>
#include <tinymlp/quantized_export.hpp>

#include "trained_model.hpp"

namespace {
template <class Model>
bool write(const Model& model, const char* path, const char* name_space) {
    std::FILE* out = std::fopen(path, "w");
    if (!out) return false;
    const bool ok = tinymlp::export_header(model, out, name_space);
    return std::fclose(out) == 0 && ok;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        std::fprintf(stderr, "usage: %s <output header> [<quantized output header>]\n", argv[0]);
        return 2;
    }
    static export_test::Net net;
    export_test::train(net);
    if (!write(net, argv[1], "exported_model")) return 1;
    if (argc == 3) {
        static export_test::QuantizableNet quantizable;
        static export_test::Quantized quantized;
        if (!export_test::train_and_quantize(quantizable, quantized)) return 1;
        if (!write(quantized, argv[2], "exported_quantized_model")) return 1;
    }
    return 0;
}
