package main

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// metricName matches the metric families a dashboard query may name.
var metricName = regexp.MustCompile(`\b(?:storage|imredis|go|process)_[a-z0-9_]+\b`)

// TestDashboardMatchesMetrics pins dashboards/imredis.json to the metrics a
// running server exports: every family it queries exists, and every
// imredis_* and storage_* family has a panel or variable.
func TestDashboardMatchesMetrics(t *testing.T) {
	data, err := os.ReadFile("../../dashboards/imredis.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash map[string]any
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}
	if dash["title"] != "imredis" || dash["uid"] != "imredis" {
		t.Errorf("title %v, uid %v", dash["title"], dash["uid"])
	}
	used := map[string]bool{}
	for _, name := range metricName.FindAllString(string(data), -1) {
		used[strings.TrimSuffix(name, "_bucket")] = true
	}
	p := startProc(t, environ(), serveArgs()...)
	s := p.scrape()
	var missing, unused []string
	for name := range used {
		if _, ok := s.families[name]; !ok {
			missing = append(missing, name)
		}
	}
	for name := range s.families {
		if (strings.HasPrefix(name, "imredis_") || strings.HasPrefix(name, "storage_")) && !used[name] {
			unused = append(unused, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("the dashboard queries metrics the server does not export: %v", missing)
	}
	if len(unused) > 0 {
		t.Errorf("exported metrics without a dashboard panel: %v", unused)
	}
}
