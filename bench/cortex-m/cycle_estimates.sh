#!/bin/sh
# Estimated Cortex-M4 cycles of the firmware's tinymlp_cycles_* regions (instruction_counts.cpp):
#   cycle_estimates.sh <mcycles.py> <machine> <cpu> <instruction_counts.elf>
# mcycles.py (../shared/tools, beside this repository in CI) prices QEMU's exact instruction trace
# with the core's cost table (M4: the TRM's). One QEMU run; each region is priced from its log.
set -eu
if [ $# -ne 4 ]; then
  echo "usage: $0 <mcycles.py> <machine> <cpu> <firmware.elf>" >&2
  exit 2
fi
tool=$1 machine=$2 cpu=$3 firmware=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$tool" --elf "$firmware" --machine "$machine" --cpu "$cpu" --begin tinymlp_cycles_dense_64x64 \
  --end tinymlp_cycles_end --macs 4096 --save-log "$work/trace" > "$work/dense" 2>/dev/null
printf '%-26s %12s %14s %16s %14s\n' region instructions "est. cycles" "instr. per MAC" "cycles per MAC"
# region:MACs (a step: forward, backward and update, three products per layer)
for spec in dense_64x64:4096 inference:6656 sgd_step:19968 adam_step:19968; do
  name=${spec%%:*} macs=${spec#*:}
  python3 "$tool" --elf "$firmware" --machine "$machine" --cpu "$cpu" --begin "tinymlp_cycles_$name" \
    --end tinymlp_cycles_end --macs "$macs" --log "$work/trace" --json > "$work/$name.json" 2>/dev/null
  python3 - "$work/$name.json" "$name" "$macs" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n, c, macs = r["instructions"], r["est_cycles"], int(sys.argv[3])
print(f"{sys.argv[2]:<26} {n:>12} {c:>14.0f} {n / macs:>16.3f} {c / macs:>14.2f}")
PY
done
echo "floor of a VFMA kernel on the M4 (TRM): VFMA.F32 3 cycles + its weight's VLDM word 1 = 4 cycles per MAC"
