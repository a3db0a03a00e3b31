// Package outbox is the embedded casehold.Mailer: each message is written as an .eml file to
// a folder, where a developer can open it in any mail client instead of it being sent.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/mailmsg"
)

var _ casehold.Mailer = (*Outbox)(nil)

// Outbox writes messages to a folder.
type Outbox struct {
	dir string
	// Now tells the time for the Date header and file name; tests replace it.
	// Defaults to time.Now.
	Now func() time.Time
}

// New opens (creating if needed) the outbox folder dir.
func New(dir string) (*Outbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open outbox: %w", err)
	}
	return &Outbox{dir: dir, Now: time.Now}, nil
}

// Send renders msg and writes it to dir/<UTC time>-<id>.eml, returning id. The file appears
// whole or not at all: it is written under a dot-name, which List skips, then renamed.
func (o *Outbox) Send(ctx context.Context, msg casehold.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("send mail: %w", err)
	}
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	now = now.UTC()
	id := newID()
	data, err := mailmsg.Build(msg, id+"@outbox.casehold", now)
	if err != nil {
		return "", fmt.Errorf("send mail: %w", err)
	}
	name := now.Format("20060102T150405.000000000Z") + "-" + id + ".eml"
	if err := writeAtomic(o.dir, name, data); err != nil {
		return "", fmt.Errorf("send mail: %w", err)
	}
	return id, nil
}

// List returns the paths of the .eml files in dir, oldest first.
func List(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	// The time-stamped names sort in send order.
	sort.Strings(paths)
	return paths, nil
}

func writeAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, ".sending-*")
	if err != nil {
		return fmt.Errorf("create message file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write message file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync message file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close message file: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("publish message file: %w", err)
	}
	// Sync the folder too, so a message reported as sent survives a crash.
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync outbox: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync outbox: %w", err)
	}
	return nil
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails, per crypto/rand
	return hex.EncodeToString(b)
}
