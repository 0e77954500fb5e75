package collector

import (
	"math"
	"sync"
	"time"
)

// limiter is a set of token buckets, one per key (a probe id, or a
// salted hash of a client address: the address itself is never kept).
// Buckets idle long enough to be full again are dropped when the set
// grows, so memory stays bounded by the number of active clients.
type limiter struct {
	rate    float64 // tokens per second; <0 disables
	burst   float64
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
	maxKeys int
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(r Rate, now func() time.Time) *limiter {
	return &limiter{rate: r.Rate, burst: float64(r.Burst), now: now, buckets: map[string]*bucket{}, maxKeys: 100_000}
}

// allow takes n tokens from key's bucket. When there are not enough it
// takes none and says how long until there will be.
func (l *limiter) allow(key string, n int) (bool, time.Duration) {
	if l == nil || l.rate < 0 {
		return true, 0
	}
	cost := float64(n)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if cost > l.burst {
		cost = l.burst // a batch larger than the burst waits for a full bucket
	}
	if b.tokens >= cost {
		b.tokens -= cost
		return true, 0
	}
	if l.rate == 0 {
		return false, time.Hour
	}
	wait := time.Duration((cost - b.tokens) / l.rate * float64(time.Second))
	return false, max(wait, time.Second)
}

func (l *limiter) evict(now time.Time) {
	full := time.Duration(l.burst / math.Max(l.rate, 1e-9) * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.maxKeys { // all busy: drop arbitrary ones
		for k := range l.buckets {
			delete(l.buckets, k)
			if len(l.buckets) < l.maxKeys/2 {
				break
			}
		}
	}
}
