#!/bin/sh
# Compiles every public header alone, as C11 and as C++17, with warnings as
# errors. Usage: header-test.sh SRC_INCLUDE BUILD_INCLUDE CC CXX HEADER...
set -eu
src_inc=$1 build_inc=$2 cc=$3 cxx=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for h in "$@" "$build_inc/dexrt/dexrt.h" "$build_inc/dexrt/version.h"; do
	name=$(basename "$h")
	printf '#include <dexrt/%s>\n#include <dexrt/%s>\nint dx_header_test_dummy;\n' "$name" "$name" > "$tmp/t.c"
	cp "$tmp/t.c" "$tmp/t.cpp"
	n=$((n + 1))
	if ! "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$src_inc" -I"$build_inc" -c "$tmp/t.c" -o "$tmp/t.o"; then
		echo "FAIL: $name as C11"; fail=1
	fi
	if ! "$cxx" -std=c++17 -Wall -Wextra -Wpedantic -Werror -I"$src_inc" -I"$build_inc" -c "$tmp/t.cpp" -o "$tmp/t.o"; then
		echo "FAIL: $name as C++17"; fail=1
	fi
done
echo "checked $n headers in C11 and C++17"
exit $fail
