// Selftest: reading (and writing) host files through fopen/fread by absolute path, as the
// tinymlp tests read their fixtures. On Cortex-M this goes through semihosting.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "check.hpp"

#ifndef SELFTEST_FIXTURE
#error "SELFTEST_FIXTURE must name data/fixture.bin by absolute path"
#endif
#ifndef SELFTEST_OUTPUT
#error "SELFTEST_OUTPUT must name a writable file by absolute path"
#endif

namespace {

std::uint32_t little_endian_u32(const unsigned char* bytes) {
    return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
           static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}

}  // namespace

TEST(read_fixture) {
    std::FILE* file = std::fopen(SELFTEST_FIXTURE, "rb");
    CHECK(file != nullptr);
    if (!file) return;
    unsigned char header[8];
    CHECK(std::fread(header, 1, sizeof header, file) == sizeof header);
    CHECK(std::memcmp(header, "TMLP", 4) == 0);
    const std::uint32_t count = little_endian_u32(header + 4);
    CHECK(count == 16);
    float values[16];
    CHECK(std::fread(values, sizeof(float), 16, file) == 16);
    for (int i = 0; i < 16; ++i) CHECK_NEAR(values[i], i * 0.25f - 1.0f, 0.0);
    CHECK(std::ftell(file) == 72);
    CHECK(!std::feof(file));
    char extra;
    CHECK(std::fread(&extra, 1, 1, file) == 0);
    CHECK(std::feof(file));
    CHECK(std::fclose(file) == 0);
}

TEST(seek_and_getc) {
    std::FILE* file = std::fopen(SELFTEST_FIXTURE, "rb");
    CHECK(file != nullptr);
    if (!file) return;
    CHECK(std::fseek(file, 0, SEEK_END) == 0);
    CHECK(std::ftell(file) == 72);
    CHECK(std::fseek(file, 1, SEEK_SET) == 0);
    CHECK(std::fgetc(file) == 'M');
    CHECK(std::fseek(file, 1, SEEK_CUR) == 0);
    CHECK(std::fgetc(file) == 'P');
    CHECK(std::ftell(file) == 4);
    std::rewind(file);
    CHECK(std::fgetc(file) == 'T');
    std::fclose(file);
}

TEST(missing_file) {
    CHECK(std::fopen(SELFTEST_FIXTURE ".missing", "rb") == nullptr);
}

TEST(write_then_read_back) {
    std::FILE* out = std::fopen(SELFTEST_OUTPUT, "wb");
    CHECK(out != nullptr);
    if (!out) return;
    CHECK(std::fprintf(out, "line %d\n", 1) == 7);
    CHECK(std::fputs("line 2\n", out) >= 0);
    CHECK(std::fclose(out) == 0);
    std::FILE* in = std::fopen(SELFTEST_OUTPUT, "r");
    CHECK(in != nullptr);
    if (!in) return;
    char line[32];
    CHECK(std::fgets(line, sizeof line, in) != nullptr);
    CHECK(std::strcmp(line, "line 1\n") == 0);
    CHECK(std::fgets(line, sizeof line, in) != nullptr);
    CHECK(std::strcmp(line, "line 2\n") == 0);
    CHECK(std::fgets(line, sizeof line, in) == nullptr);
    std::fclose(in);
    CHECK(std::remove(SELFTEST_OUTPUT) == 0);
}

TEST(temporary_file) {
    std::FILE* file = std::tmpfile();
    CHECK(file != nullptr);
    if (!file) return;
    const float values[3] = {1.5f, -2.0f, 0.25f};
    CHECK(std::fwrite(values, sizeof(float), 3, file) == 3);
    std::rewind(file);
    float back[3] = {};
    CHECK(std::fread(back, sizeof(float), 3, file) == 3);
    CHECK(back[0] == 1.5f && back[1] == -2.0f && back[2] == 0.25f);
    CHECK(std::fclose(file) == 0);
}

int main() { return tinymlp_test::run_all(); }
