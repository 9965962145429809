#!/bin/sh
# Instruction counts of tinymlp kernels on a Cortex-M core in QEMU.
#   instruction_counts.sh <qemu-system-arm> <machine> <instruction_counts.elf> <arm-none-eabi-nm>
# Runs the firmware (bench/cortex-m/instruction_counts.cpp) with
#   qemu-system-arm -singlestep -d exec,nochain
# which logs one line per executed instruction (one instruction per translation block, no
# chaining between blocks, so every instruction is logged each time it runs), and counts the
# lines from each entry into tinymlp_count_begin to the next entry into tinymlp_count_end. The
# markers' own cost (the "empty" region) is subtracted. QEMU is not cycle-accurate: these are
# instructions, not cycles.
set -eu
if [ $# -ne 4 ]; then
  echo "usage: $0 <qemu-system-arm> <machine> <firmware.elf> <arm-none-eabi-nm>" >&2
  exit 2
fi
qemu=$1 machine=$2 firmware=$3 nm=$4

address() {  # the symbol's address as QEMU logs it: 8 hex digits, without the Thumb bit
  value=$("$nm" "$firmware" | awk -v name="$1" '$3 == name { print $1 }')
  [ -n "$value" ] || { echo "$0: $1 not found in $firmware" >&2; exit 1; }
  printf '%08x' $(( 0x$value & ~1 ))
}
begin=$(address tinymlp_count_begin)
end=$(address tinymlp_count_end)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/log"
"$qemu" -M "$machine" -display none -serial none -monitor none \
  -semihosting-config enable=on,target=native -kernel "$firmware" \
  -singlestep -d exec,nochain -D "$work/log" > "$work/output" &
qemu_pid=$!
# Log lines: "Trace 0: 0x7f... [00000000/<pc>/<flags>/<cflags>] symbol"
awk -v begin="$begin" -v end="$end" '
  $1 == "Trace" {
    split($4, field, "/"); pc = field[2]
    if (inside) count++
    if (pc == begin) { inside = 1; count = 0 }
    else if (pc == end && inside) { print region++, count - 1; inside = 0 }
  }' < "$work/log" > "$work/counts"
status=0
wait "$qemu_pid" || status=$?
if [ "$status" -ne 0 ]; then
  cat "$work/output"
  echo "$0: the firmware exited with status $status" >&2
  exit 1
fi

# Join the firmware's "region <id> <name> macs <n> samples <n>" lines with the counts; its
# "anchor <region> <per MAC> <text>" lines (a reference's figure for a region) and "note <text>"
# lines follow the table.
awk -v machine="$machine" '
  FNR == NR { count[$1] = $2; next }
  $1 == "target" { target = $2 }
  $1 == "note" { notes = notes substr($0, 6) "\n" }
  $1 == "region" { id = $2; name[id] = $3; macs[id] = $5; samples[id] = $7; last = id }
  $1 == "anchor" { anchor_region[$2] = 1; anchor_value[$2] = $3; anchor_text[$2] = substr($0, index($0, $4)) }
  END {
    if (!(0 in count) || name[0] != "empty") { print "no counts: markers not reached"; exit 1 }
    overhead = count[0]
    printf "instruction counts on %s (default target %s), markers (%d instructions) subtracted\n",
           machine, target, overhead
    printf "%-34s %12s %12s %14s\n", "region", "instructions", "per sample", "per MAC"
    for (id = 1; id <= last; id++) {
      if (!(id in count)) { print "no count for region " name[id]; exit 1 }
      n = count[id] - overhead
      printf "%-34s %12d %12.0f %14.3f\n", name[id], n, n / samples[id], n / macs[id]
      per_mac[name[id]] = n / macs[id]
    }
    for (r in anchor_region)
      if (r in per_mac)
        printf "%s: %.3f instructions per MAC against %.3f for %s: x%.2f\n", r, per_mac[r], anchor_value[r],
               anchor_text[r], per_mac[r] / anchor_value[r]
    printf "%s", notes
  }' "$work/counts" "$work/output"
