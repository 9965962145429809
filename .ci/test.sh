#!/usr/bin/env bash
# Configure, build and test tinymlp with one CMake preset, timing each phase. Without settings it
# runs exactly:
#   cmake --preset x86-avx2 && cmake --build --preset x86-avx2 -j2 && ctest --preset x86-avx2 --output-on-failure
# Other preset / parallelism:  PRESET=asan JOBS=2 .ci/test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

preset="${PRESET:-x86-avx2}"
jobs="${JOBS:-2}"

# phase NAME COMMAND...: runs COMMAND, then prints how long it took.
phase() {
    local name="$1"; shift
    echo "==> ${name}: $*"
    local start="${EPOCHREALTIME/[^0-9]/}"
    "$@"
    local elapsed=$(( ${EPOCHREALTIME/[^0-9]/} - start ))
    printf '==> %s took %d.%01d s\n' "$name" $(( elapsed / 1000000 )) $(( elapsed % 1000000 / 100000 ))
}

phase configure cmake --preset "$preset"
phase build cmake --build --preset "$preset" -j"$jobs"
phase test ctest --preset "$preset" --output-on-failure
