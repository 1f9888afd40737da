package bench

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
)

// Prefix is the seed's key prefix.
const Prefix = "llm-im"

// IncidentKey returns the seed's key of incident id.
func IncidentKey(id string) string { return Prefix + ":incident:" + id }

// AppendSeedWrite appends the seed's write of inc to b: SET of the document
// plus SADD into the five index sets, in one MULTI/EXEC (seven replies and
// the EXEC array).
func AppendSeedWrite(b []byte, inc *Incident) []byte {
	b = AppendCommand(b, "MULTI")
	b = AppendCommand(b, "SET", IncidentKey(inc.ID), string(inc.JSON))
	b = AppendCommand(b, "SADD", Prefix+":incidents", inc.ID)
	b = AppendCommand(b, "SADD", Prefix+":severity:"+inc.Severity, inc.ID)
	b = AppendCommand(b, "SADD", Prefix+":state:"+inc.State, inc.ID)
	b = AppendCommand(b, "SADD", Prefix+":source:"+inc.Source, inc.ID)
	b = AppendCommand(b, "SADD", Prefix+":fingerprint:"+inc.Fingerprint, inc.ID)
	return AppendCommand(b, "EXEC")
}

// SeedWriteReplies is how many replies AppendSeedWrite's commands produce.
const SeedWriteReplies = 8

// SeedList is the seed's list algorithm for "severity in Severities, state
// active", page Page of PageSize, newest first: SUNIONSTORE of the severity
// sets into a temporary key with a TTL, SMEMBERS of it, then either one MGET
// of every candidate or (PerCandidate, as the seed codes it) one GET per
// candidate, then a client-side filter, sort and page. The client side only
// extracts state and created_at with gjson, a lower bound on the seed's
// full deserialisation.
type SeedList struct {
	Severities   []string
	Page         int
	PageSize     int
	PerCandidate bool
}

// Run runs the algorithm on c with a temporary key of its own and returns the
// page's ids.
func (s SeedList) Run(c *Conn, tmp string) ([]string, error) {
	args := []string{"SUNIONSTORE", tmp}
	for _, sev := range s.Severities {
		args = append(args, Prefix+":severity:"+sev)
	}
	c.Append(args...)
	c.Append("EXPIRE", tmp, "60")
	c.Append("SMEMBERS", tmp)
	if err := c.Flush(); err != nil {
		return nil, err
	}
	if err := c.Skip(); err != nil {
		return nil, err
	}
	if err := c.Skip(); err != nil {
		return nil, err
	}
	members, err := c.Read()
	if err != nil {
		return nil, err
	}
	docs, err := s.fetch(c, members.Elems)
	if err != nil {
		return nil, err
	}
	type hit struct {
		created int64
		id      string
	}
	var hits []hit
	for _, d := range docs {
		if d == nil {
			continue
		}
		r := gjson.GetManyBytes(d, "state", "created_at", "id")
		switch r[0].Str {
		case "Detected", "Triaged", "Investigating", "Remediating":
		default:
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, r[1].Str)
		if err != nil {
			return nil, err
		}
		hits = append(hits, hit{t.UnixNano(), r[2].Str})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(b.created, a.created); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	from := min(s.Page*s.PageSize, len(hits))
	to := min(from+s.PageSize, len(hits))
	ids := make([]string, 0, to-from)
	for _, h := range hits[from:to] {
		ids = append(ids, h.id)
	}
	return ids, nil
}

// fetch returns the documents of the candidate ids.
func (s SeedList) fetch(c *Conn, members []Value) ([][]byte, error) {
	docs := make([][]byte, 0, len(members))
	if s.PerCandidate {
		for _, m := range members {
			v, err := c.Do("GET", IncidentKey(string(m.Str)))
			if err != nil {
				return nil, err
			}
			docs = append(docs, v.Str)
		}
		return docs, nil
	}
	if len(members) == 0 {
		return nil, nil
	}
	args := make([]string, 0, len(members)+1)
	args = append(args, "MGET")
	for _, m := range members {
		args = append(args, IncidentKey(string(m.Str)))
	}
	v, err := c.Do(args...)
	if err != nil {
		return nil, err
	}
	for _, e := range v.Elems {
		docs = append(docs, e.Str)
	}
	return docs, nil
}

// Op returns the algorithm as a load Op, each worker with its own temporary key.
func (s SeedList) Op() Op {
	return Op{Do: func(c *Conn, worker, _ int) error {
		_, err := s.Run(c, Prefix+":temp:bench:"+strconv.Itoa(worker))
		return err
	}}
}
