package crashtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"
)

// incident is the contract's document with its fields in the canonical
// order and every field present, so that the server stores exactly the bytes
// json.Marshal produces and a saved document can be compared byte for byte.
type incident struct {
	ID          string            `json:"id"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
	State       string            `json:"state"`
	Severity    string            `json:"severity"`
	Type        string            `json:"incident_type"`
	Source      string            `json:"source"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Affected    []string          `json:"affected_resources"`
	Assignees   []string          `json:"assignees"`
	Labels      map[string]string `json:"labels"`
	Related     []string          `json:"related_incidents"`
	Playbook    *string           `json:"active_playbook"`
	Resolution  *resolution       `json:"resolution"`
	Timeline    []event           `json:"timeline"`
	Fingerprint *string           `json:"fingerprint"`
	Score       *float64          `json:"correlation_score"`
}

type resolution struct {
	ResolvedAt string  `json:"resolved_at"`
	ResolvedBy string  `json:"resolved_by"`
	Method     string  `json:"resolution_method"`
	RootCause  *string `json:"root_cause"`
	Notes      string  `json:"notes"`
}

type event struct {
	Timestamp   string            `json:"timestamp"`
	EventType   string            `json:"event_type"`
	Actor       string            `json:"actor"`
	Description string            `json:"description"`
	Metadata    map[string]string `json:"metadata"`
}

// The values the generator draws from; the filters of verify walk them all.
var (
	severities = []string{"P0", "P1", "P2", "P3", "P4"}
	states     = []string{"Detected", "Triaged", "Investigating", "Remediating", "Resolved", "Closed"}
	types      = []string{"Infrastructure", "Application", "Security", "Data", "Performance", "Availability", "Compliance", "Unknown"}
	sources    = []string{"prometheus", "datadog", "pagerduty", "grafana", "cloudwatch", "sentry"}
	labelVals  = map[string][]string{
		"env":    {"prod", "staging", "dev"},
		"team":   {"payments", "search", "infra", "identity"},
		"region": {"eu-west-1", "us-east-1"},
	}
	labelKeys = slices.Sorted(maps.Keys(labelVals))
	problems  = []string{"Latency spike on checkout", "Disk 95% full on db-7", "5xx rate above SLO",
		"Certificate expires in 3 days", "Replication lag — café cluster", "OOM kills in search-api"}
	hosts = []string{"db-7", "api-3", "lb-eu-1", "kafka-2", "cache-11", "search-4"}
)

// stampFormat is the server's own rendering of instants (UTC, nanoseconds).
const stampFormat = "2006-01-02T15:04:05.000000000Z07:00"

func stamp(t time.Time) string { return t.UTC().Format(stampFormat) }

// newRand returns a generator seeded with seed.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// newIncident draws a realistic incident with id.
func newIncident(r *rand.Rand, id string) *incident {
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(90 * 24 * time.Hour))))
	src, typ, title := pick(r, sources), pick(r, types), pick(r, problems)
	inc := &incident{
		ID: id, CreatedAt: stamp(created), UpdatedAt: stamp(created.Add(time.Minute)),
		Severity: pick(r, severities), Type: typ, Source: src,
		Title:       title,
		Description: fmt.Sprintf("%s reported by %s; see runbook RB-%d.", title, src, r.IntN(900)+100),
		Affected:    []string{pick(r, hosts)},
		Assignees:   []string{},
		Labels:      map[string]string{},
		Related:     []string{},
		Timeline:    []event{},
	}
	for _, k := range labelKeys {
		if r.IntN(4) > 0 {
			inc.Labels[k] = pick(r, labelVals[k])
		}
	}
	if r.IntN(3) > 0 {
		fp := fingerprint(src, typ, title, inc.Affected)
		inc.Fingerprint = &fp
	}
	if r.IntN(2) == 0 {
		score := float64(r.IntN(1000)) / 1000
		inc.Score = &score
	}
	if r.IntN(4) == 0 {
		pb := newID(r)
		inc.Playbook = &pb
	}
	inc.setState(r, pick(r, states), created.Add(2*time.Minute))
	return inc
}

// setState moves inc to state st at instant at, as a responder would:
// a timeline event, an assignee, and a resolution once resolved.
func (inc *incident) setState(r *rand.Rand, st string, at time.Time) {
	inc.State = st
	who := fmt.Sprintf("oncall-%d", r.IntN(20))
	if !slices.Contains(inc.Assignees, who) && len(inc.Assignees) < 4 {
		inc.Assignees = append(inc.Assignees, who)
	}
	if len(inc.Timeline) >= 6 { // keep documents from growing without bound over many updates
		inc.Timeline = inc.Timeline[1:]
	}
	inc.Timeline = append(inc.Timeline, event{
		Timestamp: stamp(at), EventType: "state_changed", Actor: who,
		Description: "moved to " + st, Metadata: map[string]string{"to": st},
	})
	inc.Resolution = nil
	if st == "Resolved" || st == "Closed" {
		cause := "config push " + pick(r, hosts)
		inc.Resolution = &resolution{ResolvedAt: stamp(at), ResolvedBy: who,
			Method: pick(r, []string{"Automated", "Manual", "AutoAssistedManual"}), RootCause: &cause, Notes: "rolled back"}
	}
}

// evolve returns a changed copy of inc, as an INC.UPDATE would send it.
func (inc *incident) evolve(r *rand.Rand) *incident {
	var next incident
	if err := json.Unmarshal(inc.doc(), &next); err != nil {
		panic(err)
	}
	at, _ := time.Parse(time.RFC3339Nano, next.UpdatedAt)
	next.setState(r, pick(r, states), at)
	if r.IntN(2) == 0 {
		next.Severity = pick(r, severities)
	}
	if r.IntN(3) == 0 {
		k := pick(r, labelKeys)
		next.Labels[k] = pick(r, labelVals[k])
	}
	return &next
}

// doc is the canonical JSON of inc.
func (inc *incident) doc() []byte {
	b, err := json.Marshal(inc)
	if err != nil {
		panic(err)
	}
	return b
}

// fingerprint applies the contract's rule.
func fingerprint(source, typ, title string, resources []string) string {
	h := sha256.New()
	h.Write([]byte(source + typ + title))
	for _, r := range resources {
		h.Write([]byte(r))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// newID draws a v4 UUID from r, so a seed replays the same ids.
func newID(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
