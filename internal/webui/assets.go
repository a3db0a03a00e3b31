package webui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// The GOV.UK Frontend build (refreshed by `make ui-assets`, see infra/ui-assets.sh) and
// casehold's own script and styles, embedded so the binary serves everything itself.
//
//go:embed assets
var assetFS embed.FS

type asset struct {
	body, gz []byte
	ctype    string
	etag     string
}

type assets struct{ files map[string]*asset }

// loadAssets reads every asset once and keeps a gzip copy, so a page's first load sends
// the compressed CSS and JS.
func loadAssets() (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		x := &asset{body: b, ctype: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		if strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "svg") {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(b)
			_ = zw.Close()
			x.gz = buf.Bytes()
		}
		a.files[strings.TrimPrefix(p, "assets/")] = x
		return nil
	})
	return a, err
}

func (u *UI) serveAsset(w http.ResponseWriter, r *http.Request) {
	x, ok := u.assets.files[r.PathValue("path")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", x.ctype)
	h.Set("ETag", x.etag)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == x.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := x.body
	if x.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = x.gz
	}
	_, _ = w.Write(body)
}
