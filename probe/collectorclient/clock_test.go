package collectorclient

import (
	"errors"
	"testing"
	"time"
)

func TestClockOffset(t *testing.T) {
	sent := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	received := sent.Add(400 * time.Millisecond) // the collector read its clock at about +200ms
	for _, c := range []struct {
		name, utc string
		want      time.Duration
		err       bool
	}{
		{"same clock, OONI's format", "2026-05-01T12:00:00Z", 0, false},
		{"probe three hours ahead", "2026-05-01T09:00:00Z", -3 * time.Hour, false},
		{"probe two days behind, measurement format", "2026-05-03 12:00:01", 48*time.Hour + time.Second, false},
		{"with an offset", "2026-05-01T14:00:00+02:00", 0, false},
		{"not a time", "noon", 0, true},
		{"absurd", "1970-01-01T00:00:00Z", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ClockOffset(c.utc, sent, received)
			if (err != nil) != c.err || got != c.want {
				t.Errorf("ClockOffset(%q) = %s, %v; want %s, error %v", c.utc, got, err, c.want, c.err)
			}
		})
	}
	if _, err := ClockOffset("", sent, received); !errors.Is(err, ErrNoServerTime) {
		t.Errorf("no utc_time: %v", err)
	}
}

func FuzzClockOffset(f *testing.F) {
	f.Add("2026-05-01T12:00:00Z")
	f.Add("2026-05-01 12:00:00")
	f.Add("9999-12-31T23:59:59+14:00")
	now := time.Now()
	f.Fuzz(func(t *testing.T, utc string) {
		off, err := ClockOffset(utc, now, now)
		if err == nil && (off > maxOffset || off < -maxOffset || off%time.Second != 0) {
			t.Errorf("ClockOffset(%q) = %s", utc, off)
		}
	})
}
