#!/usr/bin/env bash
# Runs casehold's S3-facing suites (the evidence and staging contracts, the AWS end-to-end
# and attack tests) against a second S3 implementation with Object Lock: SeaweedFS, with
# signature checking on. DynamoDB and SES are the usual emulators (infra/emulators.sh).
#
# Not part of `make test`: building SeaweedFS from the Go module proxy takes 10–30 minutes
# the first time (a 230 MB binary, cached in $CASEHOLD_CACHE/seaweedfs). Only 127.0.0.1 is
# used; SeaweedFS is stopped by its PID on exit.
#
#   make test-s3-compat
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CASEHOLD_CACHE:-$REPO/.cache}
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
DIR=$CACHE/seaweedfs
WEED=$DIR/weed-$SEAWEEDFS_VERSION
say() { printf 's3compat: %s\n' "$*" >&2; }
# SeaweedFS listens for gRPC on port+10000 too: pick a port below 55535 with both free.
free_port() {
	python3 - <<'PY'
import random, socket
while True:
    p = random.randint(20000, 45000)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError:
        pass
PY
}

mkdir -p "$DIR"
if [[ ! -x $WEED ]]; then
	# `go install pkg@version` refuses the module for its replace directive, so build it
	# inside a copy of the module, as its own main module.
	say "building SeaweedFS $SEAWEEDFS_VERSION (once; 10-30 minutes)..."
	src=$(go mod download -json "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
	rm -rf "$DIR/src" && cp -r "$src" "$DIR/src" && chmod -R u+w "$DIR/src"
	(cd "$DIR/src" && go build -o "$WEED.tmp" ./weed) && mv "$WEED.tmp" "$WEED"
	rm -rf "$DIR/src"
fi

RUN=$(mktemp -d)
KEY=CASEHOLDCOMPAT$RANDOM
SECRET=$(python3 -c 'import secrets;print(secrets.token_hex(16))')
cat >"$RUN/s3.json" <<JSON
{"identities":[{"name":"casehold","credentials":[{"accessKey":"$KEY","secretKey":"$SECRET"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
JSON
S3_PORT=$(free_port)
mkdir -p "$RUN/data"
"$WEED" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$RUN/data" -master.port="$(free_port)" \
	-master.volumeSizeLimitMB=8 -master.volumePreallocate=false -master.telemetry=false \
	-volume.port="$(free_port)" -volume.max=10000 -filer -filer.port="$(free_port)" \
	-s3 -s3.port="$S3_PORT" -s3.config="$RUN/s3.json" >"$RUN/weed.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$RUN"' EXIT
for ((i = 0; i < 120; i++)); do
	[[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" || true) != 000 ]] && break
	kill -0 "$PID" 2>/dev/null || { tail -20 "$RUN/weed.log" >&2; exit 1; }
	sleep 1
done
sleep 5 # the S3 gateway answers before its filer is ready for writes
say "SeaweedFS S3 on 127.0.0.1:$S3_PORT; running the S3-facing suites..."
CASEHOLD_CACHE=$CACHE "$REPO/infra/emulators.sh" run -- env CASEHOLD_TEST_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" \
	CASEHOLD_TEST_ACCESS_KEY="$KEY" CASEHOLD_TEST_SECRET_KEY="$SECRET" CASEHOLD_REQUIRE_EMULATORS=1 \
	go test -count=1 ./internal/s3evidence/ ./internal/s3staging/ ./internal/wire/
