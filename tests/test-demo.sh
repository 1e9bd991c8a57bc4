#!/bin/sh
# SPDX-License-Identifier: MIT
# The main demo, shortened, on the virtual clock: the grasp outcomes read
# from its summary (cylinder and sphere lifted, held and released; slip
# detected after the added mass and the grip force raised), its CSV and
# plots; then the failure paths: Ctrl-C in real-time mode cleans up the
# simbus buses, a controller with no simulated hand says so, and `dx sim`
# refuses a broken configuration, a broken model and a bus in use.
#
# usage: test-demo.sh HAND_DEMO DX EXAMPLES_DIR
# Skipped (77) when the demo or MuJoCo is missing.
set -u

demo=$1
dx=$2
ex=$3
tmp=$(mktemp -d /tmp/dx-demo-test.XXXXXX)
p=td$$
simpid=
demopid=

fail() {
	echo "FAIL: $*"
	exit 1
}

cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null
	[ -n "$demopid" ] && kill "$demopid" 2>/dev/null
	rm -f /dev/shm/dx-simbus-$p-* /dev/shm/dx-simbus-$p-ext-*
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ ! -x "$demo" ]; then
	echo "SKIP: $demo was not built"
	exit 77
fi

# ---- the shortened demo, deterministic -------------------------------------
start=$(date +%s)
"$demo" --fast --short --quiet --prefix "$p" --out "$tmp/out" >"$tmp/demo.log" 2>&1
rc=$?
cat "$tmp/demo.log"
if [ $rc -eq 77 ]; then
	echo "SKIP: the demo needs MuJoCo"
	exit 77
fi
[ $rc -eq 0 ] || fail "demo exited with $rc"
echo "demo took $(( $(date +%s) - start )) s"

want() {
	grep -q "$1" "$tmp/demo.log" || fail "summary lacks: $1"
}
want '^cylinder: lifted yes, held yes, released yes$'
want '^sphere: lifted yes, held yes, released yes$'
want '^slip: detected yes ([1-9][0-9]* force raises after the mass change'
want 'grip force raised yes'
want '^faults: none$'
want 'replies missed 0;'
# the summary's numbers are there
want 'compute p50 [0-9.]* us, p90 [0-9.]* us, p99 [0-9.]* us'
want '^  index_a .* % / .* %'
[ "$(wc -l <"$tmp/out/hand-demo-bus.csv")" -eq 9 ] || fail "bus load CSV"
[ "$(wc -l <"$tmp/out/hand-demo-cycle.csv")" -gt 2 ] || fail "cycle histogram CSV"

# the CSV: one row per 5 ms over the whole run, joint and force columns,
# slip rows during the run, the object rising
csv="$tmp/out/hand-demo.csv"
[ -s "$csv" ] || fail "no CSV"
head -1 "$csv" | grep -q '^t_s,phase,q_index_j0,qref_index_j0,' || fail "CSV header"
rows=$(($(wc -l <"$csv") - 1))
[ "$rows" -gt 1000 ] || fail "CSV has only $rows rows"
awk -F, 'NR > 1 && $(NF - 2) == 1 { n++ } END { exit !(n > 0) }' "$csv" ||
	fail "no slip rows in the CSV"
awk -F, 'NR > 1 && $(NF - 1) > 0.12 { n++ } END { exit !(n > 0) }' "$csv" ||
	fail "the cylinder never rose above 0.12 m in the CSV"
[ "$(wc -l <"$tmp/out/hand-demo-slip.csv")" -gt 1 ] || fail "no slip events"
if command -v gnuplot >/dev/null; then
	for f in tracking.png grip.png cycle.png busload.png tracking.svg grip.svg \
		cycle.svg busload.svg; do
		[ -s "$tmp/out/$f" ] || fail "plot $f missing"
	done
fi

