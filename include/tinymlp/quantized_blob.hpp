// Blobs of quantized networks: blob.hpp's format (magic, version, byte order, topology signature,
// total size, CRC-32) with the quantized kind in the scalar-size byte (1: int8 activations, 2:
// int16), so that a float network refuses an integer blob as wrong_scalar_type and the reverse.
//
//   offset  bytes  field
//        0     40  BlobHeader: scalar size 1 or 2; topology: the float network's signature;
//                  parameter count: the payload's bytes; no optimizer (state, steps, id 0)
//       40      8  input quantization: scale (float), zero point (int32)
//                  then per Dense layer, in order:
//                    weights        Out * In int8, a row per output channel
//                    bias           Out int32 (int8 activations: the input offset folded in)
//                                   or Out int64 (int16)
//                    multipliers    Out * (int32 multiplier, int32 shift)
//                    params         input offset, output offset, activation min, max (int32)
//                    output         scale (float), zero point (int32)
//   total - 4   4  CRC-32 of every byte before it
//
// A load checks every header field, the CRC and every value a network runs with (multipliers 0
// or in [2^30, 2^31), shifts in -31..30 (int16: at most 14), clamps within the activation type,
// scales finite and positive, zero points in range) before it writes a byte; then it copies,
// recomputing the CRC, and reports a source that changed in between as source_changed (which,
// as for load_blob, leaves the network holding unverified bytes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "blob.hpp"
#include "quantized_network.hpp"

