package censor

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// tracer writes every injected frame to a pcap file (pcapgo), for reading
// in Wireshark or tcpdump when a lab result needs explaining. A nil
// tracer records nothing.
type tracer struct {
	mu sync.Mutex
	f  *os.File
	w  *pcapgo.Writer
}

func newTracer(path string) (*tracer, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("censor trace: %w", err)
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(1<<16, layers.LinkTypeEthernet); err != nil {
		f.Close()
		return nil, fmt.Errorf("censor trace: %w", err)
	}
	return &tracer{f: f, w: w}, nil
}

func (t *tracer) record(frame []byte) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	ci := gopacket.CaptureInfo{Timestamp: time.Now(), CaptureLength: len(frame), Length: len(frame)}
	_ = t.w.WritePacket(ci, frame)
}

func (t *tracer) Close() error {
	if t == nil {
		return nil
	}
	return t.f.Close()
}
