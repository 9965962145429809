// Tests the fixture reader (tests/support/fixture.hpp) on the PyTorch reference fixture
// case_model.bin, and checks that damaged copies (written to TINYMLP_TEST_TMP_DIR) fail cleanly.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "check.hpp"
#include "fixture.hpp"

#ifndef TINYMLP_TEST_TMP_DIR
#define TINYMLP_TEST_TMP_DIR "/tmp"
#endif

using tinymlp_test::Fixture;
using tinymlp_test::FixtureArray;

namespace {

const char* case_model_path() {
    static char path[512];
    return tinymlp_test::fixture_path(path, sizeof path, "case_model.bin");
}

// The raw bytes of case_model.bin (about 2 KB).
unsigned char original[16384];
std::size_t original_size = 0;

bool read_original() {
    if (original_size) return true;
    std::FILE* f = std::fopen(case_model_path(), "rb");
    if (!f) return false;
    original_size = std::fread(original, 1, sizeof original, f);
    const bool whole = std::fgetc(f) == EOF;
    std::fclose(f);
    return whole && original_size > 0;
}

const char* damaged_path() { return TINYMLP_TEST_TMP_DIR "/tinymlp_fixture_damaged.bin"; }

bool write_damaged(const unsigned char* bytes, std::size_t n) {
    std::FILE* f = std::fopen(damaged_path(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(bytes, 1, n, f) == n;
    return std::fclose(f) == 0 && ok;
}

}  // namespace

TEST(fixture_path_joins_directory_and_file) {
    char buffer[512];
    const char* p = tinymlp_test::fixture_path(buffer, sizeof buffer, "a.bin");
    CHECK(p == buffer);
    CHECK(std::strcmp(p, TINYMLP_FIXTURE_DIR "/a.bin") == 0);
    char tiny[4];
    CHECK(tinymlp_test::fixture_path(tiny, sizeof tiny, "a.bin") == nullptr);
    Fixture fx;
    CHECK(!fx.load(nullptr));
}

TEST(case_model_loads_with_expected_records) {
    Fixture fx;
    CHECK(fx.load(case_model_path()));
    if (fx.size() == 0) return;

    const FixtureArray* params = fx.find("params");
    CHECK(params != nullptr);
    if (params) {
        CHECK(params->dtype == tinymlp_test::fixture_float32);
        CHECK(params->ndim == 1);
        CHECK(params->count == 26);  // 3*3+3 + 3*2+2 + 2*2+2
        CHECK(params->f32 != nullptr && params->i32 == nullptr);
    }
    const FixtureArray* x = fx.find("x");
    CHECK(x && x->ndim == 2 && x->dims[0] == 5 && x->dims[1] == 3 && x->count == 15);

    const FixtureArray* labels = fx.find("labels");
    CHECK(labels && labels->dtype == tinymlp_test::fixture_int32 && labels->count == 5);
    if (labels && labels->i32)
        for (std::size_t i = 0; i < labels->count; ++i)
            CHECK(labels->i32[i] == 0 || labels->i32[i] == 1);
    CHECK(!fx.has("targets"));
    CHECK(fx.find("no_such_record") == nullptr);

    // The final Softmax: every row of "output" sums to 1.
    const FixtureArray* output = fx.find("output");
    CHECK(output && output->dims[0] == 5 && output->dims[1] == 2);
    if (output && output->f32)
        for (unsigned r = 0; r < 5; ++r)
            CHECK_NEAR(output->f32[2 * r] + output->f32[2 * r + 1], 1.0, 1e-6);

    // Optimizer configuration written by the generator: plain SGD, lr 0.1; Adam lr 0.01.
    const FixtureArray* sgd = fx.find("opt_sgd");
    CHECK(sgd && sgd->count == 10);
    if (sgd && sgd->f32) {
        CHECK(sgd->f32[0] == 0.0f);
        CHECK(sgd->f32[1] == 0.1f);
        CHECK(sgd->f32[2] == 0.0f);
    }
    const FixtureArray* adam = fx.find("opt_adam");
    if (adam && adam->f32) {
        CHECK(adam->f32[0] == 1.0f);
        CHECK(adam->f32[1] == 0.01f);
        CHECK(adam->f32[4] == 0.9f);
        CHECK(adam->f32[5] == 0.999f);
        CHECK(adam->f32[6] == 1e-8f);
    } else {
        CHECK(adam != nullptr);
    }
    const FixtureArray* clip = fx.find("opt_sgd_clip");
    CHECK(clip && clip->f32 && clip->f32[9] == 0.05f);

    // The first recorded SGD loss is the loss at the initial parameters.
    const FixtureArray* loss = fx.find("loss");
    const FixtureArray* losses = fx.find("losses_sgd");
    CHECK(loss && loss->count == 1 && losses && losses->count == 3);
    if (loss && losses) CHECK(loss->f32[0] == losses->f32[0]);

    // Every optimizer record has its "after_" and "losses_" partners.
    std::size_t optimizers = 0;
    for (std::size_t i = 0; i < fx.size(); ++i) {
        const FixtureArray& rec = fx.at(i);
        if (std::strncmp(rec.name, "opt_", 4) != 0) continue;
        ++optimizers;
        char name[64];
        std::snprintf(name, sizeof name, "after_%s", rec.name + 4);
        const FixtureArray* after = fx.find(name);
        CHECK(after && params && after->count == params->count);
        std::snprintf(name, sizeof name, "losses_%s", rec.name + 4);
        CHECK(fx.has(name));
    }
    CHECK(optimizers == 6);
    CHECK(fx.size() == 6 + 3 * optimizers);
}

TEST(missing_file_fails_cleanly) {
    Fixture fx;
    CHECK(!fx.load(TINYMLP_FIXTURE_DIR "/does_not_exist.bin"));
    CHECK(fx.size() == 0);
    CHECK(fx.find("params") == nullptr);
}

TEST(truncated_copies_fail_cleanly) {
    if (!read_original()) {
        CHECK(!"cannot read case_model.bin");
        return;
    }
    // Cut inside the magic, the count, the first name, the first dims, the data, and the last byte.
    const std::size_t cuts[] = {0, 5, 10, 14, 18, 30, 40, original_size / 2, original_size - 1};
    for (std::size_t cut : cuts) {
        if (!write_damaged(original, cut)) {
            CHECK(!"cannot write the damaged copy");
            return;
        }
        Fixture fx;
        const bool loaded = fx.load(damaged_path());
        CHECK(!loaded);
        CHECK(fx.size() == 0);
        CHECK(!fx.has("params"));
    }
    std::remove(damaged_path());
}

TEST(bad_magic_and_trailing_bytes_fail) {
    if (!read_original()) {
        CHECK(!"cannot read case_model.bin");
        return;
    }
    static unsigned char copy[sizeof original + 1];
    std::memcpy(copy, original, original_size);
    copy[0] = 'X';
    CHECK(write_damaged(copy, original_size));
    Fixture fx;
    CHECK(!fx.load(damaged_path()));

    copy[0] = original[0];
    copy[original_size] = 0;
    CHECK(write_damaged(copy, original_size + 1));
    CHECK(!fx.load(damaged_path()));
    CHECK(fx.size() == 0);

    CHECK(write_damaged(copy, original_size));  // the intact bytes load again
    CHECK(fx.load(damaged_path()));
    CHECK(fx.has("params"));
    std::remove(damaged_path());
}

TEST(a_later_load_invalidates_earlier_fixture) {
    Fixture first, second;
    CHECK(first.load(case_model_path()));
    CHECK(first.has("params"));
    CHECK(second.load(case_model_path()));
    CHECK(second.has("params"));
    CHECK(first.size() == 0);  // the shared arena now holds second's data
    CHECK(first.find("params") == nullptr);
}
