package researchapi_test

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/sonde-project/sonde/collector/researchapi"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// The collector mounts the API and the pages beside its own routes.
func ExampleHandler_Register() {
	ctx := context.Background()
	cfg := warehouse.Config{Addr: "127.0.0.1:9000"}
	if err := warehouse.CreateDatabase(ctx, cfg); err != nil {
		log.Fatal(err)
	}
	conn, err := warehouse.Open(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := warehouse.Migrate(ctx, conn); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	researchapi.New(conn, researchapi.Config{QueryTime: 10 * time.Second}).Register(mux)
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mux))
}
