package infra

import (
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/webui"
)

// TestWebUIRoutesSkipTheAuthorizer: API Gateway's JWT authorizer reads a bearer header,
// which a browser never sends, so every page route of the web UI must reach ApiFunction
// through an event with Authorizer: NONE (the function checks its session cookie itself),
// and the JSON API's catch-all must keep the authorizer.
func TestWebUIRoutesSkipTheAuthorizer(t *testing.T) {
	tpl := mustTemplate(t)
	evs := get(tpl.resource("ApiFunction"), "Properties", "Events")
	open := map[string]string{} // path -> method
	for i := 0; evs != nil && i+1 < len(evs.Content); i += 2 {
		ev := evs.Content[i+1]
		path := scalar(get(ev, "Properties", "Path"))
		if scalar(get(ev, "Properties", "Auth", "Authorizer")) == "NONE" {
			open[path] = scalar(get(ev, "Properties", "Method"))
		} else if path == "/{proxy+}" && get(ev, "Properties", "Auth") != nil {
			t.Errorf("the API's catch-all route must keep the default JWT authorizer")
		}
	}
	covered := func(method, path string) bool {
		for p, m := range open {
			if m != "ANY" && m != method {
				continue
			}
			if prefix, ok := strings.CutSuffix(p, "{proxy+}"); ok && strings.HasPrefix(path, prefix) && (len(path) > len(prefix) || strings.HasSuffix(path, "/")) {
				// "/ui/" is the Go mux's subtree pattern: every page under /ui/.
				return true
			}
			if p == strings.TrimSuffix(path, "{$}") {
				return true
			}
		}
		return false
	}
	routes := (&webui.UI{}).Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d web UI routes: the walk no longer sees the table", len(routes))
	}
	for _, r := range routes {
		if !covered(r.Method, r.Path) {
			t.Errorf("web UI route %s %s has no ApiFunction event with Authorizer: NONE in template.yaml", r.Method, r.Path)
		}
	}
}
