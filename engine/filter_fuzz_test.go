package engine_test

import (
	"testing"

	"github.com/imredis/imredis/engine"
)

// FuzzDecodeCursor checks that DecodeCursor never panics and that what it
// accepts encodes back to an equal cursor.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(engine.Cursor{Pos: engine.Position{Created: 1, ID: testID}, Desc: true, Key: 7}.Encode())
	f.Add(b64("1|false|-1|" + otherID + "|ff"))
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := engine.DecodeCursor(tok)
		if err != nil {
			return
		}
		again, err := engine.DecodeCursor(c.Encode())
		if err != nil || again != c {
			t.Fatalf("DecodeCursor(%q) = %+v; re-encoded decodes to %+v, %v", tok, c, again, err)
		}
	})
}
