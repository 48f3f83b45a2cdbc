package stage

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"

	"github.com/hashicorp/go-hclog"

	"sdapipe/artifacts"
	"sdapipe/schemas"
)

// An Env is what a running stage sees of the world: its parameters, its
// inputs (outputs of upstream stages, verified against their digests as
// they are read), its random streams, and a writer for its outputs that
// validates each against the output's schema before storing it.
type Env struct {
	Addr   string // "train.k2"
	Kind   *Kind
	Params *Params
	Store  *artifacts.Store
	// Inputs maps each RefParam name to the upstream stage's outputs.
	Inputs map[string]Upstream
	// Seed is the pipeline's seed; each stage draws its own streams from
	// (Seed, Addr, stream name), see RNG.
	Seed uint64
	Log  hclog.Logger
	// Checkpoint keeps resumable state of long work between attempts at
	// the same cache key; nil means none is kept.
	Checkpoint Checkpoint
	// Progress starts a progress report for long work; nil means none.
	Progress func(label string, total int64) Progress

	mu      sync.Mutex
	outputs map[string]Output
}

// A Checkpoint keeps one stage's resumable state between attempts at the
// same cache key: a kind whose Run is long saves where it stands from time
// to time, and a later attempt (after a kill, Ctrl-C or a failure) loads
// it and goes on. Whatever a kind saves must let it finish with the bytes
// of an uninterrupted run, since the record cannot tell them apart. The
// runner discards the state once the stage's record is written, and
// before a forced run.
type Checkpoint interface {
	// Load returns the last saved state, or nil and no error if there is
	// none.
	Load() ([]byte, error)
	// Save replaces the saved state, atomically.
	Save(state []byte) error
}

// Upstream is the set of outputs of a stage that another one reads.
type Upstream struct {
	Addr    string
	Outputs map[string]Output
}

// An Output is one stored output of a stage.
type Output struct {
	Name   string           `json:"name"`
	Schema string           `json:"schema"`
	Format string           `json:"format"`
	Digest artifacts.Digest `json:"digest"`
	Size   int64            `json:"size"`
	DType  string           `json:"dtype,omitempty"`
	Shape  []int            `json:"shape,omitempty"`
}

// Progress receives updates on long work. Implementations must be safe
// for use from one goroutine at a time.
type Progress interface {
	Add(n int64)
	// Status sets a short text shown beside the bar, e.g. "loss 0.081".
	Status(s string)
	Done()
}

type nopProgress struct{}

func (nopProgress) Add(int64)     {}
func (nopProgress) Status(string) {}
func (nopProgress) Done()         {}

// StartProgress returns a progress report, or one that discards updates.
func (e *Env) StartProgress(label string, total int64) Progress {
	if e.Progress == nil {
		return nopProgress{}
	}
	return e.Progress(label, total)
}

// Logger returns the stage's logger, never nil.
func (e *Env) Logger() hclog.Logger {
	if e.Log == nil {
		return hclog.NewNullLogger()
	}
	return e.Log
}

// StreamSeed derives the 128-bit seed of a named random stream of stage
// addr from the pipeline seed: the first 16 bytes of
// SHA-256("sdapipe-rng-v1", seed, addr, stream).
func StreamSeed(seed uint64, addr, stream string) (uint64, uint64) {
	h := sha256.New()
	var b [8]byte
	h.Write([]byte("sdapipe-rng-v1\x00"))
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(addr + "\x00" + stream))
	s := h.Sum(nil)
	return binary.LittleEndian.Uint64(s[:8]), binary.LittleEndian.Uint64(s[8:16])
}

// RNG returns a new PCG generator for the named stream of this stage.
// The same (seed, stage address, stream) always gives the same numbers.
func (e *Env) RNG(stream string) *rand.Rand {
	return rand.New(e.Source(stream))
}

// Source returns the PCG source of the named stream (what RNG wraps), for
// work that saves and restores the stream's position.
func (e *Env) Source(stream string) *rand.PCG {
	return rand.NewPCG(StreamSeed(e.Seed, e.Addr, stream))
}

// StreamUint64 returns a 64-bit seed for the named stream, for science
// code that derives its own per-chunk streams.
func (e *Env) StreamUint64(stream string) uint64 {
	a, _ := StreamSeed(e.Seed, e.Addr, stream)
	return a
}

func (e *Env) input(param, output string) (Output, error) {
	up, ok := e.Inputs[param]
	if !ok {
		return Output{}, fmt.Errorf("input %s not connected", param)
	}
	o, ok := up.Outputs[output]
	if !ok {
		return Output{}, fmt.Errorf("%s has no output %q", up.Addr, output)
	}
	return o, nil
}

// ReadBytes returns the bytes of an upstream output, verified against its
// digest. A corrupt object is moved aside (when the store has a quarantine
// directory), so that the next run finds the upstream stage's output
// missing and reruns it; the error says so.
func (e *Env) ReadBytes(param, output string) ([]byte, error) {
	o, err := e.input(param, output)
	if err != nil {
		return nil, err
	}
	up := e.Inputs[param].Addr
	b, err := e.Store.ReadAll(o.Digest)
	var ce *artifacts.CorruptError
	if errors.As(err, &ce) {
		if dst, qerr := e.Store.Quarantine(o.Digest); qerr == nil {
			ce.MovedTo = dst
			return nil, fmt.Errorf("read %s.%s: %w; the next run reruns %s to remake it", up, output, err, up)
		}
		return nil, fmt.Errorf("read %s.%s: %w; rerun %s with --force to remake it", up, output, err, up)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s.%s: %w", up, output, err)
	}
	return b, nil
}

