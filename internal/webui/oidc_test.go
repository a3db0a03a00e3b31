package webui_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/wire"
)

// staffUser is a member of staff as the identity provider describes them: casehold's roles
// in the casehold:roles claim (or, with CASEHOLD_OIDC_ROLES_CLAIM, another claim).
type staffUser struct{ sub, name, email, rolesClaim, roles string }

func (u staffUser) ID() string { return u.sub }

func (u staffUser) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": u.sub, "name": u.name, "email": u.email})
}

func (u staffUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &staffClaims{IDTokenClaims: base, extra: map[string]any{"name": u.name, "email": u.email, u.rolesClaim: u.roles}}, nil
}

type staffClaims struct {
	*mockoidc.IDTokenClaims
	extra map[string]any
}

func (c *staffClaims) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(c.IDTokenClaims)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range c.extra {
		m[k] = v
	}
	return json.Marshal(m)
}

// oidcEnv is casehold configured as in AWS (no local sign-in, the API trusting API
// Gateway's authorizer) with the web UI signing in through a real OpenID Connect provider
// (mockoidc) running on this machine, over TLS as a deployment would be.
type oidcEnv struct {
	idp    *mockoidc.MockOIDC
	srv    *httptest.Server
	client *http.Client
	app    *wire.App
	// tamper rewrites the ID token the provider returns (nil: leave it).
	tamper func(t *testing.T, idToken string) string
}

func newOIDCEnv(t *testing.T, rolesClaim string) *oidcEnv {
	t.Helper()
	e := &oidcEnv{}
	idp, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	e.idp = idp
	// A middleware on the provider's token endpoint lets a test forge or age the ID token.
	if err := idp.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/oidc/token" || e.tamper == nil {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err == nil {
				if tok, ok := body["id_token"].(string); ok {
					body["id_token"] = e.tamper(t, tok)
				}
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			_ = json.NewEncoder(w).Encode(body)
		})
	}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	var h http.Handler
	e.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"CASEHOLD_AUTH": "apigw", "CASEHOLD_OIDC_ISSUER": idp.Issuer(),
			"CASEHOLD_OIDC_CLIENT_ID": idp.ClientID, "CASEHOLD_OIDC_CLIENT_SECRET": idp.ClientSecret,
			"CASEHOLD_OIDC_ROLES_CLAIM": rolesClaim, "CASEHOLD_SESSION_KEY": strings.Repeat("k", 40),
			"CASEHOLD_OIDC_REDIRECT_URL": e.srv.URL + "/ui/auth/callback"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.PublicURL = e.srv.URL
	e.app, err = wire.Build(context.Background(), cfg, wire.Logger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.app.Close() })
	h = e.app.Handler
	jar, _ := cookiejar.New(nil)
	e.client = e.srv.Client()
	e.client.Jar = jar
	return e
}

