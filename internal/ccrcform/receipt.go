package ccrcform

import (
	"fmt"
	"io"
)

// Receipt is one hand-over of paper files: the chain-of-custody record the giver and the
// receiver sign, kept as evidence and copied to the sender.
type Receipt struct {
	Council   string
	MatterID  string
	ReceiptID string
	Reference string
	Return    bool   // files handed back after the release, not handed over to be secured
	Purpose   string // e.g. "Files handed over to be secured", "Files returned after release"
	PID       string
	// Person is the name of the person the files concern, printed as the access policy
	// allows (the receipt is held evidence, read only by those who may read the matter);
	// for a related person not named by the requester it says so.
	Person                 string
	Giver, GiverRole       string
	Receiver, ReceiverRole string
	ReceivedFrom, ReturnTo string
	On, Items, GeneratedAt string
}

// RenderReceipt writes the receipt as a PDF to w, with lines for both signatures.
func RenderReceipt(w io.Writer, rc Receipt) error {
	r := newRenderer(Form{MatterID: rc.MatterID, Reference: rc.Reference, GeneratedAt: rc.GeneratedAt})
	p := r.pdf
	p.SetFont(family, "B", 15)
	title := "Receipt for files handed over"
	if rc.Return {
		title = "Receipt for files returned"
	}
	p.CellFormat(r.width, 7, title, "", 1, "L", false, 0, "")
	p.SetFont(family, "", 11)
	p.CellFormat(r.width, 6, clean(rc.Purpose), "", 1, "L", false, 0, "")
	p.Ln(3)
	r.block("", []kv{
		{"Requester's reference", rc.Reference},
		{"Council", rc.Council},
		{"Receipt", rc.ReceiptID},
		{"Person the files concern", rc.Person},
		{"PID", rc.PID},
		{"Date of hand-over", rc.On},
		{"Handed over by", rc.Giver},
		{"Their role", rc.GiverRole},
		{"Received by", rc.Receiver},
		{"Their role", rc.ReceiverRole},
		{"Received from (part of the council)", rc.ReceivedFrom},
		{"To be returned to", rc.ReturnTo},
		{"Files handed over", rc.Items},
		{"casehold matter id (internal)", rc.MatterID},
	})
	p.Ln(8)
	r.setBody(false)
	for _, who := range []string{"Signed (handed over by)", "Signed (received by)"} {
		p.CellFormat(62, 10, who, "", 0, "L", false, 0, "")
		x, y := p.GetX(), p.GetY()
		p.Line(x, y+8, x+90, y+8)
		p.Ln(14)
	}
	r.note("A copy of this receipt goes to the person who handed the files over.")
	if err := p.Output(w); err != nil {
		return fmt.Errorf("render receipt: %w", err)
	}
	return nil
}
