package auth

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/casehold/casehold/internal/casehold"
)

func TestActorFromClaims(t *testing.T) {
	cases := []struct {
		name   string
		claims map[string]any
		roles  []casehold.Role
		ok     bool
	}{
		{"SpaceSeparated", map[string]any{"sub": "s1", RolesClaim: "coordinator legal"}, []casehold.Role{"coordinator", "legal"}, true},
		{"CommaSeparated", map[string]any{"sub": "s1", RolesClaim: "ig,team_manager"}, []casehold.Role{"ig", "team_manager"}, true},
		{"APIGatewayArrayText", map[string]any{"sub": "s1", RolesClaim: "[edt helpdesk]"}, []casehold.Role{"edt", "helpdesk"}, true},
		{"JSONArray", map[string]any{"sub": "s1", RolesClaim: []any{"legal"}}, []casehold.Role{"legal"}, true},
		{"NoRoles", map[string]any{"sub": "s1"}, nil, true},
		{"NoSubject", map[string]any{RolesClaim: "legal"}, nil, false},
		{"UnknownRole", map[string]any{"sub": "s1", RolesClaim: "superuser"}, nil, false},
		{"RolesWrongType", map[string]any{"sub": "s1", RolesClaim: 7.0}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ActorFromClaims(c.claims)
			if !c.ok {
				if casehold.ErrorCode(err) != casehold.EUNAUTHORIZED {
					t.Fatalf("err = %v, want EUNAUTHORIZED", err)
				}
				return
			}
			if err != nil || len(a.Roles) != len(c.roles) {
				t.Fatalf("ActorFromClaims = %+v, %v", a, err)
			}
			for i := range c.roles {
				if a.Roles[i] != c.roles[i] {
					t.Fatalf("roles = %v, want %v", a.Roles, c.roles)
				}
			}
		})
	}
}

func TestLocalTokens(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	l := &Local{Secret: secret, Now: func() time.Time { return now }}
	tok, err := Issue(secret, DemoStaff[0], now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	a, err := l.Authenticate(req)
	if err != nil || a.ID != DemoStaff[0].ID || !a.Has(casehold.RoleCoordinator) {
		t.Fatalf("Authenticate = %+v, %v", a, err)
	}
	later := &Local{Secret: secret, Now: func() time.Time { return now.Add(2 * time.Hour) }}
	if _, err := later.Authenticate(req); casehold.ErrorCode(err) != casehold.EUNAUTHORIZED {
		t.Errorf("expired token: %v", err)
	}
	other := &Local{Secret: []byte("another-secret-another-secret-00"), Now: l.Now}
	if _, err := other.Authenticate(req); casehold.ErrorCode(err) != casehold.EUNAUTHORIZED {
		t.Errorf("token from another key: %v", err)
	}
}

func TestAPIGateway(t *testing.T) {
	req := httptest.NewRequest("GET", "/me", nil)
	if _, err := (APIGateway{}).Authenticate(req); casehold.ErrorCode(err) != casehold.EUNAUTHORIZED {
		t.Fatalf("no context: %v", err)
	}
	ev := events.APIGatewayV2HTTPRequest{RawPath: "/me", RequestContext: events.APIGatewayV2HTTPRequestContext{
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/me"},
		Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
				"sub": "staff-7", "name": "Invented Person", RolesClaim: `["legal","ig"]`}}}}}
	viaProxy, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	a, err := (APIGateway{}).Authenticate(viaProxy)
	if err != nil || a.ID != "staff-7" || !a.Has(casehold.RoleLegal) || !a.Has(casehold.RoleIG) {
		t.Fatalf("Authenticate = %+v, %v", a, err)
	}
}

// FuzzActorFromClaims: any claims text gives an actor or EUNAUTHORIZED, never a panic or
// an unknown role.
func FuzzActorFromClaims(f *testing.F) {
	f.Add("s1", "coordinator legal")
	f.Add("", "[a b]")
	f.Add("x", `["ig"]`)
	f.Fuzz(func(t *testing.T, sub, roles string) {
		a, err := ActorFromClaims(map[string]any{"sub": sub, RolesClaim: roles})
		if err != nil {
			if casehold.ErrorCode(err) != casehold.EUNAUTHORIZED {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for _, r := range a.Roles {
			if !known(r) {
				t.Fatalf("accepted unknown role %q", r)
			}
		}
	})
}

// TestDemoDirectoryMatchesDemoStaff: the seeded directory names every demo member as their
// token does, and parses.
func TestDemoDirectoryMatchesDemoStaff(t *testing.T) {
	members, err := casehold.ParseStaffCSV(strings.NewReader(DemoDirectory))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]casehold.StaffMember{}
	for _, m := range members {
		byID[m.ID] = m
	}
	for _, a := range DemoStaff {
		m, ok := byID[a.ID]
		if !ok || m.Name != a.Name || m.Email != a.Email || len(m.Teams) == 0 {
			t.Errorf("directory entry for %s = %+v, want the token's name and email and a team", a.ID, m)
		}
	}
	if len(members) != len(DemoStaff) {
		t.Errorf("directory has %d members, demo staff %d", len(members), len(DemoStaff))
	}
}
