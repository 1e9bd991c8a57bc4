#!/bin/sh
# Cross-process bridge test on loopback: the controller with the bridge
# (bridge-hand), a subscriber (bridge-sub) and a publisher (bridge-pub) as
# three processes talking DDS through Cyclone with multicast off, the lo
# interface and 127.0.0.1 as the only peer.
#   bridge-test.sh BUILD_DIR SRC_DIR
set -u
B=$1
S=$2
NS="dxtest_$$"
# A domain of our own (ports 7400 + 250 * domain) so parallel runs do not meet.
DOMAIN=$(( $$ % 200 + 10 ))
TMP=$(mktemp -d /tmp/dx-bridge.XXXXXX)
HAND_PID=
SUB_PID=
WR_PID=
cleanup() {
	[ -n "$HAND_PID" ] && kill "$HAND_PID" 2>/dev/null
	[ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
	[ -n "$WR_PID" ] && kill "$WR_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
CYCLONEDDS_URI="<CycloneDDS><Domain Id=\"any\"><General><Interfaces><NetworkInterface name=\"lo\"/></Interfaces><AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex><MaxAutoParticipantIndex>20</MaxAutoParticipantIndex><Peers><Peer Address=\"127.0.0.1\"/></Peers></Discovery></Domain></CycloneDDS>"
export CYCLONEDDS_URI

fail() { echo "FAIL: $*"; echo "--- hand"; cat "$TMP/hand.log"; echo "--- sub"; cat "$TMP/sub.log"; exit 1; }

"$B/bridge-hand" "$NS" "$DOMAIN" 20 "$S" "$TMP/tap" > "$TMP/hand.log" 2>&1 &
HAND_PID=$!
"$B/bridge-sub" "$NS" "$DOMAIN" 18 "$TMP/ready" 0.0 0.3 0.2 0.8 0.05 10 > "$TMP/sub.log" 2>&1 &
SUB_PID=$!
# the fingertip's wrenches while the hand follows the commands below
"$B/bridge-wrench" "$NS" tip "$DOMAIN" 8 "$TMP/wrench" > "$TMP/wrench.log" 2>&1 &
WR_PID=$!
i=0
while [ ! -e "$TMP/ready" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "the subscriber never matched the bridge's writers"
	kill -0 "$HAND_PID" 2>/dev/null || fail "bridge-hand exited early"
	sleep 0.1
done
"$B/bridge-pub" "$NS" "$DOMAIN" 0.0 0.3 0.2 0.8 > "$TMP/pub.log" 2>&1 || { cat "$TMP/pub.log"; fail "bridge-pub"; }
cat "$TMP/pub.log"
wait "$SUB_PID"; SUB_RC=$?
SUB_PID=
[ $SUB_RC -eq 0 ] || fail "subscriber did not see what it expected"
wait "$WR_PID"
WR_PID=
# Unplug the drives: the hand loses the links and the bridge reports it.
"$B/bridge-sub" --fault "$NS" "$DOMAIN" 10 "$TMP/ready2" > "$TMP/fault.log" 2>&1 &
SUB_PID=$!
i=0
while [ ! -e "$TMP/ready2" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "the fault subscriber never matched"
	sleep 0.1
done
kill -USR1 "$HAND_PID"
wait "$SUB_PID"; FAULT_RC=$?
SUB_PID=
cat "$TMP/fault.log"
[ $FAULT_RC -eq 0 ] || fail "no fault diagnostic after the drives were unplugged"
kill -TERM "$HAND_PID"
wait "$HAND_PID"; HAND_RC=$?
HAND_PID=
cat "$TMP/sub.log" "$TMP/hand.log"
[ $SUB_RC -eq 0 ] || fail "subscriber did not see what it expected"
[ $HAND_RC -eq 0 ] || fail "bridge-hand exit $HAND_RC"
# Only the good commands reached the cycle: the bridge passed three targets
# (the joint command and the good trajectory's two points), the hand applied
# exactly those and refused none; ten were rejected.
grep -q "accepted=3 rejected=10 " "$TMP/hand.log" || fail "bridge counters"
grep -q "applied=3 refused=0 " "$TMP/hand.log" || fail "hand counters"
# The wrenches another process received are the hand's own: each one a
# sample of its telemetry (values exact, stamp within 2 ms), in the root
# link's frame, with a force while the finger moved (joint torques only:
# hand2 has no pad, so no contact point and no moment).
cat "$TMP/wrench.log"
"$B/bridge-wrench" --compare "$TMP/wrench" "$TMP/tap" palm 200 ||
	fail "wrenches received do not match the hand's telemetry"
echo "PASS"
