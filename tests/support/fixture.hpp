// Reader for the PyTorch reference fixtures in tests/fixtures/*.bin (written by
// tests/pytorch/generate_fixtures.py). Works on every target, bare-metal newlib with semihosting
// included: C stdio only (fopen/fread), no heap, no exceptions, no std::vector/std::string.
//
// File format (little-endian): 8 bytes magic "TMLPFIX1", u32 record_count, then per record
//   u32 name_length, name bytes (ASCII, no NUL), u32 dtype (0 = float32, 1 = int32),
//   u32 ndim (1..4), u32 dims[ndim], raw row-major data.
//
//   char path[256];
//   tinymlp_test::Fixture fx;
//   if (!fx.load(tinymlp_test::fixture_path(path, sizeof path, "case_model.bin"))) { ... }
//   const tinymlp_test::FixtureArray* params = fx.find("params");   // params->f32[i]
//
// Memory: every record (its descriptor, name and data) lives in ONE static arena of
// TINYMLP_FIXTURE_ARENA_BYTES bytes (default 32 MiB; define it smaller, before including this
// header, on targets with little RAM -- the largest fixture, mlp_784_256_128_10.bin, needs about
// 3.7 MiB). The arena is shared by all Fixture objects: each successful or failed load() resets
// it, so only ONE fixture is live at a time. A Fixture whose data was overwritten by a later
// load() of another object reports size() == 0 and find() == nullptr instead of stale data.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#ifndef TINYMLP_FIXTURE_ARENA_BYTES
#define TINYMLP_FIXTURE_ARENA_BYTES (32u * 1024u * 1024u)
#endif

#ifndef TINYMLP_FIXTURE_DIR
#define TINYMLP_FIXTURE_DIR "tests/fixtures"
#endif

namespace tinymlp_test {

enum FixtureDtype : int { fixture_float32 = 0, fixture_int32 = 1 };

struct FixtureArray {
    const char* name;        // NUL-terminated, lives in the arena
    int dtype;               // fixture_float32 or fixture_int32
    unsigned ndim;           // 1..4
    unsigned dims[4];        // unused dims are 1
    std::size_t count;       // product of dims
    const float* f32;        // non-null when dtype == fixture_float32
    const std::int32_t* i32; // non-null when dtype == fixture_int32
};

namespace fixture_detail {

static_assert(sizeof(float) == 4, "fixtures store IEEE-754 binary32 floats");

inline constexpr std::size_t arena_bytes = static_cast<std::size_t>(TINYMLP_FIXTURE_ARENA_BYTES);
static_assert(arena_bytes >= 64, "TINYMLP_FIXTURE_ARENA_BYTES is too small");

struct Arena {
    alignas(16) unsigned char bytes[arena_bytes];
    std::size_t used;
    unsigned generation;  // incremented by every load()
};

inline Arena& arena() {
    static Arena instance;  // zero-initialised, in .bss
    return instance;
}

// Returns aligned storage of `n` bytes from the arena, or nullptr when it does not fit.
inline void* allocate(std::size_t n, std::size_t alignment) {
    Arena& a = arena();
    std::size_t start = (a.used + alignment - 1) & ~(alignment - 1);
    if (start < a.used || start > sizeof(a.bytes) || n > sizeof(a.bytes) - start) return nullptr;
    a.used = start + n;
    return a.bytes + start;
}

inline bool host_is_little_endian() {
    const std::uint32_t probe = 1;
    unsigned char first;
    std::memcpy(&first, &probe, 1);
    return first == 1;
}

inline void swap_words(void* data, std::size_t words) {
    unsigned char* p = static_cast<unsigned char*>(data);
    for (std::size_t i = 0; i < words; ++i, p += 4) {
        unsigned char t = p[0];
        p[0] = p[3];
        p[3] = t;
        t = p[1];
        p[1] = p[2];
        p[2] = t;
    }
}

// Reads exactly n bytes; false on a short read.
inline bool read_bytes(std::FILE* f, void* out, std::size_t n) {
    return n == 0 || std::fread(out, 1, n, f) == n;
}

inline bool read_u32(std::FILE* f, std::uint32_t& value) {
    unsigned char b[4];
    if (!read_bytes(f, b, 4)) return false;
    value = static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
            (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
    return true;
}

}  // namespace fixture_detail

class Fixture {
public:
    // Loads a fixture file, replacing whatever the arena held. Returns false (and prints the
    // reason) on a missing file, bad magic, truncated or malformed content, or a full arena;
    // the fixture is then empty.
    bool load(const char* path) {
        fixture_detail::Arena& a = fixture_detail::arena();
        a.used = 0;
        ++a.generation;
        generation_ = a.generation;
        records_ = nullptr;
        count_ = 0;
        if (!path) return fail(path, "no path (buffer given to fixture_path too small?)");

        std::FILE* f = std::fopen(path, "rb");
        if (!f) return fail(path, "cannot open file");
        const bool ok = parse(f, path);
        std::fclose(f);
        if (!ok) {
            records_ = nullptr;
            count_ = 0;
            a.used = 0;
        }
        return ok;
    }

