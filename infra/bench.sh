#!/usr/bin/env bash
# Measures what securing a document costs, each figure side by side with the plainest way to
# move the same bytes to the same place, and prints the ratios:
#
#   (a) embedded upload path (Service.UploadDocument, wire-built) / a plain file copy + fsync
#   (b) peak memory of securing one 100 MB and one 400 MB PDF (infra/bench/securemem)
#   (c) S3 adapter Put / a plain PutObject to the same local gateway (under emulators.sh run)
#   (d) fileevidence Put / a plain file copy + fsync
#   (e) email intake of a 30 MB message with ten PDFs / direct upload of the same PDFs
#   (f) the progress view of a 50-person, 2,000-document matter and the CCRC form (absolute)
#
# Raw outputs go to infra/bench/results/<timestamp>/ (git-ignored), with summary.txt.
# A few minutes on a 2-core machine. Settings (environment):
#
#   CASEHOLD_BENCH_COUNT=6      samples per side
#   CASEHOLD_BENCH_APP_MB=100   size for (a);  CASEHOLD_BENCH_APP_ITERS=8 uploads per sample
#   CASEHOLD_BENCH_MEM_MB="100 400"  sizes for (b)
#   CASEHOLD_BENCH_S3_MB=64     size for (c);  CASEHOLD_BENCH_S3_ITERS=4
#   CASEHOLD_BENCH_FILE_MB=100  size for (d);  CASEHOLD_BENCH_FILE_ITERS=8
#   CASEHOLD_BENCH_SKIP_S3=1    skip (c), which needs the emulators
#
# The targets are reported, never enforced: the exit status says only whether everything ran.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CASEHOLD_CACHE:-$REPO/.cache}
COUNT=${CASEHOLD_BENCH_COUNT:-6}
APP_MB=${CASEHOLD_BENCH_APP_MB:-100}
APP_ITERS=${CASEHOLD_BENCH_APP_ITERS:-8}
MEM_MB=${CASEHOLD_BENCH_MEM_MB:-100 400}
S3_MB=${CASEHOLD_BENCH_S3_MB:-64}
S3_ITERS=${CASEHOLD_BENCH_S3_ITERS:-4}
FILE_MB=${CASEHOLD_BENCH_FILE_MB:-100}
FILE_ITERS=${CASEHOLD_BENCH_FILE_ITERS:-8}
BENCHSTAT_VERSION=v0.0.0-20260908200009-22c9c6c9d4da

say() { printf 'bench: %s\n' "$*" >&2; }

benchstat() {
	if [[ -x $CACHE/bin/benchstat ]]; then
		"$CACHE/bin/benchstat" "$@"
	else
		go run "golang.org/x/perf/cmd/benchstat@$BENCHSTAT_VERSION" "$@"
	fi
}

# pairs OUT BIN PKGDIR BENCH A B MB ITERS runs sub-benchmarks A and B of BENCH COUNT times
# each, one process per sample, alternating which goes first. Running all of A and then
# all of B lets whatever else the machine is doing (a build, the page cache filling up)
# land on one side only; alternating spreads it over both.
pairs() {
	local out=$1 bin=$2 dir=$3 bench=$4 a=$5 b=$6 mb=$7 iters=$8 i sub order failed=0
	: >"$out"
	for ((i = 1; i <= COUNT; i++)); do
		if ((i % 2)); then order="$a $b"; else order="$b $a"; fi
		for sub in $order; do
			(cd "$dir" && CASEHOLD_BENCH_MB=$mb "$bin" -test.run '^$' -test.bench "^$bench\$/^$sub\$" \
				-test.benchtime="${iters}x" -test.count=1) >>"$out" || {
				say "$bench/$sub failed, see $out"
				failed=1
			}
		done
	done
	return "$failed"
}

# median_mbs FILE NAME prints the median MB/s of the benchmark lines of NAME.
median_mbs() {
	awk -v name="$2" '$1 ~ "^" name "(-[0-9]+)?$" { for (i = 2; i < NF; i++) if ($(i+1) == "MB/s") print $i }' "$1" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2) }'
}

