// The C++ side of the integer interop test (tests/interop/test_interop_quantized.py): one fixed
// network, its int8 and int16 forms loaded from the blobs tools/pytorch_interop.py writes.
//
//   interop_quantized predict int8|int16 BLOB INPUTS.bin OUTPUTS.bin
//       loads BLOB, runs predict() on every integer sample of INPUTS.bin ([N][6] int8 or int16),
//       writes the integer outputs [N][3]
//   interop_quantized resave int8|int16 BLOB OUT        loads BLOB, saves it again (save_blob)
//   interop_quantized header int8|int16 BLOB OUT.hpp    loads BLOB, writes export_header(q, "model")
//
// A blob the loader refuses prints "load_blob: <BlobStatus>" on stderr and exits 1.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include <tinymlp/quantized_blob.hpp>
#include <tinymlp/quantized_export.hpp>
#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;

namespace {

using Net = Sequential<Dense<6, 16>, ReLU, Dense<16, 12>, ReLU, Dropout<10>, Dense<12, 3>, Softmax>;

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
    return ok;
}

bool write_file(const char* path, const void* data, std::size_t n) {
    std::FILE* file = std::fopen(path, "wb");
    if (!file) return false;
    const bool ok = std::fwrite(data, 1, n, file) == n;
    return std::fclose(file) == 0 && ok;
}

template <class A>
int run(const char* command, int argc, char** argv) {
    using Q = QuantizedNetwork<Net, A>;
    static Q q;
    std::vector<unsigned char> blob;
    if (argc < 4 || !read_file(argv[3], blob)) return 2;
    if (const BlobStatus s = load_blob(q, blob.data(), blob.size()); s != BlobStatus::ok) {
        std::fprintf(stderr, "load_blob: %s\n", to_string(s));
        return 1;
    }
    if (std::strcmp(command, "predict") == 0 && argc == 6) {
        std::vector<unsigned char> bytes;
        if (!read_file(argv[4], bytes) || bytes.size() % (Net::input_size * sizeof(A)) != 0) return 2;
        const std::size_t n = bytes.size() / (Net::input_size * sizeof(A));
        std::vector<A> x(n * Net::input_size), y(n * Q::output_size);
        std::memcpy(x.data(), bytes.data(), bytes.size());
        for (std::size_t i = 0; i < n; ++i) q.predict(&x[i * Net::input_size], &y[i * Q::output_size]);
        return write_file(argv[5], y.data(), y.size() * sizeof(A)) ? 0 : 2;
    }
    if (std::strcmp(command, "resave") == 0 && argc == 5) {
        std::vector<unsigned char> out(quantized_blob_bytes<Net, A>);
        return save_blob(q, out.data(), out.size()) == BlobStatus::ok && write_file(argv[4], out.data(), out.size()) ? 0 : 2;
    }
    if (std::strcmp(command, "header") == 0 && argc == 5) {
        std::FILE* file = std::fopen(argv[4], "w");
        if (!file) return 2;
        const bool ok = export_header(q, file, "model");
        return std::fclose(file) == 0 && ok ? 0 : 2;
    }
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[2], "int8") == 0) return run<std::int8_t>(argv[1], argc, argv);
    if (argc >= 3 && std::strcmp(argv[2], "int16") == 0) return run<std::int16_t>(argv[1], argc, argv);
    std::fprintf(stderr, "usage: %s predict|resave|header int8|int16 BLOB ...\n", argv[0]);
    return 2;
}
