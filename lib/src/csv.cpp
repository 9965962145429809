#include "tinymlp_host/csv.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <new>
#include <system_error>
#include <utility>
#include <vector>

#include "format.hpp"
#include "tinymlp_host/file.hpp"

namespace tinymlp::host {
namespace {

struct Field {
    std::string_view text;  // without surrounding blanks and quotes
    bool quoted = false;    // text may then hold "" for a quote
};

bool is_blank(char c, char delimiter) { return (c == ' ' || c == '\t') && c != delimiter; }

std::string_view trim(std::string_view s, char delimiter) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_blank(s[b], delimiter)) ++b;
    while (e > b && is_blank(s[e - 1], delimiter)) --e;
    return s.substr(b, e - b);
}

// A field as shown in messages: at most 40 characters.
std::string shown(std::string_view s) {
    if (s.size() <= 40) return std::string(s);
    return std::string(s.substr(0, 37)) + "...";
}

std::string unescape(const Field& f) {
    if (!f.quoted) return std::string(f.text);
    std::string out;
    out.reserve(f.text.size());
    for (std::size_t i = 0; i < f.text.size(); ++i) {
        out += f.text[i];
        if (f.text[i] == '"' && i + 1 < f.text.size() && f.text[i + 1] == '"') ++i;
    }
    return out;
}

