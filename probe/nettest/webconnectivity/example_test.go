package webconnectivity_test

import (
	"context"
	"fmt"
	"time"

	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity"
)

// The test measures one URL against the control helper of Env.ControlURL
// and says whether the page is blocked and how. Without a control it can
// say nothing of an http page (blocking and accessible are null) and
// records why in control_failure.
func ExampleMeasurer() {
	env := &nettest.Env{
		Begin:       time.Now(),
		StepTimeout: time.Second,
		ControlURL:  "", // e.g. "https://collector.example/api/v1/control" or OONI's "https://0.th.ooni.org/"
	}
	m := &webconnectivity.Measurer{}
	res, err := m.Measure(context.Background(), env, "http://127.0.0.1:9/") // the discard port: nothing answers
	if err != nil {
		fmt.Println(err)
		return
	}
	tk := res.TestKeys.(*webconnectivity.TestKeys)
	fmt.Println("blocking:", res.Blocking.Decided)
	fmt.Println("tcp:", tk.Endpoints[0].TCP)
	fmt.Println("control_failure:", *tk.ControlFailure)
	// Output:
	// blocking: false
	// tcp: connection_refused
	// control_failure: unknown_failure: no control helper configured
}
