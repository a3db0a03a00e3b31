#!/usr/bin/env bash
# Measures the audit log (issue 9) and prints every figure and ratio from one run:
#
#   (1) embedded: the audited document list / the same route built with auditing off
#       (-tags casehold_noaudit), wrk 2 threads 16 connections; target >= 0.8x, p99 < 20 ms;
#       (1b) audited with the sequencer idle and (1c) also without the journal's sync
#       (-tags casehold_nojournalsync, a benchmark-only build), to show where the cost is
#   (2) DynamoDB Local with the AWS wiring: the audited document list with 16 connections /
#       1 connection; target >= 4x, p99 < 100 ms; (2b) with the sequencer out of the
#       process, as in AWS; (2c) the same route with auditing off, the emulator's ceiling
#   (3) DynamoDB Local: 50 writers append 20,000 events (appends/s, conflicts), then the
#       sequencer integrates them (its lag)
#   (4) embedded: an inclusion proof in a log of 1,000,000 events (Go benchmark); < 5 ms
#
# Only 127.0.0.1 is used. Needs wrk (apt-get install -y wrk) and the emulators
# (infra/emulators.sh installs them into $CASEHOLD_CACHE). Settings (environment):
#   CASEHOLD_BENCH_ROUNDS=3       alternating rounds of (1)
#   CASEHOLD_BENCH_SECONDS=10     wrk duration
#   CASEHOLD_BENCH_PROVE_EVENTS=1000000
# Targets are reported, never enforced. Output: infra/bench/results/audit-<time>/.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CASEHOLD_CACHE:-$REPO/.cache}
ROUNDS=${CASEHOLD_BENCH_ROUNDS:-3}
SECS=${CASEHOLD_BENCH_SECONDS:-10}
say() { printf 'bench-audit: %s\n' "$*" >&2; }

# serve BIN BACKEND DATA OUT starts auditload serve and sets URL TOKEN MATTER PID.
serve() {
	local bin=$1 backend=$2 data=$3 out=$4 i
	"$bin" serve -backend "$backend" -data "$data" >"$out" 2>"$out.stderr" &
	PID=$!
	for ((i = 0; i < 600; i++)); do
		grep -q '^READY' "$out" && break
		kill -0 "$PID" 2>/dev/null || { cat "$out" >&2; return 1; }
		sleep 0.1
	done
	read -r _ URL TOKEN MATTER < <(grep '^READY' "$out")
}

stop() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }

# cputicks prints the machine's busy and total CPU ticks so far (/proc/stat).
cputicks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }

# wrkrun CONNS THREADS OUTFILE runs wrk on the document list and prints "rps p99ms non2xx
# busy%", busy being how much of the machine's CPU (all processes) was in use meanwhile.
wrkrun() {
	local c=$1 t=$2 out=$3 b0 t0 b1 t1
	read -r b0 t0 < <(cputicks)
	wrk -t"$t" -c"$c" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "$URL/matters/$MATTER/documents" >"$out"
	read -r b1 t1 < <(cputicks)
	awk -v busy="$(((b1 - b0) * 100 / (t1 - t0 + 1)))" '/Requests\/sec/ { rps = $2 }
		$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
			ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
		/Non-2xx/ { bad = $NF }
		END { printf "%.0f %.2f %s %s\n", rps, ms, (bad == "" ? 0 : bad), busy }' "$out"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2) }'; }

