// Host dataset helpers (lib/, library tinymlp_host): IDX images/labels from memory, plain and
// gzip files, every error case; numeric CSV; shuffling, batches, splits, standardization; and the
// real Fashion-MNIST when the Debian package dataset-fashion-mnist is installed.
// Built without tinymlp_host (bare-metal targets) this file is a single skipped test. When the
// library was built without zlib (TINYMLP_HOST_TEST_GZIP unset) the gzip cases are left out and
// host_gzip_without_zlib checks that a .gz file is refused with no_gzip_support.
#include "check.hpp"

#if __has_include(<tinymlp_host/datasets.hpp>)

#include <tinymlp_host/datasets.hpp>
#if TINYMLP_HOST_TEST_GZIP
#include <zlib.h>
#endif

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace host = tinymlp::host;
namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

namespace {

void put_be32(Bytes& out, std::uint32_t v) {
    out.push_back(static_cast<unsigned char>(v >> 24));
    out.push_back(static_cast<unsigned char>(v >> 16));
    out.push_back(static_cast<unsigned char>(v >> 8));
    out.push_back(static_cast<unsigned char>(v));
}

// count images of rows x cols; pixel (i, p) = (i * 37 + p * 11) mod 256.
unsigned char pixel_value(std::size_t i, std::size_t p) {
    return static_cast<unsigned char>((i * 37 + p * 11) % 256);
}

Bytes make_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
    Bytes b;
    put_be32(b, 0x00000803u);
    put_be32(b, count);
    put_be32(b, rows);
    put_be32(b, cols);
    for (std::size_t i = 0; i < count; ++i)
        for (std::size_t p = 0; p < std::size_t(rows) * cols; ++p) b.push_back(pixel_value(i, p));
    return b;
}

Bytes make_labels(std::uint32_t count, unsigned modulus = 10) {
    Bytes b;
    put_be32(b, 0x00000801u);
    put_be32(b, count);
    for (std::uint32_t i = 0; i < count; ++i) b.push_back(static_cast<unsigned char>((i * 7) % modulus));
    return b;
}

// A fresh directory under the system temp dir, removed with its files at scope exit.
struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path = fs::temp_directory_path() /
               ("tinymlp_host_test_" + std::to_string(stamp) + "_" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

bool write_plain(const std::string& path, const Bytes& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

bool write_plain(const std::string& path, const std::string& text) {
    return write_plain(path, Bytes(text.begin(), text.end()));
}

#if TINYMLP_HOST_TEST_GZIP
bool write_gzip(const std::string& path, const Bytes& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = bytes.empty() ||
                    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
                        static_cast<int>(bytes.size());
    return gzclose(f) == Z_OK && ok;
}

Bytes read_raw(const std::string& path) {
    Bytes out;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return out;
    unsigned char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) out.insert(out.end(), buffer, buffer + n);
    std::fclose(f);
    return out;
}
#endif

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

bool images_match(const host::IdxImages& im, std::uint32_t count, std::uint32_t rows,
                  std::uint32_t cols) {
    if (im.count != count || im.rows != rows || im.cols != cols) return false;
    if (im.pixels.size() != std::size_t(count) * rows * cols) return false;
    for (std::size_t i = 0; i < count; ++i)
        for (std::size_t p = 0; p < std::size_t(rows) * cols; ++p)
            if (im.pixels[i * rows * cols + p] != static_cast<float>(pixel_value(i, p)) / 255.0f)
                return false;
    return true;
}

}  // namespace

// --- IDX from memory ---------------------------------------------------------------------------

TEST(host_idx_parse_images_and_labels) {
    const Bytes images = make_images(3, 2, 3);
    auto im = host::parse_idx_images(images.data(), images.size());
    CHECK(im.ok());
    CHECK(images_match(im.value, 3, 2, 3));
    const Bytes edges = [] {
        Bytes b;
        put_be32(b, 0x803u);
        put_be32(b, 1);
        put_be32(b, 1);
        put_be32(b, 3);
        b.push_back(0);
        b.push_back(255);
        b.push_back(128);
        return b;
    }();
    auto e = host::parse_idx_images(edges.data(), edges.size());
    CHECK(e.ok());
    CHECK(e.value.pixels.size() == 3);
    if (e.value.pixels.size() == 3) {
        CHECK(e.value.pixels[0] == 0.0f);
        CHECK(e.value.pixels[1] == 1.0f);
        CHECK_NEAR(e.value.pixels[2], 128.0 / 255.0, 1e-7);
    }
    const Bytes labels = make_labels(5);
    auto lb = host::parse_idx_labels(labels.data(), labels.size());
    CHECK(lb.ok());
    CHECK((lb.value == std::vector<std::int32_t>{0, 7, 4, 1, 8}));

    auto d = host::parse_idx_dataset(images.data(), images.size(), labels.data(), 8 + 3);
    CHECK(!d.ok());  // 8 + 3 bytes: header says 5 labels
    Bytes three = make_labels(3);
    d = host::parse_idx_dataset(images.data(), images.size(), three.data(), three.size());
    CHECK(d.ok());
    CHECK(d.value.count == 3 && d.value.feature_count == 6);
    CHECK(d.value.features.size() == 18 && d.value.labels.size() == 3);
    CHECK(host::validate(d.value).ok());
    CHECK(host::class_count(d.value) == 8);

    // An empty but well-formed file is a valid empty set.
    const Bytes none = make_images(0, 28, 28);
    auto z = host::parse_idx_images(none.data(), none.size());
    CHECK(z.ok() && z.value.count == 0 && z.value.pixels.empty());
}

