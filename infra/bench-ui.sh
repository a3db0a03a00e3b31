#!/usr/bin/env bash
# infra/bench-ui.sh: the web UI's pages for a matter of 1,000 documents beside the JSON
# API's document list for the same matter and reader (same handler, use case and policy),
# and the bytes of a first page load. Prints benchstat's table and the ratios of the
# medians. Figures are reported, never enforced.
#   CASEHOLD_BENCH_COUNT=6  samples;  CASEHOLD_BENCH_ITERS=100  requests per sample
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CASEHOLD_CACHE:-$REPO/.cache}
COUNT=${CASEHOLD_BENCH_COUNT:-6}
ITERS=${CASEHOLD_BENCH_ITERS:-100}
cd "$REPO"
out=$(mktemp)
go test -run XXX -bench BenchmarkMatterPage1000 -benchtime "${ITERS}x" -count "$COUNT" ./internal/webui/ | tee "$out" | grep Benchmark
if [[ -x $CACHE/bin/benchstat ]]; then "$CACHE/bin/benchstat" "$out"; fi
awk '/^BenchmarkMatterPage1000\// {
	split($1, n, "/"); sub(/-[0-9]+$/, "", n[2]); ns[n[2]] = ns[n[2]] " " $3; p99[n[2]] = p99[n[2]] " " $7 }
function median(s,   a, k, i, j, t) { k = split(s, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
END {
	base = median(ns["json-documents"])
	for (k in ns) printf "%-16s median %6.1f ms  p99 (median of samples) %6.1f ms  ratio to the JSON list %.2f\n", k, median(ns[k]) / 1e6, median(p99[k]), median(ns[k]) / base
}' "$out" | sort
go test -count=1 -run TestFirstPageLoadBytes -v ./internal/webui/ | grep "first page load"
rm -f "$out"
