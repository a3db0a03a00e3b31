// Package infra holds what deploys and exercises casehold outside Go code: the SAM build
// rules, emulator scripts and sample events. Its tests check template.yaml offline, since
// `sam validate` needs AWS credentials and cannot run in tests.
package infra

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"

	"github.com/casehold/casehold/internal/app"
)

const (
	templatePath  = "../template.yaml"
	functionsPath = "../functions"
	samMakefile   = "sam.mk"
	configSource  = "../internal/config/config.go"
	// Where SES writes received mail in the upload bucket (intake.InboundPrefix).
	inboundPrefix = "inbound/"
)

var configGet = regexp.MustCompile(`get\("(CASEHOLD_[A-Z0-9_]+)"`)

// TestFunctionFoldersHaveResources: every Lambda main under functions/ is deployed, under
// the logical id that its folder name gives (ingest-upload -> IngestUploadFunction).
func TestFunctionFoldersHaveResources(t *testing.T) {
	tpl := mustTemplate(t)
	targets := mustSAMTargets(t)
	folders := functionFolders(t)
	if len(folders) == 0 {
		t.Logf("no functions/*/main.go yet")
	}
	for _, folder := range folders {
		id := logicalID(folder)
		t.Run(folder, func(t *testing.T) {
			fn := tpl.resource(id)
			if fn == nil {
				t.Fatalf("template.yaml has no resource %s for functions/%s", id, folder)
			}
			if got := scalar(get(fn, "Type")); got != "AWS::Serverless::Function" {
				t.Fatalf("%s: Type = %q, want AWS::Serverless::Function", id, got)
			}
			if got, ok := targets[id]; !ok {
				t.Errorf("%s has no build-%s target", samMakefile, id)
			} else if got != folder {
				t.Errorf("%s: build-%s builds ./functions/%s, want ./functions/%s", samMakefile, id, got, folder)
			}
		})
	}
}

// TestFunctionPackaging: every function in the template is built by sam.mk from a main
// that exists, for the runtime and architecture that the build produces.
func TestFunctionPackaging(t *testing.T) {
	tpl := mustTemplate(t)
	targets := mustSAMTargets(t)
	ids := tpl.resourcesOfType("AWS::Serverless::Function")
	if len(ids) == 0 {
		t.Fatal("template.yaml declares no AWS::Serverless::Function")
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			fn := tpl.resource(id)
			for _, c := range []struct{ prop, want string }{
				{"Runtime", "provided.al2023"},
				{"Handler", "bootstrap"},
				// sam build copies or builds in this folder and runs its Makefile there.
				{"CodeUri", "."},
			} {
				if got := scalar(tpl.functionProperty(fn, c.prop)); got != c.want {
					t.Errorf("%s = %q, want %q", c.prop, got, c.want)
				}
			}
			if got := scalars(tpl.functionProperty(fn, "Architectures")); !slices.Equal(got, []string{"arm64"}) {
				t.Errorf("Architectures = %q, want [arm64] (sam.mk builds GOARCH=arm64)", got)
			}
			if got := scalar(get(fn, "Metadata", "BuildMethod")); got != "makefile" {
				t.Errorf("Metadata.BuildMethod = %q, want makefile", got)
			}
			folder, ok := targets[id]
			if !ok {
				t.Fatalf("%s has no build-%s target", samMakefile, id)
			}
			if _, err := os.Stat(filepath.Join(functionsPath, folder, "main.go")); err != nil {
				t.Errorf("build-%s builds ./functions/%s, which has no main.go: %v", id, folder, err)
			}
		})
	}
}

func TestTemplateSettings(t *testing.T) {
	tpl := mustTemplate(t)
	tests := []struct {
		name     string
		resource string
		path     []string
		want     string
	}{
		{"evidence bucket type", "EvidenceBucket", []string{"Type"}, "AWS::S3::Bucket"},
		{"evidence object lock", "EvidenceBucket", []string{"Properties", "ObjectLockEnabled"}, "true"},
		{"evidence versioning", "EvidenceBucket", []string{"Properties", "VersioningConfiguration", "Status"}, "Enabled"},
		{"evidence retained on delete", "EvidenceBucket", []string{"DeletionPolicy"}, "Retain"},
		{"evidence retained on replace", "EvidenceBucket", []string{"UpdateReplacePolicy"}, "Retain"},
		{"evidence acls off", "EvidenceBucket", []string{"Properties", "OwnershipControls", "Rules", "0", "ObjectOwnership"}, "BucketOwnerEnforced"},
		{"http api stage", "HttpApi", []string{"Properties", "StageName"}, "$default"},
		{"table type", "Table", []string{"Type"}, "AWS::DynamoDB::Table"},
		{"table billing", "Table", []string{"Properties", "BillingMode"}, "PAY_PER_REQUEST"},
		{"table pitr", "Table", []string{"Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"}, "true"},
		{"table ttl attribute", "Table", []string{"Properties", "TimeToLiveSpecification", "AttributeName"}, "expires_at"},
		{"table retained on delete", "Table", []string{"DeletionPolicy"}, "Retain"},
		{"upload bucket type", "UploadBucket", []string{"Type"}, "AWS::S3::Bucket"},
	}
	for _, bucket := range []string{"EvidenceBucket", "UploadBucket"} {
		for _, setting := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			tests = append(tests, struct {
				name     string
				resource string
				path     []string
				want     string
			}{bucket + " " + setting, bucket, []string{"Properties", "PublicAccessBlockConfiguration", setting}, "true"})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tpl.resource(tt.resource)
			if r == nil {
				t.Fatalf("no resource %s", tt.resource)
			}
			if got := scalar(get(r, tt.path...)); got != tt.want {
				t.Errorf("%s.%s = %q, want %q", tt.resource, strings.Join(tt.path, "."), got, tt.want)
			}
		})
	}
}

// TestUploadBucketName: the functions name the upload bucket by a spelled-out string, not a
// reference (a reference would be a circular dependency), so the copies must agree.
func TestUploadBucketName(t *testing.T) {
	tpl := mustTemplate(t)
	name := get(tpl.resource("UploadBucket"), "Properties", "BucketName")
	if name == nil || name.Tag != "!Sub" {
		t.Fatalf("UploadBucket.BucketName = %s, want a !Sub string", describe(name))
	}
	env := get(tpl.root, "Globals", "Function", "Environment", "Variables", "CASEHOLD_UPLOAD_BUCKET")
	if env == nil || env.Tag != name.Tag || env.Value != name.Value {
		t.Errorf("Globals CASEHOLD_UPLOAD_BUCKET = %s, want %s", describe(env), describe(name))
	}
	arn := "arn:${AWS::Partition}:s3:::" + name.Value
	n := 0
	walk(tpl.resources(), func(n2 *yaml.Node) {
		if n2.Kind == yaml.ScalarNode && strings.Contains(n2.Value, "s3:::casehold-uploads") {
			n++
			if n2.Value != arn && !strings.HasPrefix(n2.Value, arn+"/") {
				t.Errorf("line %d: %q does not name the upload bucket %q", n2.Line, n2.Value, arn)
			}
		}
	})
	if n == 0 {
		t.Error("no IAM resource names the upload bucket; did the policies move?")
	}
}