# compare RAW BENCH A B LABEL TARGET runs benchstat on A against B (saved beside RAW) and
# appends "LABEL: ratio (MB/s a vs b)" to the summary. benchstat needs the same benchmark
# name on both sides, so each side is copied out under BENCH's own name.
compare() {
	local raw=$1 bench=$2 a=$3 b=$4 label=$5 target=$6 base ma mb ratio verdict
	base=${raw%.txt}
	grep -v "^$bench/" "$raw" | grep -v '^Benchmark' >"$base.$a.txt" || true
	cp "$base.$a.txt" "$base.$b.txt"
	sed -n "s#^$bench/$a-#$bench-#p" "$raw" >>"$base.$a.txt"
	sed -n "s#^$bench/$b-#$bench-#p" "$raw" >>"$base.$b.txt"
	benchstat -filter '.unit:(sec/op OR B/s)' "$b=$base.$b.txt" "$a=$base.$a.txt" >"$base.benchstat.txt" 2>&1 || true
	cat "$base.benchstat.txt" >&2
	ma=$(median_mbs "$raw" "$bench/$a") && mb=$(median_mbs "$raw" "$bench/$b") || {
		printf '%-46s no result\n' "$label:" >>"$SUMMARY"
		return 1
	}
	ratio=$(awk -v x="$ma" -v y="$mb" 'BEGIN { printf "%.2f", x / y }')
	verdict=""
	if [[ -n $target ]]; then
		verdict=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r >= t ? "meets" : "MISSES") " target >= " t }')
	fi
	printf '%-46s %s  (MB/s %.0f vs %.0f, medians of %d)  %s\n' "$label:" "$ratio" "$ma" "$mb" "$COUNT" "$verdict" >>"$SUMMARY"
}

# s3_inner OUT runs inside `emulators.sh run`, which has exported the endpoints.
s3_inner() {
	local out=$1
	pairs "$out/s3evidence.txt" "$out/bin/s3evidence.test" "$REPO/internal/s3evidence" \
		BenchmarkPut adapter raw_putobject "$S3_MB" "$S3_ITERS"
}

if [[ ${1:-} == _s3 ]]; then
	s3_inner "$2"
	exit
fi

cd "$REPO"
OUT=$REPO/infra/bench/results/$(date +%Y%m%dT%H%M%S)
mkdir -p "$OUT/bin"
trap 'rm -rf "$OUT/bin"' EXIT
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
status=0
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
LOAD_BEFORE=$(load)
START=$SECONDS

say "results in $OUT"
say "building test binaries..."
go test -c -o "$OUT/bin/app.test" ./internal/app
go test -c -o "$OUT/bin/fileevidence.test" ./internal/fileevidence
go test -c -o "$OUT/bin/s3evidence.test" ./internal/s3evidence
go build -o "$OUT/bin/securemem" ./infra/bench/securemem
{
	echo "date: $(date -u +%FT%TZ)   commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (+ local changes)')"
	echo "cpu: $(nproc) x $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)   go: $(go env GOVERSION)"
	echo "temp folder: ${TMPDIR:-/tmp} on $(df -P "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $1 }')"
	echo
} >>"$SUMMARY"

say "(a) upload path vs file copy, $APP_MB MB, $COUNT samples of $APP_ITERS..."
if pairs "$OUT/app.txt" "$OUT/bin/app.test" "$REPO/internal/app" BenchmarkSecure upload_path filecopy "$APP_MB" "$APP_ITERS"; then
	compare "$OUT/app.txt" BenchmarkSecure upload_path filecopy "embedded upload path / file copy ($APP_MB MB)" 0.70 || status=1
else
	status=1
fi

say "(b) peak memory securing ${MEM_MB// / and } MB..."
for mb in $MEM_MB; do
	log=$OUT/securemem-${mb}mb.txt
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -v "$OUT/bin/securemem" -mb "$mb" >"$log" 2>&1 || status=1
	else
		"$OUT/bin/securemem" -mb "$mb" >"$log" 2>&1 || status=1
	fi
	rss=$(sed -n 's/.* peak_rss_mib=\([0-9.]*\).*/\1/p' "$log")
	sys=$(sed -n 's/.* go_sys_mib=\([0-9.]*\).*/\1/p' "$log")
	mbs=$(sed -n 's/.* mb_per_s=\([0-9.]*\).*/\1/p' "$log")
	maxrss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$log")
	if [[ -n $rss ]]; then
		verdict=$(awk -v r="$rss" 'BEGIN { print (r < 64 ? "meets" : "MISSES") " target < 64 MiB" }')
		printf '%-46s %s MiB  (whole process %s MiB, Go runtime Sys %s MiB, %s MB/s)  %s\n' \
			"peak RSS securing $mb MB:" "$rss" "${maxrss:-?}" "$sys" "$mbs" "$verdict" >>"$SUMMARY"
	else
		printf '%-46s failed, see %s\n' "peak RSS securing $mb MB:" "$log" >>"$SUMMARY"
		status=1
	fi
