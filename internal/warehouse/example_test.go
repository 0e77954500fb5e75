package warehouse_test

import (
	"fmt"

	"github.com/sonde-project/sonde/internal/warehouse"
)

func ExampleDomain() {
	fmt.Println(warehouse.Domain("https://Www.Example.ORG/path?q=1"))
	fmt.Println(warehouse.Domain("example.net:443"))
	// Output:
	// www.example.org
	// example.net
}

func ExampleMigrations() {
	migs, _ := warehouse.Migrations()
	for _, m := range migs[:3] {
		fmt.Println(m.Version, m.Name)
	}
	// Output:
	// 1 0001_measurements
	// 2 0002_observations
	// 3 0003_verdicts
}
