// Package auth turns a request's credentials into a casehold.Actor. In AWS the API Gateway
// JWT authorizer has already verified the token and passes its claims; locally the server
// verifies tokens it issued itself for the seeded demo staff. Both read the same claims.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/golang-jwt/jwt/v5"

	"github.com/casehold/casehold/internal/casehold"
)

// RolesClaim is the claim naming the staff member's roles (space- or comma-separated, or
// a JSON array; API Gateway renders arrays as "[a b]").
const RolesClaim = "casehold:roles"

// Authenticator finds who is calling.
type Authenticator interface {
	Authenticate(r *http.Request) (casehold.Actor, error)
}

// ActorFromClaims builds an actor from verified claims: sub, name, email and RolesClaim.
func ActorFromClaims(claims map[string]any) (casehold.Actor, error) {
	str := func(k string) string {
		s, _ := claims[k].(string)
		return s
	}
	a := casehold.Actor{ID: str("sub"), Name: str("name"), Email: str("email")}
	if a.ID == "" {
		return casehold.Actor{}, casehold.Errorf(casehold.EUNAUTHORIZED, "token has no subject")
	}
	roles, err := parseRoles(claims[RolesClaim])
	if err != nil {
		return casehold.Actor{}, err
	}
	a.Roles = roles
	return a, nil
}

func parseRoles(v any) ([]casehold.Role, error) {
	var names []string
	switch x := v.(type) {
	case nil:
	case string:
		names = strings.FieldsFunc(strings.Trim(x, "[]"), func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, casehold.Errorf(casehold.EUNAUTHORIZED, "token roles are malformed")
			}
			names = append(names, s)
		}
	default:
		return nil, casehold.Errorf(casehold.EUNAUTHORIZED, "token roles are malformed")
	}
	var roles []casehold.Role
	for _, n := range names {
		r := casehold.Role(strings.TrimSpace(n))
		if !known(r) {
			return nil, casehold.Errorf(casehold.EUNAUTHORIZED, "token names an unknown role")
		}
		roles = append(roles, r)
	}
	return roles, nil
}

func known(r casehold.Role) bool {
	for _, k := range casehold.KnownRoles {
		if k == r {
			return true
		}
	}
	return false
}

// Local verifies HS256 tokens signed with Secret (the local server's own tokens).
type Local struct {
	Secret []byte
	Now    func() time.Time
}

// Authenticate reads "Authorization: Bearer <token>".
func (l *Local) Authenticate(r *http.Request) (casehold.Actor, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return casehold.Actor{}, casehold.Errorf(casehold.EUNAUTHORIZED, "missing bearer token (Authorization: Bearer <token>)")
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return l.Secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(now))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return casehold.Actor{}, casehold.Errorf(casehold.EUNAUTHORIZED, "token has expired")
	case err != nil:
		return casehold.Actor{}, casehold.Errorf(casehold.EUNAUTHORIZED, "token is not valid")
	}
	return ActorFromClaims(claims)
}

// Issue signs a token for actor valid for ttl.
func Issue(secret []byte, a casehold.Actor, now time.Time, ttl time.Duration) (string, error) {
	roles := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		roles[i] = string(r)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": a.ID, "name": a.Name, "email": a.Email, RolesClaim: strings.Join(roles, " "),
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(), "iss": "casehold-local",
	})
	s, err := t.SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// APIGateway reads the claims API Gateway's JWT authorizer verified.
type APIGateway struct{}

// Authenticate reads requestContext.authorizer.jwt.claims.
func (APIGateway) Authenticate(r *http.Request) (casehold.Actor, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return casehold.Actor{}, casehold.Errorf(casehold.EUNAUTHORIZED, "request carries no verified token")
	}
	claims := map[string]any{}
	for k, v := range rc.Authorizer.JWT.Claims {
		claims[k] = v
	}
	// A roles claim that is a JSON array arrives as its text.
	if s, ok := claims[RolesClaim].(string); ok && strings.HasPrefix(s, `["`) {
		var arr []any
		if json.Unmarshal([]byte(s), &arr) == nil {
			claims[RolesClaim] = arr
		}
	}
	return ActorFromClaims(claims)
}

type ctxKey struct{}

// WithActor returns ctx carrying the actor.
func WithActor(ctx context.Context, a casehold.Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// ActorFrom returns the actor in ctx.
func ActorFrom(ctx context.Context) (casehold.Actor, bool) {
	a, ok := ctx.Value(ctxKey{}).(casehold.Actor)
	return a, ok
}
