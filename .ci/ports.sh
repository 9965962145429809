#!/usr/bin/env bash
# Cross-builds the test suite for every port and runs it under QEMU through ctest:
# aarch64 and armv7 Linux (qemu-user), Cortex-M3/M4/M7/M33/M55 (qemu-system-arm, semihosting).
#   .ci/ports.sh                 # all seven
#   .ci/ports.sh cortex-m55      # some
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(aarch64 armv7 cortex-m3 cortex-m4 cortex-m7 cortex-m33 cortex-m55)
for preset in "${presets[@]}"; do
    echo "==> port ${preset}"
    start=$SECONDS
    cmake --preset "$preset" > /dev/null
    cmake --build --preset "$preset" -j"${JOBS:-2}"
    ctest --preset "$preset" --output-on-failure
    if [[ $preset == cortex-m* ]]; then
        # the figures of the Cortex-M reports (their tests pass either way): flash, RAM and stack
        # of a 32-64-64-8 MLP, and instruction counts from QEMU's execution log
        echo "==> ${preset}: footprint and instruction counts"
        ctest --preset "$preset" -R '^(footprint_report|instruction_counts)$' -V | sed -n 's/^[0-9]*: //p' \
            | grep -v '^Test command\|^Working Directory\|^Test timeout'
    fi
    echo "==> port ${preset} took $((SECONDS - start)) s"
done
