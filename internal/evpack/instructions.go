package evpack

import (
	"fmt"
	"time"
)

// VerifyText is VERIFY.txt: how to check the pack, in plain words, with common tools
// first and casehold's own checker second.
func VerifyText(m Manifest, packDigestNote string) string {
	return fmt.Sprintf(`HOW TO CHECK THIS EVIDENCE PACK

This pack was made by casehold on %s for matter %s (reference %s).
It holds %d document(s) and %d audit event(s) about the matter.

What is in it
  documents/        the documents, named by type and date as they are disclosed
  manifest.sha256   the SHA-256 fingerprint of every other file in the pack
  manifest.json     each document's id, stored version id, size, fingerprint and the
                    periods it was held under a legal hold
  audit.jsonl       one line per audit event of the matter; each line carries the event
                    and the proof that it is part of the council's audit log
  checkpoint.txt    the audit log's checkpoint the proofs lead to, signed by the log's key
  log-key.txt       the audit log's public key

1. Check that no file was changed (needs only sha256sum)
   Unzip the pack, go into its folder and run:

       sha256sum -c manifest.sha256

   Every line must end in "OK". A changed, missing or damaged file is named with
   "FAILED". On a Mac use "shasum -a 256 -c manifest.sha256".

2. Check that the pack comes from the council's audit log
   manifest.sha256 itself is not signed. Ask the council for its audit log public key
   (it publishes it; casehold serves it at /audit/key) and compare it with log-key.txt.
   %s

3. Check the audit proofs (needs casehold, works offline)

       casehold verify-pack -key "PUBLIC KEY FROM THE COUNCIL" pack.zip

   This checks everything in step 1, the checkpoint's signature with the key, each audit
   line's inclusion proof against that checkpoint, that the lines are in the log's order
   and that every event manifest.json lists is there. Anything wrong is named by file
   and line. A single line of audit.jsonl can also be checked on its own:

       sed -n 5p audit.jsonl > event.json
       casehold audit check-proof -key "$(cat log-key.txt)" event.json

The proofs follow the transparency log design of the Go checksum database
(golang.org/x/mod/sumdb/tlog, signed notes in the c2sp.org/tlog-checkpoint form), so
they can also be checked with other tools that read that format.
`, m.CreatedAt.UTC().Format(time.RFC3339), m.MatterID, m.Reference, len(m.Documents), m.Audit.Events, packDigestNote)
}
