// Selftest: snprintf of doubles against 2000 cases formatted on the host (data/format_cases.txt,
// made by data/make_format_cases.py). On Cortex-M this checks ports/cortex-m/runtime/stdio.c's
// float formatting; the file is read line by line through fopen/fgets (semihosting).
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "check.hpp"

#ifndef SELFTEST_FORMAT_CASES
#error "SELFTEST_FORMAT_CASES must name data/format_cases.txt by absolute path"
#endif

TEST(formats_match_host) {
    std::FILE* file = std::fopen(SELFTEST_FORMAT_CASES, "r");
    CHECK(file != nullptr);
    if (!file) return;
    static char line[512];
    int cases = 0, mismatches = 0;
    while (std::fgets(line, sizeof line, file)) {
        // "<format> <16 hex digits> <expected>\n"
        char* format = line;
        char* hex = std::strchr(format, ' ');
        if (!hex) continue;
        *hex++ = '\0';
        char* expected = std::strchr(hex, ' ');
        if (!expected) continue;
        *expected++ = '\0';
        expected[std::strcspn(expected, "\n")] = '\0';
        std::uint64_t bits = 0;
        for (const char* p = hex; *p; ++p)
            bits = bits * 16u + static_cast<std::uint64_t>(*p <= '9' ? *p - '0' : *p - 'a' + 10);
        double value;
        std::memcpy(&value, &bits, sizeof value);
        char got[400];
        std::snprintf(got, sizeof got, format, value);
        ++cases;
        if (std::strcmp(got, expected) != 0) {
            if (++mismatches <= 10)
                std::printf("  %s of %s: got %s, expected %s\n", format, hex, got, expected);
        }
    }
    std::fclose(file);
    std::printf("  %d cases, %d mismatches\n", cases, mismatches);
    CHECK(cases == 2000);
    CHECK(mismatches == 0);
}

int main() { return tinymlp_test::run_all(); }