aws_inner() {
	local out=$1 r
	export CASEHOLD_DYNAMODB_ENDPOINT=$CASEHOLD_TEST_DYNAMODB_ENDPOINT CASEHOLD_S3_ENDPOINT=$CASEHOLD_TEST_S3_ENDPOINT \
		CASEHOLD_SES_ENDPOINT=$CASEHOLD_TEST_SES_ENDPOINT CASEHOLD_ACCESS_KEY=$CASEHOLD_TEST_ACCESS_KEY \
		CASEHOLD_SECRET_KEY=$CASEHOLD_TEST_SECRET_KEY CASEHOLD_REGION=$CASEHOLD_TEST_REGION
	local suffix
	suffix=$(date +%s%N)
	export CASEHOLD_TABLE=bench-audit-$suffix CASEHOLD_EVIDENCE_BUCKET=bench-ev-$suffix CASEHOLD_UPLOAD_BUCKET=bench-up-$suffix
	serve "$out/bin/auditload" aws "" "$out/aws-serve.txt"
	trap stop EXIT
	wrkrun 1 1 "$out/wrk-aws-1.txt" >/dev/null # warm up the table and the JVM
	r=$(wrkrun 1 1 "$out/wrk-aws-1.txt")
	echo "aws1 $r" >>"$out/raw.txt"
	r=$(wrkrun 16 2 "$out/wrk-aws-16.txt")
	echo "aws16 $r" >>"$out/raw.txt"
	stop
	# Again with the sequencer out of this process: in AWS it is its own function and
	# DynamoDB is a fleet, while here it shares one DynamoDB Local (a JVM on the same 2
	# cores) with the requests, so its batch writes slow every read above.
	export CASEHOLD_TABLE=bench-audit-noseq-$suffix
	export AUDITLOAD_NO_SEQUENCER=1
	serve "$out/bin/auditload" aws "" "$out/aws-serve-noseq.txt"
	unset AUDITLOAD_NO_SEQUENCER
	wrkrun 1 1 "$out/wrk-aws-noseq-1.txt" >/dev/null
	r=$(wrkrun 1 1 "$out/wrk-aws-noseq-1.txt")
	echo "aws1noseq $r" >>"$out/raw.txt"
	r=$(wrkrun 16 2 "$out/wrk-aws-noseq-16.txt")
	echo "aws16noseq $r" >>"$out/raw.txt"
	stop
	# And the same route with auditing off (the casehold_noaudit build): how far the
	# emulator itself lets a route that reads DynamoDB scale with callers on this machine.
	export CASEHOLD_TABLE=bench-audit-off-$suffix
	serve "$out/bin/auditload-noaudit" aws "" "$out/aws-serve-off.txt"
	wrkrun 1 1 "$out/wrk-aws-off-1.txt" >/dev/null
	r=$(wrkrun 1 1 "$out/wrk-aws-off-1.txt")
	echo "aws1off $r" >>"$out/raw.txt"
	r=$(wrkrun 16 2 "$out/wrk-aws-off-16.txt")
	echo "aws16off $r" >>"$out/raw.txt"
	stop
	trap - EXIT
	export CASEHOLD_TABLE=bench-append-$suffix
	"$out/bin/auditload" append -backend aws -writers 50 -events 20000 >"$out/append-aws.txt"
}

if [[ ${1:-} == _aws ]]; then
	aws_inner "$2"
	exit
fi

command -v wrk >/dev/null || { say "wrk is missing: apt-get install -y wrk"; exit 1; }
OUT=$REPO/infra/bench/results/audit-$(date +%Y%m%dT%H%M%S)
mkdir -p "$OUT/bin"
trap 'rm -rf "$OUT/bin" "$OUT"/data-*' EXIT
SUMMARY=$OUT/summary.txt
START=$SECONDS
cd "$REPO"
say "results in $OUT; building..."
go build -o "$OUT/bin/auditload" ./infra/bench/auditload
go build -tags casehold_noaudit -o "$OUT/bin/auditload-noaudit" ./infra/bench/auditload
go build -tags casehold_nojournalsync -o "$OUT/bin/auditload-nosync" ./infra/bench/auditload
: >"$OUT/raw.txt"
{
	echo "date: $(date -u +%FT%TZ)   commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (+ local changes)')"
	echo "cpu: $(nproc) x $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)   load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
} >"$SUMMARY"

