#!/usr/bin/env bash
# A plain build (no preset, no -m flags: what `cmake -B build && cmake --build build` gives) with
# x86-64 run-time dispatch: the dispatch test natively and under qemu-x86_64 CPU models without
# AVX-512 and without AVX, and the benchmark's short run natively and on the AVX-less model.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake -S . -B build/plain -G Ninja > /dev/null
cmake --build build/plain -j"${JOBS:-2}" --target test_dispatch benchmark
ctest --test-dir build/plain --output-on-failure -R '^(test_dispatch.*|benchmark_short|benchmark_on_sse2_cpu)$'
