// Blobs of quantized networks (quantized_blob.hpp): a round trip gives the same network (its
// predictions and its bytes), sizes are the documented layout's, and every damaged or foreign
// blob is refused with its own status before a byte of the network is written.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include <tinymlp/quantized_blob.hpp>
#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

using Net = Sequential<Dense<12, 20>, ReLU, Dense<20, 9>, ReLU, Dense<9, 5>>;
using Other = Sequential<Dense<12, 20>, ReLU, Dense<20, 9>, Dense<9, 5>>;  // same sizes, no second ReLU

template <class A>
QuantizedNetwork<Net, A>& quantized_network() {
    static Net net;
    static QuantizedNetwork<Net, A> q;
    static float samples[64 * 12];
    net.init(3);
    Pcg32 rng(5);
    for (float& v : samples) v = rng.uniform_float() * 2 - 1;
    CHECK(quantize(net, samples, 64, q) == QuantizationStatus::ok);
    return q;
}

template <class A>
using Blob = unsigned char[quantized_blob_bytes<Net, A>];

// The blob's CRC recomputed after an edit, so that only the edited value can refuse it.
void reseal(unsigned char* blob, std::size_t size) {
    const std::uint32_t crc = crc32_update(0, blob, size - 4);
    std::memcpy(blob + size - 4, &crc, 4);
}

template <class A>
void round_trip_and_refusals(const char* kind) {
    using Q = QuantizedNetwork<Net, A>;
    constexpr std::size_t size = quantized_blob_bytes<Net, A>;
    const Q& q = quantized_network<A>();
    static Blob<A> blob, again;
    CHECK(save_blob(q, blob, size) == BlobStatus::ok);
    CHECK(save_blob(q, blob, size - 1) == BlobStatus::buffer_too_small);

    static Q loaded;
    CHECK(load_blob(loaded, blob, size) == BlobStatus::ok);
    CHECK(save_blob(loaded, again, size) == BlobStatus::ok);
    CHECK(std::memcmp(blob, again, size) == 0);
    A x[Net::input_size], y[Q::output_size], y_loaded[Q::output_size];
    Pcg32 rng(11);
    for (int n = 0; n < 20; ++n) {
        for (A& v : x) v = static_cast<A>(static_cast<std::int32_t>(rng.next_u32() % 201) - 100);
        q.predict(x, y);
        loaded.predict(x, y_loaded);
        CHECK(std::memcmp(y, y_loaded, sizeof y) == 0);
    }

    // every refusal leaves the network's bytes as they were
    const auto refused = [&](const unsigned char* data, std::size_t n, BlobStatus expected) {
        static Q target;
        target = loaded;
        const BlobStatus status = load_blob(target, data, n);
        static Blob<A> after;
        CHECK(save_blob(target, after, size) == BlobStatus::ok);
        const bool untouched = std::memcmp(after, blob, size) == 0;
        if (status != expected || !untouched)
            std::printf("  %s: got %s, expected %s, network %s\n", kind, to_string(status), to_string(expected),
                        untouched ? "untouched" : "CHANGED");
        CHECK(status == expected && untouched);
    };
    static Blob<A> bad;
    const auto edit = [&](std::size_t at, unsigned char value, bool seal) {
        std::memcpy(bad, blob, size);
        bad[at] = value;
        if (seal) reseal(bad, size);
        return bad;
    };
    refused(blob, size - 1, BlobStatus::truncated);
    refused(blob, 20, BlobStatus::truncated);
    refused(edit(0, 'X', false), size, BlobStatus::bad_magic);
    refused(edit(4, 9, false), size, BlobStatus::unsupported_version);
    refused(edit(6, 3, false), size, BlobStatus::wrong_byte_order);
    refused(edit(8, static_cast<unsigned char>(blob[8] ^ 1), false), size, BlobStatus::wrong_topology);
    refused(edit(16, static_cast<unsigned char>(blob[16] + 1), false), size, BlobStatus::wrong_parameter_count);
    refused(edit(36, static_cast<unsigned char>(blob[36] + 1), false), size, BlobStatus::inconsistent_size);
    refused(edit(48 + 3, static_cast<unsigned char>(blob[48 + 3] ^ 0x10), false), size, BlobStatus::bad_checksum);
    // values no network runs with, under a correct CRC: the input's scale (NaN), a multiplier,
    // a clamp
    refused(edit(40 + 3, 0x7f, true), size, BlobStatus::invalid_quantization);  // scale's top byte: NaN
    {
        constexpr std::size_t multipliers = 48 + 12 * 20 + 20 * sizeof(typename Q::bias_type);
        std::memcpy(bad, blob, size);
        const std::int32_t small = 12345;
        std::memcpy(bad + multipliers, &small, 4);
        reseal(bad, size);
        refused(bad, size, BlobStatus::invalid_quantization);
        const std::size_t params = multipliers + 20 * 8;
        std::memcpy(bad, blob, size);
        const std::int32_t high = 40000;  // activation max beyond the type
        std::memcpy(bad + params + 12, &high, 4);
        reseal(bad, size);
        refused(bad, size, BlobStatus::invalid_quantization);
    }
    // a foreign network of the same sizes, and float blobs
    static QuantizedNetwork<Other, A> other;
    CHECK(load_blob(other, blob, size) == BlobStatus::wrong_topology);
    static Net float_net;
    CHECK(load_blob(float_net, blob, size) == BlobStatus::wrong_scalar_type);
    static unsigned char float_blob[blob_bytes<Net>];
    CHECK(save_blob(float_net, float_blob, sizeof float_blob) == BlobStatus::ok);
    refused(float_blob, sizeof float_blob, BlobStatus::wrong_scalar_type);

    // a source that reads otherwise the second time
    struct Changing {
        const unsigned char* data;
        std::size_t reads = 0;
        static bool read(void* context, std::size_t offset, void* out, std::size_t n) {
            auto* self = static_cast<Changing*>(context);
            std::memcpy(out, self->data + offset, n);
            // the second pass starts again at the input quantization: flip a weight then
            if (offset >= 48 && offset < 48 + 12 * 20 && ++self->reads > 1) static_cast<unsigned char*>(out)[0] ^= 1;
            return true;
        }
    } changing{blob};
    static Q target;
    CHECK(load_blob(target, ByteSource{&changing, size, &Changing::read}) == BlobStatus::source_changed);
    std::printf("  %s blob of %lu bytes: round trip exact, refusals checked\n", kind, static_cast<unsigned long>(size));
}

}  // namespace

TEST(int8_blobs) { round_trip_and_refusals<std::int8_t>("int8"); }
TEST(int16_blobs) { round_trip_and_refusals<std::int16_t>("int16"); }

// Sizes of the networks the README names, against float blobs.
using Mlp32 = Sequential<Dense<32, 64>, ReLU, Dense<64, 64>, ReLU, Dense<64, 8>>;
using Mlp784 = Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>;
static_assert(quantized_blob_bytes<Mlp32> == 40 + 8 + (32 * 64 + 64 * 12 + 24) + (64 * 64 + 64 * 12 + 24) + (64 * 8 + 8 * 12 + 24) + 4);
static_assert(quantized_blob_bytes<Mlp32> == 8412 && quantized_blob_bytes<Mlp32, std::int16_t> == 8956 &&
              blob_bytes<Mlp32> == 27212);
static_assert(quantized_blob_bytes<Mlp784> == 206556 && blob_bytes<Mlp784> == 814164);