// TestEvidenceBucketPolicy: only casehold's own roles may change holds or remove versions.
func TestEvidenceBucketPolicy(t *testing.T) {
	tpl := mustTemplate(t)
	pol := tpl.resource("EvidenceBucketPolicy")
	if got := scalar(get(pol, "Properties", "Bucket")); got != "EvidenceBucket" {
		t.Fatalf("EvidenceBucketPolicy.Bucket = %q, want !Ref EvidenceBucket", got)
	}
	stmts := get(pol, "Properties", "PolicyDocument", "Statement")
	var tls, holds bool
	for _, s := range seq(stmts) {
		if scalar(get(s, "Effect")) != "Deny" || scalar(get(s, "Principal")) != "*" {
			continue
		}
		if scalar(get(s, "Condition", "Bool", "aws:SecureTransport")) == "false" && slices.Contains(scalars(get(s, "Action")), "s3:*") {
			tls = true
		}
		actions := scalars(get(s, "Action"))
		if slices.Contains(actions, "s3:PutObjectLegalHold") && slices.Contains(actions, "s3:DeleteObjectVersion") {
			holds = true
			exempt := seq(get(s, "Condition", "ArnNotLike", "aws:PrincipalArn"))
			if len(exempt) == 0 {
				t.Error("hold statement exempts nobody: casehold itself could not set holds")
			}
			for _, e := range exempt {
				role, _, _ := strings.Cut(scalar(e), ".")
				fn, ok := strings.CutSuffix(role, "Role")
				if e.Tag != "!GetAtt" || !ok || scalar(get(tpl.resource(fn), "Type")) != "AWS::Serverless::Function" {
					t.Errorf("line %d: exempt principal %q is not a function's execution role (!GetAtt <Function>Role.Arn)", e.Line, scalar(e))
				}
			}
		}
	}
	if !tls {
		t.Error("no statement denies requests without TLS")
	}
	if !holds {
		t.Error("no statement denies s3:PutObjectLegalHold and s3:DeleteObjectVersion to other principals")
	}
	// The reverse: a function whose IAM lets it set holds is denied by the bucket unless
	// its role is exempt, and would fail only when it first files a document.
	var exempt []string
	for _, s := range seq(stmts) {
		for _, e := range seq(get(s, "Condition", "ArnNotLike", "aws:PrincipalArn")) {
			exempt = append(exempt, scalar(e))
		}
	}
	for _, id := range tpl.resourcesOfType("AWS::Serverless::Function") {
		granted := false
		walk(get(tpl.resource(id), "Properties", "Policies"), func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode && scalar(get(n, "Effect")) == "Allow" && slices.Contains(scalars(get(n, "Action")), "s3:PutObjectLegalHold") {
				granted = true
			}
		})
		if granted && !slices.Contains(exempt, id+"Role.Arn") {
			t.Errorf("%s may set legal holds but EvidenceBucketPolicy does not exempt !GetAtt %sRole.Arn", id, id)
		}
	}
}

// TestGlobalsEnvironment: every setting internal/config reads is given to the functions,
// unless it only matters locally. A new setting fails here until it is deployed or listed.
func TestGlobalsEnvironment(t *testing.T) {
	localOnly := map[string]bool{
		"CASEHOLD_DATA_DIR": true, "CASEHOLD_ADDR": true, "CASEHOLD_PUBLIC_URL": true,
		"CASEHOLD_INBOX_POLL": true, "CASEHOLD_S3_ENDPOINT": true, "CASEHOLD_DYNAMODB_ENDPOINT": true,
		"CASEHOLD_SES_ENDPOINT": true, "CASEHOLD_ACCESS_KEY": true, "CASEHOLD_SECRET_KEY": true,
		"CASEHOLD_CREATE_RESOURCES": true,
		// Names the key a local server makes for itself; in AWS the key comes made.
		"CASEHOLD_AUDIT_LOG_NAME": true,
		// Lambda sets AWS_REGION, which config falls back to.
		"CASEHOLD_REGION": true,
		// The local server's sweep ticker; in AWS, RemindersSchedule decides.
		"CASEHOLD_REMIND_EVERY": true,
	}
	src, err := os.ReadFile(configSource)
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, m := range configGet.FindAllStringSubmatch(string(src), -1) {
		read[m[1]] = true
	}
	if len(read) == 0 {
		t.Fatalf("found no get(\"CASEHOLD_...\") in %s: did config change how it reads the environment?", configSource)
	}
	tpl := mustTemplate(t)
	env := get(tpl.root, "Globals", "Function", "Environment", "Variables")
	for _, name := range slices.Sorted(maps.Keys(read)) {
		if !localOnly[name] && get(env, name) == nil {
			t.Errorf("internal/config reads %s but template.yaml Globals does not set it (or list it as local-only here)", name)
		}
	}
	for name, want := range map[string]string{
		"CASEHOLD_BACKEND": "aws",
		"CASEHOLD_AUTH":    "apigw",
		// Mail arriving from the internet must carry passing SES verdicts.
		"CASEHOLD_INTAKE_REQUIRE_VERDICTS": "true",
	} {
		if got := scalar(get(env, name)); got != want {
			t.Errorf("Globals %s = %q, want %q", name, got, want)
		}
	}
}

