package webui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/casehold/casehold/internal/auth"
)

// OIDCConfig is the council's identity provider (Entra ID, Cognito or any OpenID Connect
// provider): the authorization code flow with PKCE.
type OIDCConfig struct {
	Issuer       string // e.g. https://login.microsoftonline.com/<tenant>/v2.0
	ClientID     string
	ClientSecret string // empty for a public client (PKCE alone)
	RedirectURL  string // https://<host>/ui/auth/callback
	// RolesClaim names the claim carrying casehold roles when it is not "casehold:roles"
	// (Entra ID app roles arrive in "roles", Cognito groups in "cognito:groups").
	RolesClaim string
	// HTTPClient, if set, is used to reach the provider (tests).
	HTTPClient *http.Client
}

// oidcClient discovers the provider on first use, not at start-up: the API and the pages
// share one Lambda, and a provider that cannot be reached for a moment must not stop the
// JSON API from starting. A failed discovery is tried again at the next sign-in.
type oidcClient struct {
	cfg OIDCConfig

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

func newOIDCClient(c OIDCConfig) (*oidcClient, error) {
	if c.Issuer == "" || c.ClientID == "" {
		return nil, fmt.Errorf("OpenID Connect sign-in needs the issuer and client id")
	}
	if _, err := url.Parse(c.Issuer); err != nil {
		return nil, fmt.Errorf("OpenID Connect issuer: %w", err)
	}
	return &oidcClient{cfg: c}, nil
}

// discover reads the provider's configuration and keys (once, then cached).
func (o *oidcClient) discover(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier != nil {
		return nil
	}
	p, err := oidc.NewProvider(o.ctx(ctx), o.cfg.Issuer)
	if err != nil {
		return fmt.Errorf("OpenID Connect provider %s: %w", o.cfg.Issuer, err)
	}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	o.oauth = oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	return nil
}

// config is the OAuth2 configuration for this request: the redirect URL configured, or this
// host's callback (behind API Gateway the Host is the API's own domain).
func (o *oidcClient) config(r *http.Request) oauth2.Config {
	o.mu.Lock()
	c := o.oauth
	o.mu.Unlock()
	if c.RedirectURL == "" {
		c.RedirectURL = "https://" + r.Host + "/ui/auth/callback"
	}
	return c
}

func (o *oidcClient) ctx(ctx context.Context) context.Context {
	if o.cfg.HTTPClient != nil {
		return context.WithValue(oidc.ClientContext(ctx, o.cfg.HTTPClient), oauth2.HTTPClient, o.cfg.HTTPClient)
	}
	return ctx
}

// signInOIDC starts the flow: a fresh state, nonce and PKCE verifier kept in the sealed
// session, then off to the provider.
func (u *UI) signInOIDC(w http.ResponseWriter, r *http.Request) {
	if u.oidc == nil {
		u.renderError(w, r, nil, http.StatusNotFound, "Page not found", "This server signs in with the demo staff list.")
		return
	}
	if err := u.oidc.discover(r.Context()); err != nil {
		u.Log.ErrorContext(r.Context(), "web UI: identity provider unreachable", "err", err)
		u.renderError(w, r, nil, http.StatusBadGateway, "Sign-in is not available right now", "The council's sign-in service did not answer. Try again in a few minutes.")
		return
	}
	ss := u.anonymous(w, r)
	ss.State, ss.Nonce, ss.Verifier = randomToken(), randomToken(), oauth2.GenerateVerifier()
	u.sessions.write(w, ss)
	oc := u.oidc.config(r)
	http.Redirect(w, r, oc.AuthCodeURL(ss.State, oidc.Nonce(ss.Nonce), oauth2.S256ChallengeOption(ss.Verifier)), http.StatusFound)
}

// oidcCallback finishes the flow: the state must match, the code is exchanged with the
// PKCE verifier, and the ID token must be signed by the provider, for this client, unexpired
// and carry our nonce. Its claims become the actor exactly as the API's authorizer's do.
func (u *UI) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if u.oidc == nil {
		u.renderError(w, r, nil, http.StatusNotFound, "Page not found", "")
		return
	}
	refuse := func(reason string, err error) {
		u.Log.WarnContext(r.Context(), "web UI: sign-in refused", "reason", reason, "err", err)
		_ = u.App.RecordSignInRefused(r.Context(), reason)
		u.sessions.write(w, u.sessions.fresh(u.App.Clock.Now()))
		u.renderError(w, r, nil, http.StatusUnauthorized, "You could not be signed in", "Your sign-in could not be checked ("+reason+"). Try again from the sign-in page.")
	}
	ss, err := u.sessions.read(r, u.App.Clock.Now())
	q := r.URL.Query()
	if err != nil || ss.State == "" || q.Get("state") != ss.State {
		refuse("the sign-in was not started here, or has expired", err)
		return
	}
	if e := q.Get("error"); e != "" {
		refuse("the identity provider said "+safeWord(e), nil)
		return
	}
	if err := u.oidc.discover(r.Context()); err != nil {
		refuse("the council's sign-in service did not answer", err)
		return
	}
	ctx := u.oidc.ctx(r.Context())
	oc := u.oidc.config(r)
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(ss.Verifier))
	if err != nil {
		refuse("the sign-in code was not accepted", err)
		return
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		refuse("no identity token was returned", nil)
		return
	}
	u.oidc.mu.Lock()
	verifier := u.oidc.verifier
	u.oidc.mu.Unlock()
	idt, err := verifier.Verify(ctx, raw)
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		refuse("the identity token has expired", err)
		return
	case err != nil:
		refuse("the identity token is not valid", err)
		return
	case idt.Nonce != ss.Nonce:
		refuse("the identity token was not issued for this sign-in", nil)
		return
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		refuse("the identity token's claims could not be read", err)
		return
	}
	if rc := u.oidc.cfg.RolesClaim; rc != "" && rc != auth.RolesClaim {
		claims[auth.RolesClaim] = claims[rc]
	}
	a, err := auth.ActorFromClaims(claims)
	if err != nil {
		refuse("the identity token names no casehold role we know", err)
		return
	}
	u.startSession(w, r, ss, a)
}

// safeWord keeps an error code from the provider to letters and underscores.
func safeWord(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}
