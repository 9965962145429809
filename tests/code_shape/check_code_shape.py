#!/usr/bin/env python3
"""Checks of how the core reads that a compiler cannot make (ctest code_shape):
 - the scalar fallback of the SIMD kernels is chosen once (simd::if_lanes), not in every kernel;
 - a kernel lives in the header its name says (MSE and BCE in kernels/losses.hpp);
 - comments in include/ hold reasons, not timings (they drift; bench/ holds the figures).
Usage: check_code_shape.py <tinymlp source tree>"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
problems = []
headers = sorted((root / "include").rglob("*.hpp"))
for header in headers:
    name = header.relative_to(root).as_posix()
    for number, line in enumerate(header.read_text().splitlines(), 1):
        if re.search(r"if constexpr \(!simd::(has_lanes|vectorizes)", line) or "ScalarReference" in line:
            problems.append("%s:%d: a per-kernel scalar fallback (use simd::if_lanes)" % (name, number))
        comment = line.split("//", 1)[1] if "//" in line else ""
        if re.search(r"\d(\.\d+)? ?(us|ms|ns|GFLOP/s)\b", comment) or re.search(r"\d\.\d+ vs \d", comment):
            problems.append("%s:%d: a measured figure in a comment" % (name, number))
        if re.search(r"kernels/(simd/)?softmax\.hpp$", name) and re.search(
                r"\b(mean_squared_error|binary_cross_entropy)", line):
            problems.append("%s:%d: a loss kernel outside kernels/losses.hpp" % (name, number))
for problem in problems:
    print(problem)
print("code_shape: %d headers read, %d problems" % (len(headers), len(problems)))
sys.exit(1 if problems else 0)
