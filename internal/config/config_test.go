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
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FromEnv(c.env)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want one naming %s", err, c.wantErr)
			}
		})
	}
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
