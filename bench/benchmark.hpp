// Shared by the benchmark's main (bench/benchmark.cpp) and its cases (bench/benchmark_cases.cpp,
// compiled once per x86-64 instruction set in builds that dispatch at run time): timing, results.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

namespace tinymlp_bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// How long each case is timed: about `seconds`, in rounds of at least 2 ms (seconds_per_call).
// A quick run (--short, what ctest runs, whatever the build type) times one call per case.
struct Timing {
    bool quick = false;
    double seconds = 1.0;
};

// Seconds per call of f: the best of many short rounds over about timing.seconds. Short rounds and
// the best of them keep the figure close to what an otherwise idle core does, even when other
// processes share the machine.
template <class F>
double seconds_per_call(F&& f, const Timing& timing, int min_calls) {
    if (timing.quick) {
        const auto start = Clock::now();
        f();
        return seconds_since(start);
    }
    f();  // warm-up: caches, page faults
    constexpr double round_seconds = 0.002;
    double best = 1e300;
    const auto begin = Clock::now();
    for (int r = 0; r < 8 || seconds_since(begin) < timing.seconds; ++r) {
        long calls = 0;
        const auto start = Clock::now();
        double elapsed = 0;
        do {
            f();
            ++calls;
            elapsed = seconds_since(start);
        } while (elapsed < round_seconds || calls < min_calls);
        best = std::min(best, elapsed / static_cast<double>(calls));
    }
    return best;
}

// Keeps a value alive without letting the compiler compute it away.
template <class T>
void keep(const T& value) {
    asm volatile("" : : "g"(&value) : "memory");
}

struct Options {
    bool short_mode = false;
    const char* json = nullptr;
    Timing timing() const { return {short_mode, 1.0}; }
};

struct Peak {
    const char* name;
    double gflops;
};

struct Result {
    std::string name, target;
    std::size_t batch = 0;
    double samples_per_second = 0, gflops = 0, microseconds = 0;
};

}  // namespace tinymlp_bench
