package testlists

import (
	"container/list"
	"math"
	"time"
)

// minute is a time in whole minutes since 1970, the unit of rotation
// state (4 bytes per URL); 0 means never.
func minute(t time.Time) uint32 {
	m := t.Unix() / 60
	if m < 1 {
		return 1
	}
	if m > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(m)
}

// lastSeen records, for each URL of a merged list, the minute it was last
// handed out or measured.
type lastSeen struct {
	of   *merged
	last []uint32
}

// sync makes t follow m, carrying the times over by key after a reload.
func (t *lastSeen) sync(m *merged) {
	if t.of == m {
		return
	}
	last := make([]uint32, len(m.items))
	if t.of != nil {
		for i, old := range t.of.items {
			if t.last[i] == 0 {
				continue
			}
			if j, ok := m.index(old.target.URL); ok {
				last[j] = t.last[i]
			}
		}
	}
	t.of, t.last = m, last
}

// countryState is the rotation state of one country: when each URL was
// last handed out anywhere in the country, and which URLs' verdicts
// changed lately (by URL as listed, minute of the change).
type countryState struct {
	lastSeen
	changed map[string]uint32
}

// networkID is a probe's network: country and ASN.
type networkID struct{ cc, asn string }

// networkState is the rotation state of one network.
type networkState struct {
	id networkID
	lastSeen
}

// rotation holds the state of every country and of the most recently
// seen networks. Callers hold Store.mu.
type rotation struct {
	countries map[string]*countryState
	networks  map[networkID]*list.Element // of *networkState
	lru       *list.List                  // most recent first
	max       int
}

func newRotation(maxNetworks int) rotation {
	return rotation{countries: map[string]*countryState{}, networks: map[networkID]*list.Element{}, lru: list.New(), max: maxNetworks}
}

func (r *rotation) country(cc string, m *merged) *countryState {
	cs := r.countries[cc]
	if cs == nil {
		cs = &countryState{changed: map[string]uint32{}}
		r.countries[cc] = cs
	}
	cs.sync(m)
	return cs
}

// network returns the state of a network, creating it and forgetting the
// least recently seen network when there are too many.
func (r *rotation) network(id networkID, m *merged) *networkState {
	if el, ok := r.networks[id]; ok {
		r.lru.MoveToFront(el)
		ns := el.Value.(*networkState)
		ns.sync(m)
		return ns
	}
	for r.lru.Len() >= r.max {
		old := r.lru.Back()
		r.lru.Remove(old)
		delete(r.networks, old.Value.(*networkState).id)
	}
	ns := &networkState{id: id}
	ns.sync(m)
	r.networks[id] = r.lru.PushFront(ns)
	return ns
}

// expire forgets verdict changes older than horizon.
func (cs *countryState) expire(horizon uint32) {
	for k, at := range cs.changed {
		if at < horizon {
			delete(cs.changed, k)
		}
	}
}
