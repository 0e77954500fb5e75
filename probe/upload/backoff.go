package upload

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff spaces retries: exponential, capped, with full jitter (a random
// wait between zero and the exponential step), so that probes that lost
// the collector at the same moment do not come back at the same moment.
// The zero value works.
type Backoff struct {
	// Base is the first step. OPTIONAL: 1s.
	Base time.Duration
	// Max caps a step. OPTIONAL: 5 minutes.
	Max time.Duration
	// Rand returns a number in [0, 1). OPTIONAL: math/rand/v2.
	Rand func() float64
}

// Delay is the wait before retry number attempt (0 for the first retry).
func (b Backoff) Delay(attempt int) time.Duration {
	base, ceil := b.Base, b.Max
	if base <= 0 {
		base = time.Second
	}
	if ceil <= 0 {
		ceil = 5 * time.Minute
	}
	step := base
	for i := 0; i < attempt && step < ceil; i++ {
		step *= 2
	}
	step = min(step, ceil)
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return time.Duration(r() * float64(step))
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
