#!/usr/bin/env python3
"""Writes format_cases.txt for format_test.cpp: '<format> <double bits, hex> <expected>' lines.

Expected strings come from Python's % formatting, which rounds exactly like glibc. Cases are
limited to what ports/cortex-m/runtime/stdio.c promises to get exactly right: at most 17
significant digits, and a decimal scaling of at most 10^22 (see the comment in stdio.c).
"""
import math
import os
import random
import struct

FORMATS = ['%.9g', '%g', '%e', '%.3f', '%f', '%.15g', '%.17g', '%.12e', '%.0f', '%.1f',
           '%.6g', '%.2e', '%.16g', '%G', '%.4E']


def promised(fmt, value):
    if value == 0 or math.isinf(value) or math.isnan(value):
        return True
    exponent = math.floor(math.log10(abs(value)))
    precision = int(fmt[2:-1]) if '.' in fmt else 6
    conversion = fmt[-1].lower()
    if conversion == 'f':
        digits = exponent + 1 + precision
        return digits <= 17 and abs(precision) <= 22
    digits = precision + 1 if conversion == 'e' else max(precision, 1)
    return digits <= 17 and abs(digits - 1 - exponent) <= 22


def random_value(rng):
    kind = rng.random()
    if kind < 0.3:  # float32 values, the common case for tinymlp
        v = rng.uniform(-10, 10) * 10.0 ** rng.randint(-8, 8)
        return struct.unpack('<f', struct.pack('<f', v))[0]
    if kind < 0.5:
        return rng.uniform(-1, 1) * 10.0 ** rng.randint(-25, 25)
    if kind < 0.65:  # short decimals and binary fractions: ties and near-ties
        return rng.randint(-100000, 100000) / rng.choice([2, 4, 8, 16, 10, 100, 1000, 3])
    if kind < 0.75:
        v = struct.unpack('<d', struct.pack('<Q', rng.getrandbits(64)))[0]
        return v if math.isfinite(v) else 1.0
    return rng.uniform(-1e6, 1e6)


def main():
    rng = random.Random(20240601)
    lines = []
    while len(lines) < 2000:
        value = random_value(rng)
        fmt = rng.choice(FORMATS)
        if not promised(fmt, value):
            continue
        bits = struct.unpack('<Q', struct.pack('<d', value))[0]
        lines.append(f'{fmt} {bits:016x} {fmt % value}\n')
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'format_cases.txt')
    with open(path, 'w') as out:
        out.writelines(lines)


if __name__ == '__main__':
    main()
