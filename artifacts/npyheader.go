package artifacts

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// npyMagic starts every NPY file; the format version bytes follow it.
const npyMagic = "\x93NUMPY"

const (
	// npyAlign is the multiple of bytes at which numpy.save starts the data.
	npyAlign = 64
	// npyGrowthDigits is numpy's GROWTH_AXIS_MAX_DIGITS: numpy (>= 1.24)
	// pads the header with spaces so that the first dimension could grow
	// to 21 digits in place.
	npyGrowthDigits = 21
	// npyMaxHeader is numpy.load's default limit on the header length.
	npyMaxHeader = 10000
)

// AppendNPYHeader appends the NPY header that numpy.save writes for a
// little-endian C-order array of dtype dt and the given shape, and returns
// the extended buffer. The header is format 1.0 unless its length needs
// the 4-byte length field of format 2.0. The array's data follows the
// header directly, at an offset that is a multiple of 64 bytes.
//
// AppendNPYHeader panics if dt is invalid or a dimension is negative.
func AppendNPYHeader(dst []byte, dt DType, shape []int) []byte {
	if !dt.Valid() {
		panic("artifacts: AppendNPYHeader: invalid dtype")
	}
	dict := make([]byte, 0, 128+24*len(shape))
	dict = append(dict, "{'descr': '"...)
	dict = append(dict, dt.Descr()...)
	dict = append(dict, "', 'fortran_order': False, 'shape': ("...)
	for i, d := range shape {
		if d < 0 {
			panic("artifacts: AppendNPYHeader: negative dimension")
		}
		if i > 0 {
			dict = append(dict, ", "...)
		}
		dict = strconv.AppendInt(dict, int64(d), 10)
	}
	if len(shape) == 1 {
		dict = append(dict, ',')
	}
	dict = append(dict, "), }"...)
	if len(shape) > 0 {
		for range npyGrowthDigits - digits(shape[0]) {
			dict = append(dict, ' ')
		}
	}
	return appendNPYPrefixed(dst, dict)
}

// digits returns the number of decimal digits of d >= 0.
func digits(d int) int {
	n := 1
	for ; d >= 10; d /= 10 {
		n++
	}
	return n
}

// appendNPYPrefixed appends magic, version, length, dict and the padding:
// numpy's _wrap_header, which pads with 1 to 64 spaces (never 0) before
// the final newline.
func appendNPYPrefixed(dst, dict []byte) []byte {
	hlen := len(dict) + 1 // the final '\n'
	pre := len(npyMagic) + 2 + 2
	pad := npyAlign - (pre+hlen)%npyAlign
	major := byte(1)
	if hlen+pad > 0xffff {
		pre += 2
		pad = npyAlign - (pre+hlen)%npyAlign
		major = 2
	}
	dst = append(dst, npyMagic...)
	dst = append(dst, major, 0)
	if major == 1 {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(hlen+pad))
	} else {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(hlen+pad))
	}
	dst = append(dst, dict...)
	for range pad {
		dst = append(dst, ' ')
	}
	return append(dst, '\n')
}

// npyHeader is the parsed header dict of an NPY file.
type npyHeader struct {
	dtype   DType
	big     bool // data are big-endian
	fortran bool // data are in Fortran (column-major) order
	shape   []int
}

// A headerParser reads the Python dict literal of an NPY header, strictly:
// string keys, values that are strings, True/False or tuples of
// non-negative decimal integers, and nothing else.
type headerParser struct {
	s   []byte
	pos int
	off int64 // file offset of s[0], for error messages
}

func (p *headerParser) errorf(format string, args ...any) error {
	return &FormatError{Offset: p.off + int64(p.pos), Msg: "header: " + fmt.Sprintf(format, args...)}
}

func (p *headerParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek skips blanks and returns the next byte, or 0 at the end.
func (p *headerParser) peek() byte {
	p.skipSpace()
	if p.pos == len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *headerParser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("want %q, found %s", c, p.found())
	}
	p.pos++
	return nil
}

func (p *headerParser) found() string {
	if p.pos >= len(p.s) {
		return "end of header"
	}
	return strconv.QuoteRune(rune(p.s[p.pos]))
}

// parse reads the whole dict and checks that only blanks follow it.
func (p *headerParser) parse() (npyHeader, error) {
	var h npyHeader
	if err := p.expect('{'); err != nil {
		return h, err
	}
	seen := map[string]bool{}
	for p.peek() != '}' {
		if err := p.entry(&h, seen); err != nil {
			return h, err
		}
		if p.peek() == '}' {
			break
		}
		if err := p.expect(','); err != nil {
			return h, err
		}
	}
	p.pos++
	if p.peek() != 0 {
		return h, p.errorf("unexpected %s after the dict", p.found())
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, p.errorf("missing key %q", k)
		}
	}
	return h, nil
}

