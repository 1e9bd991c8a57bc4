#!/bin/sh
# Installs the build into a scratch prefix and builds a small program against
# it through pkg-config only. Usage: install-test.sh BUILDDIR CC
set -eu
build=$1 cc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/dest" >/dev/null
pc=$(find "$tmp/dest" -name dexrt.pc | head -n 1)
[ -n "$pc" ] || { echo "dexrt.pc was not installed"; exit 1; }
# The build was configured for its real prefix; point the installed .pc file
# at the scratch copy of that prefix, as if installed there.
prefix=$(sed -n 's/^prefix=//p' "$pc")
mkdir -p "$tmp/pc"
sed "s|^prefix=.*|prefix=$tmp/dest$prefix|" "$pc" > "$tmp/pc/dexrt.pc"
export PKG_CONFIG_PATH="$tmp/pc"
cat > "$tmp/use.c" <<'C'
#include <dexrt/dexrt.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	if (strcmp(dx_version(), DX_VERSION_STRING) != 0)
		return 1;
	printf("dexrt %s: %s\n", dx_version(), dx_strerror(DX_EINVAL));
	return dx_time_now_ns() > 0 ? 0 : 1;
}
C
flags=$(pkg-config --cflags --libs dexrt)
echo "pkg-config: $flags"
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Werror "$tmp/use.c" -o "$tmp/use" $flags
libdir=$(pkg-config --variable=libdir dexrt)
LD_LIBRARY_PATH="$libdir" "$tmp/use"
