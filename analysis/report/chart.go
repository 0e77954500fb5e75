package report

import (
	"fmt"
	"math"
)

// Chart colours, one per outcome; tables use the same.
const (
	colourConfirmed = "#8e1b1b"
	colourLikely    = "#d9730d"
	colourOK        = "#2f7d32"
	colourFailure   = "#9e9e9e"
)

// Chart is an SVG chart laid out in Go; the template only draws it.
type Chart struct {
	Width, Height int
	Label         string // for screen readers
	Rects         []Rect
	Texts         []Text
	Lines         []Line
}

// Rect is one bar (or part of a stacked bar).
type Rect struct {
	X, Y, W, H float64
	Fill       string
	Title      string
}

// Text is one label.
type Text struct {
	X, Y   float64
	Anchor string // start, middle, end
	Text   string
}

// Line is an axis or grid line.
type Line struct{ X1, Y1, X2, Y2 float64 }

// timelineChart draws a stacked bar per day: confirmed, likely, ok and
// failed measurements.
func timelineChart(days []TimelineDay) Chart {
	const w, h, left, right, top, bottom = 960, 260, 56, 12, 12, 40
	c := Chart{Width: w, Height: h, Label: "Measurements per day by outcome"}
	var peak int64 = 1
	for _, d := range days {
		peak = max(peak, d.Total())
	}
	scale := niceCeil(peak)
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	slot := plotW / float64(max(len(days), 1))
	barW := math.Max(slot*0.8, 1)
	for _, frac := range []float64{0, 0.5, 1} {
		y := top + plotH*(1-frac)
		c.Lines = append(c.Lines, Line{left, y, w - right, y})
		c.Texts = append(c.Texts, Text{left - 6, y + 4, "end", fmt.Sprint(int64(float64(scale) * frac))})
	}
	for i, d := range days {
		x := left + float64(i)*slot + (slot-barW)/2
		y := float64(top) + plotH
		for _, part := range []struct {
			n      int64
			colour string
			what   string
		}{
			{d.Confirmed, colourConfirmed, "confirmed blocking"},
			{d.Anomaly, colourLikely, "likely blocking"},
			{d.OK, colourOK, "not blocked"},
			{d.Failure, colourFailure, "failed"},
		} {
			if part.n == 0 {
				continue
			}
			bh := plotH * float64(part.n) / float64(scale)
			y -= bh
			c.Rects = append(c.Rects, Rect{x, y, barW, bh, part.colour,
				fmt.Sprintf("%s: %d %s", Date(d.Day), part.n, part.what)})
		}
	}
	// Dates under the first, middle and last days.
	for _, i := range uniqueInts(0, len(days)/2, len(days)-1) {
		if i < 0 || i >= len(days) {
			continue
		}
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case len(days) - 1:
			anchor = "end"
		}
		x := left + float64(i)*slot + slot/2
		if anchor == "start" {
			x = left
		} else if anchor == "end" {
			x = w - right
		}
		c.Texts = append(c.Texts, Text{x, h - bottom + 18, anchor, days[i].Day.Format("2 Jan 2006")})
	}
	c.Lines = append(c.Lines, Line{left, top, left, top + plotH})
	return c
}

// methodChart draws one horizontal bar per blocking method.
func methodChart(methods []MethodCount) Chart {
	const w, left, right, rowH = 960, 150, 60, 28
	h := max(len(methods), 1)*rowH + 16
	c := Chart{Width: w, Height: h, Label: "Blocked site and network pairs by blocking method"}
	peak := 1
	for _, m := range methods {
		peak = max(peak, m.Pairs)
	}
	for i, m := range methods {
		y := float64(8 + i*rowH)
		bw := float64(w-left-right) * float64(m.Pairs) / float64(peak)
		c.Rects = append(c.Rects, Rect{left, y + 4, bw, rowH - 8, colourConfirmed,
			fmt.Sprintf("%s: %d site and network pairs", m.Words, m.Pairs)})
		c.Texts = append(c.Texts, Text{left - 8, y + rowH/2 + 5, "end", m.Words})
		c.Texts = append(c.Texts, Text{left + bw + 6, y + rowH/2 + 5, "start", fmt.Sprint(m.Pairs)})
	}
	return c
}

// niceCeil rounds up to a round number: 1, 1.5, 2, 3, 4, 5, 6 or 8 times
// a power of ten.
func niceCeil(n int64) int64 {
	p := int64(1)
	for {
		for _, m := range []int64{10, 15, 20, 30, 40, 50, 60, 80} {
			if m*p >= n*10 {
				return m * p / 10
			}
		}
		p *= 10
	}
}

func uniqueInts(xs ...int) []int {
	var out []int
	for _, x := range xs {
		dup := false
		for _, y := range out {
			dup = dup || x == y
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}