done

if [[ ${CASEHOLD_BENCH_SKIP_S3:-} == 1 ]]; then
	printf '%-46s skipped (CASEHOLD_BENCH_SKIP_S3=1)\n' "S3 adapter / raw PutObject:" >>"$SUMMARY"
else
	say "(c) S3 adapter vs raw PutObject, $S3_MB MB, $COUNT samples of $S3_ITERS, under the emulators..."
	if CASEHOLD_CACHE=$CACHE "$REPO/infra/emulators.sh" run -- "$REPO/infra/bench.sh" _s3 "$OUT" 2>"$OUT/emulators.log"; then
		compare "$OUT/s3evidence.txt" BenchmarkPut adapter raw_putobject "S3 adapter / raw PutObject ($S3_MB MB)" 0.70 || status=1
	else
		printf '%-46s failed, see %s\n' "S3 adapter / raw PutObject:" "$OUT/emulators.log" >>"$SUMMARY"
		status=1
	fi
fi

say "(d) fileevidence Put vs file copy, $FILE_MB MB, $COUNT samples of $FILE_ITERS..."
if pairs "$OUT/fileevidence.txt" "$OUT/bin/fileevidence.test" "$REPO/internal/fileevidence" BenchmarkPut fileevidence filecopy "$FILE_MB" "$FILE_ITERS"; then
	compare "$OUT/fileevidence.txt" BenchmarkPut fileevidence filecopy "fileevidence Put / file copy ($FILE_MB MB)" "" || status=1
else
	status=1
fi

say "(e) email intake vs direct upload of the same PDFs, $COUNT samples of 3..."
if pairs "$OUT/email.txt" "$OUT/bin/app.test" "$REPO/internal/app" BenchmarkEmailIntake email_intake direct_upload 0 3 &&
	pairs "$OUT/email-lambda.txt" "$OUT/bin/app.test" "$REPO/internal/app" BenchmarkEmailIntake email_lambda_path direct_upload 0 3; then
	compare "$OUT/email-lambda.txt" BenchmarkEmailIntake email_lambda_path direct_upload "email intake, Lambda path / direct upload" 0.50 || status=1
	compare "$OUT/email.txt" BenchmarkEmailIntake email_intake direct_upload "email intake, local file drop / direct upload" 0.50 || status=1
	heap=$(awk '/email_intake/ { for (i = 1; i <= NF; i++) if ($(i+1) == "peak-heap/msg") print $i }' "$OUT/email.txt" | sort -n | tail -1)
	printf '%-46s %sx the message (largest of %s samples)  %s\n' "peak heap above baseline, email intake:" "${heap:-?}" "$COUNT" \
		"$(awk -v h="${heap:-9}" 'BEGIN { print (h < 2 ? "meets" : "MISSES") " target < 2x" }')" >>"$SUMMARY"
else
	status=1
fi

say "(f) progress view and CCRC form..."
(cd "$REPO/internal/app" && "$OUT/bin/app.test" -test.run '^$' -test.bench '^Benchmark(Progress|ConfirmationForm)$' \
	-test.benchtime=20x -test.count="$COUNT") >"$OUT/progress.txt" || status=1
for b in Progress ConfirmationForm; do
	ms=$(awk -v b="Benchmark$b-" 'index($1, b) == 1 { print $3 / 1e6 }' "$OUT/progress.txt" | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }')
	target=$([[ $b == Progress ]] && echo 50 || echo 1000)
	printf '%-46s %s ms median  %s\n' "$b (50 people, 200 records, 2,000 docs):" "${ms:-?}" \
		"$(awk -v m="${ms:-99999}" -v t="$target" 'BEGIN { print (m < t ? "meets" : "MISSES") " target < " t " ms" }')" >>"$SUMMARY"
done

{
	echo
	echo "load average before: $LOAD_BEFORE   after: $(load)   ($(nproc) cores; the benchmarks add up to 2," \
		"more means other work shared the machine and the wall-clock ratios are noisier)"
	echo "took $((SECONDS - START))s; benchstat comparisons: $OUT/*.benchstat.txt"
} >>"$SUMMARY"
echo
echo "== casehold bench summary ($OUT)"
cat "$SUMMARY"
exit "$status"
