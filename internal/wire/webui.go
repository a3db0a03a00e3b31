package wire

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/httpapi"
	"github.com/casehold/casehold/internal/webui"
)

// buildUI builds the staff web UI when there is a way to sign in to it: local sign-in (the
// demo staff) or the council's OpenID Connect provider. Without either (an API-only
// deployment) the handler serves the JSON API alone.
func buildUI(ctx context.Context, cfg config.Config, a *App, log *slog.Logger) (*webui.UI, error) {
	local := cfg.Auth == "local"
	if !local && cfg.OIDCIssuer == "" {
		return nil, nil
	}
	key := []byte(cfg.SessionKey)
	if len(key) == 0 && local {
		// Derived from the local token key, so a local server needs no new secret.
		mac := hmac.New(sha256.New, a.TokenSecret)
		mac.Write([]byte("casehold web UI session key"))
		key = []byte(hex.EncodeToString(mac.Sum(nil)))
	}
	uc := webui.Config{Local: local, SessionKey: key, Council: cfg.Council,
		// Cookies are Secure everywhere but a local server on plain http.
		Secure: !local || strings.HasPrefix(cfg.PublicURL, "https://")}
	if cfg.Backend == config.AWS {
		// Large files go from the browser to the upload bucket by presigned PUT.
		uc.UploadOrigins = []string{"https://" + cfg.UploadBucket + ".s3." + cfg.Region + ".amazonaws.com"}
		if u, err := url.Parse(cfg.S3Endpoint); err == nil && cfg.S3Endpoint != "" {
			uc.UploadOrigins = []string{u.Scheme + "://" + u.Host}
		}
	}
	if cfg.OIDCIssuer != "" {
		uc.OIDC = &webui.OIDCConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
			RedirectURL: cfg.OIDCRedirectURL, RolesClaim: cfg.OIDCRolesClaim}
		if uc.OIDC.RedirectURL == "" && local {
			uc.OIDC.RedirectURL = strings.TrimSuffix(cfg.PublicURL, "/") + "/ui/auth/callback"
		}
	}
	ui, err := webui.New(ctx, a.Service, log, httpapi.RequestID, uc)
	if err != nil {
		return nil, fmt.Errorf("web UI: %w", err)
	}
	return ui, nil
}