TEST(host_idx_parse_errors) {
    using host::ErrorCode;
    const Bytes images = make_images(4, 3, 2);
    const Bytes labels = make_labels(4);

    // Null and too short.
    CHECK(host::parse_idx_images(nullptr, 10).error.code == ErrorCode::invalid_argument);
    CHECK(host::parse_idx_images(nullptr, 0).error.code == ErrorCode::truncated);
    CHECK(host::parse_idx_images(images.data(), 3).error.code == ErrorCode::truncated);
    CHECK(host::parse_idx_images(images.data(), 15).error.code == ErrorCode::truncated);
    CHECK(host::parse_idx_labels(labels.data(), 7).error.code == ErrorCode::truncated);
    CHECK(host::parse_idx_labels(nullptr, 0).error.code == ErrorCode::truncated);

    // Wrong kind and wrong magic.
    auto swapped = host::parse_idx_images(labels.data(), labels.size());
    CHECK(swapped.error.code == ErrorCode::bad_magic);
    CHECK(contains(swapped.error.message, "labels file"));
    auto swapped2 = host::parse_idx_labels(images.data(), images.size());
    CHECK(swapped2.error.code == ErrorCode::bad_magic);
    CHECK(contains(swapped2.error.message, "images file"));
    Bytes bad = images;
    bad[0] = 0x1f;  // gzip magic byte: a .gz parsed without decompression
    bad[1] = 0x8b;
    auto gz = host::parse_idx_images(bad.data(), bad.size());
    CHECK(gz.error.code == ErrorCode::bad_magic);
    CHECK(contains(gz.error.message, "not an IDX file"));
    bad = images;
    bad[2] = 0x0d;  // float elements
    CHECK(host::parse_idx_images(bad.data(), bad.size()).error.code == ErrorCode::bad_magic);

    // Impossible dimensions.
    bad = images;
    bad[8] = bad[9] = bad[10] = bad[11] = 0;  // rows = 0
    CHECK(host::parse_idx_images(bad.data(), bad.size()).error.code == ErrorCode::bad_header);

    // Truncated pixel / label data, trailing bytes.
    auto cut = host::parse_idx_images(images.data(), images.size() - 1);
    CHECK(cut.error.code == ErrorCode::truncated);
    CHECK(contains(cut.error.message, "4 images"));
    CHECK(host::parse_idx_labels(labels.data(), labels.size() - 1).error.code == ErrorCode::truncated);
    Bytes longer = images;
    longer.push_back(0);
    CHECK(host::parse_idx_images(longer.data(), longer.size()).error.code == ErrorCode::trailing_data);
    longer = labels;
    longer.push_back(0);
    CHECK(host::parse_idx_labels(longer.data(), longer.size()).error.code == ErrorCode::trailing_data);

    // Huge header counts against a small buffer: no overflow, no huge allocation.
    bad = images;
    for (int i = 4; i < 8; ++i) bad[std::size_t(i)] = 0xff;  // 2^32 - 1 images of 3 x 2
    CHECK(host::parse_idx_images(bad.data(), bad.size()).error.code == ErrorCode::truncated);
    for (int i = 8; i < 16; ++i) bad[std::size_t(i)] = 0xff;  // and (2^32 - 1)^2 pixels each
    const auto huge = host::parse_idx_images(bad.data(), bad.size()).error.code;
    CHECK(huge == ErrorCode::truncated || huge == ErrorCode::bad_header);
    bad = labels;
    for (int i = 4; i < 8; ++i) bad[std::size_t(i)] = 0xff;
    CHECK(host::parse_idx_labels(bad.data(), bad.size()).error.code == ErrorCode::truncated);

    // Count mismatch between images and labels.
    const Bytes five = make_labels(5);
    auto mismatch = host::parse_idx_dataset(images.data(), images.size(), five.data(), five.size());
    CHECK(mismatch.error.code == ErrorCode::count_mismatch);
    CHECK(contains(mismatch.error.message, "4 images but 5 labels"));
    CHECK(!mismatch.error.message.empty());
}

