package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sonde-project/sonde/probe/upload"
)

// waitTimes bounds the uploads after a run.
const (
	finalUploadTime       = 2 * time.Minute
	finalUploadTimeStop   = 15 * time.Second
	closeReportsTime      = 10 * time.Second
	uploadPatienceCommand = 8
)

// finishUploads sends what the run queued, closes the reports it opened
// and says what is left. Ctrl-C cuts it short: what is not sent stays
// queued.
func (a *app) finishUploads(ctx context.Context, s *session, interrupted bool, sigs <-chan os.Signal) {
	limit := finalUploadTime
	if interrupted {
		limit = finalUploadTimeStop
	}
	dctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-sigs:
			cancel()
		case <-dctx.Done():
		}
	}()
	if s.queue.Len() > 0 {
		fmt.Fprintf(a.stderr, "Uploading the %d not sent yet (Ctrl-C to leave them for \"probe upload\")...\n", s.queue.Len())
	}
	st, err := s.uploader(nil).Drain(dctx)
	cancel()
	<-watched
	s.closeReports(ctx, closeReportsTime)
	a.printUploads(s.uploaded.Add(st), err)
}

func (a *app) printUploads(st upload.Stats, err error) {
	fmt.Fprintf(a.stdout, "Uploaded: %d new, %d already there, %d refused by the collector.\n", st.Stored, st.Duplicates, st.Rejected)
	if st.Pending > 0 {
		fmt.Fprintf(a.stdout, "%d measurements wait in the upload queue: run \"probe upload\" to send them later.\n", st.Pending)
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(a.stderr, "probe: uploads stopped: %v\n", err)
	}
}
