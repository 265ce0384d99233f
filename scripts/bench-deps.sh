#!/usr/bin/env bash
# Installs what `npm run bench` compares against: the kernel's checkpatch.pl (from Debian's
# linux-source package; only the script and the two data files it reads are extracted, into
# .bench-cache/checkpatch/), perl to run it, and GNU time and xz for the bulk benchmarks.
# Idempotent; needs root only when a package is missing. Prints the checkpatch.pl path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${BENCH_CACHE:-$root/.bench-cache}"
dest="$cache/checkpatch"
if [ -f "$dest/scripts/checkpatch.pl" ] && [ -f "$dest/scripts/spelling.txt" ]; then
	echo "$dest/scripts/checkpatch.pl"
	exit 0
fi
need=()
command -v perl >/dev/null 2>&1 || need+=(perl)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
[ -x /usr/bin/time ] || need+=(time)
tarball="$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1 || true)"
[ -n "$tarball" ] || need+=(linux-source)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench-deps: need root to install: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	tarball="$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [ -z "$tarball" ]; then
	echo "bench-deps: no /usr/src/linux-source-*.tar.xz after installing linux-source" >&2
	exit 1
fi
top="$(basename "$tarball" .tar.xz)"
mkdir -p "$dest"
# Only the script and what it reads at start-up; the tarball itself stays where Debian put it.
tar -xJf "$tarball" -C "$dest" --strip-components=1 --wildcards \
	"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" "$top/scripts/const_structs.checkpatch"
chmod +x "$dest/scripts/checkpatch.pl"
echo "$dest/scripts/checkpatch.pl"