// Every prefix and many random corruptions of a valid file: an answer, never a crash (run this
// under the asan preset to also catch out-of-bounds reads).
TEST(host_idx_parse_never_crashes) {
    const Bytes images = make_images(3, 4, 5);
    const Bytes labels = make_labels(6);
    int errors = 0;
    for (std::size_t n = 0; n < images.size(); ++n) {
        Bytes prefix(images.begin(), images.begin() + static_cast<std::ptrdiff_t>(n));
        auto r = host::parse_idx_images(prefix.data(), prefix.size());
        errors += r.ok() ? 0 : 1;
    }
    CHECK(errors == static_cast<int>(images.size()));
    for (std::size_t n = 0; n < labels.size(); ++n) {
        Bytes prefix(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK(!host::parse_idx_labels(prefix.data(), prefix.size()).ok());
    }
    tinymlp::Pcg32 rng(1234);
    int accepted = 0;
    for (int round = 0; round < 2000; ++round) {
        Bytes m = (round % 2) ? images : labels;
        const int flips = 1 + static_cast<int>(rng.next_u32() % 4);
        for (int f = 0; f < flips; ++f) {
            const std::size_t at = rng.next_u32() % 16 % m.size();  // the header: the sizes
            m[at] = static_cast<unsigned char>(rng.next_u32());
        }
        if (rng.next_u32() % 4 == 0) m.resize(rng.next_u32() % (m.size() + 1));
        auto a = host::parse_idx_images(m.data(), m.size());
        auto b = host::parse_idx_labels(m.data(), m.size());
        if (a.ok()) {
            ++accepted;
            CHECK(a.value.pixels.size() == a.value.count * a.value.rows * a.value.cols);
            CHECK(a.value.pixels.size() + 16 == m.size());
        } else {
            CHECK(!a.error.message.empty());
        }
        if (b.ok()) CHECK(b.value.size() + 8 == m.size());
    }
    std::printf("  %d of 2000 corrupted buffers still parsed as images\n", accepted);
}

// --- IDX files -----------------------------------------------------------------------------------

TEST(host_idx_files_plain_and_gzip) {
    TempDir dir;
    const Bytes images = make_images(5, 4, 3);
    const Bytes labels = make_labels(5);
    CHECK(write_plain(dir.file("im.idx"), images));
    CHECK(write_plain(dir.file("lb.idx"), labels));

    auto plain = host::load_idx_images(dir.file("im.idx"));
    CHECK(plain.ok());
    CHECK(images_match(plain.value, 5, 4, 3));
    auto plain_dataset = host::load_idx_dataset(dir.file("im.idx"), dir.file("lb.idx"));
    CHECK(plain_dataset.ok() && plain_dataset.value.count == 5 && plain_dataset.value.labels[4] == 8);
#if TINYMLP_HOST_TEST_GZIP
    CHECK(write_gzip(dir.file("im.idx.gz"), images));
    CHECK(write_gzip(dir.file("lb.idx.gz"), labels));
    CHECK(read_raw(dir.file("im.idx.gz")).size() > 2 && read_raw(dir.file("im.idx.gz"))[0] == 0x1f);
    auto packed = host::load_idx_images(dir.file("im.idx.gz"));
    CHECK(packed.ok());
    CHECK(images_match(packed.value, 5, 4, 3));
    auto lb = host::load_idx_labels(dir.file("lb.idx.gz"));
    CHECK(lb.ok() && lb.value.size() == 5 && lb.value[1] == 7);

    for (const char* pair : {"plain", "gzip", "mixed"}) {
        const std::string p(pair);
        auto d = host::load_idx_dataset(dir.file(p == "plain" ? "im.idx" : "im.idx.gz"),
                                        dir.file(p == "gzip" ? "lb.idx.gz" : "lb.idx"));
        CHECK(d.ok());
        CHECK(d.value.count == 5 && d.value.feature_count == 12);
        CHECK(d.value.labels.size() == 5 && d.value.labels[4] == 8);
        CHECK(d.value.features.size() == 60 && d.value.features[13] == pixel_value(1, 1) / 255.0f);
    }
#endif
}

TEST(host_idx_file_errors) {
    using host::ErrorCode;
    TempDir dir;
    const Bytes images = make_images(5, 4, 3);
    const Bytes labels = make_labels(5);

    auto missing = host::load_idx_images(dir.file("nothing-here"));
    CHECK(missing.error.code == ErrorCode::not_found);
    CHECK(contains(missing.error.message, "nothing-here"));
    CHECK(host::load_idx_images(dir.path.string()).error.code == ErrorCode::io_error);  // a dir

    // Truncated data, plain and inside a complete gzip stream.
    CHECK(write_plain(dir.file("short"), Bytes(images.begin(), images.end() - 7)));
    CHECK(host::load_idx_images(dir.file("short")).error.code == ErrorCode::truncated);
    CHECK(write_plain(dir.file("empty"), Bytes{}));
    CHECK(host::load_idx_labels(dir.file("empty")).error.code == ErrorCode::truncated);
#if TINYMLP_HOST_TEST_GZIP
    // Bad magic through a file: the message starts with the path.
    CHECK(write_gzip(dir.file("swapped.gz"), labels));
    auto swapped = host::load_idx_images(dir.file("swapped.gz"));
    CHECK(swapped.error.code == ErrorCode::bad_magic);
    CHECK(contains(swapped.error.message, "swapped.gz: "));

    CHECK(write_gzip(dir.file("short.gz"), Bytes(images.begin(), images.end() - 7)));
    CHECK(host::load_idx_images(dir.file("short.gz")).error.code == ErrorCode::truncated);

    // A gzip file cut short, and one with corrupt compressed data.
    CHECK(write_gzip(dir.file("full.gz"), images));
    const Bytes gz = read_raw(dir.file("full.gz"));
    CHECK(write_plain(dir.file("cut.gz"), Bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2))));
    auto cut = host::load_idx_images(dir.file("cut.gz"));
    CHECK(!cut.ok());
    CHECK(cut.error.code == ErrorCode::io_error || cut.error.code == ErrorCode::truncated);
    Bytes corrupt = gz;
    for (std::size_t i = 12; i < corrupt.size() - 8; ++i) corrupt[i] ^= 0x5a;
    CHECK(write_plain(dir.file("corrupt.gz"), corrupt));
    auto bad = host::load_idx_images(dir.file("corrupt.gz"));
    CHECK(!bad.ok());
    CHECK(!bad.error.message.empty());

    // Image / label count mismatch between files.
    CHECK(write_plain(dir.file("im"), images));
    CHECK(write_gzip(dir.file("lb6.gz"), make_labels(6)));
    auto mismatch = host::load_idx_dataset(dir.file("im"), dir.file("lb6.gz"));
    CHECK(mismatch.error.code == ErrorCode::count_mismatch);
    CHECK(contains(mismatch.error.message, "5 images but 6 labels"));