"$OUT/bin/auditload" syncprobe -data "$OUT" | sed 's/^SYNCPROBE/syncprobe/' >>"$OUT/raw.txt"
say "(1) embedded, audited vs auditing off, $ROUNDS rounds of ${SECS}s each..."
for ((i = 1; i <= ROUNDS; i++)); do
	order="on off"
	((i % 2)) || order="off on"
	# Where the difference goes: "noseq" is audited with the sequencer idle (events wait
	# in the journal), "nosync" is that and the journal not synced (a build for this only).
	for side in $order noseq nosync; do
		bin=$OUT/bin/auditload
		[[ $side == off ]] && bin=$OUT/bin/auditload-noaudit
		[[ $side == nosync ]] && bin=$OUT/bin/auditload-nosync
		[[ $side == no* ]] && export AUDITLOAD_NO_SEQUENCER=1 CASEHOLD_BENCH_NO_JOURNAL_SYNC=1
		serve "$bin" embedded "$OUT/data-$side-$i" "$OUT/serve-$side-$i.txt"
		unset AUDITLOAD_NO_SEQUENCER CASEHOLD_BENCH_NO_JOURNAL_SYNC
		r=$(wrkrun 16 2 "$OUT/wrk-$side-$i.txt")
		stop
		echo "$side $r" >>"$OUT/raw.txt"
		grep '^JOURNAL' "$OUT/serve-$side-$i.txt" | sed "s/^JOURNAL/journal-$side/" >>"$OUT/raw.txt" || true
		say "  $side: $r (rps p99ms non2xx cpu-busy%)"
	done