# ---- Ctrl-C in real time: processes end, buses removed ----------------------
"$demo" --quiet --prefix "$p" --out "$tmp/int" >"$tmp/int.log" 2>&1 &
demopid=$!
i=0
while [ $i -lt 50 ] && ! ls /dev/shm/dx-simbus-$p-index-a >/dev/null 2>&1; do
	sleep 0.1
	i=$((i + 1))
done
ls /dev/shm/dx-simbus-$p-index-a >/dev/null 2>&1 || fail "demo did not start"
sleep 1
kill -INT $demopid
wait $demopid
rc=$?
demopid=
cat "$tmp/int.log" | tail -3
[ $rc -eq 130 ] || fail "interrupted demo exited with $rc, not 130"
grep -q 'interrupted' "$tmp/int.log" || fail "no word of the interruption"
if ls /dev/shm/dx-simbus-$p-* >/dev/null 2>&1; then
	fail "buses left behind: $(ls /dev/shm/dx-simbus-$p-*)"
fi

# ---- the controller before the simulated hand --------------------------------
"$demo" --external --quiet --prefix "$p-ext" --out "$tmp/ext" >"$tmp/ext.log" 2>&1
rc=$?
cat "$tmp/ext.log"
[ $rc -eq 1 ] || fail "controller alone exited with $rc"
grep -q "no drive answers on bus index_a (simbus:$p-ext-index-a): is the simulated hand running?" \
	"$tmp/ext.log" || fail "no clear message for a missing simulated hand"

# ---- dx sim: bad input ----------------------------------------------------------
if [ -x "$dx" ]; then
	mkdir -p "$tmp/cfg/urdf" "$tmp/cfg/mjcf"
	cp "$ex/urdf/hand16.urdf" "$tmp/cfg/urdf/"
	sed "s/simbus:hand16-/simbus:$p-/" "$ex/hand16.yaml" >"$tmp/cfg/hand.yaml"
	# a broken configuration
	sed 's/period_us: 1000/period_us: lots/' "$tmp/cfg/hand.yaml" >"$tmp/cfg/bad.yaml"
	"$dx" sim "$tmp/cfg/bad.yaml" >"$tmp/bad.log" 2>&1 && fail "bad config accepted"
	cat "$tmp/bad.log"
	grep -q 'bad.yaml:[0-9]*: period_us' "$tmp/bad.log" || fail "bad config message"
	# a broken model
	printf '<mujoco><worldbody><body name="x"><geom type="box"/></body>\n' \
		>"$tmp/cfg/broken.xml"
	"$dx" sim "$tmp/cfg/hand.yaml" --scene "$tmp/cfg/broken.xml" >"$tmp/model.log" 2>&1 &&
		fail "broken model accepted"
	cat "$tmp/model.log"
	grep -q 'broken.xml' "$tmp/model.log" || fail "broken model message"
	# a bus in use
	: >"$tmp/sim1.log"
	"$dx" sim "$tmp/cfg/hand.yaml" --scene "$ex/mjcf/scene-demo.xml" >"$tmp/sim1.log" 2>&1 &
	simpid=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q 'Ctrl-C' "$tmp/sim1.log"; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q 'Ctrl-C' "$tmp/sim1.log" || fail "dx sim did not start: $(cat "$tmp/sim1.log")"
	"$dx" sim "$tmp/cfg/hand.yaml" --scene "$ex/mjcf/scene-demo.xml" >"$tmp/sim2.log" 2>&1 &&
		fail "second simulated hand on the same buses accepted"
	cat "$tmp/sim2.log"
	grep -q "bus simbus:$p-index-a is already served by another simulated hand (pid $simpid)" \
		"$tmp/sim2.log" || fail "bus in use message"
	kill -INT $simpid
	wait $simpid
	rc=$?
	simpid=
	[ $rc -eq 0 ] || fail "dx sim exited with $rc on Ctrl-C"
	if ls /dev/shm/dx-simbus-$p-* >/dev/null 2>&1; then
		fail "dx sim left its buses behind"
	fi
fi
echo "PASS"
