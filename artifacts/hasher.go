package artifacts

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"strconv"
)

// A Hasher computes a cache key as the SHA-256 of a canonical encoding of
// labelled values. Each value is written as its label, a type tag and a
// canonical text form, every part length-prefixed, so no two different
// sequences of fields share an encoding. Floats use the shortest decimal
// that round-trips (strconv 'g', -1), so 1e-3 and 0.001 hash alike.
//
// A Hasher also keeps the (label, text) pairs it was fed, in order, so that
// an explain mode can show which part of a key changed between two runs.
type Hasher struct {
	h      hash.Hash
	fields []Field
}

// A Field is one labelled value fed to a Hasher, in its canonical text form.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// NewHasher returns a Hasher whose encoding starts with salt, a string that
// names the key's format; changing it changes every key.
func NewHasher(salt string) *Hasher {
	h := &Hasher{h: sha256.New()}
	h.write("salt", "s", salt)
	return h
}

func (h *Hasher) write(label, tag, value string) {
	var n [8]byte
	for _, part := range [...]string{label, tag, value} {
		binary.LittleEndian.PutUint64(n[:], uint64(len(part)))
		h.h.Write(n[:])
		h.h.Write([]byte(part))
	}
	if label != "salt" {
		h.fields = append(h.fields, Field{Label: label, Value: value})
	}
}

// String adds a string value.
func (h *Hasher) String(label, v string) { h.write(label, "s", v) }

// Int adds an integer value.
func (h *Hasher) Int(label string, v int64) { h.write(label, "i", strconv.FormatInt(v, 10)) }

// Uint adds an unsigned integer value.
func (h *Hasher) Uint(label string, v uint64) { h.write(label, "u", strconv.FormatUint(v, 10)) }

// Float adds a float64 value in its shortest round-trip decimal form.
func (h *Hasher) Float(label string, v float64) {
	h.write(label, "f", strconv.FormatFloat(v, 'g', -1, 64))
}

// Bool adds a boolean value.
func (h *Hasher) Bool(label string, v bool) { h.write(label, "b", strconv.FormatBool(v)) }

// Digest adds the digest of an object, such as an input's content hash.
func (h *Hasher) Digest(label string, d Digest) { h.write(label, "d", d.String()) }

// Sum returns the key: the SHA-256 of everything written so far.
func (h *Hasher) Sum() Digest {
	var d Digest
	h.h.Sum(d[:0])
	return d
}

// Fields returns the labelled values written so far, in order, without
// the salt. The caller must not modify the result.
func (h *Hasher) Fields() []Field { return h.fields }
