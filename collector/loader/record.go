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
	return append(AppendRecordHeader(make([]byte, 0, 8+len(doc)), received), doc...)
}

// AppendRecordHeader appends what comes before the document in a spool
// record, for callers that write the document straight after it.
func AppendRecordHeader(dst []byte, received time.Time) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64(received.Unix()))
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
