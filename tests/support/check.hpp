// Minimal test harness shared by every target (host, ARM Linux under qemu-user, bare-metal
// Cortex-M under semihosting): no heap, no exceptions, no iostreams, only printf.
//
//   TEST(dense_forward_matches_reference) { CHECK(x == 1); CHECK_NEAR(a, b, 1e-6); }
//   int main() { return tinymlp_test::run_all(); }      // or link tests/support/main.cpp
//
// Exit code 0 when every check passed; 77 when a test called SKIP() and nothing failed.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdio>

namespace tinymlp_test {

using TestFunction = void (*)();

struct Registry {
    static constexpr std::size_t capacity = 256;
    const char* names[capacity];
    TestFunction functions[capacity];
    std::size_t count = 0;
    int failures = 0;   // failed checks in the current test
    bool skipped = false;
    static Registry& get() {
        static Registry registry;
        return registry;
    }
};

struct Registrar {
    Registrar(const char* name, TestFunction function) {
        Registry& r = Registry::get();
        if (r.count < Registry::capacity) {
            r.names[r.count] = name;
            r.functions[r.count] = function;
            ++r.count;
        }
    }
};

inline void report_failure(const char* file, int line, const char* what) {
    std::printf("  FAILED %s:%d: %s\n", file, line, what);
    ++Registry::get().failures;
}

// |actual - expected| <= tolerance; NaN never passes.
inline bool check_near(double actual, double expected, double tolerance, const char* file,
                       int line, const char* expression) {
    const double error = std::fabs(actual - expected);
    if (error <= tolerance) return true;
    std::printf("  FAILED %s:%d: %s: got %.9g, expected %.9g (|error| %.3g > %.3g)\n", file, line,
                expression, actual, expected, error, tolerance);
    ++Registry::get().failures;
    return false;
}

inline int run_all() {
    Registry& r = Registry::get();
    int failed_tests = 0, skipped_tests = 0;
    for (std::size_t i = 0; i < r.count; ++i) {
        r.failures = 0;
        r.skipped = false;
        r.functions[i]();
        if (r.failures) {
            ++failed_tests;
            std::printf("[FAIL] %s\n", r.names[i]);
        } else if (r.skipped) {
            ++skipped_tests;
            std::printf("[SKIP] %s\n", r.names[i]);
        } else {
            std::printf("[ OK ] %s\n", r.names[i]);
        }
    }
    const int passed = static_cast<int>(r.count) - failed_tests - skipped_tests;
    std::printf("%d passed, %d failed, %d skipped\n", passed, failed_tests, skipped_tests);
    std::fflush(stdout);
    if (failed_tests) return 1;
    return (skipped_tests && passed == 0) ? 77 : 0;
}

}  // namespace tinymlp_test

#define TINYMLP_TEST_CONCAT2(a, b) a##b
#define TINYMLP_TEST_CONCAT(a, b) TINYMLP_TEST_CONCAT2(a, b)

#define TEST(name)                                                                   \
    static void name();                                                              \
    static ::tinymlp_test::Registrar TINYMLP_TEST_CONCAT(registrar_, name)(#name, name); \
    static void name()

#define CHECK(condition)                                                            \
    do {                                                                            \
        if (!(condition)) ::tinymlp_test::report_failure(__FILE__, __LINE__, #condition); \
    } while (0)

#define CHECK_NEAR(actual, expected, tolerance)                                              \
    ::tinymlp_test::check_near(static_cast<double>(actual), static_cast<double>(expected), \
                               static_cast<double>(tolerance), __FILE__, __LINE__,          \
                               #actual " ~ " #expected)

// Marks the running test as skipped (e.g. PyTorch missing) and leaves it.
#define SKIP(reason)                                          \
    do {                                                      \
        std::printf("  skipped: %s\n", reason);               \
        ::tinymlp_test::Registry::get().skipped = true;       \
        return;                                               \
    } while (0)
