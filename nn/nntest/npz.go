package nntest

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A test-only reader of numpy .npz files holding '<f4' C-order arrays, so
// the network tests need nothing from the artifacts package.

var npyShape = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)

func readNPY(r io.Reader) ([]float32, []int, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, nil, err
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, nil, fmt.Errorf("not an npy file")
	}
	var hlen int
	if pre[6] == 1 {
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, err
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	} else {
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, err
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, nil, err
	}
	hs := string(h)
	if !strings.Contains(hs, "'descr': '<f4'") || !strings.Contains(hs, "'fortran_order': False") {
		return nil, nil, fmt.Errorf("want little-endian float32 in C order, header %s", hs)
	}
	m := npyShape.FindStringSubmatch(hs)
	if m == nil {
		return nil, nil, fmt.Errorf("no shape in header %s", hs)
	}
	var shape []int
	for _, f := range strings.Split(m[1], ",") {
		if f = strings.TrimSpace(f); f != "" {
			d, err := strconv.Atoi(f)
			if err != nil {
				return nil, nil, err
			}
			shape = append(shape, d)
		}
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(raw) != 4*n {
		return nil, nil, fmt.Errorf("shape %v needs %d bytes, have %d", shape, 4*n, len(raw))
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return v, shape, nil
}

// An Array is one float32 member of an .npz fixture.
type Array struct {
	Data  []float32
	Shape []int
}

// ReadNPZ reads every member of a numpy .npz file of little-endian float32
// C-order arrays, keyed by name without the ".npy"; it fails t on error.
func ReadNPZ(t testing.TB, path string) map[string]Array {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]Array{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		v, shape, err := readNPY(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %s: %v", path, f.Name, err)
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = Array{v, shape}
	}
	return out
}