done
on_rps=$(awk '$1 == "on" { print $2 }' "$OUT/raw.txt" | median)
off_rps=$(awk '$1 == "off" { print $2 }' "$OUT/raw.txt" | median)
on_p99=$(awk '$1 == "on" { print $3 }' "$OUT/raw.txt" | median)
off_p99=$(awk '$1 == "off" { print $3 }' "$OUT/raw.txt" | median)
ratio=$(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN { printf "%.2f", a / b }')
printf '%-52s %s  (%s vs %s req/s; p99 %s ms vs %s ms; medians of %s)  %s\n' \
	"(1) embedded audited / auditing off:" "$ratio" "$on_rps" "$off_rps" "$on_p99" "$off_p99" "$ROUNDS" \
	"$(awk -v r="$ratio" -v p="$on_p99" 'BEGIN { print ((r >= 0.8 && p < 20) ? "meets" : "MISSES") " target >= 0.8x, p99 < 20 ms" }')" >>"$SUMMARY"
on_busy=$(awk '$1 == "on" { print $5 }' "$OUT/raw.txt" | median)
off_busy=$(awk '$1 == "off" { print $5 }' "$OUT/raw.txt" | median)
printf '%-52s %s%% audited, %s%% auditing off  (medians; what is left idle, requests spent waiting)\n' \
	"(1) machine CPU busy during (1):" "$on_busy" "$off_busy" >>"$SUMMARY"
awk '$1 == "journal-on" { syncs += $2; events += $3; us += $4 } $1 == "syncprobe" { idle = $3 }
	END { if (syncs) printf "%-52s %.1f events per sync; a sync took %.2f ms under the load, %.2f ms on the idle machine\n",
		"(1) the journal'"'"'s group commits during (1):", events / syncs, us / syncs / 1000, idle / 1000 }' "$OUT/raw.txt" >>"$SUMMARY"
for row in "noseq (1b) audited, the sequencer idle:" "nosync (1c) audited, sequencer idle, journal not synced:"; do
	rps=$(awk -v s="${row%% *}" '$1 == s { print $2 }' "$OUT/raw.txt" | median)
	printf '%-52s %s  (%s req/s; where the cost is, no target)\n' "${row#* }" \
		"$(awk -v a="$rps" -v b="$off_rps" 'BEGIN { printf "%.2f", a / b }')" "$rps" >>"$SUMMARY"
done

say "(2)+(3) DynamoDB Local with the AWS wiring (emulators start privately)..."
if CASEHOLD_CACHE=$CACHE "$REPO/infra/emulators.sh" run -- "$REPO/infra/bench-audit.sh" _aws "$OUT" 2>"$OUT/emulators.log"; then
	read -r _ a1 p1 _ u1 < <(grep '^aws1 ' "$OUT/raw.txt")
	read -r _ a16 p16 _ < <(grep '^aws16 ' "$OUT/raw.txt")
	ratio=$(awk -v a="$a16" -v b="$a1" 'BEGIN { printf "%.2f", a / b }')
	printf '%-52s %s  (%s vs %s req/s; p99 %s ms with 16)  %s\n' "(2) DynamoDB Local, 16 connections / 1:" "$ratio" "$a16" "$a1" "$p16" \
		"$(awk -v r="$ratio" -v p="$p16" 'BEGIN { print ((r >= 4 && p < 100) ? "meets" : "MISSES") " target >= 4x, p99 < 100 ms" }')" >>"$SUMMARY"
	if read -r _ b1 _ _ < <(grep '^aws1noseq ' "$OUT/raw.txt") && read -r _ b16 q16 _ < <(grep '^aws16noseq ' "$OUT/raw.txt"); then
		ratio=$(awk -v a="$b16" -v b="$b1" 'BEGIN { printf "%.2f", a / b }')
		printf '%-52s %s  (%s vs %s req/s; p99 %s ms with 16)  %s\n' "(2b) the same, sequencer not sharing DynamoDB Local:" "$ratio" "$b16" "$b1" "$q16" \
			"$(awk -v r="$ratio" -v p="$q16" 'BEGIN { print ((r >= 4 && p < 100) ? "meets" : "MISSES") " target >= 4x, p99 < 100 ms" }')" >>"$SUMMARY"
	fi
	if read -r _ c1 _ _ < <(grep '^aws1off ' "$OUT/raw.txt") && read -r _ c16 r16 _ < <(grep '^aws16off ' "$OUT/raw.txt"); then
		printf '%-52s %s  (%s vs %s req/s; p99 %s ms with 16)  the emulator'"'"'s own ceiling, no target\n' \
			"(2c) the same route with auditing off, 16 / 1:" "$(awk -v a="$c16" -v b="$c1" 'BEGIN { printf "%.2f", a / b }')" "$c16" "$c1" "$r16" >>"$SUMMARY"
		printf '%-52s %s  (16 connections)\n' "(2d) audited / auditing off on DynamoDB Local:" \
			"$(awk -v a="$(grep '^aws16noseq ' "$OUT/raw.txt" | cut -d' ' -f2)" -v b="$c16" 'BEGIN { printf "%.2f", a / b }')" >>"$SUMMARY"
	fi
	# How much of the machine each run kept busy (wrk, casehold and the JVM share 2 cores):
	# 16 connections fill it, and 1 connection already uses part of it.
	awk '{ b[$1] = $5 } END { if (b["aws1noseq"] && b["aws16noseq"] && b["aws1off"] && b["aws16off"])
		printf "%-52s audited (2b) %s%% / %s%%, auditing off (2c) %s%% / %s%%\n",
			"(2e) machine CPU busy, 1 / 16 connections:", b["aws1noseq"], b["aws16noseq"], b["aws1off"], b["aws16off"] }' "$OUT/raw.txt" >>"$SUMMARY"
	sed 's/^/(3) /' "$OUT/append-aws.txt" >>"$SUMMARY"
else
	echo "(2)+(3) DynamoDB Local: failed, see $OUT/emulators.log" >>"$SUMMARY"
fi

say "(4) inclusion proof in a ${CASEHOLD_BENCH_PROVE_EVENTS:-1000000}-event log (building it takes a minute or two)..."
go test ./internal/auditlog -run '^$' -bench '^BenchmarkProve$' -benchtime 5000x -count 1 -timeout 30m >"$OUT/prove.txt"
ms=$(awk '/^BenchmarkProve/ { printf "%.3f", $3 / 1e6 }' "$OUT/prove.txt")
printf '%-52s %s ms  %s\n' "(4) inclusion proof, ${CASEHOLD_BENCH_PROVE_EVENTS:-1000000} events, embedded:" "$ms" \
	"$(awk -v m="$ms" 'BEGIN { print (m < 5 ? "meets" : "MISSES") " target < 5 ms" }')" >>"$SUMMARY"

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); took $((SECONDS - START))s" >>"$SUMMARY"
echo
echo "== casehold audit bench ($OUT)"
cat "$SUMMARY"
