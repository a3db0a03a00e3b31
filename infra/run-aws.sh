#!/usr/bin/env bash
# make run-aws: casehold on its AWS backend (DynamoDB, S3 with Object Lock, SES) against the
# local emulators that `make test` uses, with the same local sign-in as `make run`. Nothing
# leaves 127.0.0.1. The emulators keep their data in memory and in a run folder under
# .cache/run: stopping (Ctrl-C) stops them and forgets it all; the token key stays in
# CASEHOLD_DATA_DIR (default ./var-aws).
#
# Local sign-in is refused unless every endpoint is a loopback address and casehold is not
# running in Lambda (internal/config), so these tokens can never open a real deployment.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

exec infra/emulators.sh run -- bash -c '
set -euo pipefail
export CASEHOLD_BACKEND=aws CASEHOLD_AUTH=local CASEHOLD_CREATE_RESOURCES=true
export CASEHOLD_S3_ENDPOINT=$CASEHOLD_TEST_S3_ENDPOINT
export CASEHOLD_DYNAMODB_ENDPOINT=$CASEHOLD_TEST_DYNAMODB_ENDPOINT
export CASEHOLD_SES_ENDPOINT=$CASEHOLD_TEST_SES_ENDPOINT
export CASEHOLD_ACCESS_KEY=$CASEHOLD_TEST_ACCESS_KEY CASEHOLD_SECRET_KEY=$CASEHOLD_TEST_SECRET_KEY
export CASEHOLD_REGION=$CASEHOLD_TEST_REGION
export CASEHOLD_TABLE=${CASEHOLD_TABLE:-casehold-local}
export CASEHOLD_EVIDENCE_BUCKET=${CASEHOLD_EVIDENCE_BUCKET:-casehold-evidence-local}
export CASEHOLD_UPLOAD_BUCKET=${CASEHOLD_UPLOAD_BUCKET:-casehold-uploads-local}
export CASEHOLD_DATA_DIR=${CASEHOLD_DATA_DIR:-var-aws}
cat <<MSG
casehold (aws backend) on the local emulators:
  S3 (Versity gateway)  $CASEHOLD_S3_ENDPOINT    buckets $CASEHOLD_EVIDENCE_BUCKET, $CASEHOLD_UPLOAD_BUCKET
  DynamoDB Local        $CASEHOLD_DYNAMODB_ENDPOINT    table $CASEHOLD_TABLE
  SES (sent mail)       $CASEHOLD_SES_ENDPOINT/store
  Look with the aws CLI: AWS_ACCESS_KEY_ID=$CASEHOLD_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CASEHOLD_SECRET_KEY aws --region $CASEHOLD_REGION --endpoint-url $CASEHOLD_S3_ENDPOINT s3api ...
compiling casehold (the first time takes a minute)...
MSG
mkdir -p .cache/bin
go build -o .cache/bin/casehold ./cmd/casehold
exec .cache/bin/casehold serve
'
