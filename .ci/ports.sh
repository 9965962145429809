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
    # the Cortex-M reports (flash, RAM and stack of a 32-64-64-8 MLP, instruction counts from
    # QEMU's execution log at -O3, -O2 and -Os and with TINYMLP_SMALL_CODE, cycle estimates) run once, after the rest, with
    # their figures printed; they fail only when their firmware or their measuring does
    reports='^(footprint_report|instruction_counts|instruction_counts_O2|instruction_counts_Os|instruction_counts_small|cycle_estimates)$'
    ctest --preset "$preset" --output-on-failure -E "$reports"
    if [[ $preset == cortex-m* ]]; then
        echo "==> ${preset}: footprint, instruction counts and cycle estimates"
        ctest --preset "$preset" -R "$reports" -V | sed -n 's/^[0-9]*: //p' \
            | grep -v '^Test command\|^Working Directory\|^Test timeout'
    fi
    echo "==> port ${preset} took $((SECONDS - start)) s"
done
