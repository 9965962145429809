// Selftest of the ports scaffolding: the tests/support harness, static initialisation, libm,
// and printf-style formatting (on Cortex-M that is ports/cortex-m/runtime/stdio.c; on Linux
// glibc, which validates the expected strings).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include "check.hpp"

#pragma GCC diagnostic ignored "-Wformat-truncation"

namespace {

int initialized_global = 42;  // .data
int zeroed_global[64];        // .bss
bool constructor_ran = false;

struct SetsFlag {
    SetsFlag() { constructor_ran = true; }
};
SetsFlag sets_flag;

volatile float float_input = 2.0f;   // volatile: computed at run time, not folded
volatile double double_input = 2.0;

bool format_is(const char* expected, const char* got, int returned, const char* what) {
    if (std::strcmp(expected, got) == 0 && returned == static_cast<int>(std::strlen(expected)))
        return true;
    std::printf("  format %s: got \"%s\" (%d), expected \"%s\"\n", what, got, returned, expected);
    return false;
}

}  // namespace

#define CHECK_FORMAT(expected, ...)                                       \
    do {                                                                  \
        char buffer_[160];                                                \
        const int n_ = std::snprintf(buffer_, sizeof buffer_, __VA_ARGS__); \
        CHECK(format_is(expected, buffer_, n_, #__VA_ARGS__));            \
    } while (0)

TEST(static_initialisation) {
    CHECK(initialized_global == 42);
    bool all_zero = true;
    for (int v : zeroed_global) all_zero = all_zero && v == 0;
    CHECK(all_zero);
    CHECK(constructor_ran);
}

// A class with a virtual destructor references operator delete from its deleting destructor;
// on Cortex-M that must not drag malloc in (checked by harness_test_no_heap).
struct Shape {
    virtual ~Shape() = default;
    virtual int corners() const = 0;
};
struct Square final : Shape {
    int corners() const override { return 4; }
};

__attribute__((noinline)) int count_corners(const Shape& shape) { return shape.corners(); }

TEST(virtual_dispatch) {
    const Square square;
    CHECK(count_corners(square) == 4);
}

TEST(float_math) {
    const float x = float_input;
    CHECK_NEAR(std::sqrt(x), 1.41421356f, 1e-6);
    CHECK_NEAR(std::exp(x), 7.3890561f, 1e-5);
    CHECK_NEAR(std::tanh(x), 0.96402758f, 1e-6);
    CHECK_NEAR(std::log(x), 0.69314718f, 1e-6);
    CHECK_NEAR(x * 1.5f + 0.25f, 3.25f, 0.0);
}

TEST(double_math) {
    const double x = double_input;
    CHECK_NEAR(std::sqrt(x), 1.4142135623730951, 1e-15);
    CHECK_NEAR(std::exp(x), 7.38905609893065, 1e-13);
    CHECK_NEAR(std::pow(x, 0.5), 1.4142135623730951, 1e-15);
}

TEST(integer_formats) {
    CHECK_FORMAT("0", "%d", 0);
    CHECK_FORMAT("-42", "%d", -42);
    CHECK_FORMAT("   42", "%5d", 42);
    CHECK_FORMAT("42   |", "%-5d|", 42);
    CHECK_FORMAT("-0042", "%05d", -42);
    CHECK_FORMAT("+7", "%+d", 7);
    CHECK_FORMAT(" 7", "% d", 7);
    CHECK_FORMAT("007", "%.3d", 7);
    CHECK_FORMAT("", "%.0d", 0);
    CHECK_FORMAT("ff", "%x", 255u);
    CHECK_FORMAT("0XFF", "%#X", 255u);
    CHECK_FORMAT("010", "%#o", 8u);
    CHECK_FORMAT("4294967295", "%u", 4294967295u);
    CHECK_FORMAT("-2147483648", "%d", std::numeric_limits<int>::min());
    CHECK_FORMAT("-9223372036854775808", "%lld", std::numeric_limits<long long>::min());
    CHECK_FORMAT("18446744073709551615", "%llu", 18446744073709551615ull);
    CHECK_FORMAT("123", "%zu", static_cast<std::size_t>(123));
    CHECK_FORMAT("-5", "%ld", -5l);
    CHECK_FORMAT("44", "%hhd", 300);
    CHECK_FORMAT("65535", "%hu", 65535);
    CHECK_FORMAT("   -12", "%*d", 6, -12);
    CHECK_FORMAT("0x1234", "%p", reinterpret_cast<void*>(0x1234));
}

TEST(text_formats) {
    CHECK_FORMAT("A", "%c", 'A');
    CHECK_FORMAT("abc", "%s", "abc");
    CHECK_FORMAT("ab", "%.2s", "abc");
    CHECK_FORMAT("     abc|", "%8.3s|", "abcdef");
    CHECK_FORMAT("100%", "%d%%", 100);
    char small[4];
    const int n = std::snprintf(small, sizeof small, "%d", 12345);
    CHECK(n == 5);
    CHECK(std::strcmp(small, "123") == 0);
}

TEST(float_formats) {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_FORMAT("1.500000", "%f", 1.5);
    CHECK_FORMAT("3.14", "%.2f", 3.14159);
    CHECK_FORMAT("0", "%.0f", 0.5);
    CHECK_FORMAT("2", "%.0f", 1.5);
    CHECK_FORMAT("2", "%.0f", 2.5);
    CHECK_FORMAT("-0.001", "%.3f", -0.0005);
    CHECK_FORMAT("0.000", "%.3f", 0.0001);
    CHECK_FORMAT("-0.000000", "%f", -0.0);
    CHECK_FORMAT("100000000000000000000.000000", "%f", 1e20);
    CHECK_FORMAT("    3.1416|", "%10.4f|", 3.14159265);
    CHECK_FORMAT("-00003.142", "%010.3f", -3.14159);
    CHECK_FORMAT(" 10.0", "%5.1f", 9.96);
    CHECK_FORMAT("1.234568e+04", "%e", 12345.678);
    CHECK_FORMAT("0.000e+00", "%.3e", 0.0);
    CHECK_FORMAT("1.000000E-10", "%E", 1e-10);
    CHECK_FORMAT("1.23e+03  |", "%-10.2e|", 1234.5);
    CHECK_FORMAT("1.0e+100", "%.1e", 1e100);
    CHECK_FORMAT("100000", "%g", 100000.0);
    CHECK_FORMAT("1e+06", "%g", 1000000.0);
    CHECK_FORMAT("0.0001", "%g", 0.0001);
    CHECK_FORMAT("1e-05", "%g", 0.00001);
    CHECK_FORMAT("0", "%g", 0.0);
    CHECK_FORMAT("10", "%.3g", 9.9996);
    CHECK_FORMAT("2", "%.3g", 2.0);
    CHECK_FORMAT("2.00", "%#.3g", 2.0);
    CHECK_FORMAT("1.23457e+08", "%g", 123456789.0);
    CHECK_FORMAT("-1.5e+300", "%g", -1.5e300);
    CHECK_FORMAT("4.94066e-324", "%g", 4.9406564584124654e-324);
    CHECK_FORMAT("0.100000001", "%.9g", static_cast<double>(0.1f));
    CHECK_FORMAT("0.333333333", "%.9g", 1.0 / 3.0);
    CHECK_FORMAT("3.40282347e+38", "%.9g", static_cast<double>(std::numeric_limits<float>::max()));
    CHECK_FORMAT("1.17549435e-38", "%.9g", static_cast<double>(std::numeric_limits<float>::min()));
    CHECK_FORMAT("123456.789012", "%.12g", 123456.789012);
    CHECK_FORMAT("2.71828182845905", "%.15g", 2.718281828459045);
    CHECK_FORMAT("inf", "%g", inf);
    CHECK_FORMAT("-inf", "%f", -inf);
    CHECK_FORMAT("  INF", "%5G", inf);
    CHECK_FORMAT("nan", "%g", std::numeric_limits<double>::quiet_NaN());
}

TEST(console_output) {
    // Goes through the buffered stdout and the unbuffered stderr paths.
    std::printf("  stdout: %s %d %.3f\n", "printf", 7, 0.125);
    std::puts("  stdout: puts");
    std::fputs("  stdout: fputs\n", stdout);
    std::fprintf(stderr, "  stderr: fprintf %u\n", 3u);
    std::fflush(stdout);
    CHECK(std::ferror(stdout) == 0);
}

int main() {
    const int result = tinymlp_test::run_all();
    // Every TEST above must have registered (static constructors) and run.
    if (tinymlp_test::Registry::get().count != 8) {
        std::printf("expected 8 registered tests, found %d\n",
                    static_cast<int>(tinymlp_test::Registry::get().count));
        return 1;
    }
    return result;
}
