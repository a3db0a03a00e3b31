package webui

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// session is what the browser carries, sealed (AES-256-GCM) so it can be neither read nor
// altered: who signed in, the CSRF token of their forms, when the session began and was last
// used, and, during an OpenID Connect sign-in, the state, nonce and PKCE verifier of the
// flow under way. It is kept in the cookie rather than the store so a page needs no extra
// write; sign-out records its ID as ended in the store, so a copied cookie dies with it.
type session struct {
	// ID names the session server-side: signing out records it as ended (see page).
	ID       string          `json:"id"`
	Actor    *casehold.Actor `json:"a,omitempty"`
	CSRF     string          `json:"c"`
	Started  int64           `json:"t"`
	Seen     int64           `json:"s"`
	Notice   string          `json:"n,omitempty"` // shown once after a redirect (no personal data)
	State    string          `json:"os,omitempty"`
	Nonce    string          `json:"on,omitempty"`
	Verifier string          `json:"ov,omitempty"`
	Next     string          `json:"nx,omitempty"` // the page to return to after sign-in
}

// sessions seals and opens session cookies.
type sessions struct {
	aead   cipher.AEAD
	name   string
	secure bool
	idle   time.Duration
	maxAge time.Duration
}

// Cookie names: the __Host- prefix makes the browser refuse the cookie unless it is
// Secure, for this host only, with Path=/; a plain http://127.0.0.1 server cannot use it.
const (
	secureCookie = "__Host-casehold"
	localCookie  = "casehold"
)

func newSessions(key []byte, secure bool, idle, maxAge time.Duration) (*sessions, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("session key must be at least 32 bytes")
	}
	// Derive the cipher key, so the same secret never keys two different algorithms.
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("casehold webui session v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("session cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("session cipher: %w", err)
	}
	name := localCookie
	if secure {
		name = secureCookie
	}
	return &sessions{aead: aead, name: name, secure: secure, idle: idle, maxAge: maxAge}, nil
}

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// fresh starts an anonymous session (before sign-in it still carries a CSRF token).
func (s *sessions) fresh(now time.Time) *session {
	return &session{ID: randomToken(), CSRF: randomToken(), Started: now.Unix(), Seen: now.Unix()}
}

var errNoSession = errors.New("no session")

// read opens the request's session. An absent, altered, expired or idle session is
// errNoSession: the caller starts afresh.
func (s *sessions) read(r *http.Request, now time.Time) (*session, error) {
	c, err := r.Cookie(s.name)
	if err != nil {
		return nil, errNoSession
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	ns := s.aead.NonceSize()
	if err != nil || len(raw) < ns {
		return nil, errNoSession
	}
	plain, err := s.aead.Open(nil, raw[:ns], raw[ns:], []byte(s.name))
	if err != nil {
		return nil, errNoSession
	}
	var ss session
	if err := json.Unmarshal(plain, &ss); err != nil || ss.CSRF == "" || ss.ID == "" {
		return nil, errNoSession
	}
	if now.Sub(time.Unix(ss.Started, 0)) > s.maxAge || now.Sub(time.Unix(ss.Seen, 0)) > s.idle {
		return nil, errNoSession
	}
	return &ss, nil
}

// write seals ss into the response's cookie. HttpOnly: no script reads it; SameSite=Lax:
// a cross-site form post does not carry it; Secure outside local mode.
func (s *sessions) write(w http.ResponseWriter, ss *session) {
	plain, _ := json.Marshal(ss)
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := s.aead.Seal(nonce, nonce, plain, []byte(s.name))
	http.SetCookie(w, &http.Cookie{Name: s.name, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: "/",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(s.maxAge.Seconds())})
}

// clear ends the session in the browser.
func (s *sessions) clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.name, Value: "", Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