namespace tinymlp {

namespace detail {

template <class Q, std::size_t K>
constexpr std::size_t quantized_layer_bytes() {
    using L = typename Q::template layer_type<K>;
    return L::in_size * L::out_size + L::out_size * (sizeof(typename Q::bias_type) + 8) + 16 + 8;
}
template <class Q, std::size_t... K>
constexpr std::size_t quantized_payload_bytes(std::index_sequence<K...>) {
    return 8 + (std::size_t(0) + ... + quantized_layer_bytes<Q, K>());
}

// The payload's bytes in order through a source or a sink, the CRC carried along.
struct CrcReader {
    const ByteSource& source;
    std::size_t at;
    std::uint32_t crc;
    bool read(void* out, std::size_t n) {
        if (n && !source.read(source.context, at, out, n)) return false;
        crc = crc32_update(crc, out, n);
        at += n;
        return true;
    }
    bool skip(std::size_t n) {  // through the CRC only
        if (!copy_through_crc(source, at, nullptr, n, crc)) return false;
        at += n;
        return true;
    }
    bool read_int(std::int32_t& v) { return read(&v, 4); }
    bool read_float(float& v) { return read(&v, 4); }
};
struct CrcWriter {
    const ByteSink& sink;
    std::size_t at;
    std::uint32_t crc;
    bool write(const void* data, std::size_t n) {
        if (n && !sink.write(sink.context, at, data, n)) return false;
        crc = crc32_update(crc, data, n);
        at += n;
        return true;
    }
};

template <class A>
bool valid_tensor(const TensorQuantization& t) {
    constexpr bool narrow = std::is_same_v<A, std::int8_t>;
    return is_finite(t.scale) && t.scale > 0 && (narrow ? t.zero_point >= -128 && t.zero_point <= 127 : t.zero_point == 0);
}
template <class Q>
bool valid_multiplier(std::int32_t multiplier, std::int32_t shift) {
    constexpr bool narrow = std::is_same_v<typename Q::activation_type, std::int8_t>;
    return (multiplier == 0 || multiplier >= (std::int32_t(1) << 30)) && shift >= -31 && shift <= (narrow ? 30 : 14);
}
template <class Q>
bool valid_params(const kernels::QuantizedDenseParams& p) {
    constexpr bool narrow = std::is_same_v<typename Q::activation_type, std::int8_t>;
    return p.activation_min >= Q::activation_lowest && p.activation_min <= p.activation_max &&
           p.activation_max <= Q::activation_highest &&
           (narrow ? p.input_offset >= -127 && p.input_offset <= 128 && p.output_offset >= -128 && p.output_offset <= 127
                   : p.input_offset == 0 && p.output_offset == 0);
}

// The first pass over one layer: weights and bias through the CRC, every other value checked.
template <class Q, std::size_t K>
bool verify_quantized_layer(CrcReader& in, bool& valid) {
    using L = typename Q::template layer_type<K>;
    if (!in.skip(sizeof(L::weights) + sizeof(L::bias))) return false;
    for (std::size_t o = 0; o < L::out_size; ++o) {
        std::int32_t multiplier, shift;
        if (!in.read_int(multiplier) || !in.read_int(shift)) return false;
        valid = valid && valid_multiplier<Q>(multiplier, shift);
    }
    kernels::QuantizedDenseParams p;
    TensorQuantization output;
    if (!in.read_int(p.input_offset) || !in.read_int(p.output_offset) || !in.read_int(p.activation_min) ||
        !in.read_int(p.activation_max) || !in.read_float(output.scale) || !in.read_int(output.zero_point))
        return false;
    valid = valid && valid_params<Q>(p) && valid_tensor<typename Q::activation_type>(output);
    return true;
}
// The second pass: the same bytes into the layer.
template <class L>
bool read_quantized_layer(CrcReader& in, L& l) {
    if (!in.read(l.weights, sizeof l.weights) || !in.read(l.bias, sizeof l.bias)) return false;
    for (QuantizedMultiplier& m : l.multipliers) {
        std::int32_t shift;
        if (!in.read_int(m.multiplier) || !in.read_int(shift)) return false;
        m.shift = static_cast<int>(shift);
    }
    return in.read_int(l.params.input_offset) && in.read_int(l.params.output_offset) &&
           in.read_int(l.params.activation_min) && in.read_int(l.params.activation_max) &&
           in.read_float(l.output.scale) && in.read_int(l.output.zero_point);
}
template <class L>
bool write_quantized_layer(CrcWriter& out, const L& l) {
    if (!out.write(l.weights, sizeof l.weights) || !out.write(l.bias, sizeof l.bias)) return false;
    for (const QuantizedMultiplier& m : l.multipliers) {
        const std::int32_t shift = m.shift;
        if (!out.write(&m.multiplier, 4) || !out.write(&shift, 4)) return false;
    }
    return out.write(&l.params.input_offset, 4) && out.write(&l.params.output_offset, 4) &&
           out.write(&l.params.activation_min, 4) && out.write(&l.params.activation_max, 4) &&
           out.write(&l.output.scale, 4) && out.write(&l.output.zero_point, 4);
}

template <class Q, std::size_t... K>
bool verify_quantized_layers(CrcReader& in, bool& valid, std::index_sequence<K...>) {
    return (verify_quantized_layer<Q, K>(in, valid) && ...);
}
template <class Q, std::size_t... K>
bool read_quantized_layers(CrcReader& in, Q& q, std::index_sequence<K...>) {
    return (read_quantized_layer(in, q.template layer<K>()) && ...);
}
template <class Q, std::size_t... K>
bool write_quantized_layers(CrcWriter& out, const Q& q, std::index_sequence<K...>) {
    return (write_quantized_layer(out, q.template layer<K>()) && ...);
}

template <class Net, class A>
BlobHeader quantized_header(std::size_t total) {
    BlobHeader header{};
    std::memcpy(header.magic, "TMLP", 4);
    header.version = blob_version;
    header.byte_order = native_byte_order();
    header.scalar_bytes = sizeof(A);
    header.topology = Net::topology_signature();
    header.parameter_count = static_cast<std::uint32_t>(total - sizeof(BlobHeader) - blob_checksum_bytes);
    header.total_bytes = static_cast<std::uint32_t>(total);
    return header;
}

}  // namespace detail

// The blob's size, for static buffers.
template <class Net, class A = std::int8_t>
inline constexpr std::size_t quantized_blob_bytes =
    sizeof(BlobHeader) +
    detail::quantized_payload_bytes<QuantizedNetwork<Net, A>>(std::make_index_sequence<QuantizedNetwork<Net, A>::dense_count>{}) +
    blob_checksum_bytes;

template <class Net, class A>
BlobStatus save_blob(const QuantizedNetwork<Net, A>& q, const ByteSink& sink) {
    using Q = QuantizedNetwork<Net, A>;
    const BlobHeader header = detail::quantized_header<Net, A>(quantized_blob_bytes<Net, A>);
    detail::CrcWriter out{sink, 0, 0};
    const TensorQuantization& input = q.input_quantization();
    if (!out.write(&header, sizeof header) || !out.write(&input.scale, 4) || !out.write(&input.zero_point, 4) ||
        !detail::write_quantized_layers(out, q, std::make_index_sequence<Q::dense_count>{}))
        return BlobStatus::write_failed;
    const std::uint32_t crc = out.crc;
    return sink.write(sink.context, out.at, &crc, 4) ? BlobStatus::ok : BlobStatus::write_failed;
}
template <class Net, class A>
BlobStatus save_blob(const QuantizedNetwork<Net, A>& q, unsigned char* out, std::size_t capacity) {
    if (capacity < quantized_blob_bytes<Net, A>) return BlobStatus::buffer_too_small;
    detail::MemoryWriter writer{out};
    return save_blob(q, ByteSink{&writer, &detail::MemoryWriter::write});
}

template <class Net, class A>
BlobStatus load_blob(QuantizedNetwork<Net, A>& q, const ByteSource& source) {
    using Q = QuantizedNetwork<Net, A>;
    constexpr std::size_t total = quantized_blob_bytes<Net, A>;
    BlobHeader header;
    if (source.size < sizeof header + blob_checksum_bytes) return BlobStatus::truncated;
    if (!source.read(source.context, 0, &header, sizeof header)) return BlobStatus::read_failed;
    if (std::memcmp(header.magic, "TMLP", 4) != 0) return BlobStatus::bad_magic;
    if (header.byte_order != detail::native_byte_order()) return BlobStatus::wrong_byte_order;
    if (header.version != blob_version) return BlobStatus::unsupported_version;
    if (header.scalar_bytes != sizeof(A)) return BlobStatus::wrong_scalar_type;
    if (header.topology != Net::topology_signature()) return BlobStatus::wrong_topology;
    if (header.parameter_count != total - sizeof header - blob_checksum_bytes) return BlobStatus::wrong_parameter_count;
    if (header.total_bytes != total || header.state_count != 0 || header.steps != 0 || header.optimizer != 0)
        return BlobStatus::inconsistent_size;
    if (source.size < total) return BlobStatus::truncated;
    // first pass: the CRC and every value, nothing written
    detail::CrcReader check{source, sizeof header, crc32_update(0, &header, sizeof header)};
    TensorQuantization input;
    bool valid = true;
    if (!check.read_float(input.scale) || !check.read_int(input.zero_point) ||
        !detail::verify_quantized_layers<Q>(check, valid, std::make_index_sequence<Q::dense_count>{}))
        return BlobStatus::read_failed;
    std::uint32_t stored;
    if (!source.read(source.context, check.at, &stored, 4)) return BlobStatus::read_failed;
    if (stored != check.crc) return BlobStatus::bad_checksum;
    if (!valid || !detail::valid_tensor<A>(input)) return BlobStatus::invalid_quantization;
    // second pass: the same bytes into the network, their CRC again
    detail::CrcReader copy{source, sizeof header, crc32_update(0, &header, sizeof header)};
    TensorQuantization copied_input;
    if (!copy.read_float(copied_input.scale) || !copy.read_int(copied_input.zero_point) ||
        !detail::read_quantized_layers(copy, q, std::make_index_sequence<Q::dense_count>{}) || copy.crc != stored)
        return BlobStatus::source_changed;
    q.set_input_quantization(copied_input);
    return BlobStatus::ok;
}
template <class Net, class A>
BlobStatus load_blob(QuantizedNetwork<Net, A>& q, const unsigned char* data, std::size_t size) {
    detail::MemoryReader reader{data};
    return load_blob(q, ByteSource{&reader, size, &detail::MemoryReader::read});
}

}  // namespace tinymlp
