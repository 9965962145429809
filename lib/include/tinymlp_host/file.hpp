// Whole-file reading. Built with zlib (the default when CMake finds it), plain and gzip-compressed
// files are read alike; built without it, plain files only.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "result.hpp"

namespace tinymlp::host {

// Largest file (after decompression) read_file accepts by default: 2 GiB.
inline constexpr std::size_t default_max_file_bytes = std::size_t(1) << 31;

// Reads the whole file; a gzip file is decompressed. Errors: not_found (no such file),
// io_error (a directory, unreadable, corrupt or truncated gzip stream), too_large,
// no_gzip_support (a gzip file, and this build has no zlib: see gzip_supported()).
Result<std::vector<unsigned char>> read_file(const std::string& path,
                                             std::size_t max_bytes = default_max_file_bytes);

// True when this build of tinymlp_host was linked with zlib and reads gzip files.
bool gzip_supported();

// True when path names an existing regular file.
bool file_exists(const std::string& path);

}  // namespace tinymlp::host
