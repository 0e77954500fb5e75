package netns

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on an operating-system thread that has entered the network
// namespace of role, and returns fn's error. Sockets fn creates (a
// net.Listen, a dial to a literal address) belong to that namespace for
// their whole life, whichever thread later reads them: this is how a
// process in the root namespace serves or reaches the lab without a
// route to it. fn must not start goroutines that expect the namespace
// (they run on other threads) nor resolve names.
func (s *Set) Do(role string, fn func() error) error {
	return Enter(filepath.Join("/run/netns", s.Name(role)), fn)
}

// Enter runs fn on a thread inside the network namespace mounted at path
// (see Do).
func Enter(path string, fn func() error) error {
	errc := make(chan error, 1)
	go func() { // owned by Enter, which waits for its answer
		// The thread is locked and never unlocked when it cannot go back
		// to its own namespace: the runtime then ends it with the
		// goroutine, so no other goroutine ever runs in the lab by
		// mistake.
		runtime.LockOSThread()
		own, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			errc <- fmt.Errorf("lab namespace: %w", err)
			return
		}
		defer own.Close()
		target, err := os.Open(path)
		if err != nil {
			errc <- fmt.Errorf("lab namespace: %w", err)
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("lab namespace: enter %s: %w", path, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(own.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("lab namespace: leave %s: %w", path, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