#endif
}

// Without zlib a gzip file (even a valid one) is refused with no_gzip_support, naming zlib.
TEST(host_gzip_without_zlib) {
#if TINYMLP_HOST_TEST_GZIP
    CHECK(host::gzip_supported());
    SKIP("tinymlp_host reads gzip (built with zlib)");
#else
    using host::ErrorCode;
    CHECK(!host::gzip_supported());
    TempDir dir;
    // gzip -n of the label file 0x00000801, count 0 (what `gzip` writes for those 8 bytes)
    const Bytes gz = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x63, 0x60, 0xe0,
                      0x60, 0x64, 0x00, 0x02, 0x00, 0xb4, 0x74, 0x11, 0xb4, 0x08, 0x00, 0x00, 0x00};
    CHECK(write_plain(dir.file("labels.idx.gz"), gz));
    auto labels = host::load_idx_labels(dir.file("labels.idx.gz"));
    CHECK(labels.error.code == ErrorCode::no_gzip_support);
    CHECK(contains(labels.error.message, "labels.idx.gz: "));
    CHECK(contains(labels.error.message, "without zlib"));
    CHECK(write_plain(dir.file("data.csv.gz"), gz));
    CHECK(host::load_csv(dir.file("data.csv.gz")).error.code == ErrorCode::no_gzip_support);
    std::printf("  %s\n", labels.error.message.c_str());
#endif
}

TEST(host_idx_mnist_directory_layout) {
    using host::ErrorCode;
    TempDir dir;
#if TINYMLP_HOST_TEST_GZIP
    CHECK(write_gzip(dir.file("train-images-idx3-ubyte.gz"), make_images(7, 28, 28)));
#else
    CHECK(write_plain(dir.file("train-images-idx3-ubyte"), make_images(7, 28, 28)));
#endif
    CHECK(write_plain(dir.file("train-labels-idx1-ubyte"), make_labels(7)));
    auto train = host::load_fashion_mnist(dir.path.string(), host::Split::train);
    CHECK(train.ok());
    CHECK(train.value.count == 7 && train.value.feature_count == 784);
    CHECK(train.value.labels.size() == 7 && host::validate(train.value).ok());

    // Split::test: t10k files missing.
    auto test = host::load_fashion_mnist(dir.path.string(), host::Split::test);
    CHECK(test.error.code == ErrorCode::not_found);
    CHECK(contains(test.error.message, "t10k-images-idx3-ubyte"));

    // Dotted spelling, wrong image size, labels outside 0..9.
    CHECK(write_plain(dir.file("t10k-images.idx3-ubyte"), make_images(3, 28, 28)));
    CHECK(write_plain(dir.file("t10k-labels.idx1-ubyte"), make_labels(3)));
    CHECK(host::load_mnist(dir.path.string(), host::Split::test).ok());
    CHECK(write_plain(dir.file("t10k-labels-idx1-ubyte"), make_labels(3, 256)));
    auto labels = host::load_mnist(dir.path.string(), host::Split::test);
    CHECK(labels.error.code == ErrorCode::bad_value);  // label 14 (i = 2: 14 mod 256)
    CHECK(write_plain(dir.file("t10k-images-idx3-ubyte"), make_images(3, 14, 14)));
    CHECK(host::load_mnist(dir.path.string(), host::Split::test).error.code == ErrorCode::bad_header);
    CHECK(host::load_mnist(dir.file("no-such-dir"), host::Split::train).error.code == ErrorCode::not_found);
}

