package bench

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Together runs fn with the server process pid and this process on one CPU,
// and then gives both back every CPU they had.
//
// A one-client cell is a ping-pong. When the scheduler puts client and
// server on one CPU, each hop is a context switch; when it puts them on two,
// each hop wakes an idle CPU, which on a virtual machine costs about 100 µs
// more per round trip (the idle virtual CPU has to be woken by the host).
// Left to the scheduler, the p50 of one cell came out near one value or the
// other from run to run (INC.LIST: about 80 or about 200 µs), which no
// change in the store explains. One CPU for both measures the work of the
// server rather than the host's wake-ups, the same way for every target.
// With fewer than two CPUs, or when affinity cannot be set, fn runs as is.
func Together(pid int, fn func() error) error {
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil || all.Count() < 2 {
		return fn()
	}
	var one unix.CPUSet
	for c := 0; ; c++ {
		if all.IsSet(c) {
			one.Set(c)
			break
		}
	}
	if err := setAffinity(pid, &one); err != nil {
		setAffinity(pid, &all)
		return fn()
	}
	defer setAffinity(pid, &all)
	if err := setAffinity(os.Getpid(), &one); err != nil {
		setAffinity(os.Getpid(), &all)
		return fn()
	}
	defer setAffinity(os.Getpid(), &all)
	return fn()
}

// setAffinity sets the CPU mask of every thread of process pid.
func setAffinity(pid int, set *unix.CPUSet) error {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
			return fmt.Errorf("set CPU affinity of thread %d of process %d: %w", tid, pid, err)
		}
	}
	return nil
}
