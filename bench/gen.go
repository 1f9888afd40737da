// Package bench is the workload and measurement code behind cmd/imbench: a
// deterministic generator of realistic incidents, a raw RESP client, a
// latency histogram, a load driver, the seed's Redis algorithms, server
// process management and the markdown report.
package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"time"
)

// Incident is one generated incident: its JSON document and the values the
// seed's Redis layout indexes.
type Incident struct {
	ID          string
	Severity    string
	State       string
	Type        string
	Source      string
	Fingerprint string
	Created     time.Time
	JSON        []byte
}

// Gen generates incidents deterministically: incident i of a seed is always
// the same document, whatever else was generated before. Incidents with a
// higher index are newer (created_at grows with i, with jitter).
type Gen struct {
	Seed uint64
	// Epoch is the created_at of incident 0.
	Epoch time.Time
}

// NewGen returns a generator for seed with a fixed epoch.
func NewGen(seed uint64) *Gen {
	return &Gen{Seed: seed, Epoch: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// weighted is a discrete distribution over names.
type weighted struct {
	names []string
	cum   []float64
}

func newWeighted(names []string, w []float64) weighted {
	d := weighted{names: names, cum: make([]float64, len(w))}
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	acc := 0.0
	for i, x := range w {
		acc += x / sum
		d.cum[i] = acc
	}
	return d
}

func (d weighted) pick(r *rand.Rand) string {
	x := r.Float64()
	for i, c := range d.cum {
		if x < c {
			return d.names[i]
		}
	}
	return d.names[len(d.names)-1]
}

// The distributions: severity skewed towards P2-P3, states mostly early in
// the lifecycle, twenty sources with a long tail.
var (
	severities = newWeighted([]string{"P0", "P1", "P2", "P3", "P4"}, []float64{3, 10, 35, 37, 15})
	states     = newWeighted([]string{"Detected", "Triaged", "Investigating", "Remediating", "Resolved", "Closed"},
		[]float64{30, 20, 25, 7, 10, 8})
	types = newWeighted([]string{"Infrastructure", "Application", "Security", "Data", "Performance", "Availability", "Compliance", "Unknown"},
		[]float64{25, 25, 8, 7, 15, 12, 3, 5})
	sources = func() weighted {
		names := []string{"prometheus", "datadog", "pagerduty", "cloudwatch", "grafana", "sentry", "new-relic",
			"splunk", "elastic-apm", "opsgenie", "kubernetes", "aws-guardduty", "github-actions", "jenkins",
			"nagios", "zabbix", "loki", "jaeger", "statuspage", "custom-webhook"}
		w := make([]float64, len(names))
		for i := range w {
			w[i] = 1 / float64(i+2)
		}
		return newWeighted(names, w)
	}()
	envs     = newWeighted([]string{"prod", "staging", "dev"}, []float64{60, 30, 10})
	teams    = []string{"payments", "identity", "platform", "search", "storage", "edge", "data-eng", "mobile"}
	regions  = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"}
	services = []string{"api-gateway", "checkout", "billing", "auth", "user-profile", "search-indexer", "cart",
		"inventory", "notifications", "recommendation", "ledger", "fraud-scoring", "media-upload", "cdn-edge",
		"session-store", "order-router", "pricing", "shipping", "reporting", "audit-log", "feature-flags",
		"scheduler", "webhooks", "email-sender", "graphql", "catalog", "reviews", "loyalty", "tax", "geo"}
	problems = []string{"High error rate on %s", "Elevated p99 latency in %s", "%s pods crash-looping",
		"Disk usage above 90%% on %s", "Certificate for %s expires soon", "Replication lag on %s",
		"%s returning 5xx", "Memory leak suspected in %s", "Queue backlog growing for %s",
		"Unauthorized access attempts against %s", "%s health check failing", "Connection pool exhausted in %s"}
	actors  = []string{"alertmanager", "oncall-bot", "alice", "bob", "carol", "dave", "erin", "frank", "grace"}
	methods = []string{"Automated", "Manual", "AutoAssistedManual"}
	words   = []string{"the", "service", "observed", "errors", "after", "deploy", "rollback", "traffic", "spike",
		"upstream", "timeout", "database", "connections", "saturated", "customers", "impacted", "region",
		"mitigation", "pending", "investigating", "metrics", "show", "increase", "since", "alert", "fired",
		"threshold", "exceeded", "for", "minutes", "on", "node", "cluster", "cache", "misses", "retries"}
	events = []string{"Created", "StateChanged", "Assigned", "Commented", "SeverityChanged", "Escalated"}
)

// ID returns the id of incident i without rendering it.
func (g *Gen) ID(i int) string {
	r := rand.New(rand.NewPCG(g.Seed, uint64(i)))
	return uuid(r)
}

// maxBytes bounds a generated document; an incident that would be larger is
// rendered again with fewer optional parts.
const maxBytes = 900

// Incident renders incident i: a 600-900 byte document.
func (g *Gen) Incident(i int) Incident {
	if inc := g.render(i, false); len(inc.JSON) <= maxBytes {
		return inc
	}
	return g.render(i, true)
}

// render draws incident i; lean leaves out the optional parts that can be left out.
func (g *Gen) render(i int, lean bool) Incident {
	r := rand.New(rand.NewPCG(g.Seed, uint64(i)))
	inc := Incident{ID: uuid(r)} // the first draw, as ID does
	inc.Created = g.Epoch.Add(time.Duration(i)*37*time.Second + time.Duration(r.Int64N(int64(30*time.Second)))).Truncate(time.Millisecond)
	updated := inc.Created.Add(time.Duration(r.Int64N(int64(6 * time.Hour))))
	inc.Severity, inc.State, inc.Type = severities.pick(r), states.pick(r), types.pick(r)
	inc.Source = sources.pick(r)
	svc := services[r.IntN(len(services))]
	title := fmtTitle(problems[r.IntN(len(problems))], svc)
	res := []string{"svc/" + svc + "-" + strconv.Itoa(r.IntN(40))}
	for range r.IntN(2) {
		if lean {
			break
		}
		res = append(res, "host/ip-10-0-"+strconv.Itoa(r.IntN(256))+"-"+strconv.Itoa(r.IntN(256)))
	}
	h := sha256.New()
	for _, s := range append([]string{inc.Source, inc.Type, title}, res...) {
		h.Write([]byte(s))
	}
	inc.Fingerprint = hex.EncodeToString(h.Sum(nil))

	target := 600 + r.IntN(300)
	b := make([]byte, 0, 1024)
	b = append(b, `{"id":`...)
	b = appendStr(b, inc.ID)
	b = appendKV(b, "created_at", stamp(inc.Created))
	b = appendKV(b, "updated_at", stamp(updated))
	b = appendKV(b, "state", inc.State)
	b = appendKV(b, "severity", inc.Severity)
	b = appendKV(b, "incident_type", inc.Type)
	b = appendKV(b, "source", inc.Source)
	b = appendKV(b, "title", title)
	head := b
	var tail []byte
	tail = append(tail, `,"affected_resources":`...)
	tail = appendList(tail, res)
	var assignees []string
	for range r.IntN(3) {
		if lean {
			break
		}
		assignees = append(assignees, actors[2+r.IntN(len(actors)-2)])
	}
	tail = append(tail, `,"assignees":`...)
	tail = appendList(tail, assignees)
	tail = append(tail, `,"labels":{"env":`...)
	tail = appendStr(tail, envs.pick(r))
	tail = appendKV(tail, "team", teams[r.IntN(len(teams))])
	if r.IntN(2) == 0 && !lean {
		tail = appendKV(tail, "region", regions[r.IntN(len(regions))])
	}
	if r.IntN(2) == 0 && !lean {
		tail = appendKV(tail, "service", svc)
	}
	tail = append(tail, `},"related_incidents":[],"active_playbook":null,"resolution":`...)
	tail = appendResolution(tail, r, inc.State, updated, lean)
	tail = append(tail, `,"timeline":[`...)
	end := appendKV(nil, "fingerprint", inc.Fingerprint)
	end = append(end, `,"correlation_score":`...)
	end = strconv.AppendFloat(end, float64(r.IntN(1000))/1000, 'f', -1, 64)
	end = append(end, '}')
	for k := range 4 {
		e := appendEvent(nil, r, k, inc.Created)
		if k > 0 && len(head)+len(tail)+len(e)+len(end)+48 > target {
			break
		}
		if k > 0 {
			tail = append(tail, ',')
		}
		tail = append(tail, e...)
	}
	tail = append(tail, ']')
	tail = append(tail, end...)

	room := target - len(head) - len(tail) - len(`,"description":""`)
	inc.JSON = appendKV(head, "description", sentenceLen(r, max(room, 16)))
	inc.JSON = append(inc.JSON, tail...)
	return inc
}

func appendEvent(b []byte, r *rand.Rand, k int, created time.Time) []byte {
	b = append(b, `{"timestamp":`...)
	b = appendStr(b, stamp(created.Add(time.Duration(k)*7*time.Minute)))
	b = appendKV(b, "event_type", events[min(k*(1+r.IntN(2)), len(events)-1)])
	b = appendKV(b, "actor", actors[r.IntN(len(actors))])
	b = appendKV(b, "description", sentence(r, 2+r.IntN(4)))
	return append(b, `,"metadata":{}}`...)
}

func appendResolution(b []byte, r *rand.Rand, state string, at time.Time, lean bool) []byte {
	if state != "Resolved" && state != "Closed" {
		return append(b, "null"...)
	}
	b = append(b, `{"resolved_at":`...)
	b = appendStr(b, stamp(at))
	b = appendKV(b, "resolved_by", actors[r.IntN(len(actors))])
	b = appendKV(b, "resolution_method", methods[r.IntN(len(methods))])
	if r.IntN(2) == 0 || lean {
		b = append(b, `,"root_cause":null`...)
	} else {
		b = appendKV(b, "root_cause", sentence(r, 2+r.IntN(2)))
	}
	notes := sentence(r, 1+r.IntN(3))
	if lean {
		notes = ""
	}
	b = appendKV(b, "notes", notes)
	return append(b, '}')
}

func uuid(r *rand.Rand) string {
	var u [16]byte
	a, b := r.Uint64(), r.Uint64()
	for k := range 8 {
		u[k], u[8+k] = byte(a>>(8*k)), byte(b>>(8*k))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func fmtTitle(pattern, svc string) string {
	out := make([]byte, 0, len(pattern)+len(svc))
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '%' && i+1 < len(pattern) && pattern[i+1] == 's':
			out = append(out, svc...)
			i++
		case pattern[i] == '%' && i+1 < len(pattern) && pattern[i+1] == '%':
			out = append(out, '%')
			i++
		default:
			out = append(out, pattern[i])
		}
	}
	return string(out)
}

func sentence(r *rand.Rand, n int) string {
	b := make([]byte, 0, n*8)
	for k := range n {
		if k > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[r.IntN(len(words))]...)
	}
	return string(b)
}

// sentenceLen returns words up to about n bytes.
func sentenceLen(r *rand.Rand, n int) string {
	b := make([]byte, 0, n+12)
	for len(b) < n {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[r.IntN(len(words))]...)
	}
	return string(b[:n])
}

func appendKV(b []byte, k, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, k...)
	b = append(b, '"', ':')
	return appendStr(b, v)
}

func appendList(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStr(b, s)
	}
	return append(b, ']')
}

// appendStr appends s as a JSON string; generated text is plain ASCII.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