    // The record named `name`, or nullptr if absent (or if another load() replaced the data).
    const FixtureArray* find(const char* name) const {
        if (!live() || !name) return nullptr;
        for (std::size_t i = 0; i < count_; ++i)
            if (std::strcmp(records_[i].name, name) == 0) return &records_[i];
        return nullptr;
    }

    bool has(const char* name) const { return find(name) != nullptr; }

    std::size_t size() const { return live() ? count_ : 0; }

    // Precondition: i < size().
    const FixtureArray& at(std::size_t i) const { return records_[i]; }

private:
    FixtureArray* records_ = nullptr;
    std::size_t count_ = 0;
    unsigned generation_ = 0;

    bool live() const {
        return records_ != nullptr && generation_ == fixture_detail::arena().generation;
    }

    static bool fail(const char* path, const char* reason, const char* detail = nullptr) {
        if (detail)
            std::printf("fixture %s: %s (%s)\n", path ? path : "(null)", reason, detail);
        else
            std::printf("fixture %s: %s\n", path ? path : "(null)", reason);
        return false;
    }

    bool parse(std::FILE* f, const char* path) {
        using namespace fixture_detail;
        char magic[8];
        if (!read_bytes(f, magic, sizeof magic)) return fail(path, "truncated (magic)");
        if (std::memcmp(magic, "TMLPFIX1", 8) != 0) return fail(path, "bad magic");
        std::uint32_t count = 0;
        if (!read_u32(f, count)) return fail(path, "truncated (record count)");
        if (count > arena_bytes / sizeof(FixtureArray))
            return fail(path, "arena full (record table)");
        FixtureArray* table = static_cast<FixtureArray*>(
            allocate(count * sizeof(FixtureArray), alignof(FixtureArray)));
        if (!table && count) return fail(path, "arena full (record table)");

        for (std::uint32_t r = 0; r < count; ++r) {
            FixtureArray& rec = table[r];
            std::uint32_t name_length = 0, dtype = 0, ndim = 0;
            if (!read_u32(f, name_length)) return fail(path, "truncated (name length)");
            if (name_length >= arena_bytes)
                return fail(path, "arena full (name)");
            char* name = static_cast<char*>(allocate(name_length + 1u, 1));
            if (!name) return fail(path, "arena full (name)");
            if (!read_bytes(f, name, name_length)) return fail(path, "truncated (name)");
            name[name_length] = '\0';
            if (std::strlen(name) != name_length) return fail(path, "NUL byte in a name");
            if (!read_u32(f, dtype) || !read_u32(f, ndim))
                return fail(path, "truncated (record header)", name);
            if (dtype != fixture_float32 && dtype != fixture_int32)
                return fail(path, "unknown dtype", name);
            if (ndim < 1 || ndim > 4) return fail(path, "ndim must be 1..4", name);

            rec.name = name;
            rec.dtype = static_cast<int>(dtype);
            rec.ndim = ndim;
            std::size_t elements = 1;
            for (unsigned d = 0; d < 4; ++d) {
                std::uint32_t dim = 1;
                if (d < ndim && !read_u32(f, dim)) return fail(path, "truncated (dims)", name);
                if (dim != 0 && elements > static_cast<std::size_t>(-1) / 4u / dim)
                    return fail(path, "arena full (dims too large)", name);
                elements *= dim;
                rec.dims[d] = dim;
            }
            rec.count = elements;
            void* data = allocate(elements * 4u, 16);
            if (!data) return fail(path, "arena full (data)", name);
            if (!read_bytes(f, data, elements * 4u)) return fail(path, "truncated (data)", name);
            if (!host_is_little_endian()) swap_words(data, elements);
            rec.f32 = dtype == fixture_float32 ? static_cast<const float*>(data) : nullptr;
            rec.i32 = dtype == fixture_int32 ? static_cast<const std::int32_t*>(data) : nullptr;
        }
        if (std::fgetc(f) != EOF) return fail(path, "trailing bytes after the last record");
        records_ = table;
        count_ = count;
        return true;
    }
};

// Writes TINYMLP_FIXTURE_DIR "/" file into buffer and returns it; returns nullptr when it does
// not fit in n bytes (Fixture::load(nullptr) fails cleanly).
inline const char* fixture_path(char* buffer, std::size_t n, const char* file) {
    if (!buffer || n == 0 || !file) return nullptr;
    const char* dir = TINYMLP_FIXTURE_DIR;
    const std::size_t dir_length = std::strlen(dir);
    const bool slash = dir_length > 0 && dir[dir_length - 1] != '/';
    const std::size_t total = dir_length + (slash ? 1u : 0u) + std::strlen(file);
    if (total + 1 > n) {
        buffer[0] = '\0';
        return nullptr;
    }
    std::memcpy(buffer, dir, dir_length);
    std::size_t at = dir_length;
    if (slash) buffer[at++] = '/';
    std::memcpy(buffer + at, file, std::strlen(file) + 1);
    return buffer;
}

}  // namespace tinymlp_test
