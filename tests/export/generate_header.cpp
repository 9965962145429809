// Trains export_test::Net and writes it as a header: generate_header <output.hpp>
#include <cstdio>

#include <tinymlp/export.hpp>

#include "trained_model.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <output header>\n", argv[0]);
        return 2;
    }
    static export_test::Net net;
    export_test::train(net);
    std::FILE* out = std::fopen(argv[1], "w");
    if (!out) return 1;
    const bool ok = tinymlp::export_header(net, out, "exported_model");
    return std::fclose(out) == 0 && ok ? 0 : 1;
}
