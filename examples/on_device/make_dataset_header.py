#!/usr/bin/python3
"""Writes scikit-learn's digits as a C++ header of const arrays for on_device_training.cpp.

    make_dataset_header.py OUTPUT.hpp

The build runs this (examples/on_device/CMakeLists.txt); the header lands in the build directory,
not in the repository. The 1797 8x8 images hold pixel counts 0..16, so they are stored as uint8
(115 KB of flash instead of 460 KB as float); the program scales them to [0, 1] batch by batch.
Samples keep scikit-learn's order, which the program's split by index relies on.
Exits 77 when scikit-learn is not installed (Debian: python3-sklearn).
"""
import os
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    output = sys.argv[1]
    try:
        from sklearn.datasets import load_digits  # reads the copy shipped with scikit-learn
    except ImportError:
        print("make_dataset_header.py: needs scikit-learn (python3-sklearn)", file=sys.stderr)
        sys.exit(77)

    digits = load_digits()
    images, labels = digits.data, digits.target
    count, features = images.shape
    pixels = images.astype(int)
    if (pixels != images).any() or pixels.min() < 0 or pixels.max() > 16:
        sys.exit("make_dataset_header.py: expected whole pixel counts 0..16")
    classes = int(labels.max()) + 1

    lines = [
        "// scikit-learn's digits (%d 8x8 images, %d classes), written by" % (count, classes),
        "// examples/on_device/make_dataset_header.py at build time. Do not edit.",
        "#pragma once",
        "#include <cstddef>",
        "#include <cstdint>",
        "",
        "namespace digits {",
        "",
        "constexpr std::size_t sample_count = %d;" % count,
        "constexpr std::size_t feature_count = %d;" % features,
        "constexpr std::size_t class_count = %d;" % classes,
        "constexpr int pixel_max = 16;",
        "",
        "// const: in flash on a microcontroller, not in RAM.",
        "const std::uint8_t pixels[sample_count][feature_count] = {",
    ]
    lines += ["    {%s}," % ",".join(str(v) for v in row) for row in pixels]
    lines += ["};", "", "const std::uint8_t labels[sample_count] = {"]
    flat = [str(int(v)) for v in labels]
    lines += ["    %s," % ",".join(flat[i:i + 40]) for i in range(0, count, 40)]
    lines += ["};", "", "}  // namespace digits", ""]

    # Written next to the target and renamed, so an interrupted build leaves no half header.
    temporary = output + ".tmp"
    with open(temporary, "w") as f:
        f.write("\n".join(lines))
    os.replace(temporary, output)


if __name__ == "__main__":
    main()
