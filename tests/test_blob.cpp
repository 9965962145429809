// Blob format: round trips (parameters; parameters + optimizer state, resuming bit for bit), and
// every kind of damage: each truncation length, each single-bit flip, wrong topology, version,
// scalar type, byte order and optimizer, non-finite values, and a source that changes or fails
// between the verifying and the copying pass. A refused load leaves the network untouched.
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {
using Net = Sequential<Dense<4, 6>, Tanh, Dense<6, 3>>;
using AdamTrainer = Trainer<Net, SoftmaxCrossEntropy, Adam, 2>;
constexpr std::size_t size = blob_bytes<Net>;
static_assert(size == 40 + (4 * 6 + 6 + 6 * 3 + 3) * 4 + 4);
static_assert(training_blob_bytes<AdamTrainer> == size + 2 * Net::parameter_bytes);

const float x[8] = {0.1f, 0.2f, -0.3f, 0.4f, 1.0f, -1.0f, 0.5f, 0.0f};
const std::int32_t labels[2] = {2, 0};

Net source_net, target_net;
unsigned char blob[size];

void make_blob() {
    source_net.init(1);
    CHECK(save_blob(source_net, blob, sizeof blob) == BlobStatus::ok);
}

bool untouched(const Net& net, const Net& reference) {
    return std::memcmp(net.parameters(), reference.parameters(), Net::parameter_bytes) == 0;
}

// Rewrites the CRC after a deliberate header change, so that the field check itself is tested.
void reseal(unsigned char* data, std::size_t n) {
    const std::uint32_t crc = crc32_update(0, data, n - 4);
    std::memcpy(data + n - 4, &crc, 4);
}
}  // namespace

TEST(parameters_round_trip) {
    make_blob();
    target_net.init(2);
    CHECK(load_blob(target_net, blob, sizeof blob) == BlobStatus::ok);
    CHECK(untouched(target_net, source_net));
    unsigned char small[size - 1];
    CHECK(save_blob(source_net, small, sizeof small) == BlobStatus::buffer_too_small);
}

TEST(training_state_round_trip_resumes_bit_for_bit) {
    static Net a, b;
    a.init(3);
    static AdamTrainer ta(a, Adam{0.01}), tb(b, Adam{0.01});
    for (int i = 0; i < 5; ++i) CHECK(ta.step(x, labels) == Status::ok);
    static unsigned char saved[training_blob_bytes<AdamTrainer>];
    CHECK(save_training_blob(ta, saved, sizeof saved) == BlobStatus::ok);
    CHECK(load_training_blob(tb, saved, sizeof saved) == BlobStatus::ok);
    CHECK(tb.state().steps == 5);
    for (int i = 0; i < 3; ++i) {
        CHECK(ta.step(x, labels) == Status::ok);
        CHECK(tb.step(x, labels) == Status::ok);
    }
    CHECK(std::memcmp(a.parameters(), b.parameters(), Net::parameter_bytes) == 0);
    // A parameters-only blob cannot resume a trainer; a training blob loads into a plain network.
    make_blob();
    CHECK(load_training_blob(tb, blob, sizeof blob) == BlobStatus::missing_optimizer_state);
    static Net c;
    CHECK(load_blob(c, saved, sizeof saved) == BlobStatus::ok);
    static Net d;
    static Trainer<Net, SoftmaxCrossEntropy, Momentum, 2> momentum(d);
    CHECK(load_training_blob(momentum, saved, sizeof saved) == BlobStatus::wrong_optimizer);
}

TEST(every_truncation_is_refused) {
    make_blob();
    target_net.init(4);
    static Net reference;
    reference = target_net;
    std::size_t refused = 0;
    for (std::size_t n = 0; n < size; ++n) {
        const BlobStatus status = load_blob(target_net, blob, n);
        refused += status == BlobStatus::truncated;
        CHECK(untouched(target_net, reference));
    }
    std::printf("  %lu truncation lengths refused as truncated\n", static_cast<unsigned long>(refused));
    CHECK(refused == size);
}

