package buntdb

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// aofRecords splits an append-only file into its complete records, skipping
// NUL bytes and stopping at the first bytes that are not a record. It is the
// tests' oracle, written independently of scanFile.
func aofRecords(b []byte) (recs [][]string, ends []int) {
	pos := 0
	line := func() (int, bool) {
		i := bytes.Index(b[pos:], []byte("\r\n"))
		if i < 2 {
			return 0, false
		}
		n, err := strconv.Atoi(string(b[pos+1 : pos+i]))
		pos += i + 2
		return n, err == nil
	}
	for pos < len(b) {
		if b[pos] == 0 {
			pos++
			continue
		}
		if b[pos] != '*' {
			return
		}
		n, ok := line()
		if !ok {
			return
		}
		var parts []string
		for range n {
			if pos >= len(b) || b[pos] != '$' {
				return
			}
			l, ok := line()
			if !ok || pos+l+2 > len(b) {
				return
			}
			parts = append(parts, string(b[pos:pos+l]))
			pos += l + 2
		}
		recs = append(recs, parts)
		ends = append(ends, pos)
	}
	return
}

// replay applies records to an empty keyspace.
func replay(recs [][]string) map[string]string {
	out := map[string]string{}
	for _, r := range recs {
		switch r[0] {
		case "set":
			out[r[1]] = r[2]
		case "del":
			delete(out, r[1])
		}
	}
	return out
}

// writeHistory writes incidents first..first+n-1 over four databases with
// updates and deletes, and returns the data file's bytes.
func writeHistory(t *testing.T, first, n int) []byte {
	path := dataPath(t)
	s := open(t, path, Config{Fsync: FsyncNever})
	ctx := context.Background()
	for i := first; i < first+n; i++ {
		save(t, s, i%4, i, 0)
		if i%3 == 0 {
			save(t, s, i%4, i, 1)
		}
		if i%5 == 0 {
			if _, err := s.Delete(ctx, i%4, []string{testID(i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// damaged describes one damaged file and what opening it must give.
type damaged struct {
	name string
	file []byte
	// intact is the length of the undamaged prefix; complete is every
	// complete record, which a repair keeps.
	intact   int
	complete map[string]string
	// refused is set when Open without Repair must refuse the file.
	refused bool
}

func TestPowerLoss(t *testing.T) {
	orig := writeHistory(t, 0, 60)
	recs, ends := aofRecords(orig)
	if ends[len(ends)-1] != len(orig) || len(recs) < 80 {
		t.Fatalf("history has %d records ending at %d of %d", len(recs), ends[len(ends)-1], len(orig))
	}
	more := writeHistory(t, 1000, 10)
	moreRecs, _ := aofRecords(more)
	all := replay(append(append([][]string{}, recs...), moreRecs...))
	garbage := []byte("this is not a record\xff\xfe*3\r\n$3")

	r := rand.New(rand.NewPCG(1, 2))
	var cases []damaged
	for i := range 10 {
		k := r.IntN(len(ends))
		cases = append(cases, damaged{name: fmt.Sprintf("boundary%d", i), file: orig[:ends[k]],
			intact: ends[k], complete: replay(recs[:k+1])})
		start := 0
		if k > 0 {
			start = ends[k-1]
		}
		cut := start + 1 + r.IntN(ends[k]-start-1)
		cases = append(cases, damaged{name: fmt.Sprintf("inside%d", i), file: orig[:cut],
			intact: start, complete: replay(recs[:k])})
	}
	cases = append(cases,
		damaged{name: "zeros", file: cat(orig, make([]byte, 4096)), intact: len(orig), complete: replay(recs), refused: true},
		damaged{name: "garbage", file: cat(orig, garbage), intact: len(orig), complete: replay(recs), refused: true},
		damaged{name: "nul-then-records", file: cat(orig, make([]byte, 777), more), intact: len(orig), complete: all, refused: true},
		damaged{name: "torn-then-zeros", file: cat(orig[:len(orig)-9], make([]byte, 100)), intact: ends[len(ends)-2],
			complete: replay(recs[:len(recs)-1]), refused: true},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkDamaged(t, c) })
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// checkDamaged opens c.file without and then with Repair.
func checkDamaged(t *testing.T, c damaged) {
	path := dataPath(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, c.file, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, testOpts(), Config{Fsync: FsyncNever})
	if !c.refused {
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		equalContents(t, "after Open", contents(t, s), c.complete)
		s.Close()
		if fi, err := os.Stat(path); err != nil || fi.Size() != int64(c.intact) {
			t.Errorf("file is %d bytes after Open, want %d (torn record cut off)", fi.Size(), c.intact)
		}
		return
	}
	want := fmt.Sprintf("data file %s is damaged after byte %d (of %d); start with --repair to truncate it to the last valid record (a copy of the damaged file is kept)",
		path, c.intact, len(c.file))
	if err == nil {
		s.Close()
		t.Fatalf("Open of a damaged file succeeded")
	}
	if err.Error() != want {
		t.Fatalf("Open error:\n got %s\nwant %s", err, want)
	}
	s, err = Open(path, testOpts(), Config{Fsync: FsyncNever, Repair: true})
	if err != nil {
		t.Fatalf("Open with Repair: %v", err)
	}
	equalContents(t, "after repair", contents(t, s), c.complete)
	s.Close()
	copies, _ := filepath.Glob(path + ".damaged-*")
	if len(copies) != 1 {
		t.Fatalf("damaged copies: %v, want one", copies)
	}
	if b, err := os.ReadFile(copies[0]); err != nil || !bytes.Equal(b, c.file) {
		t.Errorf("the damaged copy differs from the damaged file (%v)", err)
	}
	if mode(t, copies[0]) != fileMode {
		t.Errorf("damaged copy mode %v", mode(t, copies[0]))
	}
	s = open(t, path, Config{Fsync: FsyncNever})
	equalContents(t, "reopened after repair", contents(t, s), c.complete)
}
