package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/probe/collectorclient"
)

// Collector is the part of collectorclient.Client the uploader uses.
type Collector interface {
	BatchSubmit(ctx context.Context, ms []json.RawMessage) ([]probeapi.BatchResult, error)
	Submit(ctx context.Context, reportID string, m json.RawMessage) (string, error)
}

// Uploader sends a Queue to a collector. The zero value of every OPTIONAL
// field works. Only one Uploader may drain a Queue at a time.
type Uploader struct {
	// Queue holds the measurements. REQUIRED.
	Queue *Queue
	// Collector receives them. REQUIRED.
	Collector Collector
	// Backoff spaces retries. OPTIONAL.
	Backoff Backoff
	// Patience is how many failed attempts in a row Drain makes before
	// it gives up (what is left stays queued). OPTIONAL: 6, about a
	// minute of trying with the default backoff.
	Patience int
	// MaxBatch bounds the measurements per batch. OPTIONAL: 50.
	MaxBatch int
	// MaxBatchBytes bounds a batch's size. OPTIONAL: 4 MiB.
	MaxBatchBytes int
	// Sleep waits between attempts. OPTIONAL: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives what happened. OPTIONAL.
	Logger *slog.Logger

	single bool // the collector has no batch path
}

// Stats is what a Drain did.
type Stats struct {
	Stored, Duplicates, Rejected int
	// Pending is what the queue still holds.
	Pending int
}

// ErrGaveUp is returned by Drain when the collector kept failing.
var ErrGaveUp = errors.New("the collector kept failing")

func (u *Uploader) log() *slog.Logger {
	if u.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return u.Logger
}

// Drain uploads everything pending. It retries what may succeed later with
// backoff, moves what the collector refuses to rejected/, and returns when
// the queue is empty, when ctx is done, after Patience failures in a row
// (ErrGaveUp, wrapping the last error), or at an error no retry can fix
// (a refused token). Nothing leaves the queue before the collector
// acknowledged it.
func (u *Uploader) Drain(ctx context.Context) (Stats, error) {
	return u.drain(ctx, nil)
}

