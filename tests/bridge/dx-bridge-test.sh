#!/bin/sh
# `dx bridge CONFIG` end to end on loopback: virtual drives served by
# `dx sim BUS --device ...`, the hand and its bridge in `dx bridge`, and the
# subscriber and publisher processes of the bridge test.
#   dx-bridge-test.sh DX BUILD_DIR SRC_DIR
set -u
DX=$1
B=$2
S=$3
NS="dxtool_$$"
DOMAIN=$(( $$ % 200 + 10 ))
BUS="dxbr$$"
TMP=$(mktemp -d /tmp/dx-bridge-tool.XXXXXX)
SIM_PID=
BR_PID=
SUB_PID=
cleanup() {
	for p in $SUB_PID $BR_PID $SIM_PID; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -f "/dev/shm/dx-simbus-$BUS"
	rm -rf "$TMP"
}
trap cleanup EXIT
CYCLONEDDS_URI="<CycloneDDS><Domain Id=\"any\"><General><Interfaces><NetworkInterface name=\"lo\"/></Interfaces><AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex><MaxAutoParticipantIndex>20</MaxAutoParticipantIndex><Peers><Peer Address=\"127.0.0.1\"/></Peers></Discovery></Domain></CycloneDDS>"
export CYCLONEDDS_URI

fail() {
	echo "FAIL: $*"
	for f in sim bridge sub pub; do echo "--- $f"; cat "$TMP/$f.log" 2>/dev/null; done
	exit 1
}

# usage errors first: no config, bad namespace
"$DX" bridge > /dev/null 2>&1; [ $? -eq 2 ] || fail "dx bridge without CONFIG must exit 2"
"$DX" bridge --help | grep -q "rt/NS/joint_states" || fail "dx bridge --help"

cp "$S/hand2.urdf" "$TMP/"
sed "s/@BUS@/$BUS/" "$S/hand2.yaml" > "$TMP/hand.yaml"
"$DX" bridge "$TMP/hand.yaml" --ns "bad-ns" --domain "$DOMAIN" > "$TMP/bad.log" 2>&1
[ $? -eq 1 ] || fail "a malformed namespace must be refused"

"$DX" sim "simbus:$BUS" --device mit:dm-j4310:id=1:master=17 \
	--device mit:dm-j4310:id=2:master=18 > "$TMP/sim.log" 2>&1 &
SIM_PID=$!
sleep 0.3
"$DX" bridge "$TMP/hand.yaml" --ns "$NS" --domain "$DOMAIN" --frame palm \
	--rate 100 --seconds 25 > "$TMP/bridge.log" 2>&1 &
BR_PID=$!
"$B/bridge-sub" "$NS" "$DOMAIN" 20 "$TMP/ready" 0.2 0.4 -0.3 1.2 0.05 10 > "$TMP/sub.log" 2>&1 &
SUB_PID=$!
i=0
while [ ! -e "$TMP/ready" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "the subscriber never matched dx bridge's writers"
	kill -0 "$BR_PID" 2>/dev/null || fail "dx bridge exited early"
	sleep 0.1
done
"$B/bridge-pub" "$NS" "$DOMAIN" 0.2 0.4 -0.3 1.2 > "$TMP/pub.log" 2>&1 || fail "bridge-pub"
wait "$SUB_PID"; SUB_RC=$?
SUB_PID=
kill -TERM "$BR_PID"
wait "$BR_PID"; BR_RC=$?
BR_PID=
cat "$TMP/pub.log" "$TMP/sub.log" "$TMP/bridge.log"
[ $SUB_RC -eq 0 ] || fail "subscriber did not see what it expected"
[ $BR_RC -eq 0 ] || fail "dx bridge exit $BR_RC"
grep -q "final: .*commands 3 accepted 10 rejected 0 dropped" "$TMP/bridge.log" ||
	fail "dx bridge counters"
echo "PASS"
