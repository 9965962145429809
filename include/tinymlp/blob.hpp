// Versioned weight blobs: a network's parameters, optionally with its trainer's optimizer state,
// in a self-checking binary format.
//
//   offset  bytes  field (in the writer's byte order, which byte 6 names)
//        0      4  magic "TMLP"
//        4      2  format version (1)
//        6      1  byte order: 1 little endian, 2 big endian
//        7      1  scalar size in bytes: 4 float, 8 double; 1 and 2 mark the quantized kind
//                  (int8 and int16 activations: quantized_blob.hpp)
//        8      8  topology signature: FNV-1a 64 of the layer list as written ("Dense<3, 2>, ReLU, ...")
//       16      4  parameter count
//       20      4  optimizer state count (scalars; 0 when the blob holds parameters only)
//       24      8  optimizer step count
//       32      4  optimizer id: FNV-1a 32 of its name ("Adam"), 0 when none
//       36      4  total blob size in bytes, CRC included
//       40         parameters, then optimizer state
//   total - 4   4  CRC-32 (zlib's) of every byte before it
//
// Blobs are written and read through callbacks (ByteSink, ByteSource), so firmware can stream one
// to or from flash with no RAM copy; memory-buffer overloads are given.
//
// A load reads the source twice. The first pass checks every header field, the CRC and that every
// scalar is finite, and writes nothing. The second pass copies and recomputes the CRC over the
// bytes it actually copied: a source that gives other bytes (or fails) the second time is reported
// as source_changed instead of being trusted. What a refused load leaves behind:
//   - load_training_blob: the network is untouched by any refusal (its parameters are staged in
//     the trainer's gradient buffer and committed last), except for a trainer with no room to
//     stage in (frozen layers, fused updates), which after source_changed may hold a half-loaded
//     network, as load_blob does. After source_changed the optimizer state
//     is reset to its initial value (zero moments, step 0); after any other refusal it is untouched.
//   - load_blob: a network has no spare memory to stage in, so source_changed leaves its
//     parameters holding unverified bytes: load again from a good source (the checkpoint loader
//     falls back to the other slot). Any other refusal leaves the network untouched.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crc32.hpp"
#include "finite.hpp"

