#include "tinymlp_host/idx.hpp"

#include <array>
#include <cstdlib>
#include <limits>
#include <new>
#include <utility>

#include "format.hpp"
#include "tinymlp_host/file.hpp"

namespace tinymlp::host {
namespace {

std::uint32_t read_be32(const unsigned char* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           std::uint32_t(p[3]);
}

// byte -> byte / 255.0f (an exact division per value, looked up).
const std::array<float, 256>& unit_table() {
    static const std::array<float, 256> table = [] {
        std::array<float, 256> t{};
        for (int i = 0; i < 256; ++i) t[std::size_t(i)] = static_cast<float>(i) / 255.0f;
        return t;
    }();
    return table;
}

// Explains a wrong magic number: the other IDX kind, another element type or dimension count,
// or not IDX at all.
std::string describe_bad_magic(std::uint32_t magic, std::uint32_t expected, const char* what) {
    const unsigned type = (magic >> 8) & 0xffu;
    const unsigned dims = magic & 0xffu;
    if (magic == idx_images_magic && expected == idx_labels_magic)
        return "bad magic 0x00000803: an IDX images file, expected labels (0x00000801)";
    if (magic == idx_labels_magic && expected == idx_images_magic)
        return "bad magic 0x00000801: an IDX labels file, expected images (0x00000803)";
    if ((magic >> 16) == 0 && type >= 0x08 && type <= 0x0e) {
        return detail::format(
            "bad magic 0x%08x: IDX with element type 0x%02x and %u dimensions, expected %s "
            "(0x%08x: unsigned bytes, %u dimensions)",
            magic, type, dims, what, expected, expected & 0xffu);
    }
    return detail::format("bad magic 0x%08x: not an IDX file, expected %s (0x%08x)", magic, what,
                          expected);
}

template <class T>
Result<T> with_path(Result<T> r, const std::string& path) {
    if (!r.ok()) r.error.message = path + ": " + r.error.message;
    return r;
}

}  // namespace

Result<IdxImages> parse_idx_images(const unsigned char* data, std::size_t size) {
    using R = Result<IdxImages>;
    if (data == nullptr && size != 0)
        return R::failure(ErrorCode::invalid_argument, "null data with a non-zero size");
    constexpr std::size_t header = 16;
    if (size < 4)
        return R::failure(ErrorCode::truncated,
                          detail::format("%zu bytes, too short for an IDX header (16 bytes)", size));
    const std::uint32_t magic = read_be32(data);
    if (magic != idx_images_magic)
        return R::failure(ErrorCode::bad_magic,
                          describe_bad_magic(magic, idx_images_magic, "images"));
    if (size < header)
        return R::failure(ErrorCode::truncated,
                          detail::format("%zu bytes, too short for an IDX images header (16 bytes)",
                                         size));
    const std::uint32_t count = read_be32(data + 4);
    const std::uint32_t rows = read_be32(data + 8);
    const std::uint32_t cols = read_be32(data + 12);
    if (rows == 0 || cols == 0)
        return R::failure(ErrorCode::bad_header,
                          detail::format("images of %u x %u pixels", unsigned(rows), unsigned(cols)));
    const std::uint64_t pixels = std::uint64_t(rows) * cols;  // < 2^64, no overflow
    if (pixels > std::numeric_limits<std::size_t>::max() / sizeof(float))
        return R::failure(ErrorCode::bad_header,
                          detail::format("images of %u x %u pixels are too large", unsigned(rows),
                                         unsigned(cols)));
    const std::size_t payload = size - header;
    // count * pixels bytes needed; compare without multiplying (the product may overflow).
    if (count != 0 && pixels > payload / count) {
        return R::failure(ErrorCode::truncated,
                          detail::format("header announces %u images of %u x %u pixels, but only "
                                         "%zu bytes of pixel data follow",
                                         unsigned(count), unsigned(rows), unsigned(cols), payload));
    }
    const std::size_t needed = std::size_t(count) * std::size_t(pixels);
    if (needed != payload)
        return R::failure(ErrorCode::trailing_data,
                          detail::format("%zu bytes after the %u images the header announces",
                                         payload - needed, unsigned(count)));

    R result;
    IdxImages& images = result.value;
    try {
        images.pixels.resize(needed);
    } catch (const std::bad_alloc&) {
        return R::failure(ErrorCode::too_large,
                          detail::format("out of memory for %zu pixels", needed));
    }
    const std::array<float, 256>& table = unit_table();
    const unsigned char* in = data + header;
    float* out = images.pixels.data();
    for (std::size_t i = 0; i < needed; ++i) out[i] = table[in[i]];
    images.count = count;
    images.rows = rows;
    images.cols = cols;
    return result;
}

Result<std::vector<std::int32_t>> parse_idx_labels(const unsigned char* data, std::size_t size) {
    using R = Result<std::vector<std::int32_t>>;
    if (data == nullptr && size != 0)
        return R::failure(ErrorCode::invalid_argument, "null data with a non-zero size");
    constexpr std::size_t header = 8;
    if (size < 4)
        return R::failure(ErrorCode::truncated,
                          detail::format("%zu bytes, too short for an IDX header (8 bytes)", size));
    const std::uint32_t magic = read_be32(data);
    if (magic != idx_labels_magic)
        return R::failure(ErrorCode::bad_magic,
                          describe_bad_magic(magic, idx_labels_magic, "labels"));
    if (size < header)
        return R::failure(ErrorCode::truncated,
                          detail::format("%zu bytes, too short for an IDX labels header (8 bytes)",
                                         size));
    const std::uint32_t count = read_be32(data + 4);
    const std::size_t payload = size - header;
    if (count > payload)
        return R::failure(ErrorCode::truncated,
                          detail::format("header announces %u labels, but only %zu bytes follow",
                                         unsigned(count), payload));
    if (count < payload)
        return R::failure(ErrorCode::trailing_data,
                          detail::format("%zu bytes after the %u labels the header announces",
                                         payload - count, unsigned(count)));
    R result;
    try {
        result.value.assign(data + header, data + size);  // u8 -> int32
    } catch (const std::bad_alloc&) {
        return R::failure(ErrorCode::too_large,
                          detail::format("out of memory for %u labels", unsigned(count)));
    }
    return result;
}

namespace {

Result<Dataset> make_dataset(IdxImages&& images, std::vector<std::int32_t>&& labels) {
    using R = Result<Dataset>;
    if (images.count != labels.size())
        return R::failure(ErrorCode::count_mismatch,
                          detail::format("%zu images but %zu labels", images.count, labels.size()));
    R result;
    Dataset& d = result.value;
    d.count = images.count;
    d.feature_count = images.rows * images.cols;
    d.features = std::move(images.pixels);
    d.labels = std::move(labels);
    return result;
}

}  // namespace

Result<Dataset> parse_idx_dataset(const unsigned char* images, std::size_t images_size,
                                  const unsigned char* labels, std::size_t labels_size) {
    auto im = parse_idx_images(images, images_size);
    if (!im) {
        im.error.message = "images: " + im.error.message;
        return Result<Dataset>::failure(std::move(im.error));
    }
    auto lb = parse_idx_labels(labels, labels_size);
    if (!lb) {
        lb.error.message = "labels: " + lb.error.message;
        return Result<Dataset>::failure(std::move(lb.error));
    }
    return make_dataset(std::move(im.value), std::move(lb.value));
}

Result<IdxImages> load_idx_images(const std::string& path) {
    auto bytes = read_file(path);
    if (!bytes) return Result<IdxImages>::failure(std::move(bytes.error));
    return with_path(parse_idx_images(bytes.value.data(), bytes.value.size()), path);
}

Result<std::vector<std::int32_t>> load_idx_labels(const std::string& path) {
    auto bytes = read_file(path);
    if (!bytes) return Result<std::vector<std::int32_t>>::failure(std::move(bytes.error));
    return with_path(parse_idx_labels(bytes.value.data(), bytes.value.size()), path);
}

Result<Dataset> load_idx_dataset(const std::string& images_path, const std::string& labels_path) {
    auto im = load_idx_images(images_path);
    if (!im) return Result<Dataset>::failure(std::move(im.error));
    auto lb = load_idx_labels(labels_path);
    if (!lb) return Result<Dataset>::failure(std::move(lb.error));
    auto r = make_dataset(std::move(im.value), std::move(lb.value));
    if (!r) r.error.message = images_path + " and " + labels_path + ": " + r.error.message;
    return r;
}

namespace {

// dir/<prefix>-<kind>-idx<n>-ubyte[.gz], or the dotted spelling <prefix>-<kind>.idx<n>-ubyte.
Result<std::string> find_idx_file(const std::string& dir, const std::string& prefix,
                                  const std::string& kind, int dims) {
    const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
    const std::string dashed = prefix + "-" + kind + "-idx" + std::to_string(dims) + "-ubyte";
    const std::string dotted = prefix + "-" + kind + ".idx" + std::to_string(dims) + "-ubyte";
    for (const std::string* name : {&dashed, &dotted}) {
        for (const char* suffix : {"", ".gz"}) {
            std::string path = base + *name + suffix;
            if (file_exists(path)) {
                Result<std::string> r;
                r.value = std::move(path);
                return r;
            }
        }
    }
    return Result<std::string>::failure(
        ErrorCode::not_found, "no " + dashed + " or " + dashed + ".gz in " + (dir.empty() ? "." : dir));
}

}  // namespace

Result<Dataset> load_mnist_format(const std::string& dir, Split split) {
    using R = Result<Dataset>;
    const std::string prefix = split == Split::train ? "train" : "t10k";
    auto images_path = find_idx_file(dir, prefix, "images", 3);
    if (!images_path) return R::failure(std::move(images_path.error));
    auto labels_path = find_idx_file(dir, prefix, "labels", 1);
    if (!labels_path) return R::failure(std::move(labels_path.error));

    auto im = load_idx_images(images_path.value);
    if (!im) return R::failure(std::move(im.error));
    if (im.value.rows != 28 || im.value.cols != 28)
        return R::failure(ErrorCode::bad_header,
                          detail::format("%s: images of %zu x %zu pixels, expected 28 x 28",
                                         images_path.value.c_str(), im.value.rows, im.value.cols));
    auto lb = load_idx_labels(labels_path.value);
    if (!lb) return R::failure(std::move(lb.error));
    for (std::size_t i = 0; i < lb.value.size(); ++i) {
        if (lb.value[i] > 9)
            return R::failure(ErrorCode::bad_value,
                              detail::format("%s: label %d at index %zu, expected 0..9",
                                             labels_path.value.c_str(), int(lb.value[i]), i));
    }
    auto r = make_dataset(std::move(im.value), std::move(lb.value));
    if (!r)
        r.error.message = images_path.value + " and " + labels_path.value + ": " + r.error.message;
    return r;
}

std::string fashion_mnist_default_dir() {
    const char* env = std::getenv("TINYMLP_FASHION_MNIST_DIR");
    if (env != nullptr && env[0] != '\0') return env;
    return "/usr/share/datasets/fashion-mnist";
}

}  // namespace tinymlp::host
