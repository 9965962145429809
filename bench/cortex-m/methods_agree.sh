#!/bin/sh
# Runs instruction_counts.sh twice on one firmware, counting by translation blocks (its default)
# and one instruction at a time (TINYMLP_COUNT_EACH_INSTRUCTION=1), and checks the two tables are
# the same, figure for figure.
#   methods_agree.sh <instruction_counts.sh> <qemu> <machine> <elf> <nm>
set -eu
[ $# -eq 5 ] || { echo "usage: $0 <instruction_counts.sh> <qemu> <machine> <elf> <nm>" >&2; exit 2; }
script=$1; shift
by_blocks=$(/bin/sh "$script" "$@")
by_instructions=$(TINYMLP_COUNT_EACH_INSTRUCTION=1 /bin/sh "$script" "$@")
printf 'counted by translation blocks:\n%s\n' "$by_blocks"
if [ "$by_blocks" = "$by_instructions" ]; then
  echo "the same table counted one instruction at a time"
else
  printf 'DIFFERENT counted one instruction at a time:\n%s\n' "$by_instructions"
  exit 1
fi
