#!/bin/sh
# `dx hand run CONFIG --dds` on loopback: virtual drives served by
# `dx sim BUS --device ...`, the hand and its bridge in `dx hand run`, with
# every DDS setting taken from the configuration's bridge: section (domain,
# namespace, joint state decimation, frame), and the subscriber and
# publisher processes of the bridge test.
#   dx-hand-dds-test.sh DX BUILD_DIR SRC_DIR
set -u
DX=$1
B=$2
S=$3
NS="dxhand_$$/left"
DOMAIN=$(( $$ % 200 + 10 ))
BUS="dxhd$$"
TMP=$(mktemp -d /tmp/dx-hand-dds.XXXXXX)
SIM_PID=
RUN_PID=
SUB_PID=
WR_PID=
cleanup() {
	for p in $SUB_PID $WR_PID $RUN_PID $SIM_PID; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -f "/dev/shm/dx-simbus-$BUS"
	rm -rf "$TMP"
}
trap cleanup EXIT
CYCLONEDDS_URI="<CycloneDDS><Domain Id=\"any\"><General><Interfaces><NetworkInterface name=\"lo\"/></Interfaces><AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex><MaxAutoParticipantIndex>20</MaxAutoParticipantIndex><Peers><Peer Address=\"127.0.0.1\"/></Peers></Discovery></Domain></CycloneDDS>"
export CYCLONEDDS_URI

fail() {
	echo "FAIL: $*"
	for f in sim run sub pub wrench; do echo "--- $f"; cat "$TMP/$f.log" 2>/dev/null; done
	exit 1
}

cp "$S/hand2.urdf" "$TMP/"
sed "s/@BUS@/$BUS/" "$S/hand2.yaml" > "$TMP/hand.yaml"
cat >> "$TMP/hand.yaml" <<YAML
bridge:
  domain: $DOMAIN
  namespace: $NS
  frame_id: palm
  publish:
    joint_states: 5      # 100 Hz at 500 Hz
    wrenches: 25         # 20 Hz
    diagnostics: 250     # bridge status at 2 Hz
YAML

"$DX" hand run --help | grep -q -- "--dds" || fail "dx hand run --help does not name --dds"
# a bad bridge: section is refused with its line
sed 's/^  domain: .*/  domain: 999/' "$TMP/hand.yaml" > "$TMP/bad.yaml"
"$DX" hand run "$TMP/bad.yaml" --dds --seconds 1 > "$TMP/bad.log" 2>&1
[ $? -eq 1 ] || fail "a domain out of range must be refused"
grep -q "bad.yaml:[0-9]*: bridge.domain: expected a DDS domain id in \[0, 232\], got 999" "$TMP/bad.log" ||
	{ cat "$TMP/bad.log"; fail "bad domain message"; }

"$DX" sim "simbus:$BUS" --device mit:dm-j4310:id=1:master=17 \
	--device mit:dm-j4310:id=2:master=18 > "$TMP/sim.log" 2>&1 &
SIM_PID=$!
sleep 0.3
"$DX" hand run "$TMP/hand.yaml" --dds --quiet --seconds 25 > "$TMP/run.log" 2>&1 &
RUN_PID=$!
"$B/bridge-sub" "$NS" "$DOMAIN" 20 "$TMP/ready" 0.2 0.4 -0.3 1.2 0.05 10 > "$TMP/sub.log" 2>&1 &
SUB_PID=$!
"$B/bridge-wrench" "$NS" tip "$DOMAIN" 6 "$TMP/wrench" > "$TMP/wrench.log" 2>&1 &
WR_PID=$!
i=0
while [ ! -e "$TMP/ready" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "the subscriber never matched dx hand run's writers"
	kill -0 "$RUN_PID" 2>/dev/null || fail "dx hand run exited early"
	sleep 0.1
done
"$B/bridge-pub" "$NS" "$DOMAIN" 0.2 0.4 -0.3 1.2 > "$TMP/pub.log" 2>&1 || fail "bridge-pub"
wait "$SUB_PID"; SUB_RC=$?
SUB_PID=
wait "$WR_PID"
WR_PID=
kill -TERM "$RUN_PID"
wait "$RUN_PID"; RUN_RC=$?
RUN_PID=
cat "$TMP/pub.log" "$TMP/sub.log" "$TMP/wrench.log" "$TMP/run.log"
[ $SUB_RC -eq 0 ] || fail "subscriber did not see what it expected"
[ $RUN_RC -eq 0 ] || fail "dx hand run exit $RUN_RC"
grep -q "DDS bridge up: rt/$NS/joint_states, 1 wrench topics (rt/$NS/tip/wrench" "$TMP/run.log" ||
	fail "dx hand run did not announce the topics of the bridge: section"
grep -q "dds: .*commands 3 accepted 10 rejected" "$TMP/run.log" || fail "dx hand run counters"
# the status table still has its fingertip rows: the bridge hands the
# telemetry over to dx hand run
grep -q "^tip " "$TMP/run.log" || fail "no fingertip row in the final status"
# wrenches at the configured 20 Hz: about 120 in 6 s (at least 60)
n=$(wc -l < "$TMP/wrench")
[ "$n" -ge 60 ] && [ "$n" -le 140 ] || fail "$n wrenches in 6 s, expected about 120 at 20 Hz"
grep -qv " palm$" "$TMP/wrench" && fail "a wrench not in the palm frame"
echo "PASS"
