package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"sdapipe/artifacts"
	"sdapipe/stage"
)

// FuzzStoreReader writes arbitrary bytes as a run record and as a stored
// object, then reads them as a run does (deciding the stage), as a
// consumer does (ReadAll) and as verify does. Nothing may panic, block or
// fail outright: a record is usable (and then agrees with its name) or a
// RecordError; an object is read only if its bytes hash to its name;
// verify counts exactly the damage; and after verify --repair a second
// verify finds nothing.
func FuzzStoreReader(f *testing.F) {
	cfg, diags := LoadFile(testKinds, "testdata/valid/graph.hcl", nil)
	if diags.HasErrors() {
		f.Fatal(diags)
	}
	st := cfg.Stage("tsrc.root")
	key, _ := cfg.key(st, inputsOf(st, nil))
	good := []byte("the object's bytes")
	d := artifacts.DigestOf(good)
	rec, _ := json.Marshal(Record{Format: recordFormat, Stage: st.Addr, Kind: "tsrc", Version: 1, Key: key.String(),
		Outputs: []stage.Output{{Name: "out", Schema: "trajectories", Format: "npy", Digest: d, Size: int64(len(good))}}})
	f.Add(rec, good)
	f.Add(rec[:len(rec)/2], good)
	f.Add(rec, good[:5])
	f.Add(rec, append([]byte{'X'}, good[1:]...))
	f.Add([]byte(`{"format":1}`), good)
	f.Add([]byte(`null`), []byte{})
	f.Add(bytes.Replace(rec, []byte(key.String()), []byte(d.String()), 1), good)
	f.Fuzz(func(t *testing.T, record, object []byte) {
		ws, err := OpenWorkspace(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(ws.Store.Path(d)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(ws.Store.Path(d), object, 0o444); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(ws.recordPath(key), record, 0o644); err != nil {
			t.Fatal(err)
		}
		sound := bytes.Equal(object, good)

		r, err := ws.Record(key)
		var bad *RecordError
		usable := err == nil && r != nil
		switch {
		case err != nil && !errors.As(err, &bad):
			t.Fatalf("Record: %v, want a RecordError", err)
		case usable && (r.Key != key.String() || r.Stage == ""):
			t.Fatalf("a usable record with key %q, stage %q", r.Key, r.Stage)
		}
		if b, err := ws.Store.ReadAll(d); (err == nil) != sound || err == nil && !bytes.Equal(b, good) {
			t.Fatalf("ReadAll = %q, %v for sound=%v", b, err, sound)
		}

		dec, err := cfg.assess(ws, st, nil, false, false)
		if err != nil {
			t.Fatalf("deciding the stage: %v", err)
		}
		if !dec.Run && (!usable || dec.Record == nil) {
			t.Fatal("an unusable record was taken as cached")
		}

		rep, err := ws.Verify(context.Background(), false)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		wantBad := 0
		if bad != nil {
			wantBad = 1
		}
		if rep.Checked != 1 || (len(rep.Corrupt) == 1) == sound || len(rep.BadRecords) != wantBad {
			t.Fatalf("verify %+v for sound=%v, record error %v", rep, sound, bad)
		}
		if _, err := ws.Verify(context.Background(), true); err != nil {
			t.Fatalf("verify --repair: %v", err)
		}
		if again, err := ws.Verify(context.Background(), false); err != nil || again.Problems() != 0 {
			t.Fatalf("verify after repair: %+v, %v", again, err)
		}
	})
}

// observeFileSource is a pipeline whose observe stage reads x.npy beside
// it, 9 values per observation (every 8th of 65 states), at line 6.
const observeFileSource = `seed = 1
simulate "lorenz" {}
observe "lo" {
  data         = simulate.lorenz
  every        = 8
  observations = file("x.npy")
}
`

// FuzzFileInput loads a pipeline whose observe stage names arbitrary bytes
// as file("x.npy"). Loading never panics; it either refuses the file with
// one diagnostic about observations, or accepts an array of float32 or
// float64 rows of the operator's 9 values, each finite in float32.
func FuzzFileInput(f *testing.F) {
	files, _ := filepath.Glob("testdata/invalid/*.npy")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, a := range []artifacts.Array{
		artifacts.NewFloat32([]int{2, 9}, make([]float32, 18)),
		{DType: artifacts.Float64, Shape: []int{9}, Data: make([]float64, 9)},
	} {
		b, err := artifacts.EncodeNPY(a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// One directory for all inputs: each fuzz worker process runs them
	// one at a time, and the file is rewritten for each.
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.hcl"), []byte(observeFileSource), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, npy []byte) {
		if err := os.WriteFile(filepath.Join(dir, "x.npy"), npy, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := LoadFile(testKinds, filepath.Join(dir, "p.hcl"), nil)
		if diags.HasErrors() {
			if len(diags) != 1 || diags[0].Subject == nil || diags[0].Subject.Start.Line != 6 {
				t.Fatalf("refused with %v, want one diagnostic at observations", diags)
			}
			return
		}
		f, _ := cfg.Stage("observe.lo").Params.File("observations")
		if f.Digest != artifacts.DigestOf(npy) {
			t.Fatal("the key's digest is not the file's")
		}
		a, err := artifacts.ReadNPY(bytes.NewReader(npy))
		if err != nil {
			t.Fatalf("accepted a file that does not decode: %v", err)
		}
		var vals []float64
		switch v := a.Data.(type) {
		case []float64:
			vals = v
		case []float32:
			for _, x := range v {
				vals = append(vals, float64(x))
			}
		default:
			t.Fatalf("accepted dtype %s", a.DType)
		}
		if len(vals) == 0 || len(vals)%9 != 0 || a.Shape[len(a.Shape)-1] != 9 || len(a.Shape) > 2 {
			t.Fatalf("accepted shape %v", a.Shape)
		}
		for i, v := range vals {
			if math.IsInf(float64(float32(v)), 0) || math.IsNaN(v) {
				t.Fatalf("accepted value %d = %v, not finite in float32", i, v)
			}
		}
	})
}
