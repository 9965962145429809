#include "tinymlp_host/file.hpp"

#include <zlib.h>

#include <cerrno>
#include <climits>
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

Result<std::vector<unsigned char>> read_file(const std::string& path, std::size_t max_bytes) {
    using R = Result<std::vector<unsigned char>>;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status))
        return R::failure(ErrorCode::not_found, path + ": no such file");
    if (std::filesystem::is_directory(status))
        return R::failure(ErrorCode::io_error, path + ": is a directory");

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
                return R::failure(ErrorCode::too_large,
                                  detail::format("%s: larger than the limit of %zu bytes",
                                                 path.c_str(), max_bytes));
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
        return R::failure(ErrorCode::too_large, detail::format("%s: larger than the limit of %zu bytes",
                                                               path.c_str(), max_bytes));
    }
    gzclose(file);
    return result;
}

}  // namespace tinymlp::host
