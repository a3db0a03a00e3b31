package auditlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/casehold"
)

// A checkpoint is the standard transparency-log checkpoint text (c2sp.org/tlog-checkpoint,
// as the Go checksum database and Certificate Transparency witnesses use), signed as a
// note (golang.org/x/mod/sumdb/note, Ed25519):
//
//	<origin>
//	<tree size>
//	<base64 root hash>
//	time <RFC 3339 UTC>
//
//	— <key name> <base64 signature>
//
// The origin is the signing key's name, so a checkpoint names the log it belongs to. The
// time line is an extension line the format allows.

// CheckpointText is a checkpoint's signed text before signing.
func CheckpointText(origin string, size uint64, root tlog.Hash, t time.Time) string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]),
		t.UTC().Format(time.RFC3339))
}

// Parsed is a checkpoint whose signature was verified.
type Parsed struct {
	Origin string
	Size   uint64
	Root   tlog.Hash
	Time   time.Time
}

// OpenCheckpoint verifies msg's signature with v and parses it. EINVALID if it is not
// signed by v's key, is signed for another log, or is malformed.
func OpenCheckpoint(msg []byte, v note.Verifier) (Parsed, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unknown *note.UnknownVerifierError
		if errors.As(err, &unknown) {
			return Parsed{}, casehold.Errorf(casehold.EINVALID, "checkpoint is not signed by the log key %s", v.Name())
		}
		return Parsed{}, casehold.Errorf(casehold.EINVALID, "checkpoint signature does not verify: %v", err)
	}
	p, err := parseCheckpoint(n.Text)
	if err != nil {
		return Parsed{}, err
	}
	if p.Origin != v.Name() {
		return Parsed{}, casehold.Errorf(casehold.EINVALID, "checkpoint is for log %q, not %q", p.Origin, v.Name())
	}
	return p, nil
}

func parseCheckpoint(text string) (Parsed, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return Parsed{}, casehold.Errorf(casehold.EINVALID, "checkpoint has %d lines, want at least 3", len(lines))
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return Parsed{}, casehold.Errorf(casehold.EINVALID, "checkpoint size is not a number")
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return Parsed{}, casehold.Errorf(casehold.EINVALID, "checkpoint root hash is not base64 of %d bytes", tlog.HashSize)
	}
	p := Parsed{Origin: lines[0], Size: size}
	copy(p.Root[:], raw)
	for _, l := range lines[3:] {
		if v, ok := strings.CutPrefix(l, "time "); ok {
			if p.Time, err = time.Parse(time.RFC3339, v); err != nil {
				return Parsed{}, casehold.Errorf(casehold.EINVALID, "checkpoint time is malformed")
			}
		}
	}
	return p, nil
}

// CheckpointKey is where checkpoint number n is stored, write-once, in the evidence store.
// Numbered from 1 without gaps, so a verifier finds every checkpoint by asking for the
// next number until there is none, and needs no list of them from the state store (which
// an intruder could shorten).
func CheckpointKey(n uint64) string { return fmt.Sprintf("audit/checkpoints/%020d", n) }

// GenerateKey makes a new Ed25519 log key named name (the log's origin, e.g.
// "council.example/casehold-audit"). skey is the secret signer key, vkey the public
// verifier key, both in note's text form.
func GenerateKey(name string) (skey, vkey string, err error) {
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("generate audit log key: %w", err)
	}
	return skey, vkey, nil
}

// VerifierKey derives the public verifier key from a signer key. note keeps no API for
// this, so it reads the signer key's form: PRIVATE+KEY+<name>+<hash>+<base64(1 || seed)>.
func VerifierKey(skey string) (string, error) {
	if _, err := note.NewSigner(skey); err != nil {
		return "", casehold.Errorf(casehold.EINVALID, "audit log signing key is malformed")
	}
	// Cut field by field, as note does: base64 may itself contain '+'.
	rest := strings.TrimPrefix(skey, "PRIVATE+KEY+")
	name, rest, _ := strings.Cut(rest, "+")
	_, key64, _ := strings.Cut(rest, "+")
	raw, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return "", casehold.Errorf(casehold.EINVALID, "audit log signing key is malformed")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(name, pub)
}

// Keys is the log's signer (nil where only verifying) and verifier.
type Keys struct {
	Signer   note.Signer
	Verifier note.Verifier
	// VerifierKey is the public key in text form, as printed and served.
	VerifierKey string
}

// KeysFrom builds Keys from a signer key, or only a verifier key when skey is empty.
func KeysFrom(skey, vkey string) (Keys, error) {
	var k Keys
	if skey != "" {
		s, err := note.NewSigner(skey)
		if err != nil {
			return Keys{}, casehold.Errorf(casehold.EINVALID, "audit log signing key is malformed")
		}
		derived, err := VerifierKey(skey)
		if err != nil {
			return Keys{}, err
		}
		if vkey != "" && vkey != derived {
			return Keys{}, casehold.Errorf(casehold.EINVALID, "audit log public key does not match the signing key")
		}
		k.Signer, vkey = s, derived
	}
	if vkey == "" {
		return Keys{}, casehold.Errorf(casehold.EINVALID, "no audit log key")
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Keys{}, casehold.Errorf(casehold.EINVALID, "audit log public key is malformed")
	}
	k.Verifier, k.VerifierKey = v, vkey
	return k, nil
}

// sign signs a checkpoint text.
func (k Keys) sign(text string) ([]byte, error) {
	if k.Signer == nil {
		return nil, casehold.Errorf(casehold.EINTERNAL, "this process holds no audit log signing key")
	}
	msg, err := note.Sign(&note.Note{Text: text}, k.Signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}