// --- CSV ----------------------------------------------------------------------------------------

TEST(host_csv_basic) {
    // Header detected, last column the class label, CRLF, blank lines, blanks around fields.
    auto r = host::parse_csv("a,b,label\r\n1,2.5,0\r\n\r\n -3 , 4e-1 ,2\r\n+5,.5,1");
    CHECK(r.ok());
    CHECK(r.value.count == 3 && r.value.feature_count == 2);
    CHECK((r.value.features == std::vector<float>{1.0f, 2.5f, -3.0f, 0.4f, 5.0f, 0.5f}));
    CHECK((r.value.labels == std::vector<std::int32_t>{0, 2, 1}));
    CHECK(r.value.targets.empty());
    CHECK((r.value.feature_names == std::vector<std::string>{"a", "b"}));
    CHECK(r.value.target_name == "label");

    // No header; label in the first column; BOM; quoted values; trailing newline.
    host::CsvOptions first;
    first.label_column = 0;
    r = host::parse_csv("\xEF\xBB\xBF" "3,1,2\n\"4\",5,6\n", first);
    CHECK(r.ok());
    CHECK(r.value.count == 2 && r.value.feature_count == 2 && r.value.feature_names.empty());
    CHECK((r.value.labels == std::vector<std::int32_t>{3, 4}));
    CHECK((r.value.features == std::vector<float>{1, 2, 5, 6}));

    // Regression target in the middle (negative index), quoted header names with a comma.
    host::CsvOptions regression;
    regression.target = host::CsvTarget::value;
    regression.label_column = -2;
    r = host::parse_csv("\"x, cm\",\"y \"\"in\"\"\",z\n1,-0.25,3\n4,1e3,6\n", regression);
    CHECK(r.ok());
    CHECK((r.value.targets == std::vector<float>{-0.25f, 1000.0f}));
    CHECK((r.value.features == std::vector<float>{1, 3, 4, 6}));
    CHECK(r.value.labels.empty());
    CHECK((r.value.feature_names == std::vector<std::string>{"x, cm", "z"}));
    CHECK(r.value.target_name == "y \"in\"");

    // No label column; tab-separated; header forced absent / present.
    host::CsvOptions tsv;
    tsv.delimiter = '\t';
    tsv.target = host::CsvTarget::none;
    tsv.header = host::CsvHeader::absent;
    r = host::parse_csv("1\t2\n3 \t 4\n", tsv);
    CHECK(r.ok() && r.value.count == 2 && r.value.feature_count == 2 && r.value.labels.empty());
    CHECK((r.value.features == std::vector<float>{1, 2, 3, 4}));
    host::CsvOptions numeric_header;
    numeric_header.header = host::CsvHeader::present;
    r = host::parse_csv("10,20,30\n1,2,3\n", numeric_header);
    CHECK(r.ok() && r.value.count == 1 && r.value.target_name == "30");
    CHECK(r.value.labels.size() == 1 && r.value.labels[0] == 3);
    CHECK(host::parse_csv("1,2,3.0\n").value.labels[0] == 3);  // integral value as a label
    // pandas' to_csv: an empty name over the index column.
    r = host::parse_csv(",x,y\n0,0.5,1\n1,1.5,0\n");
    CHECK(r.ok() && r.value.count == 2 && r.value.feature_count == 2);
    CHECK((r.value.feature_names == std::vector<std::string>{"", "x"}));
}

