package config

import (
	"strings"
	"testing"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

var awsEnv = []string{"CASEHOLD_BACKEND", "aws", "CASEHOLD_TABLE", "t", "CASEHOLD_EVIDENCE_BUCKET", "e", "CASEHOLD_UPLOAD_BUCKET", "u"}

func TestFromEnv(t *testing.T) {
	t.Run("DefaultsWorkWithNothingSet", func(t *testing.T) {
		c, err := FromEnv(env())
		if err != nil {
			t.Fatal(err)
		}
		if c.Backend != Embedded || c.DataDir != "var" || c.Addr != "127.0.0.1:8080" ||
			c.MaxUploadBytes != DefaultMaxUploadBytes || c.PublicURL != "http://127.0.0.1:8080" || c.Auth != "local" {
			t.Errorf("defaults = %+v", c)
		}
	})
	cases := []struct {
		name    string
		env     func(string) string
		wantErr string
	}{
		{"BadBackend", env("CASEHOLD_BACKEND", "cloud"), "CASEHOLD_BACKEND"},
		{"BadMax", env("CASEHOLD_MAX_UPLOAD_BYTES", "lots"), "CASEHOLD_MAX_UPLOAD_BYTES"},
		{"TinyMax", env("CASEHOLD_MAX_UPLOAD_BYTES", "10"), "CASEHOLD_MAX_UPLOAD_BYTES"},
		{"BadAddr", env("CASEHOLD_ADDR", "8080"), "CASEHOLD_ADDR"},
		{"AWSNeedsTable", env("CASEHOLD_BACKEND", "aws", "CASEHOLD_EVIDENCE_BUCKET", "e", "CASEHOLD_UPLOAD_BUCKET", "u"), "CASEHOLD_TABLE"},
		{"BadAuth", env("CASEHOLD_AUTH", "none"), "CASEHOLD_AUTH"},
		{"LocalSignInRefusedInLambda", env("AWS_LAMBDA_FUNCTION_NAME", "casehold-api", "CASEHOLD_AUTH", "local"), "CASEHOLD_AUTH"},
		{"LocalSignInRefusedOnRealAWS", env(append(awsEnv, "CASEHOLD_AUTH", "local")...), "CASEHOLD_S3_ENDPOINT"},
		{"LocalSignInRefusedOnRemoteEndpoint", env(append(awsEnv, "CASEHOLD_AUTH", "local", "CASEHOLD_S3_ENDPOINT", "http://10.0.0.5:9000",
			"CASEHOLD_DYNAMODB_ENDPOINT", "http://127.0.0.1:8000", "CASEHOLD_SES_ENDPOINT", "http://127.0.0.1:8005")...), "CASEHOLD_S3_ENDPOINT"},
		{"BadLiftsHolds", env("CASEHOLD_LIFTS_HOLDS", "perhaps"), "CASEHOLD_LIFTS_HOLDS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FromEnv(c.env)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want one naming %s", err, c.wantErr)
			}
		})
	}
	t.Run("LocalSignInOnEmulators", func(t *testing.T) {
		c, err := FromEnv(env(append(awsEnv, "CASEHOLD_AUTH", "local", "CASEHOLD_S3_ENDPOINT", "http://127.0.0.1:9000",
			"CASEHOLD_DYNAMODB_ENDPOINT", "http://localhost:8000", "CASEHOLD_SES_ENDPOINT", "http://[::1]:8005")...))
		if err != nil {
			t.Fatal(err)
		}
		if c.Auth != "local" || !c.LiftsHolds {
			t.Errorf("auth %q lifts holds %v, want local and true", c.Auth, c.LiftsHolds)
		}
	})
	t.Run("LambdaDoesNotLiftHoldsByDefault", func(t *testing.T) {
		c, err := FromEnv(env(append(awsEnv, "AWS_LAMBDA_FUNCTION_NAME", "casehold-api")...))
		if err != nil {
			t.Fatal(err)
		}
		if c.LiftsHolds || c.Auth != "apigw" {
			t.Errorf("in Lambda: lifts holds %v auth %q, want false and apigw", c.LiftsHolds, c.Auth)
		}
		c, err = FromEnv(env(append(awsEnv, "AWS_LAMBDA_FUNCTION_NAME", "casehold-release", "CASEHOLD_LIFTS_HOLDS", "true")...))
		if err != nil || !c.LiftsHolds {
			t.Errorf("release function: lifts holds %v, %v; want true", c.LiftsHolds, err)
		}
	})
	t.Run("AWSComplete", func(t *testing.T) {
		c, err := FromEnv(env("CASEHOLD_BACKEND", "aws", "CASEHOLD_TABLE", "t", "CASEHOLD_EVIDENCE_BUCKET", "e",
			"CASEHOLD_UPLOAD_BUCKET", "u", "AWS_REGION", "eu-west-1"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Region != "eu-west-1" {
			t.Errorf("region = %q, want AWS_REGION's eu-west-1", c.Region)
		}
	})
}