namespace tinymlp {

enum class [[nodiscard]] BlobStatus {
    ok = 0,
    buffer_too_small,         // save: the output buffer cannot hold the blob
    write_failed,             // save: the sink refused a write
    read_failed,              // load: the source refused a read
    truncated,                // load: fewer bytes than the header (or the header's total size) needs
    bad_magic,                // not a tinymlp blob
    unsupported_version,      // a format version this build does not read
    wrong_byte_order,         // written on a machine of the other endianness
    wrong_scalar_type,        // float blob into a double network, or the reverse
    wrong_topology,           // the layer list differs (kind, size, order or option of a layer)
    wrong_parameter_count,    // same signature, different count: a damaged header
    inconsistent_size,        // the header's total size does not match its counts
    bad_checksum,             // the CRC does not match: damaged data
    missing_optimizer_state,  // loading a trainer from a parameters-only blob
    wrong_optimizer,          // optimizer state of another optimizer (or size)
    non_finite_value,         // a parameter or optimizer state value is NaN or infinite
    source_changed,           // the copying pass read other bytes than the verifying pass (or failed)
    invalid_quantization,     // a quantized blob's value no network could run with (a multiplier,
                              // shift, clamp, scale or zero point out of its range)
};

constexpr const char* to_string(BlobStatus status) {
    switch (status) {
        case BlobStatus::ok: return "ok";
        case BlobStatus::buffer_too_small: return "buffer too small";
        case BlobStatus::write_failed: return "write failed";
        case BlobStatus::read_failed: return "read failed";
        case BlobStatus::truncated: return "truncated";
        case BlobStatus::bad_magic: return "bad magic";
        case BlobStatus::unsupported_version: return "unsupported version";
        case BlobStatus::wrong_byte_order: return "wrong byte order";
        case BlobStatus::wrong_scalar_type: return "wrong scalar type";
        case BlobStatus::wrong_topology: return "wrong topology";
        case BlobStatus::wrong_parameter_count: return "wrong parameter count";
        case BlobStatus::inconsistent_size: return "inconsistent size";
        case BlobStatus::bad_checksum: return "bad checksum";
        case BlobStatus::missing_optimizer_state: return "missing optimizer state";
        case BlobStatus::wrong_optimizer: return "wrong optimizer";
        case BlobStatus::non_finite_value: return "non-finite value";
        case BlobStatus::source_changed: return "source changed";
        case BlobStatus::invalid_quantization: return "invalid quantization";
    }
    return "unknown blob status";
}

struct BlobHeader {
    char magic[4];
    std::uint16_t version;
    std::uint8_t byte_order;
    std::uint8_t scalar_bytes;
    std::uint64_t topology;
    std::uint32_t parameter_count;
    std::uint32_t state_count;
    std::uint64_t steps;
    std::uint32_t optimizer;
    std::uint32_t total_bytes;
};
static_assert(sizeof(BlobHeader) == 40 && offsetof(BlobHeader, topology) == 8 && offsetof(BlobHeader, steps) == 24,
              "tinymlp: BlobHeader must have the documented layout");

inline constexpr std::uint16_t blob_version = 1;
inline constexpr std::size_t blob_checksum_bytes = 4;

// Where a blob goes / comes from. `write`/`read` return false on failure.
struct ByteSink {
    void* context;
    bool (*write)(void* context, std::size_t offset, const void* data, std::size_t n);
};
struct ByteSource {
    void* context;
    std::size_t size;  // bytes readable (a flash slot may be larger than the blob in it)
    bool (*read)(void* context, std::size_t offset, void* out, std::size_t n);
};

// Blob sizes, for static buffers: parameters only, or parameters and optimizer state.
template <class Net>
inline constexpr std::size_t blob_bytes = sizeof(BlobHeader) + Net::parameter_bytes + blob_checksum_bytes;
template <class Trainer>
inline constexpr std::size_t training_blob_bytes =
    blob_bytes<typename Trainer::network_type> +
    Trainer::optimizer_state::scalar_count * sizeof(typename Trainer::network_type::scalar);

namespace detail {

inline std::uint8_t native_byte_order() {
    const std::uint16_t one = 1;
    unsigned char first;
    std::memcpy(&first, &one, 1);
    return first == 1 ? 1 : 2;
}

constexpr std::uint32_t fnv1a32(const char* text) {
    std::uint32_t hash = 2166136261u;
    for (; *text; ++text) hash = (hash ^ static_cast<unsigned char>(*text)) * 16777619u;
    return hash;
}

inline BlobStatus write_blob(const ByteSink& sink, BlobHeader header, const void* params, std::size_t param_bytes,
                             const void* state, std::size_t state_bytes) {
    std::uint32_t crc = crc32_update(0, &header, sizeof header);
    crc = crc32_update(crc, params, param_bytes);
    if (state_bytes) crc = crc32_update(crc, state, state_bytes);
    std::size_t at = 0;
    const auto put = [&](const void* data, std::size_t n) {
        if (n && !sink.write(sink.context, at, data, n)) return false;
        at += n;
        return true;
    };
    if (!put(&header, sizeof header) || !put(params, param_bytes) || !put(state, state_bytes) || !put(&crc, 4))
        return BlobStatus::write_failed;
    return BlobStatus::ok;
}

// Every scalar of a chunk of float or double bytes is finite (finite.hpp: integer tests only, so a
// float build on a single-precision FPU links no software double for the double branch).
inline bool all_finite(const unsigned char* bytes, std::size_t n, std::size_t scalar_bytes) {
    bool finite = true;
    for (std::size_t at = 0; at + scalar_bytes <= n; at += scalar_bytes) {
        if (scalar_bytes == sizeof(float)) {
            float value;
            std::memcpy(&value, bytes + at, sizeof value);
            finite &= is_finite(value);
        } else {
            double value;
            std::memcpy(&value, bytes + at, sizeof value);
            finite &= is_finite(value);
        }
    }
    return finite;
}

// Checks every header field against what the reader expects, then the CRC of the whole blob and
// that every scalar in it is finite; `crc` receives the verified CRC for the copying pass.
inline BlobStatus verify_blob(const ByteSource& source, BlobHeader& header, std::uint32_t& verified_crc,
                              std::uint64_t topology, std::uint32_t parameter_count, std::size_t scalar_bytes) {
    if (source.size < sizeof header + blob_checksum_bytes) return BlobStatus::truncated;
    if (!source.read(source.context, 0, &header, sizeof header)) return BlobStatus::read_failed;
    if (std::memcmp(header.magic, "TMLP", 4) != 0) return BlobStatus::bad_magic;
    if (header.byte_order != native_byte_order()) return BlobStatus::wrong_byte_order;
    if (header.version != blob_version) return BlobStatus::unsupported_version;
    if (header.scalar_bytes != scalar_bytes) return BlobStatus::wrong_scalar_type;
    if (header.topology != topology) return BlobStatus::wrong_topology;
    if (header.parameter_count != parameter_count) return BlobStatus::wrong_parameter_count;
    const std::uint64_t expected_total = sizeof header + blob_checksum_bytes +
        (std::uint64_t(header.parameter_count) + header.state_count) * scalar_bytes;
    if (header.total_bytes != expected_total) return BlobStatus::inconsistent_size;
    if (source.size < header.total_bytes) return BlobStatus::truncated;

    std::uint32_t crc = crc32_update(0, &header, sizeof header);
    unsigned char chunk[256];  // a multiple of every scalar size, so no scalar straddles two chunks
    bool finite = true;
    const std::size_t end = header.total_bytes - blob_checksum_bytes;
    for (std::size_t at = sizeof header; at < end;) {
        const std::size_t n = end - at < sizeof chunk ? end - at : sizeof chunk;
        if (!source.read(source.context, at, chunk, n)) return BlobStatus::read_failed;
        crc = crc32_update(crc, chunk, n);
        finite = finite && all_finite(chunk, n, scalar_bytes);
        at += n;
    }
    std::uint32_t stored;
    if (!source.read(source.context, end, &stored, 4)) return BlobStatus::read_failed;
    if (stored != crc) return BlobStatus::bad_checksum;
    if (!finite) return BlobStatus::non_finite_value;
    verified_crc = crc;
    return BlobStatus::ok;
}

// The copying pass: reads [offset, offset + n) into `out` (or only through the CRC when `out` is
// null) and carries the CRC on over the bytes as they were read this time.
inline bool copy_through_crc(const ByteSource& source, std::size_t offset, void* out, std::size_t n,
                             std::uint32_t& crc) {
    if (out) {
        if (n && !source.read(source.context, offset, out, n)) return false;
        crc = crc32_update(crc, out, n);
        return true;
    }
    unsigned char chunk[256];
    for (std::size_t done = 0; done < n;) {
        const std::size_t piece = n - done < sizeof chunk ? n - done : sizeof chunk;
        if (!source.read(source.context, offset + done, chunk, piece)) return false;
        crc = crc32_update(crc, chunk, piece);
        done += piece;
    }
    return true;
}

struct MemoryWriter {
    unsigned char* data;
    static bool write(void* context, std::size_t offset, const void* bytes, std::size_t n) {
        std::memcpy(static_cast<MemoryWriter*>(context)->data + offset, bytes, n);
        return true;
    }
};
struct MemoryReader {
    const unsigned char* data;
    static bool read(void* context, std::size_t offset, void* out, std::size_t n) {
        std::memcpy(out, static_cast<MemoryReader*>(context)->data + offset, n);
        return true;
    }
};

template <class Net>
BlobHeader header_for(std::uint32_t state_count, std::uint64_t steps, std::uint32_t optimizer) {
    using S = typename Net::scalar;
    BlobHeader header{};
    std::memcpy(header.magic, "TMLP", 4);
    header.version = blob_version;
    header.byte_order = native_byte_order();
    header.scalar_bytes = sizeof(S);
    header.topology = Net::topology_signature();
    header.parameter_count = static_cast<std::uint32_t>(Net::parameter_count);
    header.state_count = state_count;
    header.steps = steps;
    header.optimizer = optimizer;
    header.total_bytes = static_cast<std::uint32_t>(sizeof(BlobHeader) + blob_checksum_bytes +
                                                    (Net::parameter_count + state_count) * sizeof(S));
    return header;
}

template <class Net>
BlobStatus verify_blob_for(const ByteSource& source, BlobHeader& header, std::uint32_t& crc) {
    return verify_blob(source, header, crc, Net::topology_signature(),
                       static_cast<std::uint32_t>(Net::parameter_count), sizeof(typename Net::scalar));
}

// The first pass of load_training_blob: the whole check, nothing written.
template <class Trainer>
BlobStatus verify_training_blob(const ByteSource& source, BlobHeader& header, std::uint32_t& crc) {
    using Net = typename Trainer::network_type;
    if (const BlobStatus status = verify_blob_for<Net>(source, header, crc); status != BlobStatus::ok)
        return status;
    if (header.optimizer == 0) return BlobStatus::missing_optimizer_state;
    if (header.state_count != Trainer::optimizer_state::scalar_count ||
        header.optimizer != fnv1a32(Trainer::optimizer_name))
        return BlobStatus::wrong_optimizer;
    return BlobStatus::ok;
}

}  // namespace detail

// --- parameters only ---------------------------------------------------------------------------
template <class Net>
BlobStatus save_blob(const Net& net, const ByteSink& sink) {
    static_assert(Net::stores_all_parameters, "tinymlp: a blob holds every parameter; this network stores some "
                                              "layers externally (Frozen<L, Storage::external>)");
    return detail::write_blob(sink, detail::header_for<Net>(0, 0, 0), net.parameters(), Net::parameter_bytes,
                              nullptr, 0);
}
template <class Net>
BlobStatus save_blob(const Net& net, unsigned char* out, std::size_t capacity) {
    if (capacity < blob_bytes<Net>) return BlobStatus::buffer_too_small;
    detail::MemoryWriter writer{out};
    return save_blob(net, ByteSink{&writer, &detail::MemoryWriter::write});
}

// Loads the parameters (a training blob's optimizer state is checked, then ignored). Any refusal
// but source_changed leaves the network untouched (see the top of this file).
template <class Net>
BlobStatus load_blob(Net& net, const ByteSource& source) {
    static_assert(Net::stores_all_parameters, "tinymlp: a blob holds every parameter; this network stores some "
                                              "layers externally (Frozen<L, Storage::external>)");
    BlobHeader header;
    std::uint32_t verified;
    if (const BlobStatus status = detail::verify_blob_for<Net>(source, header, verified); status != BlobStatus::ok)
        return status;
    std::uint32_t copied = crc32_update(0, &header, sizeof header);
    const std::size_t payload_end = header.total_bytes - blob_checksum_bytes;
    if (!detail::copy_through_crc(source, sizeof header, net.parameters(), Net::parameter_bytes, copied) ||
        !detail::copy_through_crc(source, sizeof header + Net::parameter_bytes, nullptr,
                                  payload_end - sizeof header - Net::parameter_bytes, copied) ||
        copied != verified)
        return BlobStatus::source_changed;
    return BlobStatus::ok;
}
template <class Net>
BlobStatus load_blob(Net& net, const unsigned char* data, std::size_t size) {
    detail::MemoryReader reader{data};
    return load_blob(net, ByteSource{&reader, size, &detail::MemoryReader::read});
}

// --- parameters and optimizer state (resume training where it stopped) --------------------------
template <class Trainer>
BlobStatus save_training_blob(const Trainer& trainer, const ByteSink& sink) {
    using Net = typename Trainer::network_type;
    static_assert(Net::stores_all_parameters, "tinymlp: a blob holds every parameter; this network stores some "
                                              "layers externally (Frozen<L, Storage::external>)");
    using State = typename Trainer::optimizer_state;
    const State& state = trainer.state();
    const BlobHeader header = detail::header_for<Net>(static_cast<std::uint32_t>(State::scalar_count), state.steps,
                                                      detail::fnv1a32(Trainer::optimizer_name));
    return detail::write_blob(sink, header, trainer.network_parameters(), Net::parameter_bytes, state.scalars(),
                              State::scalar_count * sizeof(typename Net::scalar));
}
template <class Trainer>
BlobStatus save_training_blob(const Trainer& trainer, unsigned char* out, std::size_t capacity) {
    if (capacity < training_blob_bytes<Trainer>) return BlobStatus::buffer_too_small;
    detail::MemoryWriter writer{out};
    return save_training_blob(trainer, ByteSink{&writer, &detail::MemoryWriter::write});
}

// Loads parameters and optimizer state, all or nothing for the network (see the top of this file).
template <class Trainer>
BlobStatus load_training_blob(Trainer& trainer, const ByteSource& source) {
    using Net = typename Trainer::network_type;
    static_assert(Net::stores_all_parameters, "tinymlp: a blob holds every parameter; this network stores some "
                                              "layers externally (Frozen<L, Storage::external>)");
    using S = typename Net::scalar;
    using State = typename Trainer::optimizer_state;
    BlobHeader header;
    std::uint32_t verified;
    if (const BlobStatus status = detail::verify_training_blob<Trainer>(source, header, verified);
        status != BlobStatus::ok)
        return status;
    // A gradient buffer that holds every parameter (every layer trains, updates not fused) is
    // rewritten by the next step, so it can stage the parameters until the optimizer state has
    // been read and checked too. Without one, the parameters go in place after the full check:
    // only a source that changes between the check and the copy can then leave them half loaded.
    S* staged = nullptr;
    if constexpr (Trainer::stages_parameters) staged = trainer.gradients();
    else staged = trainer.network().parameters();
    State& state = trainer.state();
    std::uint32_t copied = crc32_update(0, &header, sizeof header);
    if (!detail::copy_through_crc(source, sizeof header, staged, Net::parameter_bytes, copied) ||
        !detail::copy_through_crc(source, sizeof header + Net::parameter_bytes, state.scalars(),
                                  State::scalar_count * sizeof(S), copied) ||
        copied != verified) {
        if constexpr (State::scalar_count > 0)
            std::memset(static_cast<void*>(state.scalars()), 0, State::scalar_count * sizeof(S));
        state.steps = 0;
        return BlobStatus::source_changed;
    }
    if constexpr (Trainer::stages_parameters) std::memcpy(trainer.network().parameters(), staged, Net::parameter_bytes);
    state.steps = header.steps;
    return BlobStatus::ok;
}
template <class Trainer>
BlobStatus load_training_blob(Trainer& trainer, const unsigned char* data, std::size_t size) {
    detail::MemoryReader reader{data};
    return load_training_blob(trainer, ByteSource{&reader, size, &detail::MemoryReader::read});
}

}  // namespace tinymlp
