#include "tinymlp_host/file.hpp"

#if TINYMLP_HOST_HAS_ZLIB
#include <zlib.h>
#endif

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <system_error>

#include "format.hpp"

namespace tinymlp::host {

bool file_exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

bool gzip_supported() { return TINYMLP_HOST_HAS_ZLIB != 0; }

namespace {

using FileBytes = Result<std::vector<unsigned char>>;

FileBytes too_large(const std::string& path, std::size_t max_bytes) {
    return FileBytes::failure(ErrorCode::too_large,
                              detail::format("%s: larger than the limit of %zu bytes", path.c_str(), max_bytes));
}

#if TINYMLP_HOST_HAS_ZLIB

// Through zlib: a gzip file is decompressed, any other file is read as it is.
FileBytes read_bytes(const std::string& path, std::size_t max_bytes) {
    using R = FileBytes;
    errno = 0;
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) {
        const int err = errno;
        return R::failure(ErrorCode::io_error,
                          path + ": cannot open: " + (err ? std::strerror(err) : "out of memory"));
    }
    gzbuffer(file, 128u * 1024u);

    R result;
    std::vector<unsigned char>& bytes = result.value;
    constexpr std::size_t chunk = std::size_t(1) << 20;
    try {
        for (;;) {
            const std::size_t used = bytes.size();
            if (used > max_bytes) {
                gzclose(file);
                return too_large(path, max_bytes);
            }
            bytes.resize(used + chunk);
            const int n = gzread(file, bytes.data() + used, static_cast<unsigned>(chunk));
            if (n < 0) {
                int code = 0;
                const char* message = gzerror(file, &code);
                const std::string text = (code == Z_ERRNO) ? std::strerror(errno) : message;
                gzclose(file);
                return R::failure(ErrorCode::io_error, path + ": read failed: " + text);
            }
            bytes.resize(used + static_cast<std::size_t>(n));
            if (n == 0) break;
        }
    } catch (const std::bad_alloc&) {
        gzclose(file);
        return R::failure(ErrorCode::too_large, path + ": out of memory");
    }
    // Z_BUF_ERROR after the last read: the input ended inside a gzip stream.
    int code = 0;
    const char* message = gzerror(file, &code);
    if (code != Z_OK) {
        const std::string text = (code == Z_BUF_ERROR) ? "compressed data ends early" : message;
        gzclose(file);
        return R::failure(ErrorCode::io_error, path + ": read failed: " + text);
    }
    if (bytes.size() > max_bytes) {
        gzclose(file);
        return too_large(path, max_bytes);
    }
    gzclose(file);
    return result;
}

#else

// Without zlib: plain files only; a gzip file (magic 1f 8b) is refused with no_gzip_support.
FileBytes read_bytes(const std::string& path, std::size_t max_bytes) {
    using R = FileBytes;
    errno = 0;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) {
        const int err = errno;
        return R::failure(ErrorCode::io_error, path + ": cannot open: " + (err ? std::strerror(err) : "unknown error"));
    }
    R result;
    std::vector<unsigned char>& bytes = result.value;
    constexpr std::size_t chunk = std::size_t(1) << 20;
    try {
        for (;;) {
            const std::size_t used = bytes.size();
            if (used > max_bytes) {
                std::fclose(file);
                return too_large(path, max_bytes);
            }
            bytes.resize(used + chunk);
            const std::size_t n = std::fread(bytes.data() + used, 1, chunk, file);
            bytes.resize(used + n);
            if (used == 0 && n >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
                std::fclose(file);
                return R::failure(ErrorCode::no_gzip_support,
                                  path + ": a gzip file, but tinymlp_host was built without zlib "
                                         "(install zlib and reconfigure, or gunzip the file)");
            }
            if (n < chunk) break;
        }
    } catch (const std::bad_alloc&) {
        std::fclose(file);
        return R::failure(ErrorCode::too_large, path + ": out of memory");
    }
    const bool failed = std::ferror(file) != 0;
    const int err = errno;
    std::fclose(file);
    if (failed) return R::failure(ErrorCode::io_error, path + ": read failed: " + std::strerror(err));
    if (bytes.size() > max_bytes) return too_large(path, max_bytes);
    return result;
}

#endif

}  // namespace

Result<std::vector<unsigned char>> read_file(const std::string& path, std::size_t max_bytes) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status))
        return FileBytes::failure(ErrorCode::not_found, path + ": no such file");
    if (std::filesystem::is_directory(status))
        return FileBytes::failure(ErrorCode::io_error, path + ": is a directory");
    return read_bytes(path, max_bytes);
}

}  // namespace tinymlp::host