// TestS3Events: S3 refuses two notification configurations that could match one key, so
// events on one bucket must not overlap; every S3-invoked function keeps failed events in
// a dead-letter queue; email intake listens where SES writes.
func TestS3Events(t *testing.T) {
	tpl := mustTemplate(t)
	evs := tpl.s3Events()
	for i, a := range evs {
		if get(tpl.resource(a.function), "Properties", "DeadLetterQueue", "TargetArn") == nil {
			t.Errorf("%s is invoked by S3 but has no DeadLetterQueue: a failed event would vanish", a.function)
		}
		for _, b := range evs[i+1:] {
			if a.bucket == b.bucket && (strings.HasPrefix(a.prefix, b.prefix) || strings.HasPrefix(b.prefix, a.prefix)) {
				t.Errorf("%s.%s (prefix %q) and %s.%s (prefix %q) overlap on %s", a.function, a.name, a.prefix, b.function, b.name, b.prefix, a.bucket)
			}
		}
	}
	found := false
	for _, e := range evs {
		if e.function == "IngestEmailFunction" && e.bucket == "UploadBucket" && e.prefix == inboundPrefix && slices.Contains(e.events, "s3:ObjectCreated:*") {
			found = true
		}
	}
	if !found {
		t.Errorf("IngestEmailFunction has no s3:ObjectCreated:* event on UploadBucket for prefix %s; events: %+v", inboundPrefix, evs)
	}
}

// TestEmailReceiptRule: SES writes mail for the intake address to the upload bucket under
// inbound/, scanned (intake refuses mail without verdicts) and over TLS only.
func TestEmailReceiptRule(t *testing.T) {
	tpl := mustTemplate(t)
	rules := tpl.resourcesOfType("AWS::SES::ReceiptRule")
	if len(rules) != 1 {
		t.Fatalf("%d AWS::SES::ReceiptRule resources %q, want 1", len(rules), rules)
	}
	r := tpl.resource(rules[0])
	rule := get(r, "Properties", "Rule")
	for _, c := range []struct{ path, want string }{
		{"Enabled", "true"}, // false by default
		{"ScanEnabled", "true"},
		{"TlsPolicy", "Require"},
	} {
		if got := scalar(get(rule, c.path)); got != c.want {
			t.Errorf("Rule.%s = %q, want %q", c.path, got, c.want)
		}
	}
	if rcpt := get(rule, "Recipients"); !slices.ContainsFunc(seq(rcpt), func(n *yaml.Node) bool { return n.Tag == "!Ref" && n.Value == "IntakeAddress" }) {
		t.Errorf("Rule.Recipients = %q, want !Ref IntakeAddress", scalars(rcpt))
	}
	var s3 []*yaml.Node
	for _, a := range seq(get(rule, "Actions")) {
		if n := get(a, "S3Action"); n != nil {
			s3 = append(s3, n)
		}
	}
	if len(s3) != 1 {
		t.Fatalf("%d S3Actions, want 1", len(s3))
	}
	if b := get(s3[0], "BucketName"); b == nil || b.Tag != "!Ref" || b.Value != "UploadBucket" {
		t.Errorf("S3Action.BucketName = %s, want !Ref UploadBucket", describe(b))
	}
	if got := scalar(get(s3[0], "ObjectKeyPrefix")); got != inboundPrefix {
		t.Errorf("S3Action.ObjectKeyPrefix = %q, want %q", got, inboundPrefix)
	}
	// SES test-writes to the bucket when the rule is created; without the policy it fails.
	if !slices.Contains(scalars(get(r, "DependsOn")), "UploadBucketPolicy") {
		t.Errorf("%s.DependsOn = %q, want UploadBucketPolicy", rules[0], scalars(get(r, "DependsOn")))
	}
	set := get(r, "Properties", "RuleSetName")
	if set == nil || set.Tag != "!Ref" || scalar(get(tpl.resource(set.Value), "Type")) != "AWS::SES::ReceiptRuleSet" {
		t.Fatalf("RuleSetName = %s, want !Ref to an AWS::SES::ReceiptRuleSet", describe(set))
	}
	if a, b := scalar(get(r, "Condition")), scalar(get(tpl.resource(set.Value), "Condition")); a != b {
		t.Errorf("rule has Condition %q but its rule set %q", a, b)
	}

	// The bucket policy names the rule by ARN; the names are spelled out on both sides.
	setName := get(tpl.resource(set.Value), "Properties", "RuleSetName")
	ruleName := get(rule, "Name")
	want := "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:receipt-rule-set/" + scalar(setName) + ":receipt-rule/" + scalar(ruleName)
	ses := sesStatements(tpl)
	if len(ses) == 0 {
		t.Fatal("UploadBucketPolicy has no statement for ses.amazonaws.com")
	}
	for _, s := range ses {
		arn := getFold(get(s, "Condition", "StringEquals"), "aws:SourceArn")
		if arn == nil || arn.Value != want || setName.Tag != "!Sub" || ruleName.Tag != "!Sub" {
			t.Errorf("policy aws:SourceArn = %s, want !Sub %s (from RuleSetName %s and Rule.Name %s)", describe(arn), want, describe(setName), describe(ruleName))
		}
	}
}

// TestUploadBucketPolicyForSES: SES may only add objects under inbound/, and only for a
// rule in this account.
func TestUploadBucketPolicyForSES(t *testing.T) {
	tpl := mustTemplate(t)
	pol := tpl.resource("UploadBucketPolicy")
	if got := scalar(get(pol, "Properties", "Bucket")); got != "UploadBucket" {
		t.Fatalf("UploadBucketPolicy.Bucket = %q, want !Ref UploadBucket", got)
	}
	for _, s := range statements(get(pol, "Properties", "PolicyDocument", "Statement")) {
		if scalar(get(s, "Effect")) == "Allow" && (scalar(get(s, "Principal")) == "*" || slices.Contains(scalars(get(s, "Principal", "AWS")), "*")) {
			t.Errorf("line %d: Allow to every principal", s.Line)
		}
	}
	ses := sesStatements(tpl)
	if len(ses) == 0 {
		t.Fatal("UploadBucketPolicy has no statement for ses.amazonaws.com")
	}
	for _, s := range ses {
		if got := scalar(get(s, "Effect")); got != "Allow" {
			t.Errorf("line %d: Effect = %q, want Allow", s.Line, got)
		}
		if got := scalars(get(s, "Action")); !slices.Equal(got, []string{"s3:PutObject"}) {
			t.Errorf("line %d: Action = %q, want only s3:PutObject", s.Line, got)
		}
		res := seq(get(s, "Resource"))
		if len(res) == 0 {
			t.Errorf("line %d: no Resource", s.Line)
		}
		for _, r := range res {
			if r.Tag != "!Sub" || r.Value != "${UploadBucket.Arn}/"+inboundPrefix+"*" {
				t.Errorf("line %d: Resource %s, want !Sub ${UploadBucket.Arn}/%s*", r.Line, describe(r), inboundPrefix)
			}
		}
		// Without it, any account's receipt rule could write into this bucket.
		acct := getFold(get(s, "Condition", "StringEquals"), "aws:SourceAccount")
		if !(acct != nil && ((acct.Tag == "!Ref" && acct.Value == "AWS::AccountId") || (acct.Tag == "!Sub" && acct.Value == "${AWS::AccountId}"))) {
			t.Errorf("line %d: Condition.StringEquals aws:SourceAccount = %s, want !Ref AWS::AccountId", s.Line, describe(acct))
		}
	}
}

