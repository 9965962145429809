#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan) and runs each for FUZZ_SECONDS (default 60)
# from its seed corpus. A crash, leak or sanitizer finding fails the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${FUZZ_SECONDS:-60}"
cmake --preset fuzz -DTINYMLP_FUZZ_SECONDS="$seconds"
cmake --build --preset fuzz -j"${JOBS:-2}"
ctest --preset fuzz --output-on-failure
