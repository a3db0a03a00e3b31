package ccrcform

import (
	"fmt"
	"io"
)

// Receipt is one hand-over of paper files: the chain-of-custody record the giver and the
// receiver sign, kept as evidence and copied to the sender.
type Receipt struct {
	Council     string
	MatterID    string
	ReceiptID   string
	Reference   string
	Purpose     string // e.g. "Files handed over to be secured", "Files returned after release"
	PID         string
	Giver       string
	Receiver    string
	On          string
	Items       string
	GeneratedAt string
}

// RenderReceipt writes the receipt as a PDF to w, with lines for both signatures.
func RenderReceipt(w io.Writer, rc Receipt) error {
	r := newRenderer(Form{MatterID: rc.MatterID, GeneratedAt: rc.GeneratedAt})
	p := r.pdf
	p.SetFont(family, "B", 15)
	p.CellFormat(r.width, 7, "Receipt for files handed over", "", 1, "L", false, 0, "")
	p.SetFont(family, "", 11)
	p.CellFormat(r.width, 6, clean(rc.Purpose), "", 1, "L", false, 0, "")
	p.Ln(3)
	r.block("", []kv{
		{"Council", rc.Council},
		{"Matter", rc.MatterID},
		{"Requester's reference", rc.Reference},
		{"Receipt", rc.ReceiptID},
		{"Person (PID)", rc.PID},
		{"Date of hand-over", rc.On},
		{"Handed over by", rc.Giver},
		{"Received by", rc.Receiver},
		{"Files handed over", rc.Items},
	})
	p.Ln(10)
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
