#!/usr/bin/env bash
# Installs the Debian packages the tests need (headless Chromium for the webview and UI tests,
# xz for the bulk corpus, ripgrep/libkrb5-dev for code-server's install). Needs root.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "system-deps: need root to install: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