// drain is Drain that also returns, without an error, when stop is
// closed: after the request in flight, or at once while it waits to
// retry.
func (u *Uploader) drain(ctx context.Context, stop <-chan struct{}) (Stats, error) {
	var st Stats
	failures := 0
	patience := u.Patience
	if patience <= 0 {
		patience = 6
	}
	wait := u.Sleep
	if wait == nil {
		wait = sleep
	}
	// Waits end early when stop is closed.
	waitCtx, cancelWait := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-stop:
			cancelWait()
		case <-waitCtx.Done():
		}
	}()
	defer func() {
		cancelWait()
		<-watched
	}()
	for {
		items := u.Queue.Pending()
		if len(items) == 0 {
			return st, nil
		}
		if err := ctx.Err(); err != nil {
			st.Pending = len(items)
			return st, err
		}
		if isClosed(stop) {
			st.Pending = len(items)
			return st, nil
		}
		err := u.sendSome(ctx, items, &st)
		var qe *QueueError
		switch {
		case err == nil:
			failures = 0
			continue
		case errors.As(err, &qe) || !collectorclient.Retryable(err):
			st.Pending = u.Queue.Len()
			return st, err
		}
		failures++
		u.log().Info("upload failed, will retry", "attempt", failures, "err", err)
		if failures >= patience {
			st.Pending = u.Queue.Len()
			return st, fmt.Errorf("%w (%d attempts): %w", ErrGaveUp, failures, err)
		}
		if err := wait(waitCtx, u.Backoff.Delay(failures-1)); err != nil {
			st.Pending = u.Queue.Len()
			if isClosed(stop) && ctx.Err() == nil {
				return st, nil
			}
			return st, err
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// sendSome uploads one batch (or, without a batch path, one measurement).
func (u *Uploader) sendSome(ctx context.Context, items []Item, st *Stats) error {
	if u.single {
		return u.sendOne(ctx, items[0], st)
	}
	maxN := u.MaxBatch
	if maxN <= 0 {
		maxN = 50
	}
	maxBytes := u.MaxBatchBytes
	if maxBytes <= 0 {
		maxBytes = 4 << 20
	}
	var (
		batch []json.RawMessage
		sent  []Item
		size  int
	)
	for _, it := range items {
		if len(batch) == maxN {
			break
		}
		m, err := u.Queue.Read(it)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if len(m) > probeapi.MaxMeasurementSz {
			if err := u.Queue.Reject(it.Hash, "larger than the collector accepts"); err != nil {
				return err
			}
			st.Rejected++
			continue
		}
		if len(batch) > 0 && size+len(m) > maxBytes {
			break
		}
		batch, sent, size = append(batch, m), append(sent, it), size+len(m)
	}
	if len(batch) == 0 {
		return nil
	}
	results, err := u.Collector.BatchSubmit(ctx, batch)
	if errors.Is(err, collectorclient.ErrBatchUnsupported) {
		u.log().Info("the collector has no batch path: uploading one by one")
		u.single = true
		return nil
	}
	if err != nil {
		return err
	}
	for i, r := range results {
		if err := u.settle(sent[i], r, st); err != nil {
			return err
		}
	}
	return nil
}

// settle records the collector's answer about one measurement.
func (u *Uploader) settle(it Item, r probeapi.BatchResult, st *Stats) error {
	switch r.Status {
	case probeapi.StatusStored:
		st.Stored++
	case probeapi.StatusDuplicate:
		st.Duplicates++
	default:
		st.Rejected++
		u.log().Warn("the collector refused a measurement", "reason", r.Error)
		return u.Queue.Reject(it.Hash, r.Error)
	}
	return u.Queue.Ack(it.Hash, r.MeasurementUID)
}

// sendOne uploads one measurement to its report (OONI's path).
func (u *Uploader) sendOne(ctx context.Context, it Item, st *Stats) error {
	m, err := u.Queue.Read(it)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var head struct {
		ReportID string `json:"report_id"`
	}
	if json.Unmarshal(m, &head) != nil || head.ReportID == "" {
		st.Rejected++
		return u.Queue.Reject(it.Hash, "no report_id: cannot upload one by one")
	}
	uid, err := u.Collector.Submit(ctx, head.ReportID, m)
	var se *collectorclient.StatusError
	if errors.As(err, &se) && refusesMeasurement(se.Code) {
		return u.settle(it, probeapi.BatchResult{Status: probeapi.StatusRejected, Error: se.Error()}, st)
	}
	if err != nil {
		return err
	}
	return u.settle(it, probeapi.BatchResult{Status: probeapi.StatusStored, MeasurementUID: uid}, st)
}

// refusesMeasurement: answers about this measurement (malformed, too
// large, unknown report) rather than about the probe (401, 403) or the
// collector (5xx).
func refusesMeasurement(code int) bool {
	switch code {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusGone,
		http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// Follow drains the queue whenever wake fires: the run's uploads while it
// measures. When stop is closed it lets the request in flight finish (so
// that its acknowledgement is not lost) and returns; when ctx is done it
// returns at once. Failures are logged; what is left stays queued for the
// next Drain. It returns what it uploaded.
func (u *Uploader) Follow(ctx context.Context, wake, stop <-chan struct{}) Stats {
	var total Stats
	for {
		select {
		case <-ctx.Done():
			total.Pending = u.Queue.Len()
			return total
		case <-stop:
			total.Pending = u.Queue.Len()
			return total
		case <-wake:
		}
		st, err := u.drain(ctx, stop)
		total = total.Add(st)
		if err != nil && ctx.Err() == nil {
			u.log().Warn("uploads paused", "err", err)
		}
	}
}

// Add sums two Stats; Pending is the later one's.
func (s Stats) Add(later Stats) Stats {
	return Stats{Stored: s.Stored + later.Stored, Duplicates: s.Duplicates + later.Duplicates,
		Rejected: s.Rejected + later.Rejected, Pending: later.Pending}
}
