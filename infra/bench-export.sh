#!/usr/bin/env bash
# Measures the evidence pack export (issue 13) side by side with a plain `zip` of the same
# files, in the same run, and prints the ratios:
#
#   (1) `casehold export` path (exportpack export: every document read from the evidence
#       store by version, hashed while it streams, checked against its record, written as
#       a stored zip with manifests and audit proofs) vs `zip -0` (stored, no compression:
#       the same kind of archive) and vs `zip` at its default compression, of the same files;
#       throughput ratio = zip seconds / export seconds (target >= 0.8)
#   (2) the export process's peak RSS (VmHWM) for the whole pack (target < 64 MB at 2 GB)
#
# Settings (environment):
#   CASEHOLD_BENCH_EXPORT_MB=2048   total size of the documents
#   CASEHOLD_BENCH_EXPORT_FILES=32  number of documents
#   CASEHOLD_BENCH_ROUNDS=3         alternating rounds
# Output: infra/bench/results/export-<time>/ (git-ignored). Targets are reported, never enforced.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MB=${CASEHOLD_BENCH_EXPORT_MB:-2048}
FILES=${CASEHOLD_BENCH_EXPORT_FILES:-32}
ROUNDS=${CASEHOLD_BENCH_ROUNDS:-3}
say() { printf 'bench-export: %s\n' "$*" >&2; }
command -v zip >/dev/null || { say "zip is not installed (apt-get install -y zip)"; exit 1; }

OUT=$REPO/infra/bench/results/export-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src" "$WORK/data"

say "building"
go build -o "$WORK/exportpack" "$REPO/infra/bench/exportpack"

say "generating $FILES files, $MB MB in all"
per=$((MB / FILES))
for ((i = 0; i < FILES; i++)); do
	{ printf '%%PDF-1.7\n'; head -c "$((per << 20))" /dev/urandom; printf '\n%%%%EOF\n'; } >"$WORK/src/$(printf 'doc%04d.pdf' "$i")"
done

say "securing them into an embedded casehold"
MATTER=$("$WORK/exportpack" load -data "$WORK/data" -src "$WORK/src")

secs() { # secs CMD... runs CMD and prints its wall-clock seconds
	local start end
	start=$(date +%s.%N)
	"$@" >/dev/null
	end=$(date +%s.%N)
	echo "$end - $start" | bc -l
}

: >"$OUT/runs.txt"
for ((r = 1; r <= ROUNDS; r++)); do
	rm -f "$WORK"/*.zip
	sync
	if ((r % 2)); then order="export zip0 zip"; else order="zip zip0 export"; fi
	for what in $order; do
		case $what in
		export)
			line=$("$WORK/exportpack" export -data "$WORK/data" -matter "$MATTER" -o "$WORK/pack.zip")
			echo "round $r $line" >>"$OUT/runs.txt"
			;;
		zip0) echo "round $r zip0 seconds=$(cd "$WORK/src" && secs zip -q -0 "$WORK/plain0.zip" ./*.pdf)" >>"$OUT/runs.txt" ;;
		zip) echo "round $r zip seconds=$(cd "$WORK/src" && secs zip -q "$WORK/plain.zip" ./*.pdf)" >>"$OUT/runs.txt" ;;
		esac
		rm -f "$WORK"/*.zip
	done
done
cat "$OUT/runs.txt" >&2

# A check that the pack made is one sha256sum accepts, on the last round's export.
"$WORK/exportpack" export -data "$WORK/data" -matter "$MATTER" -o "$WORK/pack.zip" >/dev/null
mkdir -p "$WORK/unpacked" && (cd "$WORK/unpacked" && unzip -q "$WORK/pack.zip" && sha256sum -c --quiet manifest.sha256) &&
	echo "sha256sum -c: OK" >"$OUT/check.txt" || echo "sha256sum -c: FAILED" >"$OUT/check.txt"

awk -v mb="$MB" '
	/ export / { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "seconds") e[$2] = kv[2]; if (kv[1] == "peak_rss_mib") rss[$2] = kv[2] } }
	/ zip0 / { split($4, kv, "="); z0[$2] = kv[2] }
	/ zip seconds/ { split($4, kv, "="); z[$2] = kv[2] }
	END {
		printf "evidence pack export of %d MB, %d rounds\n", mb, length(e)
		for (r in e) {
			printf "  round %s: export %.2f s (%.0f MB/s, peak RSS %.1f MiB) | zip -0 %.2f s | zip %.2f s | ratio zip-0/export %.2f, zip/export %.2f\n",
				r, e[r], mb * 1.048576 / e[r], rss[r], z0[r], z[r], z0[r] / e[r], z[r] / e[r]
			s0 += z0[r] / e[r]; s += z[r] / e[r]; if (rss[r] > maxrss) maxrss = rss[r]
		}
		printf "  mean throughput ratio: vs zip -0 %.2f, vs zip %.2f (target >= 0.8); peak RSS %.1f MiB (target < 64)\n", s0 / length(e), s / length(e), maxrss
	}' "$OUT/runs.txt" | tee "$OUT/summary.txt"
cat "$OUT/check.txt" | tee -a "$OUT/summary.txt"
