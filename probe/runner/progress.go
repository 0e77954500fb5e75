package runner

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows the run to the volunteer: on a terminal a live line
// redrawn a few times a second (done/total, rate, time left, blocked so
// far) with blocked targets printed above it; elsewhere one plain line per
// measurement, for logs.
type progress struct {
	w        io.Writer // nil shows nothing
	terminal bool
	now      func() time.Time

	mu            sync.Mutex
	total, done   int
	blocked, fail int
	start         time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

// redrawEvery is how often the live line is redrawn.
const redrawEvery = 250 * time.Millisecond

func (p *progress) begin(total int) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	p.total, p.start = total, p.now()
	p.mu.Unlock()
	if !p.terminal {
		fmt.Fprintf(p.w, "measuring %d (test, target) pairs\n", total)
		return
	}
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(redrawEvery)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.drawLocked()
				p.mu.Unlock()
			}
		}
	}()
}

// record shows one finished measurement.
func (p *progress) record(o *outcome) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if o.blocking.Decided && o.blocking.Method != "" {
		p.blocked++
	}
	if o.err != "" || o.leaked {
		p.fail++
	}
	if !p.terminal {
		fmt.Fprintf(p.w, "[%d/%d] %s %s: %s\n", p.done, p.total, o.test, o.input, o.verdict())
		return
	}
	if o.err != "" || o.leaked || (o.blocking.Decided && o.blocking.Method != "") {
		fmt.Fprintf(p.w, "\r\x1b[K%s %s: %s\n", o.test, o.input, o.verdict())
	}
	p.drawLocked()
}

// note prints a line of its own (used when the run is being stopped).
func (p *progress) note(format string, args ...any) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.terminal {
		p.drawLocked()
	}
}

func (p *progress) drawLocked() {
	elapsed := p.now().Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.done) / elapsed.Seconds()
	}
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\x1b[K%d/%d  %.1f/s  %s left  blocked: %d  failed: %d",
		p.done, p.total, rate, eta, p.blocked, p.fail)
}

// end stops the live line and leaves the cursor on a fresh line.
func (p *progress) end() {
	if p.w == nil || !p.terminal {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	p.drawLocked()
	fmt.Fprintln(p.w)
	p.mu.Unlock()
}
