package resp

import (
	"bytes"
	"io"
	"net"
	"regexp"
	"slices"
	"testing"

	"github.com/tidwall/redcon"
)

// dropped matches what the guard may swallow between forwarded commands.
var dropped = regexp.MustCompile(`^(\r?\n|\*(0|-[1-9][0-9]*)\r\n)`)

// fuzzLimits picks tiny limits (to reach every limit) or Redis's, from cuts.
// Inline lines stay short: redcon's inline parser is quadratic in their length.
func fuzzLimits(cuts []byte) Limits {
	if len(cuts) > 0 && cuts[0]&1 == 1 {
		return Limits{MaxMultibulk: 4, MaxBulk: 16, MaxInline: 24}
	}
	lim := DefaultLimits()
	lim.MaxInline = 1024
	return lim
}

// scanAll runs the scanner over data in one piece: the reference result.
func scanAll(data []byte, lim Limits) (cmds [][]byte, errMsg string) {
	var s frameScanner
	start, pos := 0, 0
	for pos < len(data) {
		n, ev := s.step(data[pos:], &lim)
		pos += n
		switch ev {
		case frameCommand:
			cmds = append(cmds, data[start:pos])
			start = pos
		case frameDrop:
			start = pos
		case frameError:
			return cmds, s.err
		}
	}
	return cmds, ""
}

// throughGuard reads data through a GuardConn, in chunks and with read sizes taken from cuts.
func throughGuard(data, cuts []byte, lim Limits) (fwd, written []byte) {
	conn := &chunkConn{}
	for i, rest := 0, data; len(rest) > 0; i++ {
		n := len(rest)
		if len(cuts) > 0 {
			n = min(n, 1+int(cuts[i%len(cuts)]&63))
		}
		conn.chunks = append(conn.chunks, rest[:n])
		rest = rest[n:]
	}
	g := newGuardConn(conn, lim, nil)
	p := make([]byte, 4096)
	for i := 0; ; i++ {
		size := len(p)
		if len(cuts) > 0 {
			size = 1 + int(cuts[(i+1)%len(cuts)])*8
		}
		n, err := g.Read(p[:size])
		fwd = append(fwd, p[:n]...)
		if err != nil {
			return fwd, conn.written.Bytes()
		}
	}
}

// checkWalk checks that cmds are contiguous pieces of data separated only by
// ignorable input, and returns where the last one ends (after ignorable input).
func checkWalk(t *testing.T, data []byte, cmds [][]byte) int {
	pos := 0
	for len(cmds) > 0 || pos < len(data) {
		if len(cmds) > 0 && bytes.HasPrefix(data[pos:], cmds[0]) {
			pos += len(cmds[0])
			cmds = cmds[1:]
			continue
		}
		m := dropped.Find(data[pos:])
		if m == nil {
			break
		}
		pos += len(m)
	}
	if len(cmds) > 0 {
		t.Fatalf("forwarded %q is not the input at %d: %q", cmds[0], pos, data[pos:])
	}
	return pos
}

// checkRedcon checks that redcon parses every forwarded command, alone and as a stream.
func checkRedcon(t *testing.T, cmds [][]byte) {
	var stream []byte
	var want []redcon.Command
	for _, raw := range cmds {
		cmd, err := redcon.Parse(raw)
		switch {
		case err == nil:
			want = append(want, cmd)
		case raw[0] == '*':
			t.Fatalf("redcon rejects forwarded %q: %v", raw, err)
		case err.Error() == "incomplete command": // a line of only spaces
		case err.Error() == "Protocol error: unbalanced quotes in request":
			continue // redcon answers it itself, as Redis does
		default:
			t.Fatalf("redcon rejects forwarded inline %q: %v", raw, err)
		}
		stream = append(stream, raw...)
	}
	rd := redcon.NewReader(bytes.NewReader(stream))
	for i := 0; ; i++ {
		cmd, err := rd.ReadCommand()
		if err == io.EOF && i == len(want) {
			break
		}
		if err != nil || i >= len(want) || !slices.EqualFunc(cmd.Args, want[i].Args, bytes.Equal) {
			t.Fatalf("stream command %d: %q, %v; want %d commands", i, cmd.Args, err, len(want))
		}
	}
	checkBatch(t, stream, want)
}

