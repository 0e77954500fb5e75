package loader

import (
	"encoding/binary"
	"errors"
	"time"
)

// A spool record is the time the collector accepted the measurement
// (Unix seconds, 8 bytes little endian) followed by the measurement's
// JSON, scrubbed and with its measurement_uid.

// EncodeRecord returns the spool record for a measurement accepted at
// received.
func EncodeRecord(received time.Time, doc []byte) []byte {
	rec := make([]byte, 8, 8+len(doc))
	binary.LittleEndian.PutUint64(rec, uint64(received.Unix()))
	return append(rec, doc...)
}

// ErrBadRecord is returned by DecodeRecord for a record too short to hold
// a measurement.
var ErrBadRecord = errors.New("loader: spool record too short")

// DecodeRecord splits a spool record.
func DecodeRecord(rec []byte) (received time.Time, doc []byte, err error) {
	if len(rec) < 9 {
		return time.Time{}, nil, ErrBadRecord
	}
	return time.Unix(int64(binary.LittleEndian.Uint64(rec)), 0).UTC(), rec[8:], nil
}
