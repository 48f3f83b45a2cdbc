package artifacts

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
)

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for k := range 8 {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	return b
}

func BenchmarkDigestOf64MiB(b *testing.B) {
	data := randomBytes(64 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		DigestOf(data)
	}
}

// BenchmarkStorePut64MiB measures Put end to end: hashing, the temp file
// write, fsync and rename (so it depends on the disk under TMPDIR).
func BenchmarkStorePut64MiB(b *testing.B) {
	data := randomBytes(64 << 20)
	s, err := OpenStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Put(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// npyBenchArray is a 1024×1024×3 float32 array (12 MiB), an image-sized
// posterior batch.
func npyBenchArray() Array {
	r := rand.New(rand.NewPCG(3, 4))
	data := make([]float32, 1024*1024*3)
	for i := range data {
		data[i] = float32(r.NormFloat64())
	}
	return NewFloat32([]int{1024, 1024, 3}, data)
}

func BenchmarkNPY(b *testing.B) {
	a := npyBenchArray()
	enc, err := EncodeNPY(a)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Write", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		for b.Loop() {
			if err := WriteNPY(io.Discard, a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Encode", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := EncodeNPY(a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Read", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ReadNPY(bytes.NewReader(enc)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadUnsized", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ReadNPY(onlyReader{bytes.NewReader(enc)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// arrowBenchTable is a 10,000-row metrics table: scalars, a label and a
// 2×3 tensor per row.
func arrowBenchTable() Table {
	const n = 10_000
	r := rand.New(rand.NewPCG(5, 6))
	step, w1, loss := make([]int64, n), make([]float64, n), make([]float32, n)
	label, ok, state := make([]string, n), make([]bool, n), make([]float32, 6*n)
	for i := range n {
		step[i], w1[i], loss[i] = int64(i), r.Float64(), float32(r.NormFloat64())
		label[i], ok[i] = "obs-"+strconv.Itoa(i%97), i%3 == 0
	}
	for i := range state {
		state[i] = float32(r.NormFloat64())
	}
	return Table{
		Metadata: map[string]string{"stage": "evaluate.lo"},
		Columns: []Column{
			{Name: "step", Data: step}, {Name: "w1", Data: w1}, {Name: "loss", Data: loss},
			{Name: "label", Data: label}, {Name: "ok", Data: ok},
			{Name: "state", Data: state, TensorShape: []int{2, 3}},
		},
	}
}

func BenchmarkArrow10k(b *testing.B) {
	tb := arrowBenchTable()
	var buf bytes.Buffer
	if err := WriteArrow(&buf, tb); err != nil {
		b.Fatal(err)
	}
	enc := buf.Bytes()
	b.Run("Write", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		var out bytes.Buffer
		for b.Loop() {
			out.Reset()
			if err := WriteArrow(&out, tb); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Read", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeArrow(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
