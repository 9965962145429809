#!/bin/sh
# Instruction counts of tinymlp kernels on a Cortex-M core in QEMU.
#   instruction_counts.sh <qemu-system-arm> <machine> <instruction_counts.elf> <arm-none-eabi-nm>
# Runs the firmware (bench/cortex-m/instruction_counts.cpp) with
#   qemu-system-arm -d in_asm,exec,nochain
# which logs each translation block's guest instructions once, when QEMU translates it, and one
# line each time a block runs (no chaining between blocks, so no run goes unlogged). The script
# sums the instructions of the blocks that run from each entry into tinymlp_count_begin to the
# next entry into tinymlp_count_end; the markers' own cost (the "empty" region) is subtracted.
# A block is counted whole: the measured regions take no interrupt and make no semihosting call,
# so none stops in its middle (a block QEMU stops before it starts is logged and not counted).
# With TINYMLP_COUNT_EACH_INSTRUCTION=1 QEMU runs one instruction per block (-singlestep) and
# each logged line is one instruction: the same counts, about 5 times slower (ctest
# instruction_counts_methods_agree compares the two). QEMU is not cycle-accurate: these are
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
if [ "${TINYMLP_COUNT_EACH_INSTRUCTION:-0}" = 1 ]; then
  log_flags="-singlestep -d exec,nochain"
else
  log_flags="-d in_asm,exec,nochain"
fi
# shellcheck disable=SC2086 # log_flags is a list of options
"$qemu" -M "$machine" -display none -serial none -monitor none \
  -semihosting-config enable=on,target=native -kernel "$firmware" \
  $log_flags -D "$work/log" > "$work/output" &
qemu_pid=$!
# The log, in order: a translated block ("IN: <symbol>", its disassembly, one "0x<pc>: ..." line per
# instruction, a blank line), then the run that follows its translation and every later run of it:
#   "Trace 0: 0x7f... [00000000/<pc>/<flags>/<cflags>] symbol"
# where 0x7f... is the translated code's host address, which names the block until QEMU reuses it
# for another block (then another translation precedes the reuse). A block QEMU exits before its
# first instruction: "Stopped execution of TB chain before 0x7f... [<pc>] symbol".
awk -v begin="$begin" -v end="$end" -v single_step="${TINYMLP_COUNT_EACH_INSTRUCTION:-0}" '
  /^0x[0-9a-f]+:/ {
    if (!listing) next
    # the instruction'"'"'s halfwords, in hex: "0x<pc>:  f04f 32a5  mov.w ...". QEMU'"'"'s disassembler
    # does not know every Armv8-M instruction and may print half of one as ".byte": the halfwords
    # are counted by Thumb'"'"'s rule instead (0b11101, 0b11110, 0b11111 in the top 5 bits: the
    # first half of a 32-bit instruction).
    k = split(substr($0, 14, 9), halfword, " ")
    for (i = 1; i <= k; i++) {
      if (second_half) { second_half = 0; continue }
      listed++
      second_half = substr(halfword[i], 1, 2) >= "e8"
    }
    next
  }
  /^IN:/ { listing = 1; listed = 0; second_half = 0; next }
  /^$/ { if (listing) { listing = 0; translated = 1 } next }
  $1 == "Trace" {
    if (translated) { size[$3] = listed; translated = 0 }
    split($4, field, "/"); pc = field[2]
    n = single_step ? 1 : size[$3]
    if (pc == begin) { inside = 1; count = n - 1 }  # from after the marker'"'"'s first instruction
    else if (pc == end && inside) { print region++, count; inside = 0 }
    else if (inside) count += n
  }
  $1 == "Stopped" && inside { count -= single_step ? 1 : size[$7] }
' < "$work/log" > "$work/counts"
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
