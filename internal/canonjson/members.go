package canonjson

import (
	"bytes"
	"errors"
)

// ErrNotObject is returned by Members for a value that is not an object.
var ErrNotObject = errors.New("canonjson: not a JSON object")

// Members calls fn for each member of the JSON object obj, in order, with
// its key (the raw bytes between the quotes: escapes are not decoded) and
// its value (raw JSON). It stops at the first error fn returns and returns
// it. Only white space may follow the object. obj must be valid JSON
// (what Append wrote, or what was checked before): Members finds
// boundaries, it does not validate.
func Members(obj []byte, fn func(key, value []byte) error) error {
	i, empty, err := open(obj, '{', '}', ErrNotObject)
	if empty || err != nil {
		return err
	}
	for i < len(obj) {
		if obj[i] != '"' {
			return ErrNotObject
		}
		end := skipString(obj, i)
		if end < 0 {
			return ErrNotObject
		}
		key := obj[i+1 : end-1]
		i = skipWS(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return ErrNotObject
		}
		i = skipWS(obj, i+1)
		vend := skipValue(obj, i)
		if vend <= i {
			return ErrNotObject
		}
		if err := fn(key, obj[i:vend]); err != nil {
			return err
		}
		var done bool
		if i, done, err = after(obj, vend, '}', ErrNotObject); done {
			return err
		}
	}
	return ErrNotObject
}

// ErrNotArray is returned by Elements for a value that is not an array.
var ErrNotArray = errors.New("canonjson: not a JSON array")

// Elements calls fn for each element of the JSON array arr (raw JSON), in
// order, and stops at the first error fn returns. Like Members it finds
// boundaries and does not validate.
func Elements(arr []byte, fn func(value []byte) error) error {
	i, empty, err := open(arr, '[', ']', ErrNotArray)
	if empty || err != nil {
		return err
	}
	for i < len(arr) {
		end := skipValue(arr, i)
		if end <= i {
			return ErrNotArray
		}
		if err := fn(arr[i:end]); err != nil {
			return err
		}
		var done bool
		if i, done, err = after(arr, end, ']', ErrNotArray); done {
			return err
		}
	}
	return ErrNotArray
}

// open reads the start of a container: it returns where its first member
// or element starts, or that it is empty (with nil when only white space
// follows it), or notErr.
func open(b []byte, start, end byte, notErr error) (int, bool, error) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != start {
		return i, true, notErr
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == end {
		return i, true, trailing(b, i+1, notErr)
	}
	return i, false, nil
}

// after reads what follows a member or an element ending at b[i]: a comma
// (it returns where the next one starts), or the container's end (done,
// with nil when only white space follows), or anything else (done, with
// notErr).
func after(b []byte, i int, end byte, notErr error) (int, bool, error) {
	i = skipWS(b, i)
	switch {
	case i < len(b) && b[i] == ',':
		return skipWS(b, i+1), false, nil
	case i < len(b) && b[i] == end:
		return i, true, trailing(b, i+1, notErr)
	}
	return i, true, notErr
}

// trailing returns err when anything but white space follows b[i:].
func trailing(b []byte, i int, err error) error {
	if skipWS(b, i) != len(b) {
		return err
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] ('"'),
// or -1. (Scanning short strings byte by byte instead of with IndexByte
// made no difference in the loader's benchmark.)
func skipString(b []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		n := 0 // backslashes right before the quote
		for k := q - 1; k >= i && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

// skipValue returns the index after the value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				if i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	// A number or a literal: up to the next delimiter.
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
