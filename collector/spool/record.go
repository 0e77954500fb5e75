package spool

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

// MaxRecord is the largest record the spool takes.
const MaxRecord = 16 << 20

const headerSize = 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrRecordTooLarge is returned by Append for a record over MaxRecord.
var ErrRecordTooLarge = errors.New("spool: record larger than 16 MiB")

// errBadRecord ends a segment: what follows is a torn or corrupt tail.
var errBadRecord = errors.New("spool: bad record")

func appendRecord(buf, payload []byte) []byte {
	var h [headerSize]byte
	binary.LittleEndian.PutUint32(h[:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(payload, castagnoli))
	buf = append(buf, h[:]...)
	return append(buf, payload...)
}

// readRecord reads one record from r. It returns io.EOF at a clean end
// and errBadRecord for a torn or corrupt record.
func readRecord(r io.Reader, scratch []byte) ([]byte, error) {
	var h [headerSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		if err == io.ErrUnexpectedEOF {
			return nil, errBadRecord
		}
		return nil, err
	}
	n := binary.LittleEndian.Uint32(h[:4])
	if n == 0 || n > MaxRecord {
		return nil, errBadRecord
	}
	if cap(scratch) < int(n) {
		scratch = make([]byte, n)
	}
	payload := scratch[:n]
	if _, err := io.ReadFull(r, payload); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, errBadRecord
		}
		return nil, err
	}
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(h[4:]) {
		return nil, errBadRecord
	}
	return payload, nil
}