TEST(every_single_bit_flip_is_refused) {
    make_blob();
    target_net.init(5);
    static Net reference;
    reference = target_net;
    std::size_t flips = 0, by_kind[32] = {};
    for (std::size_t bit = 0; bit < size * 8; ++bit) {
        blob[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
        const BlobStatus status = load_blob(target_net, blob, size);
        blob[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
        CHECK(status != BlobStatus::ok);
        CHECK(untouched(target_net, reference));
        ++by_kind[static_cast<int>(status)];
        ++flips;
    }
    std::printf("  %lu bit flips refused:", static_cast<unsigned long>(flips));
    for (int k = 0; k < 32; ++k)
        if (by_kind[k]) std::printf(" %s %lu,", to_string(static_cast<BlobStatus>(k)), static_cast<unsigned long>(by_kind[k]));
    std::printf("\n");
    CHECK(load_blob(target_net, blob, size) == BlobStatus::ok);
}

TEST(each_header_field_has_its_own_error) {
    make_blob();
    unsigned char copy[size];
    const auto patched = [&](std::size_t offset, unsigned char value) {
        std::memcpy(copy, blob, size);
        copy[offset] = value;
        reseal(copy, size);
        return load_blob(target_net, copy, size);
    };
    CHECK(patched(0, 'X') == BlobStatus::bad_magic);
    CHECK(patched(4, 2) == BlobStatus::unsupported_version);
    CHECK(patched(6, 2) == BlobStatus::wrong_byte_order);
    CHECK(patched(7, 8) == BlobStatus::wrong_scalar_type);
    CHECK(patched(8, blob[8] ^ 1) == BlobStatus::wrong_topology);
    CHECK(patched(16, blob[16] ^ 1) == BlobStatus::wrong_parameter_count);
    CHECK(patched(36, blob[36] ^ 4) == BlobStatus::inconsistent_size);
    std::memcpy(copy, blob, size);
    copy[100] ^= 0x10;
    CHECK(load_blob(target_net, copy, size) == BlobStatus::bad_checksum);
}

TEST(wrong_topology_and_scalar_type_are_refused) {
    make_blob();
    // Same parameter count, another activation: the signature tells them apart.
    static Sequential<Dense<4, 6>, ReLU, Dense<6, 3>> relu_net;
    static_assert(decltype(relu_net)::parameter_count == Net::parameter_count);
    CHECK(load_blob(relu_net, blob, size) == BlobStatus::wrong_topology);
    static Network<double, DefaultTarget, Dense<4, 6>, Tanh, Dense<6, 3>> double_net;
    CHECK(load_blob(double_net, blob, size) == BlobStatus::wrong_scalar_type);
    CHECK(Net::topology_signature() != decltype(relu_net)::topology_signature());
}

namespace {
// A blob in memory that reads as `first` until the payload has been read once (the verifying
// pass), then as `second`; or that fails every read at or after `fail_from` in the second pass.
struct TwoPassSource {
    const unsigned char* first;
    const unsigned char* second;
    std::size_t size;
    std::size_t fail_from = std::numeric_limits<std::size_t>::max();
    int payload_passes = 0;
    static bool read(void* context, std::size_t offset, void* out, std::size_t n) {
        auto* s = static_cast<TwoPassSource*>(context);
        if (offset == sizeof(BlobHeader)) ++s->payload_passes;
        if (s->payload_passes >= 2 && offset + n > s->fail_from) return false;
        std::memcpy(out, (s->payload_passes >= 2 ? s->second : s->first) + offset, n);
        return true;
    }
    ByteSource source() { return ByteSource{this, size, &read}; }
};

constexpr std::size_t training_size = training_blob_bytes<AdamTrainer>;

// A trainer a few steps in, its training blob in `saved`, and a second trainer to load into.
struct TrainingPair {
    Net net_a, net_b;
    AdamTrainer a{net_a, Adam{0.01}}, b{net_b, Adam{0.01}};
    unsigned char saved[training_size];
    unsigned char params_before[Net::parameter_bytes];
    void prepare() {
        net_a.init(7);
        net_b.init(8);
        for (int i = 0; i < 3; ++i) CHECK(a.step(x, labels) == Status::ok);
        CHECK(b.step(x, labels) == Status::ok);
        CHECK(save_training_blob(a, saved, sizeof saved) == BlobStatus::ok);
        std::memcpy(params_before, net_b.parameters(), sizeof params_before);
    }
    bool b_network_untouched() const {
        return std::memcmp(params_before, net_b.parameters(), sizeof params_before) == 0;
    }
};
}  // namespace

TEST(a_source_that_changes_between_the_passes_is_reported) {
    // Parameters only: one byte of a weight differs in the copying pass.
    make_blob();
    static unsigned char changed[size];
    std::memcpy(changed, blob, size);
    changed[sizeof(BlobHeader) + 5] ^= 0x40;
    TwoPassSource parameters{blob, changed, size};
    target_net.init(9);
    CHECK(load_blob(target_net, parameters.source()) == BlobStatus::source_changed);
    CHECK(parameters.payload_passes == 2);

    // Trainer: a byte of the parameters, then a byte of the optimizer state, changes. The network
    // keeps its parameters and the optimizer starts afresh.
    static TrainingPair pair;
    pair.prepare();
    static unsigned char other[training_size];
    for (std::size_t offset : {sizeof(BlobHeader) + 5, sizeof(BlobHeader) + Net::parameter_bytes + 9}) {
        std::memcpy(other, pair.saved, training_size);
        other[offset] ^= 0x40;
        TwoPassSource training{pair.saved, other, training_size};
        CHECK(load_training_blob(pair.b, training.source()) == BlobStatus::source_changed);
        CHECK(pair.b_network_untouched());
        CHECK(pair.b.state().steps == 0);
    }
    CHECK(load_training_blob(pair.b, pair.saved, training_size) == BlobStatus::ok);
    CHECK(pair.b.state().steps == 3);
}

TEST(a_read_failing_at_the_optimizer_state_leaves_the_network_untouched) {
    static TrainingPair pair;
    pair.prepare();
    TwoPassSource failing{pair.saved, pair.saved, training_size, sizeof(BlobHeader) + Net::parameter_bytes};
    CHECK(load_training_blob(pair.b, failing.source()) == BlobStatus::source_changed);
    CHECK(pair.b_network_untouched());
    CHECK(pair.b.state().steps == 0);
}

TEST(non_finite_parameters_and_optimizer_state_are_refused) {
    const float values[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity()};
    make_blob();
    static unsigned char copy[training_size];
    target_net.init(10);
    static Net reference;
    reference = target_net;
    for (float value : values) {
        for (std::size_t index : {std::size_t{0}, Net::parameter_count - 1}) {
            std::memcpy(copy, blob, size);
            std::memcpy(copy + sizeof(BlobHeader) + index * sizeof(float), &value, sizeof value);
            reseal(copy, size);
            CHECK(load_blob(target_net, copy, size) == BlobStatus::non_finite_value);
            CHECK(untouched(target_net, reference));
        }
    }
    // In the optimizer state (a second moment): the trainer keeps its network and its state.
    static TrainingPair pair;
    pair.prepare();
    const std::uint64_t steps_before = pair.b.state().steps;
    static unsigned char moments_before[AdamTrainer::optimizer_state::scalar_count * sizeof(float)];
    std::memcpy(moments_before, pair.b.state().scalars(), sizeof moments_before);
    for (float value : values) {
        std::memcpy(copy, pair.saved, training_size);
        std::memcpy(copy + training_size - 4 - sizeof value, &value, sizeof value);
        reseal(copy, training_size);
        CHECK(load_training_blob(pair.b, copy, training_size) == BlobStatus::non_finite_value);
        CHECK(pair.b_network_untouched());
        CHECK(pair.b.state().steps == steps_before);
        CHECK(std::memcmp(moments_before, pair.b.state().scalars(), sizeof moments_before) == 0);
    }
    CHECK(std::string_view(to_string(BlobStatus::non_finite_value)) == "non-finite value");
    CHECK(std::string_view(to_string(BlobStatus::source_changed)) == "source changed");
}

TEST(non_finite_double_parameters_are_refused) {
    using DoubleNet = Network<double, DefaultTarget, Dense<4, 6>, Tanh, Dense<6, 3>>;
    static DoubleNet saved_net, loaded_net;
    saved_net.init(11);
    loaded_net.init(12);
    static unsigned char data[blob_bytes<DoubleNet>];
    CHECK(save_blob(saved_net, data, sizeof data) == BlobStatus::ok);
    const double infinity = std::numeric_limits<double>::infinity();
    std::memcpy(data + sizeof(BlobHeader) + 8 * sizeof(double), &infinity, sizeof infinity);
    reseal(data, sizeof data);
    CHECK(load_blob(loaded_net, data, sizeof data) == BlobStatus::non_finite_value);
    // The largest finite double is a value, not an infinity.
    const double largest = std::numeric_limits<double>::max();
    std::memcpy(data + sizeof(BlobHeader) + 8 * sizeof(double), &largest, sizeof largest);
    reseal(data, sizeof data);
    CHECK(load_blob(loaded_net, data, sizeof data) == BlobStatus::ok);
}