// ReadArray reads an upstream NPY output and checks it against its schema,
// the dimension sizes given and, for kinds that end in the state's shape,
// the state shape when given.
func (e *Env) ReadArray(param, output string, sizes map[string]int, state ...int) (artifacts.Array, error) {
	o, err := e.input(param, output)
	if err != nil {
		return artifacts.Array{}, err
	}
	b, err := e.ReadBytes(param, output)
	if err != nil {
		return artifacts.Array{}, err
	}
	name := e.Inputs[param].Addr + "." + output
	a, err := artifacts.ReadNPYNamed(bytes.NewReader(b), name)
	if err != nil {
		return artifacts.Array{}, err
	}
	if k, ok := schemas.Lookup(o.Schema); ok {
		if err := k.CheckArray(a, sizes, state...); err != nil {
			return artifacts.Array{}, fmt.Errorf("input %s: %w", name, err)
		}
	}
	return a, nil
}

// ReadNPZ reads an upstream NPZ output.
func (e *Env) ReadNPZ(param, output string) ([]artifacts.NamedArray, error) {
	b, err := e.ReadBytes(param, output)
	if err != nil {
		return nil, err
	}
	m, err := artifacts.ReadNPZ(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("input %s.%s: %w", e.Inputs[param].Addr, output, err)
	}
	return m, nil
}

// ReadJSON decodes an upstream JSON output into v.
func (e *Env) ReadJSON(param, output string, v any) error {
	b, err := e.ReadBytes(param, output)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("input %s.%s: %w", e.Inputs[param].Addr, output, err)
	}
	return nil
}

// ReadFileArray reads the NPY file a FileParam names. It fails if the file
// changed since the pipeline hashed it for the cache key.
func (e *Env) ReadFileArray(param string) (artifacts.Array, error) {
	f, ok := e.Params.File(param)
	if !ok {
		return artifacts.Array{}, fmt.Errorf("no file given for %s", param)
	}
	b, err := f.Read()
	if err != nil {
		return artifacts.Array{}, fmt.Errorf("%s: %w", param, err)
	}
	a, err := artifacts.ReadNPYNamed(bytes.NewReader(b), f.Path)
	if err != nil {
		return artifacts.Array{}, err
	}
	return a, nil
}

func (e *Env) spec(name string) (OutputSpec, *schemas.Kind, error) {
	o, ok := e.Kind.Output(name)
	if !ok {
		return o, nil, fmt.Errorf("kind %s declares no output %q", e.Kind.Name, name)
	}
	k, ok := schemas.Lookup(o.Schema)
	if !ok {
		return o, nil, fmt.Errorf("output %s has unknown schema %q", name, o.Schema)
	}
	return o, k, nil
}

func (e *Env) put(name string, k *schemas.Kind, b []byte, dtype string, shape []int) error {
	d, err := e.Store.PutBytes(b)
	if err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.outputs == nil {
		e.outputs = map[string]Output{}
	}
	e.outputs[name] = Output{Name: name, Schema: k.Name, Format: string(k.Format),
		Digest: d, Size: int64(len(b)), DType: dtype, Shape: shape}
	return nil
}

// WriteArray validates a against the output's schema (dimension sizes and,
// when given, the state shape) and stores it as NPY.
func (e *Env) WriteArray(name string, a artifacts.Array, sizes map[string]int, state ...int) error {
	_, k, err := e.spec(name)
	if err != nil {
		return err
	}
	if err := k.CheckArray(a, sizes, state...); err != nil {
		return fmt.Errorf("output %s: %w", name, err)
	}
	b, err := artifacts.EncodeNPY(a)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return e.put(name, k, b, a.DType.String(), a.Shape)
}

// WriteNPZ stores named arrays as one NPZ output.
func (e *Env) WriteNPZ(name string, members []artifacts.NamedArray) error {
	_, k, err := e.spec(name)
	if err != nil {
		return err
	}
	if k.Format != schemas.NPZ {
		return fmt.Errorf("output %s is %s, not npz", name, k.Format)
	}
	var buf bytes.Buffer
	if err := artifacts.WriteNPZ(&buf, members); err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return e.put(name, k, buf.Bytes(), "", nil)
}

// WriteArrow stores a table as one Arrow IPC output.
func (e *Env) WriteArrow(name string, t artifacts.Table) error {
	_, k, err := e.spec(name)
	if err != nil {
		return err
	}
	if k.Format != schemas.Arrow {
		return fmt.Errorf("output %s is %s, not arrow", name, k.Format)
	}
	var buf bytes.Buffer
	if err := artifacts.WriteArrow(&buf, t); err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return e.put(name, k, buf.Bytes(), "", nil)
}

// WriteJSON stores v as indented JSON with sorted keys (encoding/json
// sorts map keys), so equal values give equal bytes.
func (e *Env) WriteJSON(name string, v any) error {
	_, k, err := e.spec(name)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return e.put(name, k, append(b, '\n'), "", nil)
}

// WriteBytes stores an already encoded output, such as a PNG figure.
func (e *Env) WriteBytes(name string, b []byte) error {
	_, k, err := e.spec(name)
	if err != nil {
		return err
	}
	return e.put(name, k, b, "", nil)
}

// Outputs returns the outputs written so far, sorted by name.
func (e *Env) Outputs() []Output {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Output, 0, len(e.outputs))
	for _, o := range e.outputs {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