// TestUploadLifecycle: staged uploads go after a day, but a received message may be the
// only copy until intake succeeds, so it outlives a week of failed retries and replays.
func TestUploadLifecycle(t *testing.T) {
	tpl := mustTemplate(t)
	rules := get(tpl.resource("UploadBucket"), "Properties", "LifecycleConfiguration", "Rules")
	if days, ok := expiresWithin(rules, inboundPrefix+"0d4m6s2v8kq1example"); ok && days < 7 {
		t.Errorf("objects under %s expire after %d days, want at least 7", inboundPrefix, days)
	}
	if days, ok := expiresWithin(rules, "uploads/m/u.pdf"); !ok || days > 1 {
		t.Errorf("staged uploads expire after %d days (rule found: %v), want 1", days, ok)
	}
}

func TestExpiresWithin(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		key  string
		days int
		ok   bool
	}{
		{"whole bucket", `[{Status: Enabled, ExpirationInDays: 1}]`, "inbound/x", 1, true},
		{"other prefix", `[{Status: Enabled, Prefix: uploads/, ExpirationInDays: 1}]`, "inbound/x", 0, false},
		{"disabled", `[{Status: Disabled, ExpirationInDays: 1}]`, "inbound/x", 0, false},
		{"shortest wins", `[{Status: Enabled, Prefix: inbound/, ExpirationInDays: 30}, {Status: Enabled, Prefix: in, ExpirationInDays: 2}]`, "inbound/x", 2, true},
		{"narrower prefix counts", `[{Status: Enabled, Prefix: inbound/x, ExpirationInDays: 3}]`, "inbound/", 3, true},
		{"date", `[{Status: Enabled, ExpirationDate: "2030-01-01T00:00:00Z"}]`, "inbound/x", 0, true},
		{"noncurrent only", `[{Status: Enabled, NoncurrentVersionExpiration: {NoncurrentDays: 1}}]`, "inbound/x", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			days, ok := expiresWithin(doc.Content[0], tt.key)
			if days != tt.days || ok != tt.ok {
				t.Errorf("got %d, %v; want %d, %v", days, ok, tt.days, tt.ok)
			}
		})
	}
}

func TestIAMLeastPrivilege(t *testing.T) {
	tpl := mustTemplate(t)
	problems, statements := iamProblems(tpl.resources())
	for _, p := range problems {
		t.Error(p)
	}
	if statements == 0 {
		t.Error("found no Allow statements: the walk no longer sees the policies")
	}
}

