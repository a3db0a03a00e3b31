# Lambda builds for `sam build`, included by the top-level Makefile.
#
# Every function in template.yaml has `Metadata: BuildMethod: makefile`, so sam build runs
# `make build-<LogicalId>` with ARTIFACTS_DIR set and zips whatever lands there. The
# provided.al2023 runtime runs the file named bootstrap.

# Including this file must not change which target a bare `make` runs.
sam_mk_default_goal := $(.DEFAULT_GOAL)

# lambda.norpc drops the legacy net/rpc invoke path that provided.* runtimes never use.
# -buildvcs=false: sam build may copy the tree without a usable .git, where VCS stamping
# would fail the build.
LAMBDA_GOFLAGS = -tags lambda.norpc -trimpath -buildvcs=false -ldflags='-s -w'

# $(call lambda,LogicalId,folder under functions/) defines build-LogicalId.
define lambda
.PHONY: build-$(1)
build-$(1):
	@test -n "$$(ARTIFACTS_DIR)" || { echo 'ARTIFACTS_DIR is not set: run "sam build", or make $$@ ARTIFACTS_DIR=dir' >&2; exit 1; }
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $$(LAMBDA_GOFLAGS) -o $$(ARTIFACTS_DIR)/bootstrap ./functions/$(2)
endef

# One line per function; infra/template_test.go checks these against template.yaml.
$(eval $(call lambda,ApiFunction,api))
$(eval $(call lambda,IngestUploadFunction,ingest-upload))
$(eval $(call lambda,IngestEmailFunction,ingest-email))
$(eval $(call lambda,ReleaseFunction,release))
$(eval $(call lambda,SequencerFunction,sequencer))
$(eval $(call lambda,DisposalFunction,disposal))
$(eval $(call lambda,RemindersFunction,reminders))
$(eval $(call lambda,ExportFunction,export))

# cfn-lint runs the SAM transform offline and checks the result against the CloudFormation
# schemas (circular dependencies included). It is a Python tool: pip install cfn-lint.
.PHONY: lint-template
lint-template:
	cfn-lint template.yaml

.DEFAULT_GOAL := $(sam_mk_default_goal)
