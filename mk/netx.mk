# probe/netx: latency and allocations of the hot paths on loopback (one
# DNS query, one TLS handshake, one HTTPS GET), each step recorded.
BENCHES += bench-netx
bench-netx:
	$(GO) test -run '^$$' -bench . -benchtime 200x -benchmem ./probe/netx/
