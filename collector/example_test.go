package collector_test

import (
	"fmt"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/measurement"
)

func ExampleMeasurementUID() {
	m := &measurement.Measurement{ProbeCC: "IT", TestName: "web_connectivity", MeasurementStartTime: "2025-05-27 23:31:08"}
	canonical := []byte(`{"probe_cc":"IT","test_name":"web_connectivity"}`)
	fmt.Println(collector.MeasurementUID(m, canonical))
	// Another content, another uid, even with the same envelope.
	fmt.Println(collector.MeasurementUID(m, canonical) != collector.MeasurementUID(m, []byte(`{"probe_cc":"IT"}`)))
	// Output:
	// 20250527233108.637643_IT_webconnectivity_b0a4e864e214ad80
	// true
}
