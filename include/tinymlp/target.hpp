// The kernel seam. Every kernel takes a target tag as its first argument; overloads for a tag
// supply that target's implementation. This header names the targets and picks the default one,
// and is the only place outside ports/ that knows which targets exist.
//
//   ScalarTarget       plain loops (kernels/*.hpp): the reference, and the fallback of every
//                      other target for scalar types it has no vector of.
//   SimdTarget<Arch>   the same kernels written once over a vector type (kernels/simd/), either
//                      xsimd::batch<S, Arch> for an xsimd instruction set (sse2, fma3<avx2>,
//                      avx512bw, neon64, ...), which each build instantiates for the instruction
//                      set its flags enable, or the lane type of a port's Arch tag.
//
// DefaultTarget is, in this order:
//  - SimdTarget<tinymlp::port::Arch> with a port's lane header: on any Cortex-M compiler
//    ports/cortex_m_lanes.hpp, whose unrolled scalar lanes or Helium/MVE vectors stand in for
//    xsimd, which has no Cortex-M arch; or the header a build names in TINYMLP_PORT_LANES;
//  - SimdTarget<xsimd::default_arch> when the build has xsimd (the CMake package defines
//    TINYMLP_HAS_XSIMD=1) and xsimd found a SIMD instruction set for the compiler flags;
//  - otherwise ScalarTarget.
#pragma once
#include <cstddef>

// A Cortex-M compiler gets the Cortex-M port's lane types from its own predefined macros, whatever
// builds the firmware (Arduino, PlatformIO, Zephyr, a vendor IDE): no -D and no toolchain file.
// TINYMLP_PORT_LANES="header" names other lane types; TINYMLP_NO_PORT_LANES keeps the reference.
#if !defined(TINYMLP_PORT_LANES) && !defined(TINYMLP_NO_PORT_LANES) && defined(__ARM_ARCH_PROFILE) && \
    __ARM_ARCH_PROFILE == 'M'
#define TINYMLP_PORT_LANES "ports/cortex_m_lanes.hpp"
#endif

#if defined(TINYMLP_PORT_LANES)
#include TINYMLP_PORT_LANES
#define TINYMLP_SIMD 1
#elif defined(TINYMLP_HAS_XSIMD) && TINYMLP_HAS_XSIMD
// GCC 12's AVX-512 intrinsics initialise their "undefined" vectors from themselves
// (`__m512 __Y = __Y;`), which -Wall reports as uninitialised wherever xsimd inlines them; the
// warnings are attributed to those headers, so silencing them while they are read is enough.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // clang has no -Wmaybe-uninitialized and would warn about the name
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#pragma GCC diagnostic pop
// xsimd 8.1 defines XSIMD_NO_SUPPORTED_ARCHITECTURE when the flags enable none of its instruction
// sets; its batch types do not exist then.
#if !defined(XSIMD_NO_SUPPORTED_ARCHITECTURE)
#define TINYMLP_SIMD 1
#define TINYMLP_XSIMD 1
#endif
#endif
#if !defined(TINYMLP_SIMD)
#define TINYMLP_SIMD 0
#endif
#if !defined(TINYMLP_XSIMD)
#define TINYMLP_XSIMD 0
#endif

namespace tinymlp {

// Plain loops: the reference every other target is tested against.
struct ScalarTarget {
    static constexpr const char* name = "scalar";
};

// Alignment of every parameter, gradient and activation array: on hosts a cache line, which also
// covers the widest SIMD register of every supported target (AVX-512: 64 bytes). A port may choose
// less (TINYMLP_PORT_STORAGE_ALIGNMENT in its lane header: Cortex-M has no cache line to fill and
// its widest access needs 8 bytes), so that its buffers and trainers carry no padding.
#if defined(TINYMLP_PORT_STORAGE_ALIGNMENT)
inline constexpr std::size_t storage_alignment = TINYMLP_PORT_STORAGE_ALIGNMENT;
#else
inline constexpr std::size_t storage_alignment = 64;
#endif
static_assert((storage_alignment & (storage_alignment - 1)) == 0, "tinymlp: the storage alignment is a power of two");

#if TINYMLP_SIMD
// Vectors of the instruction set Arch: an xsimd tag type such as xsimd::fma3<xsimd::avx2>, or a
// port's tag.
// A SimdTarget is a ScalarTarget too: a kernel with no SIMD overload (or one that does not apply to
// a scalar type) resolves to the reference.
template <class Arch>
struct SimdTarget : ScalarTarget {
    using arch = Arch;
    static constexpr const char* name = Arch::name();
};

#if TINYMLP_XSIMD
using DefaultTarget = SimdTarget<xsimd::default_arch>;
#else
using DefaultTarget = SimdTarget<port::Arch>;
#endif
#else
using DefaultTarget = ScalarTarget;
#endif

}  // namespace tinymlp

#if TINYMLP_SIMD
// The SimdTarget overloads of every kernel, declared here so that every kernel call sees them.
#include "kernels/simd/lanes.hpp"
#include "kernels/simd/dense.hpp"
#include "kernels/simd/elementwise.hpp"
#include "kernels/simd/prelu.hpp"
#include "kernels/simd/softmax.hpp"
#include "kernels/simd/losses.hpp"
#include "kernels/simd/optimizers.hpp"
#endif
