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
	end, err := MembersAt(obj, 0, func(key []byte, i int) (int, error) {
		vend := skipValue(obj, i)
		if vend <= i {
			return 0, ErrNotObject
		}
		return vend, fn(key, obj[i:vend])
	})
	if err != nil {
		return err
	}
	return trailing(obj, end, ErrNotObject)
}

// MembersAt is Members for a decoder that reads each value itself, so
// that nested values are scanned once: the object starts at b[i] (after
// white space), fn gets each key and where its value starts and returns
// where the value ends, and MembersAt returns the index after the object.
// What follows the object is not looked at. Like Members it finds
// boundaries and does not validate.
func MembersAt(b []byte, i int, fn func(key []byte, value int) (int, error)) (int, error) {
	i, empty, err := open(b, i, '{', '}', ErrNotObject)
	if empty || err != nil {
		return i, err
	}
	for i < len(b) {
		if b[i] != '"' {
			return i, ErrNotObject
		}
		end := skipString(b, i)
		if end < 0 {
			return i, ErrNotObject
		}
		key := b[i+1 : end-1]
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return i, ErrNotObject
		}
		i = skipWS(b, i+1)
		vend, err := fn(key, i)
		if err != nil {
			return i, err
		}
		if vend <= i || vend > len(b) {
			return i, ErrNotObject
		}
		var done bool
		if i, done, err = after(b, vend, '}', ErrNotObject); done {
			return i, err
		}
	}
	return i, ErrNotObject
}

// ErrNotArray is returned by Elements for a value that is not an array.
var ErrNotArray = errors.New("canonjson: not a JSON array")

// Elements calls fn for each element of the JSON array arr (raw JSON), in
// order, and stops at the first error fn returns. Like Members it finds
// boundaries and does not validate.
func Elements(arr []byte, fn func(value []byte) error) error {
	end, err := ElementsAt(arr, 0, func(i int) (int, error) {
		vend := skipValue(arr, i)
		if vend <= i {
			return 0, ErrNotArray
		}
		return vend, fn(arr[i:vend])
	})
	if err != nil {
		return err
	}
	return trailing(arr, end, ErrNotArray)
}

// ElementsAt is Elements as MembersAt is Members: the array starts at
// b[i], fn gets where each element starts and returns where it ends, and
// ElementsAt returns the index after the array.
func ElementsAt(b []byte, i int, fn func(value int) (int, error)) (int, error) {
	i, empty, err := open(b, i, '[', ']', ErrNotArray)
	if empty || err != nil {
		return i, err
	}
	for i < len(b) {
		end, err := fn(i)
		if err != nil {
			return i, err
		}
		if end <= i || end > len(b) {
			return i, ErrNotArray
		}
		var done bool
		if i, done, err = after(b, end, ']', ErrNotArray); done {
			return i, err
		}
	}
	return i, ErrNotArray
}

// ValueEnd returns the index after the JSON value starting at b[i], or
// -1. b must be valid JSON: it finds the boundary, it does not validate.
func ValueEnd(b []byte, i int) int { return skipValue(b, i) }

// open reads the start of a container at b[i] (after white space): it
// returns where its first member or element starts, or that it is empty
// (and the index after it), or notErr.
func open(b []byte, i int, start, end byte, notErr error) (int, bool, error) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != start {
		return i, true, notErr
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == end {
		return i + 1, true, nil
	}
	return i, false, nil
}

// after reads what follows a member or an element ending at b[i]: a comma
// (it returns where the next one starts), or the container's end (done,
// and the index after it), or anything else (done, with notErr).
func after(b []byte, i int, end byte, notErr error) (int, bool, error) {
	i = skipWS(b, i)
	switch {
	case i < len(b) && b[i] == ',':
		return skipWS(b, i+1), false, nil
	case i < len(b) && b[i] == end:
		return i + 1, true, nil
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
