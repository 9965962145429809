// libFuzzer target: arbitrary bytes into the host parsers (IDX images, IDX labels, an IDX
// images + labels pair, numeric CSV under every option combination). Any input must give a
// value or an error, never a crash or an out-of-bounds read; a value must be self-consistent.
// The first byte picks the parser and the CSV options; the rest is the input.
#include <cstdint>
#include <cstdlib>

#include <tinymlp_host/datasets.hpp>

namespace host = tinymlp::host;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const unsigned mode = data[0];
    ++data;
    --size;
    switch (mode % 4) {
        case 0: {
            const auto r = host::parse_idx_images(data, size);
            if (r.ok() && (r.value.pixels.size() != r.value.count * r.value.rows * r.value.cols ||
                           r.value.pixels.size() + 16 != size))
                std::abort();
            if (!r.ok() && r.error.message.empty()) std::abort();
            break;
        }
        case 1: {
            const auto r = host::parse_idx_labels(data, size);
            if (r.ok() && r.value.size() + 8 != size) std::abort();
            if (!r.ok() && r.error.message.empty()) std::abort();
            break;
        }
        case 2: {
            const std::size_t half = size / 2;
            const auto r = host::parse_idx_dataset(data, half, data + half, size - half);
            if (r.ok() && !host::validate(r.value).ok()) std::abort();
            break;
        }
        default: {
            host::CsvOptions options;
            options.header = static_cast<host::CsvHeader>(mode / 4 % 3);
            options.target = static_cast<host::CsvTarget>(mode / 12 % 3);
            options.label_column = static_cast<int>(mode / 36 % 4) - 2;  // -2 .. 1
            options.delimiter = (mode & 0x80u) ? '\t' : ',';
            const auto r = host::parse_csv(reinterpret_cast<const char*>(data), size, options);
            if (r.ok() && !host::validate(r.value).ok()) std::abort();
            if (r.ok() && r.value.count == 0) std::abort();
            if (!r.ok() && r.error.message.empty()) std::abort();
            break;
        }
    }
    return 0;
}
