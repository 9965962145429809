// The kernel seam. Every kernel takes a target tag as its first argument; overloads for a tag
// supply that target's implementation. This header names the targets and picks the default one,
// and is the only place outside ports/ that knows which targets exist.
#pragma once
#include <cstddef>

namespace tinymlp {

// Plain loops: the reference every other target is tested against.
struct ScalarTarget {
    static constexpr const char* name = "scalar";
};

// Alignment of every parameter, gradient and activation array: a cache line, which also
// covers the widest SIMD register of every supported target (AVX-512: 64 bytes).
inline constexpr std::size_t storage_alignment = 64;

using DefaultTarget = ScalarTarget;

}  // namespace tinymlp