// entry reads one key: value pair into h.
func (p *headerParser) entry(h *npyHeader, seen map[string]bool) error {
	key, err := p.str()
	if err != nil {
		return err
	}
	if seen[key] {
		return p.errorf("duplicate key %q", key)
	}
	seen[key] = true
	if err := p.expect(':'); err != nil {
		return err
	}
	switch key {
	case "descr":
		return p.descr(h)
	case "fortran_order":
		h.fortran, err = p.boolean()
	case "shape":
		h.shape, err = p.tuple()
	default:
		return p.errorf("unknown key %q", key)
	}
	return err
}

// str reads a quoted string without escapes.
func (p *headerParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.errorf("want a string, found %s", p.found())
	}
	start := p.pos + 1
	for i := start; i < len(p.s); i++ {
		switch c := p.s[i]; {
		case c == q:
			p.pos = i + 1
			return string(p.s[start:i]), nil
		case c == '\\' || c < ' ' || c > '~':
			p.pos = i
			return "", p.errorf("unsupported character %s in string", p.found())
		}
	}
	p.pos = len(p.s)
	return "", p.errorf("unterminated string")
}

func (p *headerParser) boolean() (bool, error) {
	p.skipSpace()
	for _, w := range []string{"True", "False"} {
		if end := p.pos + len(w); end <= len(p.s) && string(p.s[p.pos:end]) == w &&
			(end == len(p.s) || !isIdent(p.s[end])) {
			p.pos = end
			return w == "True", nil
		}
	}
	return false, p.errorf("fortran_order: want True or False, found %s", p.found())
}

func isIdent(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// descr reads the dtype string: a byte-order character and a type code.
func (p *headerParser) descr(h *npyHeader) error {
	at := p.pos
	s, err := p.str()
	if err != nil {
		if p.peek() == '[' {
			return p.errorf("structured dtypes are not supported")
		}
		return err
	}
	bad := func(why string) error {
		p.pos = at
		return p.errorf("descr %q: %s", s, why)
	}
	if len(s) == 0 {
		return bad("empty")
	}
	order, code := s[0], s[1:]
	switch order {
	case '<', '>', '|', '=':
	default:
		order, code = '=', s
	}
	if code == "O" || code == "O8" || code == "O4" {
		return bad("object arrays are not supported")
	}
	for dt := Float32; dt <= Bool; dt++ {
		if dtypeInfo[dt].code != code {
			continue
		}
		if order == '|' && dtypeInfo[dt].multi {
			return bad("byte order '|' is invalid for a multi-byte type")
		}
		// '=' is native order; like numpy on the little-endian
		// machines sdapipe runs on, read it as little-endian.
		h.dtype, h.big = dt, order == '>' && dtypeInfo[dt].multi
		return nil
	}
	return bad("unsupported dtype")
}

// tuple reads a tuple of non-negative decimal integers, in Python syntax:
// "()", "(5,)", "(2, 3)" or "(2, 3,)". "(5)" is an int, not a tuple.
func (p *headerParser) tuple() ([]int, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	shape := []int{}
	for p.peek() != ')' {
		d, err := p.dim()
		if err != nil {
			return nil, err
		}
		shape = append(shape, d)
		if p.peek() == ')' {
			if len(shape) == 1 {
				return nil, p.errorf("shape: (%d) is not a tuple", d)
			}
			break
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
	}
	p.pos++
	return shape, nil
}

// dim reads one dimension: "0" or a decimal without leading zeros.
func (p *headerParser) dim() (int, error) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && '0' <= p.s[p.pos] && p.s[p.pos] <= '9' {
		p.pos++
	}
	lit := string(p.s[start:p.pos])
	switch {
	case lit == "" && p.pos < len(p.s) && p.s[p.pos] == '-':
		return 0, p.errorf("shape: negative dimension")
	case lit == "":
		return 0, p.errorf("shape: want a dimension, found %s", p.found())
	case len(lit) > 1 && lit[0] == '0':
		return 0, p.errorf("shape: dimension %s has a leading zero", lit)
	case p.pos < len(p.s) && isIdent(p.s[p.pos]):
		return 0, p.errorf("shape: dimension %s%c is not a decimal integer", lit, p.s[p.pos])
	}
	d, err := strconv.ParseInt(lit, 10, 0)
	if err != nil {
		return 0, p.errorf("shape: dimension %s overflows", lit)
	}
	return int(d), nil
}
