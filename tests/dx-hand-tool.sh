#!/bin/sh
# dx hand check: a valid configuration passes with its bus budget; broken
# ones fail with file:line: field messages. Usage: dx-hand-tool.sh DX EXAMPLES
set -u
dx=$1 ex=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description, condition result
	if [ "$2" -eq 0 ]; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}

out=$("$dx" hand check "$ex/hand16.yaml" 2>&1); rc=$?
echo "$out"
check "hand16.yaml is accepted" $rc
echo "$out" | grep -q '^index_a .* yes$'; check "budget table printed" $?
echo "$out" | grep -q 'configuration OK'; check "says OK" $?

mkdir -p "$tmp/urdf" && cp "$ex/urdf/hand16.urdf" "$tmp/urdf/"
sed 's/period_us: 1000/period_us: 500/; s/reply_deadline_us: 900/reply_deadline_us: 450/' "$ex/hand16.yaml" > "$tmp/fast.yaml"
out=$("$dx" hand check "$tmp/fast.yaml" 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ]; check "2 kHz does not fit the buses: exit 1" $?
echo "$out" | grep -q 'fast.yaml:14: buses\[0\]: .*could reach'; check "budget error names file, line, field, feasible rate" $?

sed 's/reply_deadline_us: 900/reply_deadline_us: 500/' "$ex/hand16.yaml" > "$tmp/deadline.yaml"
out=$("$dx" hand check "$tmp/deadline.yaml" 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ]; check "reply deadline shorter than the bus time: exit 1" $?
echo "$out" | grep -q "deadline.yaml:12: reply_deadline_us: bus 'index_a' needs up to [0-9]* us"; check "reply deadline message" $?

sed 's/    model: dm-j4310/    model: dm-j9999/' "$ex/hand16.yaml" > "$tmp/model.yaml"
out=$("$dx" hand check "$tmp/model.yaml" 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ]; check "unknown model: exit 1" $?
echo "$out" | grep -q 'model.yaml:[0-9]*: actuators\[0\].model: unknown mit model'; check "unknown model message" $?

printf 'name: x\nurdf: [unclosed\n' > "$tmp/broken.yaml"
out=$("$dx" hand check "$tmp/broken.yaml" 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ]; check "broken YAML: exit 1" $?
echo "$out" | grep -q 'broken.yaml:[0-9]*:'; check "broken YAML names its line" $?

"$dx" hand check 2>/dev/null; [ $? -eq 2 ]; check "usage error: exit 2" $?
exit $fail
