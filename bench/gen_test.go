package bench_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/imredis/imredis/bench"
	"github.com/imredis/imredis/engine"
)

func TestGenValidAndSized(t *testing.T) {
	g := bench.NewGen(1)
	sev := map[string]int{}
	state := map[string]int{}
	src := map[string]int{}
	const n = 5000
	for i := range n {
		inc := g.Incident(i)
		if l := len(inc.JSON); l < 600 || l > 900 {
			t.Fatalf("incident %d is %d bytes, want 600-900: %s", i, l, inc.JSON)
		}
		p, err := engine.Parse(inc.JSON, 1<<20, time.Now())
		if err != nil {
			t.Fatalf("incident %d does not parse: %v\n%s", i, err, inc.JSON)
		}
		if p.ID != inc.ID || p.Fingerprint != inc.Fingerprint || p.Source != inc.Source ||
			p.Severity.String() != inc.Severity || p.State.String() != inc.State || p.Created != inc.Created.UnixNano() {
			t.Fatalf("incident %d: generator fields disagree with the parsed document", i)
		}
		p.SetFingerprint("")
		if got := p.ComputeFingerprint(); got != inc.Fingerprint {
			t.Fatalf("incident %d: fingerprint %s, the seed's rule gives %s", i, inc.Fingerprint, got)
		}
		if g.ID(i) != inc.ID {
			t.Fatalf("ID(%d) differs from Incident(%d).ID", i, i)
		}
		sev[inc.Severity]++
		state[inc.State]++
		src[inc.Source]++
	}
	if sev["P2"]+sev["P3"] < n/2 || sev["P0"] > sev["P1"] || sev["P0"] == 0 {
		t.Errorf("severity distribution not skewed towards P2-P3: %v", sev)
	}
	active := state["Detected"] + state["Triaged"] + state["Investigating"]
	if active < n*6/10 || state["Resolved"] == 0 || state["Closed"] == 0 {
		t.Errorf("state distribution: %v", state)
	}
	if len(src) != 20 {
		t.Errorf("want 20 sources, got %d", len(src))
	}
}

func TestGenDeterministic(t *testing.T) {
	a, b := bench.NewGen(7), bench.NewGen(7)
	for _, i := range []int{0, 1, 999, 123456} {
		if !bytes.Equal(a.Incident(i).JSON, b.Incident(i).JSON) {
			t.Fatalf("incident %d differs between two generators of one seed", i)
		}
	}
	if bytes.Equal(a.Incident(3).JSON, bench.NewGen(8).Incident(3).JSON) {
		t.Fatal("different seeds gave the same incident")
	}
	if !a.Incident(10).Created.Before(a.Incident(11).Created) {
		t.Fatal("created_at does not grow with the index")
	}
}
