package targettest

import (
	"fmt"
	"sync"
)

// Standalone is a T for code without a *testing.T, such as Example
// functions: Fatalf panics and Close runs the cleanups, last first.
type Standalone struct {
	mu       sync.Mutex
	cleanups []func()
}

// Helper does nothing.
func (s *Standalone) Helper() {}

// Fatalf panics with the message.
func (s *Standalone) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// Cleanup registers f for Close.
func (s *Standalone) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, f)
}

// Close runs the registered cleanups, last first.
func (s *Standalone) Close() {
	s.mu.Lock()
	fs := s.cleanups
	s.cleanups = nil
	s.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
