#!/bin/sh
# SPDX-License-Identifier: MIT
# dx tactile over simbus, two processes: `dx tactile sim` serves a virtual
# pad that is pressed with 1 N one second after it starts; `dx tactile
# view` (non-interactive, --count) must show one contact of 1 N ± 5 %;
# `dx tactile record` on a uSkin-style pad writes one CSV line per cycle;
# usage errors exit 2.
# Usage: dx-tactile-tool.sh PATH/TO/dx
set -u
DX=$1
T=$(mktemp -d)
BUS="tact$$"
fail=0
trap 'rm -rf "$T"; rm -f /dev/shm/dx-simbus-$BUS /dev/shm/dx-simbus-${BUS}u' EXIT

check() { # name condition-result
	if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

"$DX" tactile sim "simbus:$BUS" --board 5 --fd --press 0.001,0,1.0 \
	--delay 1.0 --seconds 5 2>"$T/sim.err" &
SIM=$!
sleep 0.3
"$DX" tactile view "simbus:$BUS" --board 5 --fd --count 100 --no-ansi \
	>"$T/view.out" 2>"$T/view.err"
check "view exit status" $?
wait $SIM
check "sim exit status" $?
tail -8 "$T/view.out"
cat "$T/view.err"
last=$(grep '^contact' "$T/view.out" | tail -1)
fn=$(echo "$last" | awk '{print $4}')
echo "last contact: $last"
awk -v f="$fn" 'BEGIN { exit !(f >= 0.95 && f <= 1.05) }'
check "view shows the 1 N press (Fn $fn)" $?
grep -q 'frames [1-9][0-9]*, bad length 0, bad format 0, bad value 0, sequence gaps 0' "$T/view.err"
check "view counters clean" $?
if grep -q '\[' "$T/view.out"; then check "no ANSI escapes off a terminal" 1; else check "no ANSI escapes off a terminal" 0; fi

"$DX" tactile sim "simbus:${BUS}u" --proto uskin --board 2 --delay 0.6 \
	--seconds 4 2>"$T/simu.err" &
SIM=$!
sleep 0.3
"$DX" tactile record "$T/rec.csv" "simbus:${BUS}u" --proto uskin --board 2 \
	--count 60 2>"$T/rec.err"
check "record exit status" $?
wait $SIM
lines=$(wc -l <"$T/rec.csv")
[ "$lines" -eq 61 ]
check "record wrote 60 cycles + header ($lines lines)" $?
tail -1 "$T/rec.csv" | grep -q ',running,1,'
check "record ends running with one contact" $?

"$DX" tactile view "simbus:$BUS" >/dev/null 2>&1
check "missing --board is a usage error" $([ $? -eq 2 ]; echo $?)
"$DX" tactile view "simbus:$BUS" --board 1 --proto uskin --rows 5 >/dev/null 2>&1
check "uSkin with 20 taxels is a usage error" $([ $? -eq 2 ]; echo $?)
"$DX" tactile --help >/dev/null
check "--help" $?
exit $fail
