#!/usr/bin/env bash
# Installs the Debian 12 packages dexrt needs when any is missing.
# Sourced by tools/run-tests and tools/run-demo; safe to run repeatedly.
set -euo pipefail

DX_DEPS=(
	build-essential pkg-config meson ninja-build
	libcglm-dev libsocketcan-dev check liborocos-kdl-dev libcyaml-dev
	libexpat1-dev libyaml-dev libmujoco-dev cyclonedds-dev cyclonedds-tools
	user-mode-linux can-utils iproute2
	rt-tests gnuplot-nox doxygen clang libclang-rt-14-dev valgrind
)

dx_missing=()
for p in "${DX_DEPS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		dx_missing+=("$p")
	fi
done
if [ ${#dx_missing[@]} -gt 0 ]; then
	echo "dexrt: installing Debian packages: ${dx_missing[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${dx_missing[@]}" >/dev/null
fi