// signIn runs the whole flow as a browser would: casehold's sign-in link, the provider's
// authorization endpoint, the callback with the code. It returns the last answer.
func (e *oidcEnv) signIn(t *testing.T, u staffUser) (*http.Response, string) {
	t.Helper()
	e.idp.QueueUser(u)
	res, err := e.client.Get(e.srv.URL + "/ui/sign-in/oidc")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestOIDCSignIn(t *testing.T) {
	coordinator := staffUser{sub: "s-coord-77", name: "Nell Ordway", email: "nell.ordway@council.example", rolesClaim: "casehold:roles", roles: "coordinator"}
	t.Run("OK", func(t *testing.T) {
		e := newOIDCEnv(t, "")
		res, body := e.signIn(t, coordinator)
		if res.StatusCode != 200 || res.Request.URL.Path != "/" || !strings.Contains(body, "My work") || !strings.Contains(body, "Nell Ordway") {
			t.Fatalf("after sign-in: %d at %s, want My work for the signed-in coordinator:\n%.400s", res.StatusCode, res.Request.URL, body)
		}
		for _, c := range e.client.Jar.Cookies(res.Request.URL) {
			if c.Name != "__Host-casehold" {
				t.Errorf("cookie %s set; want only the __Host-casehold session", c.Name)
			}
		}
		if strings.Contains(body, "Local only") {
			t.Error("the OIDC deployment shows the local-only banner")
		}
		// The same session can use the service; sign-out ends it.
		res, err := e.client.Get(e.srv.URL + "/ui/matters/new")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("new matter page: %v %v", err, res)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		csrf := between(string(b), `name="csrf" value="`, `"`)
		res, err = e.client.PostForm(e.srv.URL+"/ui/sign-out", map[string][]string{"csrf": {csrf}})
		if err != nil || res.Request.URL.Path != "/ui/sign-in" {
			t.Fatalf("sign-out: %v %v", err, res)
		}
		res.Body.Close()
		res, _ = e.client.Get(e.srv.URL + "/ui/matters/new")
		res.Body.Close()
		if res.Request.URL.Path != "/ui/sign-in" {
			t.Errorf("after sign-out the page answered at %s, want the sign-in page", res.Request.URL.Path)
		}
	})
	t.Run("RolesClaim", func(t *testing.T) {
		// Entra ID app roles arrive in "roles"; CASEHOLD_OIDC_ROLES_CLAIM maps them.
		e := newOIDCEnv(t, "roles")
		u := coordinator
		u.rolesClaim = "roles"
		if res, body := e.signIn(t, u); res.Request.URL.Path != "/" || !strings.Contains(body, "Open a CCRC direction") {
			t.Fatalf("roles from the roles claim: at %s:\n%.300s", res.Request.URL, body)
		}
	})
	for _, tc := range []struct {
		name   string
		tamper func(e *oidcEnv) func(t *testing.T, tok string) string
		want   string
	}{
		{"ErrForged", func(e *oidcEnv) func(t *testing.T, tok string) string {
			// Same claims, signed by a key that is not the provider's.
			return func(t *testing.T, tok string) string {
				claims := jwt.MapClaims{}
				if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
					t.Fatal(err)
				}
				other, err := mockoidc.RandomKeypair(2048)
				if err != nil {
					t.Fatal(err)
				}
				forged, err := other.SignJWT(claims)
				if err != nil {
					t.Fatal(err)
				}
				return forged
			}
		}, "the identity token is not valid"},
		{"ErrExpired", func(e *oidcEnv) func(t *testing.T, tok string) string {
			// Signed by the provider's own key, but it ran out an hour ago.
			return func(t *testing.T, tok string) string {
				claims := jwt.MapClaims{}
				if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
					t.Fatal(err)
				}
				claims["iat"] = time.Now().Add(-2 * time.Hour).Unix()
				claims["exp"] = time.Now().Add(-time.Hour).Unix()
				aged, err := e.idp.Keypair.SignJWT(claims)
				if err != nil {
					t.Fatal(err)
				}
				return aged
			}
		}, "the identity token has expired"},
		{"ErrUnknownRole", nil, "names no casehold role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newOIDCEnv(t, "")
			u := coordinator
			if tc.tamper != nil {
				e.tamper = tc.tamper(e)
			} else {
				u.roles = "superuser"
			}
			res, body := e.signIn(t, u)
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, tc.want) {
				t.Fatalf("%d at %s, want 401 saying %q:\n%.600s", res.StatusCode, res.Request.URL, tc.want, body)
			}
			// No session came of it: a page still sends the browser to sign in.
			r2, _ := e.client.Get(e.srv.URL + "/")
			r2.Body.Close()
			if r2.Request.URL.Path != "/ui/sign-in" {
				t.Errorf("after a refused sign-in / answered at %s, want the sign-in page", r2.Request.URL.Path)
			}
			if err := e.app.Service.FlushAudit(context.Background()); err != nil {
				t.Fatal(err)
			}
			evs, _ := e.app.Service.Store.ListAudit(context.Background(), 0, 100)
			refused := false
			for _, ev := range evs {
				refused = refused || (ev.Action == "ui.sign_in" && ev.Outcome == casehold.OutcomeRefused)
			}
			if !refused {
				t.Error("the refused sign-in is not in the audit trail")
			}
		})
	}
	t.Run("ErrStateMismatch", func(t *testing.T) {
		e := newOIDCEnv(t, "")
		res, err := e.client.Get(e.srv.URL + "/ui/auth/callback?state=guessed&code=x")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a callback this browser did not start: %d, want 401", res.StatusCode)
		}
	})
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

// TestOIDCProviderDown: the API and the pages share one function, so a provider that cannot
// be reached must not stop it starting; sign-in says so plainly and works once it answers.
func TestOIDCProviderDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"CASEHOLD_AUTH": "apigw", "CASEHOLD_OIDC_ISSUER": "http://" + addr + "/oidc",
			"CASEHOLD_OIDC_CLIENT_ID": "casehold", "CASEHOLD_SESSION_KEY": strings.Repeat("k", 40)}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	a, err := wire.Build(context.Background(), cfg, wire.Logger(cfg, io.Discard))
	if err != nil {
		t.Fatalf("casehold did not start while the identity provider was down: %v", err)
	}
	defer a.Close()
	srv := httptest.NewTLSServer(a.Handler)
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/ui/sign-in/oidc")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadGateway || !strings.Contains(string(b), "Sign-in is not available right now") {
		t.Errorf("sign-in with the provider down: %d\n%.300s", res.StatusCode, b)
	}
	if res, err := srv.Client().Get(srv.URL + "/healthz"); err != nil || res.StatusCode != 200 {
		t.Errorf("the API is not serving: %v %v", err, res)
	}
}
