package collectorclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/probe/collectorclient"
	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
)

func ExampleClient_BatchSubmit() {
	t := &testing.T{}
	srv := collectortest.New(t) // a collector on loopback
	defer srv.Close()

	httpClient, err := collectorclient.NewHTTPClient("", nil) // or "socks5://127.0.0.1:9050"
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &collectorclient.Client{BaseURL: srv.URL, HTTP: httpClient}
	ctx := context.Background()
	reg, err := c.Register(ctx, probeapi.RegisterRequest{SoftwareName: "sonde"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Token = reg.Token
	m := json.RawMessage(`{"test_name":"dns","input":"example.org"}`)
	results, err := c.BatchSubmit(ctx, []json.RawMessage{m, m})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(results[0].Status, results[1].Status)
	// Output: stored duplicate
}
