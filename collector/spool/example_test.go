package spool_test

import (
	"context"
	"fmt"
	"os"

	"github.com/sonde-project/sonde/collector/spool"
)

func Example() {
	dir, _ := os.MkdirTemp("", "spool-example-")
	defer os.RemoveAll(dir)
	s, err := spool.Open(spool.Config{Dir: dir})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	// Append returns once the records are on disk (fsync'd).
	if err := s.Append(context.Background(), []byte(`{"a":1}`), []byte(`{"b":2}`)); err != nil {
		panic(err)
	}
	// The loader reads a batch, stores it, then commits its end.
	b, _ := s.Read(100, 1<<20)
	for _, r := range b.Records {
		fmt.Println(string(r))
	}
	if err := s.Commit(b.End); err != nil {
		panic(err)
	}
	fmt.Println("pending bytes:", s.Stats().PendingBytes)
	// Output:
	// {"a":1}
	// {"b":2}
	// pending bytes: 0
}
