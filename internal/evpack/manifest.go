package evpack

import "time"

// Manifest is manifest.json: what the pack holds, for people and programs.
type Manifest struct {
	Format       string    `json:"format"`
	MatterID     string    `json:"matter_id"`
	MatterKind   string    `json:"matter_kind"`
	Reference    string    `json:"reference"`
	MatterStatus string    `json:"matter_status"`
	CreatedAt    time.Time `json:"created_at"`
	CreatedBy    string    `json:"created_by"` // staff id
	Council      string    `json:"council,omitempty"`
	Documents    []Entry   `json:"documents"`
	// Disposed lists the matter's documents destroyed under the retention schedule: their
	// records are kept, their bytes are not in the pack.
	Disposed []DisposedEntry `json:"disposed"`
	Audit    Audit           `json:"audit"`
}

// DisposedEntry is a document of the matter that was disposed of.
type DisposedEntry struct {
	DocumentID     string    `json:"document_id"`
	VersionID      string    `json:"version_id"`
	SHA256         string    `json:"sha256"`
	Size           int64     `json:"size"`
	DisposedAt     time.Time `json:"disposed_at"`
	CertificateKey string    `json:"certificate_key"`
}

// Entry is one document of the pack.
type Entry struct {
	DocumentID string       `json:"document_id"`
	VersionID  string       `json:"version_id"`
	File       string       `json:"file"` // path inside the pack
	SHA256     string       `json:"sha256"`
	Size       int64        `json:"size"`
	DocType    string       `json:"doc_type"`
	DocDate    string       `json:"doc_date"`
	Source     string       `json:"source"`
	UploadedAt time.Time    `json:"uploaded_at"`
	UploadedBy string       `json:"uploaded_by"`
	PIDs       []string     `json:"pids"`
	Holds      []HoldPeriod `json:"holds"`
}

// HoldPeriod says when a matter held the document: from its filing under the matter
// until the matter's release (Until empty while it still holds it).
type HoldPeriod struct {
	MatterID string     `json:"matter_id"`
	From     *time.Time `json:"from,omitempty"`
	Until    *time.Time `json:"until,omitempty"`
	HeldNow  bool       `json:"held_now"`
}

// Audit describes audit.jsonl: the events about the matter or its documents integrated
// into the log up to the signed checkpoint the pack carries, in log order.
type Audit struct {
	Events         int      `json:"events"`
	EventIDs       []string `json:"event_ids"`
	LogOrigin      string   `json:"log_origin"`
	CheckpointSize uint64   `json:"checkpoint_size"`
	CheckpointNo   uint64   `json:"checkpoint_number"`
}
