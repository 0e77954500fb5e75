package publicip_test

import (
	"fmt"

	"github.com/sonde-project/sonde/probe/publicip"
)

func ExampleParseAnswer() {
	a, err := publicip.ParseAnswer([]byte(`{"ip":"203.0.113.9"}`))
	fmt.Println(a, err, publicip.IsPublic(a))
	// Output: 203.0.113.9 <nil> true
}