TEST(host_csv_errors) {
    using host::ErrorCode;
    auto r = host::parse_csv("a,b,c\n1,2,0\n3,x,1\n");
    CHECK(r.error.code == ErrorCode::bad_value);
    CHECK(r.error.line == 3);
    CHECK(contains(r.error.message, "line 3, column 2: 'x' is not a number"));

    r = host::parse_csv("1,2,0\n3,4,1\n5,6\n7,8,9\n");
    CHECK(r.error.code == ErrorCode::ragged_row);
    CHECK(r.error.line == 3);
    CHECK(contains(r.error.message, "2 fields, expected 3"));
    r = host::parse_csv("1,2,0\n3,4,1,9\n");
    CHECK(r.error.code == ErrorCode::ragged_row && r.error.line == 2);

    r = host::parse_csv("1,,0\n");
    CHECK(r.error.code == ErrorCode::bad_value && contains(r.error.message, "column 2: empty field"));
    r = host::parse_csv("1,2,0\n1,2,");
    CHECK(r.error.code == ErrorCode::bad_value && r.error.line == 2);
    r = host::parse_csv("1,nan,0\n");
    CHECK(r.error.code == ErrorCode::bad_value && contains(r.error.message, "not finite"));
    r = host::parse_csv("1,1e999,0\n");
    CHECK(r.error.code == ErrorCode::bad_value && contains(r.error.message, "out of range"));
    r = host::parse_csv("1,2,0\n1,2,1.5\n");
    CHECK(r.error.code == ErrorCode::bad_value && r.error.line == 2);
    CHECK(contains(r.error.message, "not a non-negative integer"));
    r = host::parse_csv("1,2,-1\n");
    CHECK(r.error.code == ErrorCode::bad_value);
    r = host::parse_csv("1,2,3e10\n");
    CHECK(r.error.code == ErrorCode::bad_value);
    r = host::parse_csv("1,\"2,0\n");
    CHECK(r.error.code == ErrorCode::bad_value && contains(r.error.message, "unterminated"));
    r = host::parse_csv("1,\"2\"x,0\n");
    CHECK(r.error.code == ErrorCode::bad_value);
    r = host::parse_csv("1,2 3,0\n");
    CHECK(r.error.code == ErrorCode::bad_value);
    r = host::parse_csv("1,++2,0\n");
    CHECK(r.error.code == ErrorCode::bad_value);

    // A first row mixing numbers and words is data with a bad field, not a header.
    r = host::parse_csv("1,x,0\n2,3,1\n");
    CHECK(r.error.code == ErrorCode::bad_value && r.error.line == 1);
    CHECK(contains(r.error.message, "CsvHeader::present"));

    CHECK(host::parse_csv("").error.code == ErrorCode::empty);
    CHECK(host::parse_csv("\n  \n\r\n").error.code == ErrorCode::empty);
    CHECK(host::parse_csv("a,b,c\n").error.code == ErrorCode::empty);
    CHECK(host::parse_csv(nullptr, 0).error.code == ErrorCode::empty);
    CHECK(host::parse_csv(nullptr, 5).error.code == ErrorCode::invalid_argument);

    host::CsvOptions column;
    column.label_column = 3;
    CHECK(host::parse_csv("1,2,3\n", column).error.code == ErrorCode::invalid_argument);
    column.label_column = -4;
    CHECK(host::parse_csv("1,2,3\n", column).error.code == ErrorCode::invalid_argument);
    CHECK(host::parse_csv("1\n2\n").error.code == ErrorCode::invalid_argument);  // no features
    host::CsvOptions quote;
    quote.delimiter = '"';
    CHECK(host::parse_csv("1,2\n", quote).error.code == ErrorCode::invalid_argument);
}

TEST(host_csv_files) {
    TempDir dir;
    CHECK(write_plain(dir.file("data.csv"), std::string("f1,f2,y\n0.5,1,1\n2,3,0\n")));
    auto r = host::load_csv(dir.file("data.csv"));
    CHECK(r.ok() && r.value.count == 2 && r.value.feature_count == 2);
    CHECK((r.value.labels == std::vector<std::int32_t>{1, 0}));
#if TINYMLP_HOST_TEST_GZIP
    const std::string text = "1,2,0\n3,4,1\n5,6,z\n";
    CHECK(write_gzip(dir.file("data.csv.gz"), Bytes(text.begin(), text.end())));
    r = host::load_csv(dir.file("data.csv.gz"));
    CHECK(r.error.code == host::ErrorCode::bad_value && r.error.line == 3);
    CHECK(contains(r.error.message, "data.csv.gz: line 3, column 3"));
#endif
    CHECK(host::load_csv(dir.file("missing.csv")).error.code == host::ErrorCode::not_found);
}

// --- helpers ------------------------------------------------------------------------------------

namespace {

host::Dataset make_table(std::size_t count, std::size_t features) {
    host::Dataset d;
    d.count = count;
    d.feature_count = features;
    for (std::size_t i = 0; i < count; ++i) {
        for (std::size_t j = 0; j < features; ++j)
            d.features.push_back(static_cast<float>(i * 10 + j));
        d.labels.push_back(static_cast<std::int32_t>(i % 3));
    }
    return d;
}

bool is_permutation_of_range(std::vector<std::size_t> v, std::size_t n) {
    if (v.size() != n) return false;
    std::vector<bool> seen(n, false);
    for (std::size_t i : v) {
        if (i >= n || seen[i]) return false;
        seen[i] = true;
    }
    return true;
}

}  // namespace

