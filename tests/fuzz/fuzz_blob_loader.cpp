// libFuzzer target: arbitrary bytes into the blob loaders (parameters, and parameters with
// optimizer state). Any input must give a status, never a crash or a read out of bounds; on any
// status but ok the network must be left untouched.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;

namespace {
using Net = Sequential<Dense<4, 6>, Tanh, Dense<6, 3>>;
Net net, reference;
Trainer<Net, SoftmaxCrossEntropy, Adam, 2> trainer(net);

void load_both(const std::uint8_t* data, std::size_t size) {
    reference.init(1);
    net = reference;
    if (load_blob(net, data, size) != BlobStatus::ok &&
        std::memcmp(net.parameters(), reference.parameters(), Net::parameter_bytes) != 0)
        std::abort();
    net = reference;
    if (load_training_blob(trainer, data, size) != BlobStatus::ok &&
        std::memcmp(net.parameters(), reference.parameters(), Net::parameter_bytes) != 0)
        std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    load_both(data, size);
    // The same bytes with a valid CRC, so that the field checks behind the checksum get explored.
    static std::uint8_t sealed[1 << 16];
    if (size >= 8 && size <= sizeof sealed) {
        std::memcpy(sealed, data, size);
        const std::uint32_t crc = crc32_update(0, sealed, size - 4);
        std::memcpy(sealed + size - 4, &crc, 4);
        load_both(sealed, size);
    }
    return 0;
}
