#!/bin/sh
# Runs instruction_counts.sh and checks that two of its regions executed the same number of
# instructions (and that both were measured).
#   same_count.sh <instruction_counts.sh> <its four arguments> <region> <region>
set -eu
[ $# -eq 7 ] || { echo "usage: $0 <instruction_counts.sh> <qemu> <machine> <elf> <nm> <region> <region>" >&2; exit 2; }
counts=$(/bin/sh "$1" "$2" "$3" "$4" "$5")
printf '%s\n' "$counts"
printf '%s\n' "$counts" | awk -v a="$6" -v b="$7" '
  $1 == a { na = $2 } $1 == b { nb = $2 }
  $1 == "target_of_project_flags_build" { ta = $2 } $1 == "target_of_bare_flags_build" { tb = $2 }
  END {
    if (na == "" || nb == "") { print "missing region " (na == "" ? a : b); exit 1 }
    printf "%s: %d instructions, %s: %d instructions: %s\n", a, na, b, nb, na == nb ? "same" : "DIFFERENT"
    printf "targets: %s (project flags), %s (bare flags): %s\n", ta, tb, ta == tb ? "same" : "DIFFERENT"
    exit na == nb && ta == tb && ta != "" ? 0 : 1
  }'