TEST(host_shuffle_is_a_seeded_permutation) {
    tinymlp::Pcg32 a(42), b(42), c(43);
    const auto pa = host::shuffled_indices(1000, a);
    const auto pb = host::shuffled_indices(1000, b);
    const auto pc = host::shuffled_indices(1000, c);
    CHECK(is_permutation_of_range(pa, 1000));
    CHECK(pa == pb);
    CHECK(pa != pc);
    CHECK(pa != host::sequential_indices(1000));
    // Every element reaches every position about equally often (n = 4, 24000 shuffles).
    int position_counts[4][4] = {};
    tinymlp::Pcg32 rng(7);
    for (int round = 0; round < 24000; ++round) {
        auto p = host::shuffled_indices(4, rng);
        for (int pos = 0; pos < 4; ++pos) ++position_counts[p[std::size_t(pos)]][pos];
    }
    for (auto& row : position_counts)
        for (int count : row) CHECK_NEAR(count, 6000, 300);
    for (std::uint64_t bound : {1ull, 2ull, 3ull, 1000ull, 0xffffffffull, 0x100000001ull}) {
        for (int i = 0; i < 100; ++i) CHECK(host::uniform_below(rng, bound) < bound);
    }
    std::vector<std::size_t> empty;
    host::shuffle_indices(empty, rng);
    CHECK(empty.empty());
}

TEST(host_gather_batch) {
    const host::Dataset d = make_table(6, 3);
    const std::size_t idx[3] = {4, 0, 5};
    float x[9] = {};
    std::int32_t y[3] = {};
    CHECK(host::gather_batch(d, idx, 3, x, y).ok());
    CHECK(x[0] == 40 && x[2] == 42 && x[3] == 0 && x[6] == 50 && x[8] == 52);
    CHECK(y[0] == 1 && y[1] == 0 && y[2] == 2);
    // Second batch of a shuffled epoch.
    const std::vector<std::size_t> order = {5, 4, 3, 2, 1, 0};
    CHECK(host::gather_batch(d, order, 2, 2, x, nullptr).ok());
    CHECK(x[0] == 30 && x[3] == 20);
    CHECK(!host::gather_batch(d, order, 5, 2, x, y).ok());  // past the end of the indices
    const std::size_t out_of_range[2] = {1, 6};
    auto e = host::gather_batch(d, out_of_range, 2, x, y);
    CHECK(e.code == host::ErrorCode::invalid_argument && contains(e.message, "index 6"));
    host::Dataset unlabeled = d;
    unlabeled.labels.clear();
    CHECK(!host::gather_batch(unlabeled, idx, 3, x, y).ok());
    CHECK(host::gather_batch(unlabeled, idx, 3, x, nullptr).ok());
    float t[3];
    CHECK(!host::gather_targets(d, idx, 3, t).ok());
    host::Dataset regression = d;
    regression.targets = {0.f, 1.f, 2.f, 3.f, 4.f, 5.f};
    CHECK(host::gather_targets(regression, idx, 3, t).ok());
    CHECK(t[0] == 4.f && t[1] == 0.f && t[2] == 5.f);
}

TEST(host_train_test_split) {
    const host::Dataset d = make_table(10, 2);
    auto plain = host::train_test_split(d, 0.3);
    CHECK(plain.ok());
    CHECK(plain.value.train.count == 7 && plain.value.test.count == 3);
    CHECK(plain.value.test.features[0] == 70 && plain.value.test.labels[0] == 1);
    CHECK(host::validate(plain.value.train).ok() && host::validate(plain.value.test).ok());

    tinymlp::Pcg32 rng(5);
    auto idx = host::train_test_split_indices(10, 0.3, rng);
    CHECK(idx.ok() && idx.value.train.size() == 7 && idx.value.test.size() == 3);
    std::vector<std::size_t> all = idx.value.train;
    all.insert(all.end(), idx.value.test.begin(), idx.value.test.end());
    CHECK(is_permutation_of_range(all, 10));

    tinymlp::Pcg32 rng2(5);
    auto shuffled = host::train_test_split(d, 0.3, rng2);
    CHECK(shuffled.ok());
    for (std::size_t i = 0; i < 3; ++i) {
        const std::size_t source = idx.value.test[i];
        CHECK(shuffled.value.test.features[i * 2] == d.features[source * 2]);
        CHECK(shuffled.value.test.labels[i] == d.labels[source]);
    }
    CHECK(host::train_test_split_indices(10, 0.0).value.test.empty());
    CHECK(host::train_test_split_indices(10, 1.0).value.train.empty());
    CHECK(!host::train_test_split_indices(10, 1.5).ok());
    CHECK(!host::train_test_split_indices(10, -0.1, rng).ok());
    CHECK(!host::train_test_split(d, std::nan("")).ok());
}

