#!/bin/sh
# dx encode / sim / scan / motor / dump --decode end to end on a simbus.
# usage: dx-drive-tools.sh PATH/TO/dx
set -u
DX=$1
fail() { echo "FAIL: $*"; exit 1; }

# the documented example frame (see tests/test-drive.c for the arithmetic)
out=$("$DX" encode mit --model ak80-64 --id 1 --pos 1.0 --vel 0 --kp 20 --kd 1 --tau 0) ||
	fail "encode mit"
[ "$out" = "001#8A3D8000A4333800" ] || fail "encode mit gave '$out'"
out=$("$DX" encode mit --model ak80-64 --id 1 --pos 99 2>/dev/null) || fail "encode clamp"
"$DX" encode mit --model ak80-64 --id 1 --pos 99 2>&1 >/dev/null | grep -q "clamped.*pos" ||
	fail "clamping not reported"
"$DX" encode mit --model ak80-64 --id 1 --pos nan >/dev/null 2>&1 && fail "NaN accepted"
out=$("$DX" encode cia402 --id 5 --sdo-write 0x6040=0x0f/2) || fail "encode sdo"
[ "$out" = "605#2B4060000F000000" ] || fail "encode sdo gave '$out'"
out=$("$DX" encode odrive --id 3 --input-torque 0.5) || fail "encode odrive"
[ "$out" = "06E#0000003F" ] || fail "encode odrive gave '$out'"

BUS=simbus:dxt$$
"$DX" sim $BUS --device mit:dm-j4310:id=1 --device cia402:generic:id=5 \
	--device odrive:default:id=8 --enabled 2>/dev/null &
SIM=$!
trap 'kill -INT $SIM 2>/dev/null; wait $SIM 2>/dev/null' EXIT
sleep 0.5
out=$("$DX" scan $BUS) || fail "scan"
echo "$out" | grep -q "cia402 node   5" || fail "scan: no CiA 402 node: $out"
echo "$out" | grep -q "odrive node   8" || fail "scan: no ODrive: $out"
out=$("$DX" scan $BUS --proto mit --model dm-j4310 --max-id 4) || fail "scan mit"
echo "$out" | grep -q "dm-j4310 id   1" || fail "scan mit: $out"
"$DX" motor $BUS --device mit:dm-j4310:id=1 enable | grep -q enabled ||
	fail "motor enable"
"$DX" motor $BUS --device mit:dm-j4310:id=1 move 0.5 --kp 40 --time 0.5 ||
	fail "motor move"
"$DX" motor $BUS --device cia402:generic:id=5 move -0.3 --time 0.3 ||
	fail "motor move cia402"
"$DX" motor $BUS --device cia402:generic:id=5 state | grep -q "operation enabled" ||
	fail "motor state cia402"
"$DX" motor $BUS --device mit:dm-j4310:id=9 state >/dev/null 2>&1 &&
	fail "a missing drive answered"
"$DX" dump $BUS --count 2 --timeout 3 --decode mit:dm-j4310:id=1 > /tmp/dxt$$.dump &
DUMP=$!
sleep 0.3
"$DX" send $BUS 001#FFFFFFFFFFFFFFFD >/dev/null || fail "send"
wait $DUMP
grep -q "dm-j4310 id 1 disable" /tmp/dxt$$.dump || fail "decode: $(cat /tmp/dxt$$.dump)"
grep -q "dm-j4310 id 1 reply" /tmp/dxt$$.dump || fail "decode reply: $(cat /tmp/dxt$$.dump)"
rm -f /tmp/dxt$$.dump
echo "ok"
