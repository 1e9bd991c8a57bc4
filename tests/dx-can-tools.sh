#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the CAN subcommands of the dx tool: `dx bus time` output format
# and numbers (the hand-derived cases of test-busload.c), `dx bus budget`
# verdicts, `dx dump --log` and a dx send -> dx dump round trip over simbus.
# Usage: dx-can-tools.sh PATH/TO/dx
set -u
DX=$1
T=$(mktemp -d)
BUS="toolt$$"
fail=0
trap 'rm -rf "$T"; rm -f /dev/shm/dx-simbus-$BUS' EXIT

check() { # name expected actual
	if [ "$2" != "$3" ]; then
		echo "FAIL $1"; echo " expected: $2"; echo " actual:   $3"; fail=1
	else
		echo "ok   $1"
	fi
}

out=$("$DX" bus time 000#0000000000000000 555#5555555555555555 123##1 \
	--data-bitrate 5000000)
check "bus time" "000#0000000000000000 bits=124 stuff=16 us=124.000
555#5555555555555555 bits=109 stuff=1 us=109.000
123##1 bits=59 stuff=6 us=33.400" "$out"
out=$("$DX" bus time --bitrate 125000 000#0000000000000000)
check "bus time 125k" "000#0000000000000000 bits=124 stuff=16 us=992.000" "$out"
"$DX" bus time 12#1 2>/dev/null
check "bus time bad frame exit" 1 $?
"$DX" bus time 2>/dev/null
check "bus time no frame exit" 2 $?

cat > "$T/b.txt" <<'X'
# four 8-byte frames at 1 kHz on a 1 Mbit/s bus: 4 * 135 us * 1000 = 54 %
bus hand0 1000000
frame hand0 141 8 1000
frame hand0 142 8 1000
frame hand0 143 8 1000
frame hand0 144 8 1000  # trailing comment
X
out=$("$DX" bus budget "$T/b.txt" | head -1)
check "budget fits" "bus hand0: 4 frames, 4000.0 frames/s, load 54.00% of 70%: fits, rates may scale x1.296, all once per period up to 1296.3 Hz" "$out"
"$DX" bus budget --max-load 0.5 "$T/b.txt" >/dev/null
check "budget over exit" 1 $?
printf 'bus a 1000000\nframe b 1 8 10\n' > "$T/bad.txt"
"$DX" bus budget "$T/bad.txt" 2>/dev/null
check "budget unknown bus exit" 1 $?

printf '(1700000000.123456) can0 123#DEADBEEF\n\n(1700000000.2) can1 1ABCDEF0##1AA\n' > "$T/log"
out=$("$DX" dump --log "$T/log")
check "dump --log" "(1700000000.123456) can0 123#DEADBEEF
(1700000000.200000) can1 1ABCDEF0##1AA" "$out"
printf '(1700000000.1) can0 123#DEADBEE\n' > "$T/badlog"
"$DX" dump --log "$T/badlog" 2>/dev/null
check "dump bad log exit" 1 $?

"$DX" dump --count 3 --timeout 10 "simbus:$BUS" > "$T/live" &
pid=$!
i=0
while [ ! -e "/dev/shm/dx-simbus-$BUS" ] && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
sleep 0.1
"$DX" send "simbus:$BUS" 123#11 12345678#R2 123##3AABB
check "send exit" 0 $?
wait $pid
check "dump exit" 0 $?
out=$(cut -d' ' -f2- "$T/live")
check "send/dump round trip" "$BUS 123#11
$BUS 12345678#R2
$BUS 123##3AABB" "$out"
"$DX" send nosuch:x 123#11 2>/dev/null
check "unknown transport exit" 1 $?
"$DX" send "simbus:$BUS" 123#R9 2>/dev/null
check "bad frame exit" 1 $?
exit $fail