TEST(host_kfold) {
    tinymlp::Pcg32 rng(11);
    auto folds = host::kfold_indices(11, 3, rng);
    CHECK(folds.ok() && folds.value.size() == 3);
    std::vector<int> in_test(11, 0);
    std::size_t sizes[3] = {};
    for (std::size_t f = 0; f < folds.value.size(); ++f) {
        const auto& s = folds.value[f];
        sizes[f] = s.test.size();
        CHECK(s.train.size() + s.test.size() == 11);
        std::vector<std::size_t> all = s.train;
        all.insert(all.end(), s.test.begin(), s.test.end());
        CHECK(is_permutation_of_range(all, 11));
        for (std::size_t i : s.test) ++in_test[i];
    }
    CHECK(sizes[0] == 4 && sizes[1] == 4 && sizes[2] == 3);
    for (int c : in_test) CHECK(c == 1);
    auto ordered = host::kfold_indices(4, 2);
    CHECK(ordered.ok());
    CHECK((ordered.value[0].test == std::vector<std::size_t>{0, 1}));
    CHECK((ordered.value[1].train == std::vector<std::size_t>{0, 1}));
    CHECK(!host::kfold_indices(4, 1).ok());
    CHECK(!host::kfold_indices(4, 5, rng).ok());
}

TEST(host_standardize) {
    host::Dataset train;
    train.count = 4;
    train.feature_count = 3;
    train.features = {1, 10, 7, 2, 20, 7, 3, 30, 7, 4, 40, 7};  // third feature constant
    host::Dataset test = train;
    test.count = 1;
    test.features = {5, 0, 8};
    auto s = host::standardize(train, test);
    CHECK(s.ok());
    CHECK_NEAR(s.value.mean[0], 2.5, 1e-6);
    CHECK_NEAR(s.value.stddev[0], std::sqrt(1.25), 1e-6);
    CHECK(s.value.stddev[2] == 1.0f);
    for (std::size_t j = 0; j < 3; ++j) {
        double mean = 0, sq = 0;
        for (std::size_t i = 0; i < 4; ++i) mean += train.features[i * 3 + j];
        mean /= 4;
        for (std::size_t i = 0; i < 4; ++i) sq += (train.features[i * 3 + j] - mean) * (train.features[i * 3 + j] - mean);
        CHECK_NEAR(mean, 0.0, 1e-6);
        CHECK_NEAR(std::sqrt(sq / 4), j == 2 ? 0.0 : 1.0, 1e-6);
    }
    CHECK_NEAR(test.features[0], (5 - 2.5) / std::sqrt(1.25), 1e-6);  // train statistics
    CHECK_NEAR(test.features[1], (0 - 25) / std::sqrt(125.0), 1e-5);
    CHECK_NEAR(test.features[2], 1.0, 1e-6);
    host::Dataset wrong;
    wrong.feature_count = 2;
    CHECK(!host::standardize(wrong, s.value).ok());
    host::Dataset none;
    none.feature_count = 3;
    CHECK(!host::fit_standardizer(none).ok());
}

// --- the real Fashion-MNIST (Debian package dataset-fashion-mnist) ------------------------------

TEST(host_fashion_mnist) {
    const std::string dir = host::fashion_mnist_default_dir();
    if (!fs::exists(dir)) SKIP("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    if (!host::gzip_supported()) SKIP("the Fashion-MNIST files are gzip and tinymlp_host has no zlib");
    const auto start = std::chrono::steady_clock::now();
    auto train = host::load_fashion_mnist(dir, host::Split::train);
    const auto middle = std::chrono::steady_clock::now();
    auto test = host::load_fashion_mnist(dir, host::Split::test);
    const auto end = std::chrono::steady_clock::now();
    if (!train.ok()) std::printf("  %s\n", train.error.message.c_str());
    if (!test.ok()) std::printf("  %s\n", test.error.message.c_str());
    CHECK(train.ok() && test.ok());
    if (!train.ok() || !test.ok()) return;
    std::printf("  load: train %.0f ms, test %.0f ms\n",
                std::chrono::duration<double, std::milli>(middle - start).count(),
                std::chrono::duration<double, std::milli>(end - middle).count());
    CHECK(train.value.count == 60000 && test.value.count == 10000);
    CHECK(train.value.feature_count == 784 && test.value.feature_count == 784);
    CHECK(host::validate(train.value).ok() && host::validate(test.value).ok());
    CHECK(host::class_count(train.value) == 10 && host::class_count(test.value) == 10);
    std::size_t per_class[10] = {};
    for (std::int32_t label : train.value.labels) {
        CHECK(label >= 0 && label <= 9);
        if (label >= 0 && label <= 9) ++per_class[label];
    }
    for (std::size_t c : per_class) CHECK(c == 6000);
    double sum = 0;
    float lo = 1, hi = 0;
    for (float p : train.value.features) {
        sum += p;
        lo = p < lo ? p : lo;
        hi = p > hi ? p : hi;
    }
    const double mean = sum / static_cast<double>(train.value.features.size());
    std::printf("  train pixel mean %.6f, range [%g, %g]\n", mean, double(lo), double(hi));
    CHECK_NEAR(mean, 0.2860406, 1e-5);
    CHECK(lo == 0.0f && hi == 1.0f);
}

#else  // built without tinymlp_host

TEST(host_datasets_unavailable) { SKIP("tinymlp_host is not built for this target"); }

#endif
