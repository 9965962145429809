// Error reporting of the host helpers: every function that can fail on its input returns an Error
// or a Result<T> instead of throwing. Messages name the file and, for CSV, the line and column.
#pragma once
#include <cstddef>
#include <string>
#include <utility>

namespace tinymlp::host {

enum class ErrorCode {
    ok = 0,
    not_found,         // the file (or none of the candidate files) exists
    io_error,          // the file exists but could not be opened or read (incl. corrupt gzip data)
    too_large,         // the input is larger than the allowed size, or memory ran out
    bad_magic,         // an IDX file of the wrong kind (images vs labels) or not IDX at all
    bad_header,        // an IDX header with impossible dimensions
    truncated,         // the data ends before the header says it should
    trailing_data,     // bytes left over after the data the header announces
    count_mismatch,    // images and labels disagree on the number of examples
    bad_value,         // CSV: a field that is not a number / not a valid class index; bad label
    ragged_row,        // CSV: a row with a different number of fields than the first row
    empty,             // CSV: no data rows
    invalid_argument,  // a bad option or argument from the caller (column, fraction, index, ...)
    no_gzip_support,   // a gzip file, and tinymlp_host was built without zlib
};

constexpr const char* to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::ok: return "ok";
        case ErrorCode::not_found: return "not found";
        case ErrorCode::io_error: return "I/O error";
        case ErrorCode::too_large: return "too large";
        case ErrorCode::bad_magic: return "bad magic number";
        case ErrorCode::bad_header: return "bad header";
        case ErrorCode::truncated: return "truncated";
        case ErrorCode::trailing_data: return "trailing data";
        case ErrorCode::count_mismatch: return "count mismatch";
        case ErrorCode::bad_value: return "bad value";
        case ErrorCode::ragged_row: return "ragged row";
        case ErrorCode::empty: return "empty";
        case ErrorCode::invalid_argument: return "invalid argument";
        case ErrorCode::no_gzip_support: return "gzip not supported (built without zlib)";
    }
    return "unknown error";
}

struct Error {
    ErrorCode code = ErrorCode::ok;
    std::string message;   // human-readable; empty when ok
    std::size_t line = 0;  // 1-based input line for CSV errors, 0 otherwise

    bool ok() const noexcept { return code == ErrorCode::ok; }
};

inline Error make_error(ErrorCode code, std::string message, std::size_t line = 0) {
    return Error{code, std::move(message), line};
}

// value is meaningful only when ok().
//   auto train = tinymlp::host::load_fashion_mnist(dir, tinymlp::host::Split::train);
//   if (!train) { std::fprintf(stderr, "%s\n", train.error.message.c_str()); return 1; }
template <class T>
struct Result {
    T value{};
    Error error;

    bool ok() const noexcept { return error.ok(); }
    explicit operator bool() const noexcept { return ok(); }

    static Result failure(Error e) {
        Result r;
        r.error = std::move(e);
        return r;
    }
    static Result failure(ErrorCode code, std::string message, std::size_t line = 0) {
        return failure(make_error(code, std::move(message), line));
    }
};

}  // namespace tinymlp::host
