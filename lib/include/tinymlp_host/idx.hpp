// IDX files, the format of MNIST and Fashion-MNIST (big-endian header):
//   images: magic 0x00000803, count, rows, cols (u32 each), then count*rows*cols u8 pixels
//   labels: magic 0x00000801, count (u32 each), then count u8 labels
// Files may be plain or gzip-compressed (gzip needs a build with zlib: gzip_supported()). The parse_* functions read from memory, check every
// size against the buffer and never read past it: any byte string gives either a value or an
// error (bad_magic, bad_header, truncated, trailing_data).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dataset.hpp"
#include "result.hpp"

namespace tinymlp::host {

inline constexpr std::uint32_t idx_images_magic = 0x00000803u;
inline constexpr std::uint32_t idx_labels_magic = 0x00000801u;

struct IdxImages {
    std::vector<float> pixels;  // [count][rows * cols], row-major, byte / 255 in [0, 1]
    std::size_t count = 0;
    std::size_t rows = 0;
    std::size_t cols = 0;
};

Result<IdxImages> parse_idx_images(const unsigned char* data, std::size_t size);
Result<std::vector<std::int32_t>> parse_idx_labels(const unsigned char* data, std::size_t size);

// Both buffers: a Dataset with feature_count = rows * cols; count_mismatch if they disagree.
Result<Dataset> parse_idx_dataset(const unsigned char* images, std::size_t images_size,
                                  const unsigned char* labels, std::size_t labels_size);

// From files (plain or .gz); error messages start with the path.
Result<IdxImages> load_idx_images(const std::string& path);
Result<std::vector<std::int32_t>> load_idx_labels(const std::string& path);
Result<Dataset> load_idx_dataset(const std::string& images_path, const std::string& labels_path);

enum class Split { train, test };

// Loads the MNIST-layout files of one split from dir: train-images-idx3-ubyte and
// train-labels-idx1-ubyte, or t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or
// with .gz (the plain file is preferred when both exist; the "-images.idx3-ubyte" spelling is
// accepted too). Checks 28x28 images and labels 0..9.
Result<Dataset> load_mnist_format(const std::string& dir, Split split);

// Fashion-MNIST and MNIST share the layout above.
inline Result<Dataset> load_fashion_mnist(const std::string& dir, Split split) {
    return load_mnist_format(dir, split);
}
inline Result<Dataset> load_mnist(const std::string& dir, Split split) {
    return load_mnist_format(dir, split);
}

// $TINYMLP_FASHION_MNIST_DIR if set and not empty, else /usr/share/datasets/fashion-mnist
// (where the Debian package dataset-fashion-mnist installs the .gz files).
std::string fashion_mnist_default_dir();

}  // namespace tinymlp::host
