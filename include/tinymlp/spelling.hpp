// A layer list spelled as written in C++ ("Dense<3, 2>, ReLU, Dense<2, 1>"), built by constexpr
// code: the topology signature of blobs and headers is then a compile-time constant, and no
// snprintf (which links malloc on newlib-nano) is needed to form it.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tinymlp {

// Text of at most Capacity - 1 characters, always NUL-terminated. Like snprintf, `length` counts
// every character appended, also those that did not fit.
template <std::size_t Capacity>
struct Spelling {
    static_assert(Capacity > 0, "tinymlp: a spelling needs room for its terminating NUL");
    char text[Capacity] = {};
    std::size_t length = 0;

    constexpr Spelling& operator<<(const char* s) {
        for (; *s; ++s, ++length)
            if (length < Capacity - 1) text[length] = *s;
        return *this;
    }
    constexpr Spelling& operator<<(unsigned long long n) {
        char digits[20] = {};
        std::size_t count = 0;
        do digits[count++] = static_cast<char>('0' + n % 10); while ((n /= 10) != 0);
        char reversed[21] = {};
        for (std::size_t i = 0; i < count; ++i) reversed[i] = digits[count - 1 - i];
        return *this << static_cast<const char*>(reversed);
    }
    constexpr Spelling& operator<<(long long n) {
        if (n < 0) *this << "-";
        return *this << (n < 0 ? 0ull - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n));
    }
    constexpr bool fits() const { return length + 1 <= Capacity; }

    // FNV-1a 64 of the text.
    constexpr std::uint64_t fnv1a64() const {
        std::uint64_t hash = 0xcbf29ce484222325ULL;
        for (std::size_t i = 0; i < length && i + 1 < Capacity; ++i) {
            hash ^= static_cast<unsigned char>(text[i]);
            hash *= 0x100000001b3ULL;
        }
        return hash;
    }
};

}  // namespace tinymlp