// Splits one line (no line end) into fields. Returns an empty string or an error message.
std::string split_fields(std::string_view line, char delimiter, std::vector<Field>& fields) {
    fields.clear();
    std::size_t pos = 0;
    const std::size_t n = line.size();
    for (;;) {
        std::size_t start = pos;
        while (start < n && is_blank(line[start], delimiter)) ++start;
        if (start < n && line[start] == '"') {
            std::size_t i = start + 1;
            for (;;) {
                if (i >= n)
                    return detail::format("column %zu: unterminated quoted field", fields.size() + 1);
                if (line[i] == '"') {
                    if (i + 1 < n && line[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                ++i;
            }
            fields.push_back(Field{line.substr(start + 1, i - start - 1), true});
            std::size_t after = i + 1;
            while (after < n && is_blank(line[after], delimiter)) ++after;
            if (after == n) return {};
            if (line[after] != delimiter)
                return detail::format("column %zu: unexpected character after a closing quote",
                                      fields.size());
            pos = after + 1;
        } else {
            const std::size_t end = line.find(delimiter, start);
            if (end == std::string_view::npos) {
                fields.push_back(Field{trim(line.substr(start), delimiter), false});
                return {};
            }
            fields.push_back(Field{trim(line.substr(start, end - start), delimiter), false});
            pos = end + 1;
        }
    }
}

enum class NumberStatus { ok, not_a_number, out_of_range, not_finite };

// A whole field as a finite float or double (a leading '+' allowed, nothing after the number).
template <class T>
NumberStatus parse_number(std::string_view s, T& out) {
    if (!s.empty() && s[0] == '+') {
        s.remove_prefix(1);
        if (!s.empty() && (s[0] == '+' || s[0] == '-')) return NumberStatus::not_a_number;
    }
    if (s.empty()) return NumberStatus::not_a_number;
    const char* first = s.data();
    const char* last = first + s.size();
    const auto [ptr, ec] = std::from_chars(first, last, out);
    if (ec == std::errc::result_out_of_range) return NumberStatus::out_of_range;
    if (ec != std::errc() || ptr != last) return NumberStatus::not_a_number;
    if (!std::isfinite(out)) return NumberStatus::not_finite;
    return NumberStatus::ok;
}

std::string describe(NumberStatus status, std::size_t column, std::string_view text) {
    switch (status) {
        case NumberStatus::ok: break;
        case NumberStatus::not_a_number:
            if (text.empty()) return detail::format("column %zu: empty field", column);
            return detail::format("column %zu: '%s' is not a number", column, shown(text).c_str());
        case NumberStatus::out_of_range:
            return detail::format("column %zu: '%s' is out of range", column, shown(text).c_str());
        case NumberStatus::not_finite:
            return detail::format("column %zu: '%s' is not finite", column, shown(text).c_str());
    }
    return {};
}

// Line reader over the text: \n or \r\n ends a line; a final line without a line end counts.
class Lines {
public:
    explicit Lines(std::string_view text) : text_(text) {
        if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
    }
    bool next(std::string_view& line) {
        if (pos_ >= text_.size()) return false;
        std::size_t end = text_.find('\n', pos_);
        if (end == std::string_view::npos) end = text_.size();
        line = text_.substr(pos_, end - pos_);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos_ = end + 1;
        ++number_;
        return true;
    }
    std::size_t number() const { return number_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t number_ = 0;
};

bool blank_line(std::string_view line) {
    for (char c : line)
        if (c != ' ' && c != '\t') return false;
    return true;
}

Result<Dataset> fail_at(ErrorCode code, std::size_t line, const std::string& what) {
    return Result<Dataset>::failure(code, detail::format("line %zu, ", line) + what, line);
}

}  // namespace

Result<Dataset> parse_csv(const char* data, std::size_t size, const CsvOptions& options) {
    using R = Result<Dataset>;
    if (data == nullptr && size != 0)
        return R::failure(ErrorCode::invalid_argument, "null data with a non-zero size");
    const char delim = options.delimiter;
    if (delim == '"' || delim == '\n' || delim == '\r' || delim == '\0')
        return R::failure(ErrorCode::invalid_argument, "delimiter cannot be a quote, a line end or NUL");

    Lines lines(std::string_view(data == nullptr ? "" : data, size));
    std::vector<Field> fields;
    std::string_view line;

    // First non-blank line: fixes the column count; header or data.
    bool found = false;
    while (lines.next(line)) {
        if (!blank_line(line)) {
            found = true;
            break;
        }
    }
    if (!found) return R::failure(ErrorCode::empty, "no rows");
    std::string err = split_fields(line, delim, fields);
    if (!err.empty()) return fail_at(ErrorCode::bad_value, lines.number(), err);

    const std::size_t columns = fields.size();
    const bool has_target = options.target != CsvTarget::none;
    std::size_t label_column = columns;  // = no label column
    if (has_target) {
        const long long c = options.label_column < 0
                                ? static_cast<long long>(columns) + options.label_column
                                : static_cast<long long>(options.label_column);
        if (c < 0 || c >= static_cast<long long>(columns))
            return R::failure(ErrorCode::invalid_argument,
                              detail::format("label column %d does not exist: line %zu has %zu "
                                             "columns",
                                             options.label_column, lines.number(), columns),
                              lines.number());
        label_column = static_cast<std::size_t>(c);
        if (columns < 2)
            return R::failure(ErrorCode::invalid_argument,
                              detail::format("line %zu has a single column: no feature left "
                                             "beside the label",
                                             lines.number()),
                              lines.number());
    }

    // Detected header: no field is a number and at least one is not empty (pandas writes an
    // empty name for the index column). A first row mixing numbers and words is data, so its
    // words are reported as errors rather than the row silently dropped.
    bool header = options.header == CsvHeader::present;
    bool mixed_first_row = false;
    if (options.header == CsvHeader::detect) {
        float ignored = 0.0f;
        std::size_t numbers = 0, words = 0;
        for (const Field& f : fields) {
            if (f.text.empty()) continue;
            if (parse_number(f.text, ignored) == NumberStatus::not_a_number)
                ++words;
            else
                ++numbers;
        }
        header = words > 0 && numbers == 0;
        mixed_first_row = words > 0 && numbers > 0;
    }

    const std::size_t first_line = lines.number();
    const auto fail_value = [&](std::size_t at, const std::string& what) {
        if (mixed_first_row && at == first_line)
            return fail_at(ErrorCode::bad_value, at,
                           what + " (the first row mixes numbers and names, so it is not taken "
                                  "as a header; set CsvOptions::header = CsvHeader::present)");
        return fail_at(ErrorCode::bad_value, at, what);
    };

    R result;
    Dataset& d = result.value;
    d.feature_count = has_target ? columns - 1 : columns;
    if (header) {
        for (std::size_t c = 0; c < columns; ++c) {
            if (c == label_column)
                d.target_name = unescape(fields[c]);
            else
                d.feature_names.push_back(unescape(fields[c]));
        }
    }

    try {
        bool have_row = !header;  // the first line is already split when it is data
        for (;;) {
            if (!have_row) {
                if (!lines.next(line)) break;
                if (blank_line(line)) continue;
                err = split_fields(line, delim, fields);
                if (!err.empty()) return fail_at(ErrorCode::bad_value, lines.number(), err);
            }
            have_row = false;
            const std::size_t at = lines.number();
            if (fields.size() != columns)
                return fail_at(ErrorCode::ragged_row, at,
                               detail::format("%zu fields, expected %zu (as on the first row)",
                                              fields.size(), columns));
            for (std::size_t c = 0; c < columns; ++c) {
                const std::string_view text = fields[c].text;
                if (c == label_column) {
                    if (options.target == CsvTarget::value) {
                        float v = 0.0f;
                        const NumberStatus s = parse_number(text, v);
                        if (s != NumberStatus::ok)
                            return fail_value(at, describe(s, c + 1, text));
                        d.targets.push_back(v);
                    } else {
                        double v = 0.0;
                        const NumberStatus s = parse_number(text, v);
                        if (s != NumberStatus::ok)
                            return fail_value(at, describe(s, c + 1, text));
                        if (v < 0.0 || v > 2147483647.0 || v != std::floor(v))
                            return fail_value(at, detail::format("column %zu: label '%s' is not a "
                                                          "non-negative integer class index",
                                                          c + 1, shown(text).c_str()));
                        d.labels.push_back(static_cast<std::int32_t>(v));
                    }
                } else {
                    float v = 0.0f;
                    const NumberStatus s = parse_number(text, v);
                    if (s != NumberStatus::ok)
                        return fail_value(at, describe(s, c + 1, text));
                    d.features.push_back(v);
                }
            }
            ++d.count;
        }
    } catch (const std::bad_alloc&) {
        return R::failure(ErrorCode::too_large, "out of memory");
    }
    if (d.count == 0) return R::failure(ErrorCode::empty, "a header but no data rows");
    return result;
}

Result<Dataset> parse_csv(std::string_view text, const CsvOptions& options) {
    return parse_csv(text.data(), text.size(), options);
}

Result<Dataset> load_csv(const std::string& path, const CsvOptions& options) {
    auto bytes = read_file(path);
    if (!bytes) return Result<Dataset>::failure(std::move(bytes.error));
    auto r = parse_csv(reinterpret_cast<const char*>(bytes.value.data()), bytes.value.size(), options);
    if (!r) r.error.message = path + ": " + r.error.message;
    return r;
}

}  // namespace tinymlp::host
