#!/usr/bin/env bash
# infra/browser.sh: what the web UI's browser tests need, installed once and quietly.
#   - Debian's chromium (apt-get), when no chromium is on PATH;
#   - axe-core (npm, pinned) into $CASEHOLD_CACHE/npm-axe.
# Prints the path of axe.min.js, which `make test` passes as CASEHOLD_AXE_JS.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CASEHOLD_CACHE:-$REPO/.cache}
AXE_VERSION=4.14.1
say() { printf 'browser: %s\n' "$*" >&2; }

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
	say "installing Debian's chromium (once)"
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >/dev/null
	$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

dir=$CACHE/npm-axe
axe=$dir/node_modules/axe-core/axe.min.js
have=$( [ -f "$dir/node_modules/axe-core/package.json" ] && node -p 'require(process.argv[1]).version' "$dir/node_modules/axe-core/package.json" 2>/dev/null || true)
if [ "$have" != "$AXE_VERSION" ]; then
	say "installing axe-core $AXE_VERSION into $dir"
	mkdir -p "$dir"
	# A lock, so parallel `make test` runs do not install over each other.
	(
		flock 9
		[ -f "$dir/package.json" ] || echo '{"private":true}' >"$dir/package.json"
		npm install --prefix "$dir" --silent --no-audit --no-fund --save-exact "axe-core@$AXE_VERSION" >/dev/null
	) 9>"$dir.lock"
fi
echo "$axe"
