#!/bin/sh
# SPDX-License-Identifier: MIT
# dx bus show|set|start|stop|restart on real interfaces (inside the
# user-mode-linux VM of run-in-vm): vcan has no CAN controller, so the
# controller settings must be refused with a clear message and exit 1,
# while start/stop work and show prints what exists.
# usage: dx-bus-iface.sh path/to/dx
dx=$1
[ -x "$dx" ] || { echo "dx not built: $dx"; exit 1; }
ip link show vcan0 >/dev/null 2>&1 || { echo "SKIP: no vcan0 (run inside the VM)"; exit 77; }
fails=0
out=$(mktemp)
check() { # expected-status description command...
	want=$1; what=$2; shift 2
	"$@" >"$out" 2>&1
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: $what: exit $got, expected $want"; cat "$out"
		fails=$((fails + 1))
	else
		echo "ok: $what"
	fi
}
has() { # description pattern
	if grep -q -- "$2" "$out"; then echo "ok:   output has '$2'"; else
		echo "FAIL: $1: output lacks '$2':"; cat "$out"; fails=$((fails + 1)); fi
}

check 0 "show vcan0" "$dx" bus show vcan0
has show "vcan0: kind vcan, up, running, mtu 72 (CAN FD)"
has show "bitrate: *n/a (operation not supported)"
has show "link: *rx [0-9]* frames"
check 0 "show vcan2 (classic)" "$dx" bus show vcan2
has show "mtu 16 (classic CAN)"
check 1 "show missing" "$dx" bus show nosuch0
has show-missing "no such CAN interface"
check 1 "show lo (not CAN)" "$dx" bus show lo
check 1 "set bitrate on vcan" "$dx" bus set vcan0 bitrate 500000
has set "bitrate: operation not supported (no CAN controller"
check 1 "set restart-ms on vcan" "$dx" bus set vcan0 restart-ms 100
check 1 "set data-bitrate" "$dx" bus set vcan0 data-bitrate 2000000
check 2 "set bitrate out of range" "$dx" bus set vcan0 bitrate 2000000
check 2 "set unknown setting" "$dx" bus set vcan0 colour 3
check 2 "set without value" "$dx" bus set vcan0 bitrate
check 1 "restart vcan" "$dx" bus restart vcan0
check 0 "stop vcan1" "$dx" bus stop vcan1
check 0 "show stopped" "$dx" bus show vcan1
has stopped "vcan1: kind vcan, down"
check 0 "start vcan1" "$dx" bus start vcan1
check 0 "show started" "$dx" bus show vcan1
has started "vcan1: kind vcan, up, running"
check 1 "start missing" "$dx" bus start nosuch0
check 0 "help" "$dx" bus show --help
check 2 "no interface" "$dx" bus show
rm -f "$out"
[ "$fails" = 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all dx bus interface checks passed"
