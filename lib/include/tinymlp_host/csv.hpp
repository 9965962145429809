// Numeric CSV: one example per row, every field a number; one column (the last by default) is
// the label (class index) or regression target, the others are the features, in file order.
//   - header row: detected (no field of the first row is a number, one at least is not empty),
//     or forced present / absent; a first row mixing numbers and words is an error (line 1)
//   - fields may be surrounded by spaces/tabs and by double quotes ("" inside quotes is a quote)
//   - \n and \r\n line ends, blank lines skipped, a UTF-8 byte order mark skipped
//   - numbers are parsed locale-independently (std::from_chars); NaN and infinity are errors
// Errors carry the 1-based line (Error::line) and say which column and field.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "dataset.hpp"
#include "result.hpp"

namespace tinymlp::host {

enum class CsvHeader { detect, present, absent };

enum class CsvTarget {
    class_index,  // label column holds non-negative integers -> Dataset::labels
    value,        // label column holds any number -> Dataset::targets
    none,         // no label column: every column is a feature
};

struct CsvOptions {
    CsvHeader header = CsvHeader::detect;
    char delimiter = ',';
    int label_column = -1;  // 0-based; negative counts from the end (-1 = last column)
    CsvTarget target = CsvTarget::class_index;
};

Result<Dataset> parse_csv(const char* data, std::size_t size, const CsvOptions& options = {});
Result<Dataset> parse_csv(std::string_view text, const CsvOptions& options = {});

// From a file (plain, or .gz with zlib); error messages start with "path: ".
Result<Dataset> load_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace tinymlp::host
