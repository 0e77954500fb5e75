package testlists

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// HostResolver looks up host names; *net.Resolver is one.
type HostResolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// DomainCheck configures CheckDomains. The zero value works.
type DomainCheck struct {
	// Resolver looks the hosts up. OPTIONAL: net.DefaultResolver.
	Resolver HostResolver
	// Timeout bounds each lookup. OPTIONAL: 5s.
	Timeout time.Duration
	// Concurrency bounds the lookups in flight. OPTIONAL: 16.
	Concurrency int
}

// CheckDomains resolves every host name of the lists once and reports, for
// each row whose host does not exist (NXDOMAIN), a warning: the site is
// probably gone. Hosts that could not be checked (timeouts, server
// failures) are summed up in one warning rather than blamed. Run it from
// an uncensored network: a censor's resolver lies. It returns early with
// what it found when ctx is done.
func CheckDomains(ctx context.Context, set *Set, cfg DomainCheck) []*Problem {
	res := cfg.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	timeout := cmp.Or(cfg.Timeout, 5*time.Second)
	hosts := map[string][]*Problem{} // host → rows (as problem stubs) using it
	for _, name := range set.Names() {
		l := set.Lists[name]
		for _, e := range l.Entries {
			u, err := url.Parse(e.URL)
			if err != nil {
				continue
			}
			h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
			if _, err := netip.ParseAddr(h); err == nil || h == "" {
				continue
			}
			hosts[h] = append(hosts[h], &Problem{File: filepath.ToSlash(l.Path), Line: e.Line, Severity: Warning})
		}
	}
	var (
		mu        sync.Mutex
		dead      []string
		unchecked int
		wg        sync.WaitGroup
		sem       = make(chan struct{}, cmp.Or(cfg.Concurrency, 16))
	)
	for _, h := range slices.Sorted(maps.Keys(hosts)) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			lctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			_, err := res.LookupHost(lctx, h)
			var de *net.DNSError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
			case errors.As(err, &de) && de.IsNotFound:
				dead = append(dead, h)
			default:
				unchecked++
			}
		}()
	}
	wg.Wait()
	var out []*Problem
	for _, h := range dead {
		for _, p := range hosts[h] {
			p.Msg = fmt.Sprintf("the domain %s does not exist (NXDOMAIN): the site may be gone", h)
			p.Fix = "check from an uncensored network; remove the row or update the URL"
			out = append(out, p)
		}
	}
	sortProblems(out)
	if unchecked > 0 {
		out = append(out, &Problem{File: set.Dir, Severity: Warning,
			Msg: fmt.Sprintf("%d of %d domains could not be checked (timeouts or resolver failures)", unchecked, len(hosts)),
			Fix: "run again later, or with a longer --timeout"})
	}
	return out
}
