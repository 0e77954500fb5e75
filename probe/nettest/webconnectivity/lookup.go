package webconnectivity

import (
	"context"
	"sync"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/probe/netx"
)

// maxAddresses bounds the addresses connected to, over all resolvers.
const maxAddresses = 16

// lookup is the DNS part: the target's host through each resolver, at
// once. The first resolver is the primary one: its failure is
// dns_experiment_failure.
type lookup struct {
	addrs   []string // every address found, primary first, without duplicates
	failure string   // the primary resolver's failure
}

// resolvers returns the resolvers to use: the system one unless turned
// off, and Env.Resolver when it names another.
func resolvers(n *netx.Net, envResolver string, system bool) ([]netx.Resolver, error) {
	var out []netx.Resolver
	if system {
		r, err := n.NewResolver("system")
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if envResolver != "" && envResolver != "system" {
		r, err := n.NewResolver(envResolver)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, errNoResolver
	}
	return out, nil
}

func runLookup(ctx context.Context, rs []netx.Resolver, host string) *lookup {
	results := make([][]string, len(rs))
	failures := make([]string, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() {
			addrs, err := r.LookupHost(netx.WithTags(ctx, "dns"), host)
			results[i], failures[i] = addrs, failure.Classify(err)
		})
	}
	wg.Wait()
	l := &lookup{failure: failures[0]}
	for _, addrs := range results {
		for _, a := range addrs {
			if a = canonical(a); !contains(l.addrs, a) && len(l.addrs) < maxAddresses {
				l.addrs = append(l.addrs, a)
			}
		}
	}
	return l
}