// TestIAMProblems checks the checker, so a quiet TestIAMLeastPrivilege means something.
func TestIAMProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want int
	}{
		{"scoped", `{Policies: [{Statement: [{Effect: Allow, Action: [s3:GetObject], Resource: !Sub "${B.Arn}/*"}]}]}`, 0},
		{"deny wildcard is fine", `{Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*"}]}`, 0},
		{"ses on star is fine", `{Statement: [{Effect: Allow, Action: ses:SendRawEmail, Resource: "*"}]}`, 0},
		{"s3 star action", `{Statement: [{Effect: Allow, Action: "s3:*", Resource: arn:aws:s3:::b}]}`, 1},
		{"dynamodb star action", `{Statement: [{Effect: Allow, Action: [dynamodb:GetItem, "dynamodb:*"], Resource: !GetAtt T.Arn}]}`, 1},
		{"star action", `{Statement: [{Effect: Allow, Action: "*", Resource: arn:aws:s3:::b}]}`, 1},
		{"s3 wildcard action", `{Statement: [{Effect: Allow, Action: "s3:Get*", Resource: arn:aws:s3:::b}]}`, 1},
		{"s3 on star resource", `{Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}`, 1},
		{"dynamodb on star resource", `{Statement: [{Effect: Allow, Action: dynamodb:Query, Resource: ["*"]}]}`, 1},
		{"not action", `{Statement: [{Effect: Allow, NotAction: iam:*, Resource: "*"}]}`, 1},
		{"managed full access", `{Policies: [AmazonS3FullAccess]}`, 1},
		{"sam full access template", `{Policies: [{S3FullAccessPolicy: {BucketName: b}}]}`, 1},
		{"administrator", `{Policies: [arn:aws:iam::aws:policy/AdministratorAccess]}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			if got, _ := iamProblems(&doc); len(got) != tt.want {
				t.Errorf("got %d problems %q, want %d", len(got), got, tt.want)
			}
		})
	}
}

// TestReferencesResolve stands in for `sam validate` on names: every Ref, GetAtt, Sub
// variable and condition names something that exists.
func TestReferencesResolve(t *testing.T) {
	tpl := mustTemplate(t)
	for _, p := range tpl.unresolved() {
		t.Error(p)
	}
}

func TestSampleEvents(t *testing.T) {
	t.Run("s3-put-upload", func(t *testing.T) {
		var ev events.S3Event
		mustDecodeStrict(t, "events/s3-put-upload.json", &ev)
		if len(ev.Records) != 1 {
			t.Fatalf("%d records, want 1", len(ev.Records))
		}
		r := ev.Records[0]
		if r.EventSource != "aws:s3" || r.EventName != "ObjectCreated:Put" {
			t.Errorf("source %q name %q, want aws:s3 ObjectCreated:Put", r.EventSource, r.EventName)
		}
		if r.EventTime.IsZero() {
			t.Error("eventTime did not parse")
		}
		o := r.S3.Object
		if !regexp.MustCompile(`^uploads/[^/]+/[^/]+\.pdf$`).MatchString(o.Key) {
			t.Errorf("key %q, want uploads/<matter id>/<upload id>.pdf", o.Key)
		}
		if o.VersionID == "" || o.Sequencer == "" || o.Size == 0 {
			t.Errorf("object %+v lacks versionId, sequencer or size", o)
		}
		if r.S3.Bucket.Name != "casehold-uploads-example" || r.S3.Bucket.Arn != "arn:aws:s3:::"+r.S3.Bucket.Name {
			t.Errorf("bucket %+v", r.S3.Bucket)
		}
	})
	t.Run("s3-put-inbound", func(t *testing.T) {
		var ev events.S3Event
		mustDecodeStrict(t, "events/s3-put-inbound.json", &ev)
		if len(ev.Records) != 1 {
			t.Fatalf("%d records, want 1", len(ev.Records))
		}
		r := ev.Records[0]
		if r.EventSource != "aws:s3" || r.EventName != "ObjectCreated:Put" {
			t.Errorf("source %q name %q, want aws:s3 ObjectCreated:Put", r.EventSource, r.EventName)
		}
		if r.EventTime.IsZero() {
			t.Error("eventTime did not parse")
		}
		o := r.S3.Object
		// SES names the object by its message id, directly under the rule's prefix.
		if !regexp.MustCompile(`^inbound/[a-z0-9]+$`).MatchString(o.Key) {
			t.Errorf("key %q, want inbound/<SES message id>", o.Key)
		}
		if o.VersionID == "" || o.Sequencer == "" || o.Size == 0 {
			t.Errorf("object %+v lacks versionId, sequencer or size", o)
		}
		if r.S3.Bucket.Name != "casehold-uploads-example" || r.S3.Bucket.Arn != "arn:aws:s3:::"+r.S3.Bucket.Name {
			t.Errorf("bucket %+v", r.S3.Bucket)
		}
	})
	t.Run("apigw-v2-request", func(t *testing.T) {
		var req events.APIGatewayV2HTTPRequest
		mustDecodeStrict(t, "events/apigw-v2-request.json", &req)
		if req.Version != "2.0" || req.RequestContext.Stage != "$default" || req.RequestContext.HTTP.Method == "" {
			t.Errorf("version %q stage %q method %q", req.Version, req.RequestContext.Stage, req.RequestContext.HTTP.Method)
		}
		if req.RequestContext.Authorizer == nil || req.RequestContext.Authorizer.JWT == nil {
			t.Fatal("no requestContext.authorizer.jwt")
		}
		claims := req.RequestContext.Authorizer.JWT.Claims
		for _, c := range []string{"sub", "name", "casehold:roles"} {
			if claims[c] == "" {
				t.Errorf("claim %q missing", c)
			}
		}
	})
}

// --- template access -------------------------------------------------------------------

type template struct{ root *yaml.Node }

// mustTemplate parses template.yaml into nodes: CloudFormation's short tags (!Ref, !Sub,
// !GetAtt ...) stay as node tags instead of failing a typed decode.
func mustTemplate(t *testing.T) template {
	t.Helper()
	b, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse %s: %v", templatePath, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("%s is not a YAML mapping", templatePath)
	}
	tpl := template{root: doc.Content[0]}
	if tpl.resources() == nil {
		t.Fatalf("%s has no Resources", templatePath)
	}
	return tpl
}

func (tpl template) resources() *yaml.Node         { return get(tpl.root, "Resources") }
func (tpl template) resource(id string) *yaml.Node { return get(tpl.root, "Resources", id) }

func (tpl template) resourcesOfType(typ string) []string {
	var ids []string
	for _, id := range keys(tpl.resources()) {
		if scalar(get(tpl.resource(id), "Type")) == typ {
			ids = append(ids, id)
		}
	}
	return ids
}

// functionProperty is the property as SAM sees it: the function's own, else Globals'.
func (tpl template) functionProperty(fn *yaml.Node, prop string) *yaml.Node {
	if n := get(fn, "Properties", prop); n != nil {
		return n
	}
	return get(tpl.root, "Globals", "Function", prop)
}

type s3Event struct {
	function, name, bucket, prefix string
	events                         []string
}

// s3Events lists the S3 events of every function; bucket is the !Ref'd logical id.
func (tpl template) s3Events() []s3Event {
	var out []s3Event
	for _, id := range tpl.resourcesOfType("AWS::Serverless::Function") {
		evs := get(tpl.resource(id), "Properties", "Events")
		for _, name := range keys(evs) {
			ev := get(evs, name)
			if scalar(get(ev, "Type")) != "S3" {
				continue
			}
			e := s3Event{function: id, name: name, bucket: scalar(get(ev, "Properties", "Bucket")), events: scalars(get(ev, "Properties", "Events"))}
			for _, r := range seq(get(ev, "Properties", "Filter", "S3Key", "Rules")) {
				if strings.EqualFold(scalar(get(r, "Name")), "prefix") {
					e.prefix = scalar(get(r, "Value"))
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// sesStatements are the upload bucket policy's statements for the SES service principal.
func sesStatements(tpl template) []*yaml.Node {
	var out []*yaml.Node
	for _, s := range statements(get(tpl.resource("UploadBucketPolicy"), "Properties", "PolicyDocument", "Statement")) {
		if slices.Contains(scalars(get(s, "Principal", "Service")), "ses.amazonaws.com") {
			out = append(out, s)
		}
	}
	return out
}

// statements flattens a policy's Statement list, taking both branches of an !If.
func statements(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for _, s := range seq(n) {
		if s.Tag == "!If" && s.Kind == yaml.SequenceNode && len(s.Content) == 3 {
			for _, branch := range s.Content[1:] {
				if branch.Kind == yaml.MappingNode {
					out = append(out, branch)
				}
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// expiresWithin reports the fewest days after which an enabled lifecycle rule expires
// some current object under key (a rule whose prefix and key share a path counts), and
// whether any does; an ExpirationDate counts as 0 days.
func expiresWithin(rules *yaml.Node, key string) (days int, ok bool) {
	for _, r := range seq(rules) {
		prefix := scalar(get(r, "Prefix"))
		if scalar(get(r, "Status")) != "Enabled" || !(strings.HasPrefix(key, prefix) || strings.HasPrefix(prefix, key)) {
			continue
		}
		d := -1
		if get(r, "ExpirationDate") != nil {
			d = 0
		} else if n, err := strconv.Atoi(scalar(get(r, "ExpirationInDays"))); err == nil {
			d = n
		}
		if d >= 0 && (!ok || d < days) {
			days, ok = d, true
		}
	}
	return days, ok
}

var pseudoParameters = []string{"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
	"AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}

// unresolved lists references to names the template does not define.
func (tpl template) unresolved() []string {
	resources := map[string]bool{}
	for _, id := range keys(tpl.resources()) {
		resources[id] = true
	}
	// SAM generates an execution role <Function>Role for a function that names none.
	for _, id := range tpl.resourcesOfType("AWS::Serverless::Function") {
		if get(tpl.resource(id), "Properties", "Role") == nil {
			resources[id+"Role"] = true
		}
	}
	refs := map[string]bool{}
	for id := range resources {
		refs[id] = true
	}
	for _, p := range keys(get(tpl.root, "Parameters")) {
		refs[p] = true
	}
	for _, p := range pseudoParameters {
		refs[p] = true
	}
	conditions := map[string]bool{}
	for _, c := range keys(get(tpl.root, "Conditions")) {
		conditions[c] = true
	}

	var problems []string
	bad := func(n *yaml.Node, format string, name string) {
		problems = append(problems, fmt.Sprintf("line %d: "+format, n.Line, name))
	}
	checkSub := func(n *yaml.Node, s string, local map[string]bool) {
		for _, m := range subVar.FindAllStringSubmatch(s, -1) {
			name := m[1]
			if strings.HasPrefix(name, "!") {
				continue // ${!Literal} is an escaped literal
			}
			head, _, _ := strings.Cut(name, ".")
			if !local[name] && !refs[name] && !resources[head] {
				bad(n, "!Sub names unknown %s", name)
			}
		}
	}
	walk(tpl.root, func(n *yaml.Node) {
		switch n.Tag {
		case "!Ref":
			if !refs[n.Value] {
				bad(n, "!Ref to unknown %s", n.Value)
			}
		case "!GetAtt":
			target := n.Value
			if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
				target = n.Content[0].Value
			}
			head, _, _ := strings.Cut(target, ".")
			if !resources[head] {
				bad(n, "!GetAtt of unknown resource %s", head)
			}
		case "!Sub":
			if n.Kind == yaml.ScalarNode {
				checkSub(n, n.Value, nil)
			} else if n.Kind == yaml.SequenceNode && len(n.Content) == 2 {
				local := map[string]bool{}
				for _, k := range keys(n.Content[1]) {
					local[k] = true
				}
				checkSub(n, n.Content[0].Value, local)
			}
		case "!If":
			if len(n.Content) > 0 && !conditions[n.Content[0].Value] {
				bad(n, "!If on unknown condition %s", n.Content[0].Value)
			}
		}
	})
	for _, id := range keys(tpl.resources()) {
		if c := get(tpl.resource(id), "Condition"); c != nil && !conditions[c.Value] {
			bad(c, "Condition %s is not defined", c.Value)
		}
	}
	return problems
}

var subVar = regexp.MustCompile(`\$\{([^}]+)\}`)

// iamProblems finds Allow statements broader than casehold needs, and managed policies or
// SAM policy templates that grant full access. It returns the number of Allow statements
// seen, so a caller can tell "no problems" from "saw nothing".
func iamProblems(root *yaml.Node) (problems []string, allows int) {
	walk(root, func(n *yaml.Node) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for _, p := range seq(get(n, "Policies")) {
			name := scalar(p)
			if p.Kind == yaml.MappingNode && len(p.Content) > 0 {
				name = p.Content[0].Value // a SAM policy template: {S3FullAccessPolicy: ...}
			}
			if strings.Contains(name, "FullAccess") || strings.HasSuffix(name, "AdministratorAccess") {
				problems = append(problems, fmt.Sprintf("line %d: policy %s grants full access", p.Line, name))
			}
		}
		if scalar(get(n, "Effect")) != "Allow" {
			return
		}
		allows++
		where := fmt.Sprintf("line %d: ", n.Line)
		if get(n, "NotAction") != nil || get(n, "NotResource") != nil {
			problems = append(problems, where+"Allow with NotAction or NotResource")
		}
		dataAction := false
		for _, a := range scalars(get(n, "Action")) {
			service, _, _ := strings.Cut(strings.ToLower(a), ":")
			isData := service == "s3" || service == "dynamodb"
			dataAction = dataAction || isData
			if a == "*" || (isData && strings.Contains(a, "*")) {
				problems = append(problems, where+"Allow of wildcard action "+a)
			}
		}
		if dataAction && slices.Contains(scalars(get(n, "Resource")), "*") {
			problems = append(problems, where+"Allow of s3 or dynamodb actions on Resource *")
		}
	})
	return problems, allows
}

// --- sam.mk and functions/ ---------------------------------------------------------------

var (
	callTarget     = regexp.MustCompile(`^\$\(eval \$\(call lambda,\s*([A-Za-z0-9]+)\s*,\s*([a-z0-9-]+)\s*\)\)`)
	explicitTarget = regexp.MustCompile(`^build-([A-Za-z0-9]+)\s*:`)
	recipeFolder   = regexp.MustCompile(`\./functions/([a-z0-9-]+)`)
)

// mustSAMTargets maps each build-<LogicalId> target in sam.mk to the functions/ folder it
// builds, from `$(eval $(call lambda,Id,folder))` lines or a hand-written target.
func mustSAMTargets(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(samMakefile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	targets := map[string]string{}
	current := "" // a hand-written target whose recipe is being read
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := callTarget.FindStringSubmatch(line); m != nil {
			targets[m[1]] = m[2]
			continue
		}
		if m := explicitTarget.FindStringSubmatch(line); m != nil {
			current = m[1]
			continue
		}
		if current != "" && strings.HasPrefix(line, "\t") {
			if m := recipeFolder.FindStringSubmatch(line); m != nil {
				targets[current] = m[1]
			}
			continue
		}
		current = ""
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return targets
}

// functionFolders lists the folders under functions/ that hold a main.go.
func functionFolders(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(functionsPath)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(functionsPath, e.Name(), "main.go")); err == nil {
			folders = append(folders, e.Name())
		}
	}
	return folders
}

// logicalID turns a kebab-case folder into its function's logical id:
// ingest-upload -> IngestUploadFunction.
func logicalID(folder string) string {
	var b strings.Builder
	for _, part := range strings.Split(folder, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String() + "Function"
}

func TestLogicalID(t *testing.T) {
	for folder, want := range map[string]string{
		"api":           "ApiFunction",
		"ingest-upload": "IngestUploadFunction",
		"ingest-email":  "IngestEmailFunction",
		"reminders":     "RemindersFunction",
	} {
		if got := logicalID(folder); got != want {
			t.Errorf("logicalID(%q) = %q, want %q", folder, got, want)
		}
	}
}

// --- yaml.Node helpers -------------------------------------------------------------------

// get follows mapping keys, or sequence indexes given as decimal strings; nil if absent.
func get(n *yaml.Node, path ...string) *yaml.Node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = get(n.Content[0], p)
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					next = n.Content[i+1]
					break
				}
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	return n
}

// getFold is a mapping's value for key compared case-insensitively, as IAM compares
// condition keys (aws:SourceAccount, AWS:SourceAccount).
func getFold(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if strings.EqualFold(n.Content[i].Value, key) {
			return n.Content[i+1]
		}
	}
	return nil
}

// keys returns a mapping's keys, sorted.
func keys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var ks []string
	for i := 0; i < len(n.Content); i += 2 {
		ks = append(ks, n.Content[i].Value)
	}
	sort.Strings(ks)
	return ks
}

// scalar is a scalar's text (whatever its tag), "" for anything else.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// seq is a sequence's items, or the node itself where CloudFormation allows one or a list.
func seq(n *yaml.Node) []*yaml.Node {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.SequenceNode:
		return n.Content
	default:
		return []*yaml.Node{n}
	}
}

func scalars(n *yaml.Node) []string {
	var out []string
	for _, item := range seq(n) {
		out = append(out, scalar(item))
	}
	return out
}

// describe shows a scalar as written, tag included.
func describe(n *yaml.Node) string {
	if n == nil {
		return "<absent>"
	}
	return strings.TrimSpace(n.Tag + " " + n.Value)
}

// walk calls fn for n and every node below it.
func walk(n *yaml.Node, fn func(*yaml.Node)) {
	if n == nil {
		return
	}
	fn(n)
	for _, c := range n.Content {
		walk(c, fn)
	}
}

// mustDecodeStrict decodes a sample event, refusing fields the aws-lambda-go type lacks,
// so a misspelt field cannot pass as a real one.
func mustDecodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

// TestOnlyReleaseFunctionLiftsHolds: the bucket policy refuses a legal hold turned OFF by
// any role but the release function's, refuses writes into the evidence bucket from anyone
// but casehold's storing functions, and only the release function is configured to lift.
func TestOnlyReleaseFunctionLiftsHolds(t *testing.T) {
	tpl := mustTemplate(t)
	stmts := seq(get(tpl.resource("EvidenceBucketPolicy"), "Properties", "PolicyDocument", "Statement"))
	exemptOf := func(s *yaml.Node) []string {
		var out []string
		for _, e := range seq(get(s, "Condition", "ArnNotLike", "aws:PrincipalArn")) {
			out = append(out, scalar(e))
		}
		return out
	}
	var liftDeny, putDeny bool
	for _, s := range stmts {
		if scalar(get(s, "Effect")) != "Deny" || scalar(get(s, "Principal")) != "*" {
			continue
		}
		actions := scalars(get(s, "Action"))
		switch {
		case len(actions) == 1 && actions[0] == "s3:PutObjectLegalHold":
			if got := scalar(get(s, "Condition", "StringEquals", "s3:object-lock-legal-hold")); got != "OFF" {
				t.Errorf("line %d: legal-hold deny conditions on %q, want s3:object-lock-legal-hold OFF", s.Line, got)
			}
			if ex := exemptOf(s); !slices.Equal(ex, []string{"ReleaseFunctionRole.Arn"}) {
				t.Errorf("line %d: turning holds off is exempted for %v, want the release function's role alone", s.Line, ex)
			}
			if !strings.HasSuffix(scalar(get(s, "Resource")), "/*") {
				t.Errorf("line %d: legal-hold deny does not cover every object", s.Line)
			}
			liftDeny = true
		case len(actions) == 1 && actions[0] == "s3:PutObject":
			ex := exemptOf(s)
			if len(ex) == 0 || slices.Contains(ex, "ReleaseFunctionRole.Arn") {
				t.Errorf("line %d: evidence writers exempted = %v, want the storing functions only", s.Line, ex)
			}
			for _, e := range ex {
				fn, _ := strings.CutSuffix(e, "Role.Arn")
				if scalar(get(tpl.resource(fn), "Type")) != "AWS::Serverless::Function" {
					t.Errorf("line %d: %s may write evidence but is not one of casehold's functions", s.Line, e)
				}
			}
			if scalar(get(s, "Resource")) != "${EvidenceBucket.Arn}/*" {
				t.Errorf("line %d: evidence write deny covers %q, want every key", s.Line, scalar(get(s, "Resource")))
			}
			putDeny = true
		}
	}
	if !liftDeny {
		t.Error("no statement denies s3:PutObjectLegalHold with s3:object-lock-legal-hold OFF to all but the release function")
	}
	if !putDeny {
		t.Error("no statement denies s3:PutObject into the evidence bucket to principals other than casehold's")
	}
	if got := scalar(get(tpl.root, "Globals", "Function", "Environment", "Variables", "CASEHOLD_LIFTS_HOLDS")); got != "false" {
		t.Errorf("Globals CASEHOLD_LIFTS_HOLDS = %q, want false", got)
	}
	for _, id := range tpl.resourcesOfType("AWS::Serverless::Function") {
		v := scalar(get(tpl.resource(id), "Properties", "Environment", "Variables", "CASEHOLD_LIFTS_HOLDS"))
		if (v == "true") != (id == "ReleaseFunction") {
			t.Errorf("%s CASEHOLD_LIFTS_HOLDS = %q; only ReleaseFunction may lift holds", id, v)
		}
	}
	ev := get(tpl.resource("ReleaseFunction"), "Properties", "Events", "EveryMinute")
	if scalar(get(ev, "Type")) != "ScheduleV2" || get(ev, "Properties", "DeadLetterConfig", "Arn") == nil ||
		get(ev, "Properties", "RetryPolicy") == nil {
		t.Error("ReleaseFunction is not run by an EventBridge Scheduler schedule with a retry policy and a dead-letter queue")
	}
}

// TestIntegrityIncidentsAlarm: every function's log group counts integrity incidents (the
// fixed message app.IncidentLogMessage) into the metric one alarm watches.
func TestIntegrityIncidentsAlarm(t *testing.T) {
	tpl := mustTemplate(t)
	counted := map[string]bool{}
	for _, id := range tpl.resourcesOfType("AWS::Logs::MetricFilter") {
		f := tpl.resource(id)
		if !strings.Contains(scalar(get(f, "Properties", "FilterPattern")), strconv.Quote(app.IncidentLogMessage)) {
			continue
		}
		counted[scalar(get(f, "Properties", "LogGroupName"))] = true
	}
	for _, id := range tpl.resourcesOfType("AWS::Serverless::Function") {
		if !counted[id+"LogGroup"] {
			t.Errorf("integrity incidents logged by %s are not counted (no metric filter on %sLogGroup)", id, id)
		}
	}
	if scalar(get(tpl.resource("IntegrityIncidentAlarm"), "Properties", "MetricName")) != "IntegrityIncidents" {
		t.Error("no alarm on the IntegrityIncidents metric")
	}
}

// TestAuditSequencer: the sequencer runs on a schedule with its own role, retries and
// dead-letter queue; it alone holds the signing key (from Secrets Manager), and it may
// touch only checkpoints in the evidence bucket; the table has the pending index it reads.
func TestAuditSequencer(t *testing.T) {
	tpl := mustTemplate(t)
	sched := tpl.resource("SequencerSchedule")
	if got := scalar(get(sched, "Type")); got != "AWS::Scheduler::Schedule" {
		t.Fatalf("SequencerSchedule type %q", got)
	}
	for _, c := range []struct{ path, want string }{
		{"Properties.ScheduleExpression", "rate(1 minute)"},
		{"Properties.FlexibleTimeWindow.Mode", "OFF"},
		{"Properties.Target.Arn", "SequencerFunction.Arn"},
		{"Properties.Target.RoleArn", "SequencerScheduleRole.Arn"},
		{"Properties.Target.DeadLetterConfig.Arn", "SequencerScheduleDeadLetterQueue.Arn"},
	} {
		if got := scalar(get(sched, strings.Split(c.path, ".")...)); got != c.want {
			t.Errorf("SequencerSchedule.%s = %q, want %q", c.path, got, c.want)
		}
	}
	if get(sched, "Properties", "Target", "RetryPolicy", "MaximumRetryAttempts") == nil {
		t.Error("SequencerSchedule has no retry policy")
	}
	role := tpl.resource("SequencerScheduleRole")
	if got := scalar(get(seq(get(role, "Properties", "AssumeRolePolicyDocument", "Statement"))[0], "Principal", "Service")); got != "scheduler.amazonaws.com" {
		t.Errorf("SequencerScheduleRole is assumed by %q, want scheduler.amazonaws.com", got)
	}

	for _, id := range tpl.resourcesOfType("AWS::Serverless::Function") {
		key := get(tpl.resource(id), "Properties", "Environment", "Variables", "CASEHOLD_AUDIT_SIGNING_KEY")
		switch {
		case id == "SequencerFunction" && !strings.Contains(scalar(key), "{{resolve:secretsmanager:"):
			t.Errorf("SequencerFunction's signing key %q is not resolved from Secrets Manager", scalar(key))
		case id != "SequencerFunction" && key != nil:
			t.Errorf("%s is given the audit log signing key", id)
		}
	}
	if got := scalar(get(tpl.root, "Globals", "Function", "Environment", "Variables", "CASEHOLD_AUDIT_SIGNING_KEY")); got != "" {
		t.Errorf("Globals give every function the signing key %q", got)
	}
	walk(get(tpl.resource("SequencerFunction"), "Properties", "Policies"), func(n *yaml.Node) {
		if n.Kind != yaml.MappingNode || scalar(get(n, "Effect")) != "Allow" {
			return
		}
		for _, a := range scalars(get(n, "Action")) {
			if strings.HasPrefix(a, "s3:") && a != "s3:ListBucket" && !strings.HasSuffix(scalar(get(n, "Resource")), "/audit/checkpoints/*") {
				t.Errorf("SequencerFunction may %s beyond audit/checkpoints/", a)
			}
			if a == "dynamodb:Scan" || a == "dynamodb:DeleteItem" {
				t.Errorf("SequencerFunction may %s", a)
			}
		}
	})
	var gsi2 bool
	for _, g := range seq(get(tpl.resource("Table"), "Properties", "GlobalSecondaryIndexes")) {
		if scalar(get(g, "IndexName")) == "GSI2" && scalar(get(seq(get(g, "KeySchema"))[0], "AttributeName")) == "GSI2PK" {
			gsi2 = true
		}
	}
	if !gsi2 {
		t.Error("the table has no GSI2 on GSI2PK (pending audit events)")
	}
}

// TestPublicRoutesSkipTheAuthorizer: a GET the API document declares public (security: [])
// must reach the function without a token in AWS too, where the HTTP API's default JWT
// authorizer would otherwise refuse it. Routes with path parameters are the local server's
// own (presigned uploads) and are not routed by API Gateway.
func TestPublicRoutesSkipTheAuthorizer(t *testing.T) {
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	open := map[string]bool{}
	paths := get(doc.Content[0], "paths")
	for i := 0; paths != nil && i+1 < len(paths.Content); i += 2 {
		path := paths.Content[i].Value
		sec := get(paths.Content[i+1], "get", "security")
		if sec != nil && sec.Kind == yaml.SequenceNode && len(sec.Content) == 0 && !strings.Contains(path, "{") {
			open[path] = true
		}
	}
	if !open["/healthz"] || !open["/audit/key"] {
		t.Fatalf("public GET routes found: %v; the walk no longer sees the document", open)
	}
	tpl := mustTemplate(t)
	evs := get(tpl.resource("ApiFunction"), "Properties", "Events")
	for i := 0; evs != nil && i+1 < len(evs.Content); i += 2 {
		ev := evs.Content[i+1]
		if scalar(get(ev, "Properties", "Auth", "Authorizer")) == "NONE" && scalar(get(ev, "Properties", "Method")) == "GET" {
			delete(open, scalar(get(ev, "Properties", "Path")))
		}
	}
	for path := range open {
		t.Errorf("GET %s is public in docs/openapi.yaml but ApiFunction has no event for it with Authorizer: NONE", path)
	}
}

// TestDeletesOnlyOnLockAndDirectoryKeys: the API may delete items (lock indexes, leavers
// of the staff directory) only on those partitions, never the audit log's or a matter's.
func TestDeletesOnlyOnLockAndDirectoryKeys(t *testing.T) {
	tpl := mustTemplate(t)
	walk(get(tpl.resource("ApiFunction"), "Properties", "Policies"), func(n *yaml.Node) {
		if n.Kind != yaml.MappingNode || scalar(get(n, "Effect")) != "Allow" {
			return
		}
		acts := scalars(get(n, "Action"))
		if !slices.Contains(acts, "dynamodb:DeleteItem") && !slices.Contains(acts, "dynamodb:BatchWriteItem") {
			return
		}
		keys := scalars(get(n, "Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys"))
		if len(keys) == 0 {
			t.Errorf("line %d: the API may delete items with no leading-key condition", n.Line)
		}
		for _, k := range keys {
			// The mail queue's and the due-date index's time-ordered rows (not their records).
			if k == "MAILDUE" || k == "DUEAT" || k == "DUE#*" {
				continue
			}
			if !strings.HasPrefix(k, "LOCK") && !strings.HasPrefix(k, "STAFF") {
				t.Errorf("line %d: the API may delete items under %q", n.Line, k)
			}
		}
	})
}
