package buntdb

import (
	"cmp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/imredis/imredis/engine"
	bunt "github.com/tidwall/buntdb"
)

// key returns the buntdb key of incident id in database n: "<n>:<id>".
func key(n int, id string) string {
	return strconv.Itoa(n) + ":" + id
}

// splitKey parses a key made by key.
func splitKey(k string) (n int, id string, ok bool) {
	i := strings.IndexByte(k, ':')
	if i < 1 {
		return 0, "", false
	}
	n, err := strconv.Atoi(k[:i])
	if err != nil || n < 0 || k[:i] != strconv.Itoa(n) {
		return 0, "", false
	}
	return n, k[i+1:], true
}

// setSize is the size of the set record buntdb writes for a key and value of
// these lengths: *3\r\n$3\r\nset\r\n$<k>\r\n<key>\r\n$<v>\r\n<value>\r\n.
func setSize(k, v int) int {
	return 13 + bulkSize(k) + bulkSize(v)
}

func bulkSize(n int) int { return 1 + len(strconv.Itoa(n)) + 2 + n + 2 }

// str views a document as a string without copying. Documents are never
// modified after rendering, so buntdb's copy and Meta.Doc share one buffer.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// bytesOf views a buntdb value as the document bytes without copying; the
// engine, like every engine, hands Doc out read-only.
func bytesOf(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// own returns a copy of src whose id shares the memory of k (the record's
// key, which buntdb keeps too) and whose fingerprint is copied; Parse
// interned the source and labels already.
func own(k string, src *engine.Meta) *engine.Meta {
	m := *src
	m.ID = k[len(k)-len(m.ID):]
	m.Fingerprint = strings.Clone(m.Fingerprint)
	return &m
}

// record is one buntdb item read at load.
type record struct {
	key, val string
	db       int
	meta     *engine.Meta
}

// rebuild indexes every document buntdb loaded, parsing in parallel. A
// record that is not an incident of a configured database is logged and
// left out of the indexes (it stays in the file).
func (s *Store) rebuild() (int, error) {
	var recs []record
	err := s.bdb.View(func(tx *bunt.Tx) error {
		return tx.Ascend("", func(k, v string) bool {
			recs = append(recs, record{key: k, val: v})
			return true
		})
	})
	if err != nil {
		return 0, err
	}
	workers := min(runtime.GOMAXPROCS(0), 1+len(recs)/1024)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(recs); i += workers {
				s.decode(&recs[i])
			}
		}()
	}
	wg.Wait()
	valid := recs[:0]
	for _, r := range recs {
		if r.meta == nil {
			s.stats.skipped.Add(1)
			continue
		}
		valid = append(valid, r)
	}
	// Inserting in index order keeps the trees' inserts at their right edge.
	slices.SortFunc(valid, func(a, b record) int {
		if c := cmp.Compare(a.meta.Created, b.meta.Created); c != 0 {
			return c
		}
		return strings.Compare(a.meta.ID, b.meta.ID)
	})
	for _, r := range valid {
		s.All[r.db].Idx.Put(r.meta)
		s.live.Add(int64(setSize(len(r.key), len(r.val))))
	}
	return len(valid), nil
}

// decode parses one record into r.meta, or logs why it cannot.
func (s *Store) decode(r *record) {
	n, id, ok := splitKey(r.key)
	if !ok || n >= len(s.All) {
		s.log.Error().Str("key", r.key).Msg("data file record is not an incident of a configured database; ignoring it")
		return
	}
	inc, err := engine.ParseShared(bytesOf(r.val), 0, time.Time{}) // buntdb's value never changes
	if err == nil {
		defer inc.Release()
	}
	if err == nil && inc.ID != id {
		err = engine.Invalidf("document id %s differs from its key", inc.ID)
	}
	if err != nil {
		s.log.Error().Str("key", r.key).Err(err).Msg("data file record is not a valid incident; ignoring it")
		return
	}
	m := own(r.key, &inc.Meta)
	m.Doc = bytesOf(r.val)
	r.db, r.meta = n, m
}
