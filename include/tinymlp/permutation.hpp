// A seeded random order of n samples with no index table: Permutation(n, seed)(i) is the i-th
// sample of the order, a bijection of [0, n). A shuffled epoch over data in flash, on an SD card or
// in a file then needs a few words of RAM instead of n indices.
//
// A 4-round Feistel network permutes the 2k-bit numbers (2^2k >= n, at most 4n), and an index
// that lands outside [0, n) is permuted again until it lands inside ("cycle walking"): a bijection
// of [0, n) because each step is one of the domain's. Each step lands inside with probability at
// least 1/4. The order is a pseudorandom shuffle (keys from Pcg32), not a uniform one over all n!
// orders; for shuffling training data that does not matter.
#pragma once
#include <cstddef>
#include <cstdint>

#include "random.hpp"

namespace tinymlp {

class Permutation {
public:
    constexpr Permutation(std::size_t n, std::uint64_t seed) : n_(n) {
        while (half_bits_ < 32 && (std::uint64_t(1) << (2 * half_bits_)) < n) ++half_bits_;
        mask_ = (std::uint64_t(1) << half_bits_) - 1;
        Pcg32 rng(seed, 0x5eed0fda7aULL);
        for (std::uint64_t& key : keys_) key = (std::uint64_t(rng.next_u32()) << 32) | rng.next_u32();
    }

    constexpr std::size_t size() const { return n_; }

    // The sample at position i of the order (i < size()).
    constexpr std::size_t operator()(std::size_t i) const {
        std::uint64_t x = i;
        do x = feistel(x);
        while (x >= n_);
        return static_cast<std::size_t>(x);
    }

private:
    static constexpr std::uint64_t mix(std::uint64_t z) {  // splitmix64's finalizer
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    constexpr std::uint64_t feistel(std::uint64_t x) const {
        std::uint64_t left = x >> half_bits_, right = x & mask_;
        for (const std::uint64_t key : keys_) {
            const std::uint64_t next = left ^ (mix(right ^ key) & mask_);
            left = right;
            right = next;
        }
        return (left << half_bits_) | right;
    }

    std::size_t n_;
    unsigned half_bits_ = 1;
    std::uint64_t mask_ = 1;
    std::uint64_t keys_[4] = {};
};

}  // namespace tinymlp
