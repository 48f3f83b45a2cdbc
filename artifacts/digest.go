package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// A Digest is the SHA-256 of an object's bytes.
type Digest [32]byte

// DigestOf returns the SHA-256 digest of b.
func DigestOf(b []byte) Digest { return sha256.Sum256(b) }

// String returns the digest as 64 lower-case hex digits.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// IsZero reports whether d is the zero value (no digest).
func (d Digest) IsZero() bool { return d == Digest{} }

// ParseDigest parses 64 lower-case hex digits, the form [Digest.String]
// returns. Any other text is an error that unwraps to [ErrFormat].
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if len(s) != 2*len(d) {
		return Digest{}, fmt.Errorf("%w: digest %q has %d characters, want 64", ErrFormat, s, len(s))
	}
	for i := 0; i < len(s); i++ {
		if !isLowerHex(s[i]) {
			return Digest{}, fmt.Errorf("%w: digest %q: character %d is not a lower-case hex digit", ErrFormat, s, i)
		}
	}
	hex.Decode(d[:], []byte(s)) // cannot fail: checked above
	return d, nil
}

// MarshalText returns the hex form of d, so that digests appear as strings
// in JSON records.
func (d Digest) MarshalText() ([]byte, error) {
	return hex.AppendEncode(nil, d[:]), nil
}

// UnmarshalText parses the hex form written by [Digest.MarshalText].
func (d *Digest) UnmarshalText(b []byte) error {
	v, err := ParseDigest(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func isLowerHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }
