package buntdb

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/internal/servertest"
)

// pipelineOf renders n INC.SAVE commands of incidents from..from+n-1 with a
// PING after every fourth, and the replies they should get.
func pipelineOf(from, n int, reply func(i int) string) (string, string) {
	var cmds, want strings.Builder
	for i := from; i < from+n; i++ {
		cmds.WriteString(servertest.Encode("INC.SAVE", string(incJSON(i, 0))))
		want.WriteString(reply(i))
		if i%4 == 3 {
			cmds.WriteString(servertest.Encode("PING"))
			want.WriteString("+PONG\r\n")
		}
	}
	return cmds.String(), want.String()
}

func idReply(i int) string { return "$36\r\n" + testID(i) + "\r\n" }

// TestPipelinedDurableWrites sends pipelines of INC.SAVE to a server on a
// store with fsync always: each pipeline's writes share fsyncs rather than
// waiting for one each, the replies come in order, and when the fsync
// fails every write of the pipeline is answered with the error while the
// other commands keep their replies.
func TestPipelinedDurableWrites(t *testing.T) {
	s := open(t, dataPath(t), Config{Fsync: FsyncAlways, Interval: 20 * time.Millisecond})
	srv := servertest.Start(t, servertest.WithStore(s))
	conn := srv.Raw(t)

	const n = 64
	before := s.Info()
	cmds, want := pipelineOf(0, n, idReply)
	// A slow fsync: without the deferred waits each save would wait for an
	// fsync of its own, so the count of fsyncs tells the two apart even on
	// a busy machine.
	s.setSyncFunc(func(f *os.File) error {
		time.Sleep(20 * time.Millisecond)
		return fdatasync(f)
	})
	conn.Send(t, cmds)
	conn.Expect(t, want)
	in := s.Info()
	writes, fsyncs := in.Writes-before.Writes, in.Fsyncs-before.Fsyncs
	if writes != n {
		t.Fatalf("%d writes counted, want %d", writes, n)
	}
	t.Logf("%d durable writes in one pipeline, %d fsyncs", writes, fsyncs)
	if fsyncs*4 > writes {
		t.Errorf("%d fsyncs for a pipeline of %d durable writes: the pipeline does not share fsyncs", fsyncs, writes)
	}

	fs := &failingSync{}
	s.setSyncFunc(fs.sync)
	fs.set(true)
	cmds, want = pipelineOf(n, 8, func(int) string {
		return "-UNAVAILABLE fsync of the data file failed (injected EIO); writes are refused until the file is rewritten\r\n"
	})
	conn.Send(t, cmds)
	conn.Expect(t, want)
	fs.set(false)
	waitFor(t, "the store to heal", func() bool { return s.Info().Healthy })
	// The write whose fsync failed is in memory (not acknowledged); the
	// ones after the failure were refused.
	conn.Do(t, "INC.COUNT")
	if got := conn.ReadReply(t); got < ":64\r\n" || got > ":72\r\n" || len(got) != 5 {
		t.Errorf("INC.COUNT after healing = %q, want 64 to 72", got)
	}
}
