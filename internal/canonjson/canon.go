package canonjson

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
)

// Options bound and transform what Append writes. The zero value works.
type Options struct {
	// MaxDepth bounds the nesting of objects and arrays. OPTIONAL: 64.
	MaxDepth int
	// MaxNumberLen bounds the length of a number as written. OPTIONAL: 64.
	MaxNumberLen int
	// Key transforms every object key (decoded) before the keys are
	// sorted; String transforms every string value (decoded). Each may
	// return its argument. What they return must stay valid until the
	// next call. OPTIONAL.
	Key, String func([]byte) []byte
	// Set applies to the members of the top-level object: a member whose
	// key is listed is dropped (its value is still checked), and every
	// listed member with a non-nil Value is written instead. Values must
	// be canonical JSON already; they are not transformed. OPTIONAL.
	Set []Member
	// TopLevel, when the document is an object, is called once it is
	// written with each of its members in order (after Set): the key
	// decoded and transformed, the value as written. Both alias the
	// output Append returns (and its scratch space, for the key) and are
	// valid during the call; value stays valid as long as the output is.
	// A caller that needs the envelope of a document need not scan it
	// again. OPTIONAL.
	TopLevel func(key, value []byte)
}

// Member is an object member for Options.Set.
type Member struct {
	Key   string
	Value []byte // canonical JSON; nil deletes the key
}

// SyntaxError says why and where (byte offset in the input) Append
// refused a document.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s at byte %d", e.Msg, e.Offset) }

const (
	defaultMaxDepth     = 64
	defaultMaxNumberLen = 64
)

// member is one object member being written: its key (decoded, in the
// keys arena) and its bytes in the output (from its key, after the comma
// before it); its value starts at val.
type member struct {
	k0, k1 int
	v0, v1 int
	val    int
}

type state struct {
	src, out []byte
	i        int
	depth    int
	maxDepth int
	maxNum   int
	opt      *Options
	str      []byte   // decoded strings with escapes
	keys     []byte   // keys of the objects being written
	mem      []member // members of the objects being written
	tmp      []byte   // an object's members while they are put in order
}

var states = sync.Pool{New: func() any { return new(state) }}

// Append checks src, one JSON value with nothing but white space around
// it, and appends its canonical form to dst. On error dst is returned
// unchanged (up to its length) with a *SyntaxError.
func Append(dst, src []byte, opt *Options) ([]byte, error) {
	if opt == nil {
		opt = &Options{}
	}
	s := states.Get().(*state)
	s.src, s.out, s.i, s.depth, s.opt = src, dst, 0, 0, opt
	s.maxDepth = opt.MaxDepth
	if s.maxDepth <= 0 {
		s.maxDepth = defaultMaxDepth
	}
	s.maxNum = opt.MaxNumberLen
	if s.maxNum <= 0 {
		s.maxNum = defaultMaxNumberLen
	}
	err := s.value(true)
	if err == nil {
		s.ws()
		if s.i < len(s.src) {
			err = s.fail("data after the JSON value")
		}
	}
	out := s.out
	if err == nil && opt.TopLevel != nil && len(out) > len(dst) && out[len(dst)] == '{' {
		for _, m := range s.mem {
			opt.TopLevel(s.keys[m.k0:m.k1], out[m.val:m.v1:m.v1])
		}
	}
	s.src, s.out, s.opt = nil, nil, nil
	s.keys, s.mem = s.keys[:0], s.mem[:0]
	if cap(s.tmp) > 1<<20 { // do not keep a huge document's scratch forever
		s.tmp, s.str = nil, nil
	}
	states.Put(s)
	if err != nil {
		return dst, err
	}
	return out, nil
}

func (s *state) fail(format string, args ...any) error {
	return &SyntaxError{Offset: s.i, Msg: fmt.Sprintf(format, args...)}
}

func (s *state) ws() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *state) value(top bool) error {
	s.ws()
	if s.i >= len(s.src) {
		return s.fail("unexpected end of JSON")
	}
	switch c := s.src[s.i]; {
	case c == '{':
		return s.object(top)
	case c == '[':
		return s.array()
	case c == '"':
		v, err := s.string()
		if err != nil {
			return err
		}
		if s.opt.String != nil {
			v = s.opt.String(v)
		}
		s.out = appendString(s.out, v)
		return nil
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.fail("invalid character %q looking for a value", rune(c))
	}
}

func (s *state) literal(lit string) error {
	if !bytes.HasPrefix(s.src[s.i:], []byte(lit)) {
		return s.fail("invalid literal (want %s)", lit)
	}
	s.i += len(lit)
	s.out = append(s.out, lit...)
	return nil
}

func (s *state) enter() error {
	s.depth++
	if s.depth > s.maxDepth {
		return s.fail("nested more than %d deep", s.maxDepth)
	}
	return nil
}

