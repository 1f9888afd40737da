package bench

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Together holds the server and this process to one CPU while fn runs and
// gives both back their CPUs afterwards; with one CPU it changes nothing.
func TestTogether(t *testing.T) {
	var before unix.CPUSet
	if err := unix.SchedGetaffinity(0, &before); err != nil {
		t.Fatal(err)
	}
	inside := 1
	if before.Count() < 2 {
		inside = before.Count()
	}
	p, err := StartRedis("together", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	count := func(pid int) int {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(pid, &set); err != nil {
			t.Fatal(err)
		}
		return set.Count()
	}
	ran := false
	err = Together(p.Pid(), func() error {
		ran = true
		if n, m := count(os.Getpid()), count(p.Pid()); n != inside || m != inside {
			t.Errorf("inside Together: this process on %d CPUs, the server on %d; want %d", n, m, inside)
		}
		return nil
	})
	if err != nil || !ran {
		t.Fatalf("Together: %v (fn ran: %v)", err, ran)
	}
	if n, m := count(os.Getpid()), count(p.Pid()); n != before.Count() || m != before.Count() {
		t.Errorf("after Together: this process on %d CPUs, the server on %d; want %d", n, m, before.Count())
	}
}
