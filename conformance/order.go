package conformance

import (
	"slices"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/gjson"
)

var orderCases = []testCase{
	{"NewestFirstOrASC", testNewestFirst},
	{"InstantsOrderNotStrings", testInstantsOrder},
	{"TiesBrokenByIDSameDirection", testTiesByID},
}

func testNewestFirst(t *testing.T, e *env) {
	// Saved in an order unrelated to created_at or id.
	for _, i := range []int{3, 0, 4, 1, 2} {
		e.save(spec{ID: idN(9 - i), CreatedAt: ts(at(time.Duration(i) * time.Hour))})
	}
	newest := []string{idN(5), idN(6), idN(7), idN(8), idN(9)}
	equalIDs(t, "DESC", e.listIDs(0, engine.AnyFilter(), true), newest)
	slices.Reverse(newest)
	equalIDs(t, "ASC", e.listIDs(0, engine.AnyFilter(), false), newest)
}

func testInstantsOrder(t *testing.T, e *env) {
	// In ascending instant order; string order differs.
	stamps := []string{
		"2024-01-01T10:00:00+02:00",           // 08:00:00Z
		"2024-01-01T08:00:00.1Z",              // 08:00:00.1Z
		"2024-01-01T09:00:00.123456789+01:00", // 08:00:00.123456789Z
		"2024-01-01T03:15:00-05:00",           // 08:15:00Z
		"2024-01-01T08:30:00.5Z",              // 08:30:00.5Z
		"2023-12-31T23:59:59.999999999-09:00", // 08:59:59.999999999Z
		"2024-01-01T14:15:00.25+05:15",        // 09:00:00.25Z
	}
	// ids descend as instants ascend, so id order cannot stand in for time order.
	var asc []string
	for _, i := range []int{4, 0, 6, 2, 5, 1, 3} {
		e.save(spec{ID: idN(100 - i), CreatedAt: stamps[i]})
	}
	for i := range stamps {
		asc = append(asc, idN(100-i))
		if got := gjson.GetBytes(e.mustGet(0, idN(100-i)), "created_at").Str; got != stamps[i] {
			t.Errorf("created_at read back %q, want %q as sent", got, stamps[i])
		}
	}
	equalIDs(t, "ASC", e.listIDs(0, engine.AnyFilter(), false), asc)
	desc := slices.Clone(asc)
	slices.Reverse(desc)
	equalIDs(t, "DESC", e.listIDs(0, engine.AnyFilter(), true), desc)

	instant := func(s string) int64 {
		ns, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return ns.UnixNano()
	}
	since := filter(func(f *engine.Filter) { f.Since = instant("2024-01-01T09:00:00.1+01:00") })
	equalIDs(t, "SINCE (inclusive)", e.listIDs(0, since, false), asc[1:])
	until := filter(func(f *engine.Filter) { f.Until = instant("2024-01-01T04:15:00-04:00") })
	equalIDs(t, "UNTIL (exclusive)", e.listIDs(0, until, false), asc[:3])
	both := filter(func(f *engine.Filter) {
		f.Since, f.Until = instant("2024-01-01T08:00:00.123456789Z"), instant("2024-01-01T08:59:59.999999999Z")
	})
	equalIDs(t, "SINCE UNTIL", e.listIDs(0, both, true), []string{asc[4], asc[3], asc[2]})
	if n := e.count(0, both); n != 3 {
		t.Errorf("Count(SINCE UNTIL) = %d, want 3", n)
	}
}

func testTiesByID(t *testing.T, e *env) {
	// Four spellings of one instant, one earlier and one later incident.
	same := []string{
		"2024-01-01T08:00:00Z", "2024-01-01T10:00:00+02:00",
		"2024-01-01T08:00:00.000000000+00:00", "2024-01-01T07:00:00.0-01:00",
	}
	for i, id := range []int{4, 2, 3, 1} {
		e.save(spec{ID: idN(id), CreatedAt: same[i]})
	}
	e.save(spec{ID: idN(0), CreatedAt: "2024-01-01T08:00:00.000000001Z"})
	e.save(spec{ID: idN(5), CreatedAt: "2024-01-01T07:59:59.999999999Z"})
	asc := []string{idN(5), idN(1), idN(2), idN(3), idN(4), idN(0)}
	equalIDs(t, "ASC", e.listIDs(0, engine.AnyFilter(), false), asc)
	desc := slices.Clone(asc)
	slices.Reverse(desc)
	equalIDs(t, "DESC", e.listIDs(0, engine.AnyFilter(), true), desc)
	tie := filter(func(f *engine.Filter) {
		f.Since = time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC).UnixNano()
		f.Until = f.Since + 1
	})
	equalIDs(t, "one instant", e.listIDs(0, tie, true), desc[1:5])
	// Paging through the tie one by one keeps the id order.
	got := e.walk(0, engine.AnyFilter(), true, 1, nil)
	equalIDs(t, "DESC one at a time", got, desc)
}
