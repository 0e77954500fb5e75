package collector

import "sync"

// recentUIDs remembers the last n measurement uids that were spooled, to
// answer a re-upload as a duplicate without spooling it again. It is an
// optimisation: the loader stores each uid once whatever it says.
type recentUIDs struct {
	mu   sync.Mutex
	set  map[string]struct{}
	ring []string
	next int
}

func newRecentUIDs(n int) *recentUIDs {
	return &recentUIDs{set: make(map[string]struct{}, n), ring: make([]string, n)}
}

func (r *recentUIDs) has(uid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.set[uid]
	return ok
}

func (r *recentUIDs) add(uids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, uid := range uids {
		if _, ok := r.set[uid]; ok {
			continue
		}
		if old := r.ring[r.next]; old != "" {
			delete(r.set, old)
		}
		r.ring[r.next] = uid
		r.set[uid] = struct{}{}
		r.next = (r.next + 1) % len(r.ring)
	}
}
