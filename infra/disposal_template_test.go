package infra

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestOnlyDisposalFunctionDestroysVersions: the bucket policy refuses version deletion and
// governance bypass to every role but the disposal function's; no other function is even
// granted them; the disposal function runs on a schedule with retries and a dead-letter
// queue; and classification (the API) may set retention.
func TestOnlyDisposalFunctionDestroysVersions(t *testing.T) {
	tpl := mustTemplate(t)
	found := false
	for _, s := range seq(get(tpl.resource("EvidenceBucketPolicy"), "Properties", "PolicyDocument", "Statement")) {
		actions := scalars(get(s, "Action"))
		if scalar(get(s, "Effect")) != "Deny" || !slices.Contains(actions, "s3:DeleteObjectVersion") || !slices.Contains(actions, "s3:BypassGovernanceRetention") ||
			slices.Contains(actions, "s3:PutObjectLegalHold") {
			continue
		}
		var exempt []string
		for _, e := range seq(get(s, "Condition", "ArnNotLike", "aws:PrincipalArn")) {
			exempt = append(exempt, scalar(e))
		}
		if !slices.Equal(exempt, []string{"DisposalFunctionRole.Arn"}) || scalar(get(s, "Resource")) != "${EvidenceBucket.Arn}/*" {
			t.Errorf("line %d: destroying versions is exempted for %v on %q, want the disposal function's role alone on every key", s.Line, exempt, scalar(get(s, "Resource")))
		}
		found = true
	}
	if !found {
		t.Error("no statement denies s3:DeleteObjectVersion and s3:BypassGovernanceRetention to all but the disposal function")
	}
	for _, id := range tpl.resourcesOfType("AWS::Serverless::Function") {
		granted := false
		walk(get(tpl.resource(id), "Properties", "Policies"), func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode && scalar(get(n, "Effect")) == "Allow" {
				for _, a := range scalars(get(n, "Action")) {
					if a == "s3:BypassGovernanceRetention" || a == "s3:DeleteObjectVersion" && scalar(get(n, "Sid")) != "StagedUploads" {
						granted = true
					}
				}
			}
		})
		if granted != (id == "DisposalFunction") {
			t.Errorf("%s granted version deletion = %v; only DisposalFunction may destroy evidence", id, granted)
		}
	}
	ev := get(tpl.resource("DisposalFunction"), "Properties", "Events", "EveryHour")
	if scalar(get(ev, "Type")) != "ScheduleV2" || get(ev, "Properties", "DeadLetterConfig", "Arn") == nil || get(ev, "Properties", "RetryPolicy") == nil {
		t.Error("DisposalFunction is not run by an EventBridge Scheduler schedule with a retry policy and a dead-letter queue")
	}
	apiRetention := false
	walk(get(tpl.resource("ApiFunction"), "Properties", "Policies"), func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode && slices.Contains(scalars(get(n, "Action")), "s3:PutObjectRetention") {
			apiRetention = true
		}
	})
	if !apiRetention {
		t.Error("ApiFunction cannot set a classified document's retention (s3:PutObjectRetention)")
	}
}
