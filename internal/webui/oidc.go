package webui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

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

type oidcClient struct {
	cfg      OIDCConfig
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

func newOIDCClient(ctx context.Context, c OIDCConfig) (*oidcClient, error) {
	if c.Issuer == "" || c.ClientID == "" {
		return nil, fmt.Errorf("OpenID Connect sign-in needs the issuer and client id")
	}
	if c.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, c.HTTPClient)
	}
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OpenID Connect provider %s: %w", c.Issuer, err)
	}
	return &oidcClient{cfg: c,
		verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}),
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}},
	}, nil
}

// config is the OAuth2 configuration for this request: the redirect URL configured, or this
// host's callback (behind API Gateway the Host is the API's own domain).
func (o *oidcClient) config(r *http.Request) oauth2.Config {
	c := o.oauth
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
	idt, err := u.oidc.verifier.Verify(ctx, raw)
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
