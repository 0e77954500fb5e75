package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Page is one loaded tab.
type Page struct {
	b       *Browser
	session string

	mu       sync.Mutex
	problems []string
	requests []string
	loaded   chan struct{}
	once     sync.Once
}

// Open loads url in a new tab and waits for its load event.
func (b *Browser) Open(t testing.TB, url string) *Page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*callTimeout)
	defer cancel()
	var target struct {
		TargetID string `json:"targetId"`
	}
	mustCall(t, b, ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	mustCall(t, b, ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	p := &Page{b: b, session: attached.SessionID, loaded: make(chan struct{})}
	b.mu.Lock()
	b.listeners[p.session] = p.event
	b.mu.Unlock()
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		mustCall(t, b, ctx, p.session, domain+".enable", nil, nil)
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	mustCall(t, b, ctx, p.session, "Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		t.Fatalf("load %s: %s", url, nav.ErrorText)
	}
	select {
	case <-p.loaded:
	case <-ctx.Done():
		t.Fatalf("load %s: no load event within %s", url, 3*callTimeout)
	}
	return p
}

// event records what a reader's console would show and what was fetched.
func (p *Page) event(m message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch m.Method {
	case "Page.loadEventFired":
		p.once.Do(func() { close(p.loaded) })
	case "Runtime.consoleAPICalled":
		var ev struct {
			Type string `json:"type"`
			Args []struct {
				Value any `json:"value"`
			} `json:"args"`
		}
		if json.Unmarshal(m.Params, &ev) == nil && (ev.Type == "error" || ev.Type == "assert") {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, fmt.Sprint(a.Value))
			}
			p.problems = append(p.problems, "console."+ev.Type+": "+strings.Join(parts, " "))
		}
	case "Runtime.exceptionThrown":
		p.problems = append(p.problems, "exception: "+string(m.Params))
	case "Log.entryAdded":
		var ev struct {
			Entry struct {
				Level  string `json:"level"`
				Source string `json:"source"`
				Text   string `json:"text"`
				URL    string `json:"url"`
			} `json:"entry"`
		}
		if json.Unmarshal(m.Params, &ev) == nil && ev.Entry.Level == "error" {
			p.problems = append(p.problems, fmt.Sprintf("%s error: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case "Network.requestWillBeSent":
		var ev struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(m.Params, &ev) == nil {
			p.requests = append(p.requests, ev.Request.URL)
		}
	}
}

// Problems returns the console errors, uncaught exceptions and browser
// errors (such as Content-Security-Policy violations) seen so far.
func (p *Page) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Requests returns the URLs the page requested, the page's own first.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// Eval evaluates a JavaScript expression in the page and decodes its
// value (JSON-serialisable) into out.
func (p *Page) Eval(t testing.TB, expr string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails json.RawMessage `json:"exceptionDetails"`
	}
	mustCall(t, p.b, ctx, p.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if len(res.ExceptionDetails) > 0 {
		t.Fatalf("evaluate %q: %s", expr, res.ExceptionDetails)
	}
	if err := json.Unmarshal(res.Result.Value, out); err != nil {
		t.Fatalf("evaluate %q: %v (value %s)", expr, err, res.Result.Value)
	}
}

// Screenshot captures the whole page as a PNG under the artifact
// directory ($SONDE_ARTIFACTS, or sonde-artifacts in the temporary
// directory), logs its path and fails the test when the image is blank or
// tiny. It returns the path.
func (p *Page) Screenshot(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*callTimeout)
	defer cancel()
	var metrics struct {
		CSSContentSize struct{ Width, Height float64 } `json:"cssContentSize"`
	}
	mustCall(t, p.b, ctx, p.session, "Page.getLayoutMetrics", nil, &metrics)
	w, h := max(metrics.CSSContentSize.Width, 800), min(max(metrics.CSSContentSize.Height, 600), 16000)
	var shot struct {
		Data string `json:"data"`
	}
	mustCall(t, p.b, ctx, p.session, "Page.captureScreenshot", map[string]any{
		"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": 0, "y": 0, "width": w, "height": h, "scale": 1},
	}, &shot)
	data, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	checkPNG(t, data)
	dir := os.Getenv("SONDE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sonde-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(data))
	return path
}

// checkPNG fails unless data is a PNG of at least 800×600 with some
// variety of colour (a blank or broken page is one colour).
func checkPNG(t testing.TB, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 600 {
		t.Fatalf("screenshot is %dx%d, smaller than 800x600", b.Dx(), b.Dy())
	}
	if n := colours(img, 64); n < 8 {
		t.Fatalf("screenshot has %d colours: the page looks blank", n)
	}
}

// colours counts distinct colours up to limit, sampling a grid.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

func mustCall(t testing.TB, b *Browser, ctx context.Context, session, method string, params, out any) {
	t.Helper()
	res, err := b.call(ctx, session, method, params)
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("chromium: %s: %v", method, err)
		}
	}
}
