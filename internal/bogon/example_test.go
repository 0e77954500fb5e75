package bogon_test

import (
	"fmt"
	"net/netip"

	"github.com/sonde-project/sonde/internal/bogon"
)

func ExampleIs() {
	for _, s := range []string{"93.184.216.34", "10.10.34.34", "::ffff:127.0.0.1", "2001:db8::1"} {
		fmt.Println(s, bogon.Is(netip.MustParseAddr(s)))
	}
	// Output:
	// 93.184.216.34 false
	// 10.10.34.34 true
	// ::ffff:127.0.0.1 true
	// 2001:db8::1 true
}
