#!/usr/bin/env bash
# Runs each fuzz target (package:Function) for FUZZTIME. Go's fuzzer sometimes ends a
# time-limited run with "context deadline exceeded" and no failing input when a worker is
# slow to stop on a loaded machine (go.dev/issue/75804, fixed in Go 1.27; these machines
# have 1.26): that run is tried again, up to three times. A real finding (a failing input
# written to testdata/fuzz) always fails.
set -euo pipefail
FUZZTIME=${FUZZTIME:-10s}
for t in "$@"; do
	pkg=${t%%:*} fn=${t##*:}
	for attempt in 1 2 3; do
		echo "fuzz $pkg $fn for $FUZZTIME"
		log=$(mktemp)
		if go test -run='^$' -fuzz="^$fn\$" -fuzztime="$FUZZTIME" "$pkg" 2>&1 | tee "$log"; then
			rm -f "$log"
			break
		fi
		if [[ $attempt -lt 3 ]] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
			echo "fuzz: $fn stopped with the fuzzer's own deadline error and no finding; running it again"
			rm -f "$log"
			continue
		fi
		rm -f "$log"
		exit 1
	done
done
