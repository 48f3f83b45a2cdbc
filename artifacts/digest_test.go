package artifacts

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestDigestKnownAnswers(t *testing.T) {
	t.Parallel()
	// FIPS 180-2 test vectors for SHA-256.
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"two-block", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := DigestOf([]byte(tc.in))
			if got := d.String(); got != tc.want {
				t.Fatalf("DigestOf(%q) = %s, want %s", tc.in, got, tc.want)
			}
			back, err := ParseDigest(tc.want)
			if err != nil || back != d {
				t.Fatalf("ParseDigest(%s) = %v, %v; want %v", tc.want, back, err, d)
			}
		})
	}
}

func TestParseDigestRejects(t *testing.T) {
	t.Parallel()
	good := DigestOf(nil).String()
	cases := []struct{ name, in string }{
		{"empty", ""},
		{"short", good[:63]},
		{"long", good + "0"},
		{"upper", "E" + good[1:]},
		{"non-hex", "g" + good[1:]},
		{"space", " " + good[1:]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseDigest(tc.in); !errors.Is(err, ErrFormat) {
				t.Fatalf("ParseDigest(%q) error = %v, want ErrFormat", tc.in, err)
			}
		})
	}
}

func TestDigestJSON(t *testing.T) {
	t.Parallel()
	type rec struct{ Out Digest }
	in := rec{Out: DigestOf([]byte("abc"))}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Out":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}`
	if string(b) != want {
		t.Fatalf("json = %s, want %s", b, want)
	}
	var out rec
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("round trip = %v, %v; want %v", out, err, in)
	}
	if err := json.Unmarshal([]byte(`{"Out":"xyz"}`), &out); !errors.Is(err, ErrFormat) {
		t.Fatalf("bad digest in JSON: error = %v, want ErrFormat", err)
	}
	if !(Digest{}).IsZero() || in.Out.IsZero() {
		t.Fatal("IsZero wrong")
	}
}
