// The train/test split of the digits shared by on_device_training.cpp and transfer_learning.cpp,
// fixed by index: the 5th, 10th, ... image of each digit is held out for the test. The tables of
// image numbers are computed by the compiler: const data, in flash.
#pragma once
#include <cstddef>
#include <cstdint>

#include "digits_data.hpp"  // generated in the build directory

namespace digits_split {

template <bool Test>
constexpr std::size_t count() {
    std::size_t seen[digits::class_count] = {}, n = 0;
    for (std::size_t i = 0; i < digits::sample_count; ++i) n += (seen[digits::labels[i]]++ % 5 == 4) == Test;
    return n;
}
inline constexpr std::size_t train_count = count<false>();
inline constexpr std::size_t test_count = count<true>();

// image[k]: the index into digits::pixels of the k-th train (or test) image
template <std::size_t Count, bool Test>
struct Images {
    std::uint16_t image[Count] = {};
    constexpr Images() {
        std::size_t seen[digits::class_count] = {}, k = 0;
        for (std::size_t i = 0; i < digits::sample_count; ++i)
            if ((seen[digits::labels[i]]++ % 5 == 4) == Test) image[k++] = static_cast<std::uint16_t>(i);
    }
};
inline constexpr Images<train_count, false> train_images;
inline constexpr Images<test_count, true> test_images;

}  // namespace digits_split
