package upload_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/sonde-project/sonde/probe/collectorclient"
	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
	"github.com/sonde-project/sonde/probe/upload"
)

func ExampleUploader_Drain() {
	srv := collectortest.New(&testing.T{}) // a collector on loopback
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "queue")
	defer os.RemoveAll(dir)

	q, err := upload.Open(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q.Close()
	q.Add([]byte(`{"test_name":"dns","input":"example.org"}`))
	q.Add([]byte(`{"test_name":"dns","input":"example.org"}`)) // the same: queued once

	u := &upload.Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL}}
	st, err := u.Drain(context.Background())
	fmt.Println(st.Stored, st.Pending, err)
	// Output: 1 0 <nil>
}
