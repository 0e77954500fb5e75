package collector

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/sync/semaphore"
)

// readBody reads the request body: at most limit bytes (413 beyond),
// at least limits.min_body_rate bytes per second once limits.body_grace
// has passed (408 and the connection is cut otherwise: a slowloris
// client holds a connection for seconds, not minutes), and within the
// collector's budget of body bytes in memory (limits.max_inflight_bytes;
// 503 when exhausted). Call release once the bytes are no longer needed.
//
// The buffer grows with what arrives, never with what the client
// announces, so a Content-Length of 32 MiB followed by silence costs
// nothing.
func (s *Service) readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, release func(), rej *Rejection) {
	if r.ContentLength > limit {
		return nil, nil, reject(http.StatusRequestEntityTooLarge, "request body is %d bytes; the limit is %d", r.ContentLength, limit)
	}
	lim := s.cfg.limits()
	var charged int64
	release = func() { s.inflight.release(charged) }
	// A declared length up to 256 KiB (a batch is typically 100 KiB) is
	// allocated at once; beyond that the buffer grows as bytes arrive.
	initial := int64(32 << 10)
	if r.ContentLength >= 0 {
		initial = min(r.ContentLength+1, 256<<10)
	}
	buf := make([]byte, 0, initial)
	rc := http.NewResponseController(w)
	start := time.Now()
	end := start.Add(lim.ReadTimeout)
	rd := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		// The next byte is due before the client's average rate, counted
		// from the end of the grace period, falls below the minimum.
		due := start.Add(lim.BodyGrace + time.Duration(float64(len(buf)+1)/float64(lim.MinBodyRate)*float64(time.Second)))
		if due.After(end) {
			due = end
		}
		rc.SetReadDeadline(due)
		n, err := rd.Read(buf[len(buf):cap(buf)])
		if n > 0 {
			if !s.inflight.acquire(r.Context(), int64(n)) {
				release()
				return nil, nil, reject(http.StatusServiceUnavailable, "the collector is busy receiving other uploads; retry in a few seconds")
			}
			charged += int64(n)
			buf = buf[:len(buf)+n]
		}
		if err == io.EOF {
			rc.SetReadDeadline(end)
			return buf, release, nil
		}
		if err != nil {
			release()
			// The deadline stays passed: the server must not wait for the
			// rest of a slow body before it closes the connection.
			return nil, nil, bodyError(w, err, limit)
		}
	}
}

func bodyError(w http.ResponseWriter, err error, limit int64) *Rejection {
	var tooBig *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &tooBig):
		return reject(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", limit)
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		w.Header().Set("Connection", "close")
		return reject(http.StatusRequestTimeout, "the request body arrived too slowly; the connection is closed")
	}
	return reject(http.StatusBadRequest, "reading the request body failed (cut off, or badly framed)")
}

// budget is a count of bytes in memory shared by all requests.
type budget struct{ sem *semaphore.Weighted }

func newBudget(bytes int64) *budget { return &budget{sem: semaphore.NewWeighted(bytes)} }

// acquire takes n bytes, waiting up to a second for them.
func (b *budget) acquire(ctx context.Context, n int64) bool {
	if b.sem.TryAcquire(n) {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return b.sem.Acquire(ctx, n) == nil
}

// release gives back n bytes.
func (b *budget) release(n int64) {
	if n > 0 {
		b.sem.Release(n)
	}
}
