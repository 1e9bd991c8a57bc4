#!/bin/sh
# dx kin end to end: info, fk (one query and --batch), ik --batch with the
# answers checked by running them back through fk (position 1e-5 m, the
# quaternion 1e-4), bad lines answered in place, unreachable targets.
# Usage: kin-cli.sh DX EXAMPLES_DIR
set -eu
dx=$1
urdf=$2/urdf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$dx" kin info "$urdf/hand16.urdf" > "$tmp/info"
grep -q "21 links, 20 joints, 16 variables" "$tmp/info" || fail "info counts"
grep -q "thumb_j3" "$tmp/info" || fail "info joints"

out=$("$dx" kin fk "$urdf/panda.urdf" --tip panda_link8 0 0 0 0 0 0 0)
[ "$out" = "0.088 0 0.926 1 0 0 0" ] || fail "panda zero pose: $out"

# joint vectors -> poses -> IK -> poses again
cat > "$tmp/q" <<Q
0.1 -0.5 0.2 -2.0 0.3 1.5 -0.4
-1.2 0.8 1.0 -1.1 -2.0 2.9 1.2
2.0 1.2 -2.5 -0.5 1.0 0.5 2.5
0.0 0.0 0.0 -1.5 0.0 1.8 0.0
Q
"$dx" kin fk "$urdf/panda.urdf" --tip panda_link8 --batch < "$tmp/q" > "$tmp/poses"
[ "$(wc -l < "$tmp/poses")" -eq 4 ] || fail "fk batch line count"
{
	cat "$tmp/poses"
	echo "not numbers"
	echo "0.3 0.2 nan"
	echo "5 5 5"
	awk 'NR == 1 { print $1, $2, $3 }' "$tmp/poses"
} > "$tmp/targets"
"$dx" kin ik "$urdf/panda.urdf" --tip panda_link8 --batch < "$tmp/targets" > "$tmp/answers"
[ "$(wc -l < "$tmp/answers")" -eq 8 ] || fail "ik batch line count"
sed -n 5p "$tmp/answers" | grep -q "^fail bad-input" || fail "bad line"
sed -n 6p "$tmp/answers" | grep -q "^fail not-finite" || fail "nan line"
sed -n 7p "$tmp/answers" | grep -q "^fail unreachable" || fail "unreachable line"
for n in 1 2 3 4 8; do
	sed -n "${n}p" "$tmp/answers" | grep -q "^ok " || fail "line $n: $(sed -n "${n}p" "$tmp/answers")"
done
sed -n '1,4p' "$tmp/answers" | cut -d' ' -f2- > "$tmp/q2"
"$dx" kin fk "$urdf/panda.urdf" --tip panda_link8 --batch < "$tmp/q2" > "$tmp/poses2"
paste -d' ' "$tmp/poses" "$tmp/poses2" | awk '
function abs(x) { return x < 0 ? -x : x }
{
	for (i = 1; i <= 3; i++)
		if (abs($i - $(i + 7)) > 1e-5) { print "position", NR; exit 1 }
	# q and -q are the same rotation
	s = 0; d = 0
	for (i = 4; i <= 7; i++) { s += abs($i - $(i + 7)); d += abs($i + $(i + 7)) }
	if (s > 4e-4 && d > 4e-4) { print "rotation", NR; exit 1 }
}' || fail "ik answers do not reproduce the poses"

# position-only single query with a seed, and a usage error
"$dx" kin ik "$urdf/finger4.urdf" --tip finger_tip --target 0 -0.05 0.1 --seed 0 0.5 0.5 0.5 | grep -q "^ok " || fail "finger ik"
if "$dx" kin fk "$urdf/panda.urdf" --tip panda_link8 1 2 2>/dev/null; then fail "wrong count accepted"; fi
if "$dx" kin fk "$urdf/panda.urdf" --tip no_such_link 1 2>/dev/null; then fail "unknown tip accepted"; fi
echo "dx kin: all checks passed"