func (s *state) array() error {
	if err := s.enter(); err != nil {
		return err
	}
	s.i++
	s.out = append(s.out, '[')
	s.ws()
	if s.i < len(s.src) && s.src[s.i] == ']' {
		s.i++
		s.out = append(s.out, ']')
		s.depth--
		return nil
	}
	for first := true; ; first = false {
		if !first {
			s.out = append(s.out, ',')
		}
		if err := s.value(false); err != nil {
			return err
		}
		if done, err := s.next(']', "an array element"); done || err != nil {
			if err == nil {
				s.out = append(s.out, ']')
				s.depth--
			}
			return err
		}
	}
}

// next reads what follows a member or an element: a comma, or end (done),
// or anything else, an error naming what it followed.
func (s *state) next(end byte, what string) (done bool, err error) {
	s.ws()
	if s.i >= len(s.src) {
		return true, s.fail("unexpected end of JSON after %s", what)
	}
	switch s.src[s.i] {
	case ',':
		s.i++
		return false, nil
	case end:
		s.i++
		return true, nil
	}
	return true, s.fail("invalid character %q after %s", rune(s.src[s.i]), what)
}

func (s *state) object(top bool) error {
	if err := s.enter(); err != nil {
		return err
	}
	s.i++
	start := len(s.out)
	s.out = append(s.out, '{')
	base, kbase := len(s.mem), len(s.keys)
	s.ws()
	if s.i < len(s.src) && s.src[s.i] == '}' {
		s.i++
	} else {
		if err := s.members(); err != nil {
			return err
		}
	}
	moved := top && len(s.opt.Set) > 0
	if moved {
		s.set()
	}
	if err := s.order(start, base, moved); err != nil {
		return err
	}
	if !top { // Append reads the top level's for Options.TopLevel, then resets
		s.mem, s.keys = s.mem[:base], s.keys[:kbase]
	}
	s.depth--
	return nil
}

// members reads the members of an object up to and with its '}'.
func (s *state) members() error {
	for first := true; ; first = false {
		s.ws()
		if s.i >= len(s.src) || s.src[s.i] != '"' {
			return s.fail("expected a string key in an object")
		}
		k, err := s.string()
		if err != nil {
			return err
		}
		if s.opt.Key != nil {
			k = s.opt.Key(k)
		}
		k0 := len(s.keys)
		s.keys = append(s.keys, k...)
		k1 := len(s.keys)
		s.ws()
		if s.i >= len(s.src) || s.src[s.i] != ':' {
			return s.fail("expected ':' after an object key")
		}
		s.i++
		if !first {
			s.out = append(s.out, ',')
		}
		v0 := len(s.out)
		s.out = appendString(s.out, s.keys[k0:k1])
		s.out = append(s.out, ':')
		val := len(s.out)
		if err := s.value(false); err != nil {
			return err
		}
		s.mem = append(s.mem, member{k0: k0, k1: k1, v0: v0, v1: len(s.out), val: val})
		if done, err := s.next('}', "an object member"); done || err != nil {
			return err
		}
	}
}

// set applies Options.Set to the top-level object's members.
func (s *state) set() {
	for _, m := range s.opt.Set {
		for j := range s.mem {
			if string(s.keys[s.mem[j].k0:s.mem[j].k1]) == m.Key {
				s.mem[j].v1 = -1 // dropped
			}
		}
		if m.Value == nil {
			continue
		}
		k0 := len(s.keys)
		s.keys = append(s.keys, m.Key...)
		s.out = append(s.out, ',') // order puts the members back together
		v0 := len(s.out)
		s.out = appendString(s.out, s.keys[k0:])
		s.out = append(s.out, ':')
		val := len(s.out)
		s.out = append(s.out, m.Value...)
		s.mem = append(s.mem, member{k0: k0, k1: len(s.keys), v0: v0, v1: len(s.out), val: val})
	}
	s.mem = slices.DeleteFunc(s.mem, func(m member) bool { return m.v1 < 0 })
}

// order rewrites the object that starts at out[start] with its members
// (s.mem[base:]) sorted by key, and closes it. An object whose members
// came in order and were not moved (by Set) is already written. The
// members keep where they are now (for Options.TopLevel).
func (s *state) order(start, base int, moved bool) error {
	ms := s.mem[base:]
	cmp := func(a, b member) int { return bytes.Compare(s.keys[a.k0:a.k1], s.keys[b.k0:b.k1]) }
	sorted := slices.IsSortedFunc(ms, cmp)
	if !sorted {
		slices.SortFunc(ms, cmp)
	}
	for j := 1; j < len(ms); j++ {
		if cmp(ms[j-1], ms[j]) == 0 {
			return s.fail("duplicate key %q in an object", truncate(s.keys[ms[j].k0:ms[j].k1]))
		}
	}
	if sorted && !moved {
		s.out = append(s.out, '}')
		return nil
	}
	off := start + 1
	s.tmp = append(s.tmp[:0], s.out[off:]...)
	s.out = s.out[:off]
	for j, m := range ms {
		if j > 0 {
			s.out = append(s.out, ',')
		}
		at := len(s.out)
		s.out = append(s.out, s.tmp[m.v0-off:m.v1-off]...)
		ms[j].v0, ms[j].val, ms[j].v1 = at, at+m.val-m.v0, len(s.out)
	}
	s.out = append(s.out, '}')
	return nil
}
