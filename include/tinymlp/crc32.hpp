// CRC-32 (IEEE 802.3, as zlib's crc32 and Python's zlib.crc32), table-driven, incremental:
//   std::uint32_t crc = crc32_update(0, data, n); crc = crc32_update(crc, more, m);
#pragma once
#include <cstddef>
#include <cstdint>

namespace tinymlp {

namespace detail {
struct Crc32Table {
    std::uint32_t entries[256];
    constexpr Crc32Table() : entries() {
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            entries[i] = c;
        }
    }
};
inline constexpr Crc32Table crc32_table{};
}  // namespace detail

inline std::uint32_t crc32_update(std::uint32_t crc, const void* data, std::size_t n) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = detail::crc32_table.entries[(crc ^ bytes[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

}  // namespace tinymlp
