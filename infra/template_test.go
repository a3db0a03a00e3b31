// Package infra holds what deploys and exercises casehold outside Go code: the SAM build
// rules, emulator scripts and sample events. Its tests check template.yaml offline, since
// `sam validate` needs AWS credentials and cannot run in tests.
package infra

import (
	"bufio"
	"encoding/json"
	"fmt"
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
)

const (
	templatePath  = "../template.yaml"
	functionsPath = "../functions"
	samMakefile   = "sam.mk"
)

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
