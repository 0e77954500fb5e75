# The control helper and web_connectivity (area: control).
BENCHES += bench-control
bench-control:
	go test -run '^$$' -bench . -benchtime 200x ./internal/controlhelper/
	go test -run '^$$' -bench . -benchtime 50x ./probe/nettest/webconnectivity/
