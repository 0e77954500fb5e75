# testlists: the cost of a check-in, of loading the lists, and the memory
# of the rotation. SONDE_TEST_LISTS=/path/to/test-lists measures a real
# checkout instead of lists the size of the largest country.
BENCHES += bench-testlists
bench-testlists:
	$(GO) test -run '^$$' -bench 'Pick|Normalize' -benchtime 500x ./testlists/
	$(GO) test -run '^$$' -bench 'LoadDir|StoreMemory' -benchtime 1x ./testlists/
