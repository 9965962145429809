// CSV log of an example: a header row, then one row per call; each row is flushed so that an
// interrupted run keeps what it logged.
//   examples::CsvWriter csv;
//   if (!csv.open(path, {"epoch", "train_loss", "test_acc"})) return 1;
//   csv.row(epoch, loss, accuracy);
// Numbers are written with 9 significant digits (a float round-trips); text fields are quoted
// when they hold a comma, a quote or a line break. Column conventions read by examples/plot.py:
// optional text columns "panel" and "run" first, then the x column (epoch, step, x, depth, layer).
#pragma once
#include <cstdio>
#include <initializer_list>
#include <string>
#include <type_traits>

namespace examples {

class CsvWriter {
public:
    CsvWriter() = default;
    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;
    ~CsvWriter() { close(); }

    // Creates (truncates) the file and writes the header. On failure prints why and returns false.
    bool open(const std::string& path, std::initializer_list<const char*> columns) {
        close();
        file_ = std::fopen(path.c_str(), "w");
        if (!file_) {
            std::perror(("cannot write " + path).c_str());
            return false;
        }
        path_ = path;
        columns_ = columns.size();
        bool first = true;
        for (const char* c : columns) {
            std::fprintf(file_, "%s%s", first ? "" : ",", c);
            first = false;
        }
        std::fputc('\n', file_);
        return std::fflush(file_) == 0;
    }

    template <class... Values>
    void row(const Values&... values) {
        if (!file_) return;
        bool first = true;
        (field(values, first), ...);
        std::fputc('\n', file_);
        std::fflush(file_);
    }

    std::size_t column_count() const { return columns_; }
    const std::string& path() const { return path_; }
    void close() {
        if (file_) std::fclose(file_);
        file_ = nullptr;
    }

private:
    template <class T>
    void field(const T& value, bool& first) {
        if (!first) std::fputc(',', file_);
        first = false;
        if constexpr (std::is_floating_point_v<T>) {
            std::fprintf(file_, "%.9g", static_cast<double>(value));
        } else if constexpr (std::is_integral_v<T>) {
            std::fprintf(file_, "%lld", static_cast<long long>(value));
        } else {
            text(std::string(value));
        }
    }
    void text(const std::string& s) {
        if (s.find_first_of(",\"\r\n") == std::string::npos) {
            std::fputs(s.c_str(), file_);
            return;
        }
        std::fputc('"', file_);
        for (char c : s) {
            if (c == '"') std::fputc('"', file_);
            std::fputc(c, file_);
        }
        std::fputc('"', file_);
    }

    std::FILE* file_ = nullptr;
    std::string path_;
    std::size_t columns_ = 0;
};

}  // namespace examples