// checkBatch checks that the connection loop's parser reads the commands
// redcon reads from stream, whether the stream arrives whole, in halves or
// byte by byte.
func checkBatch(t *testing.T, stream []byte, want []redcon.Command) {
	for _, step := range []int{len(stream), len(stream)/2 + 1, 1} {
		var (
			b          batch
			got        [][][]byte
			start, end int
		)
		for end < len(stream) {
			end = min(end+step, len(stream))
			used, err := b.parse(stream[start:end])
			if err != nil {
				t.Fatalf("step %d: parse of %q: %v", step, stream[start:end], err)
			}
			start += used
			got = append(got, b.cmds...)
			b.cmds = b.cmds[:0]
		}
		if start != len(stream) {
			t.Fatalf("step %d: %q left unparsed", step, stream[start:])
		}
		if len(got) != len(want) {
			t.Fatalf("step %d: %d commands, redcon %d", step, len(got), len(want))
		}
		for i := range want {
			if !slices.EqualFunc(got[i], want[i].Args, bytes.Equal) {
				t.Fatalf("step %d: command %d is %q, redcon %q", step, i, got[i], want[i].Args)
			}
		}
	}
}

func FuzzGuard(f *testing.F) {
	for _, tc := range hostileCases {
		if len(tc.in) < 1024 {
			f.Add([]byte(tc.in), []byte{})
		}
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		lim := fuzzLimits(cuts)
		cmds, errMsg := scanAll(data, lim)
		fwd, written := throughGuard(data, cuts, lim)
		if want := bytes.Join(cmds, nil); !bytes.Equal(fwd, want) {
			t.Fatalf("chunked guard forwarded %q, one-piece scan %q", fwd, want)
		}
		if errMsg != "" {
			errMsg = "-" + errMsg + "\r\n"
		}
		if string(written) != errMsg {
			t.Fatalf("guard wrote %q, want %q", written, errMsg)
		}
		end := checkWalk(t, data, cmds)
		if errMsg == "" { // (not before: redcon itself may loop 9e18 times on an error)
			if _, err := redcon.Parse(data[end:]); err == nil || err.Error() != "incomplete command" {
				t.Fatalf("guard holds back %q but redcon says %v", data[end:], err)
			}
		}
		checkRedcon(t, cmds)
	})
}

// chunkConn is an in-memory net.Conn that reads the given chunks, then io.EOF.
// The guard calls only Read and Write on it.
type chunkConn struct {
	net.Conn
	chunks  [][]byte
	written bytes.Buffer
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	if c.chunks[0] = c.chunks[0][n:]; len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

func (c *chunkConn) Write(p []byte) (int, error) { return c.written.Write(p) }

func TestGuardReadWholeCommands(t *testing.T) {
	g := newGuardConn(&chunkConn{chunks: [][]byte{[]byte(pingCmd + pingCmd + pingCmd)}}, Limits{}, nil)
	p := make([]byte, 2*len(pingCmd)+5)
	for _, want := range []string{pingCmd + pingCmd, pingCmd} {
		n, err := g.Read(p)
		if err != nil || string(p[:n]) != want {
			t.Fatalf("Read = %q, %v; want %q", p[:n], err, want)
		}
	}
	g = newGuardConn(&chunkConn{chunks: [][]byte{[]byte(pingCmd)}}, Limits{}, nil)
	var got []byte
	for {
		n, err := g.Read(p[:5])
		got = append(got, p[:n]...)
		if err == io.EOF {
			break
		}
	}
	if string(got) != pingCmd {
		t.Fatalf("prefix reads gave %q", got)
	}
}

func TestGuardParseLL(t *testing.T) {
	cases := map[string]int64{"0": 0, "1": 1, "-1": -1, "12": 12,
		"9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63}
	for text, want := range cases {
		if v, ok := parseLL([]byte(text)); !ok || v != want {
			t.Errorf("%q: %d, %v; want %d", text, v, ok, want)
		}
	}
	for _, text := range []string{"", "-", "+1", " 1", "1 ", "01", "-0", "00", "1-", "--1",
		"9223372036854775808", "-9223372036854775809", "99999999999999999999", "1\r"} {
		if v, ok := parseLL([]byte(text)); ok {
			t.Errorf("%q: accepted as %d", text, v)
		}
	}
}
