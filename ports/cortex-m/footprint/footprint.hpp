// The network of the footprint report (ports/cortex-m/footprint) and how its firmware prints
// figures: one line "footprint <key> <value>" each, read by footprint.cmake.
#pragma once
#include <cstddef>
#include <cstdio>

#include <tinymlp/tinymlp.hpp>

namespace footprint {

using Net = tinymlp::Sequential<tinymlp::Dense<32, 64>, tinymlp::ReLU, tinymlp::Dense<64, 64>, tinymlp::ReLU,
                                tinymlp::Dense<64, 8>>;

inline void report(const char* key, std::size_t value) {
    std::printf("footprint %s %lu\n", key, static_cast<unsigned long>(value));
}

}  // namespace footprint
