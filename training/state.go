package training

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"sdapipe/nets"
	"sdapipe/nn"
)

// A State is where a training run stands between two steps: the weights,
// the optimiser's moments, the batch stream and the loss curve so far —
// all that Train needs to go on as if it had never stopped.
type State struct {
	Step      int         // steps done
	Curve     []Point     // loss curve up to Step
	Sum       float64     // sum of the training losses since the last curve point
	Count     int         // and how many there were
	Batches   []byte      // the batch stream's PCG state (rand.PCG.MarshalBinary)
	Names     []string    // parameter names, in the model's order
	Params    [][]float32 // parameter values, one slice per name
	M, V      []float32   // AdamW moments, parameters one after another
	AdamSteps int         // AdamW steps taken (its bias correction)
}

// capture copies the trainer's state after step steps.
func capture(tr *nn.Trainer, batches *rand.PCG, step int, curve []Point, sum float64, count int) *State {
	st := &State{Step: step, Curve: append([]Point(nil), curve...), Sum: sum, Count: count, AdamSteps: tr.Opt.Steps()}
	st.Batches, _ = batches.MarshalBinary() // a PCG always marshals
	for _, p := range tr.Model.Params() {
		st.Names = append(st.Names, p.Name)
		st.Params = append(st.Params, append([]float32(nil), p.Data...))
	}
	m, v := tr.Opt.Moments()
	st.M, st.V = append([]float32(nil), m...), append([]float32(nil), v...)
	return st
}

// Fits reports why the state cannot resume a run of steps steps on m:
// other parameters, a step past the run's end, moments or a batch stream
// that do not fit. Train checks it too; callers that would rather start
// over than fail check it first.
func (st *State) Fits(m nets.Model, steps int) error {
	ps := m.Params()
	if len(st.Names) != len(ps) || len(st.Params) != len(ps) {
		return fmt.Errorf("training: the saved state has %d parameters, the model %d", len(st.Names), len(ps))
	}
	n := 0
	for i, p := range ps {
		if st.Names[i] != p.Name || len(st.Params[i]) != len(p.Data) {
			return fmt.Errorf("training: the saved state's parameter %d is %s of %d values, the model's %s of %d",
				i, st.Names[i], len(st.Params[i]), p.Name, len(p.Data))
		}
		n += len(p.Data)
	}
	switch {
	case st.Step < 0 || st.Step > steps:
		return fmt.Errorf("training: the saved state is at step %d of a %d-step run", st.Step, steps)
	case len(st.M) != n || len(st.V) != n || st.AdamSteps < 0:
		return fmt.Errorf("training: the saved state's optimiser holds %d and %d moments for %d parameters", len(st.M), len(st.V), n)
	}
	if err := new(rand.PCG).UnmarshalBinary(st.Batches); err != nil {
		return fmt.Errorf("training: the saved state's batch stream: %w", err)
	}
	return nil
}

// restore puts the state, which must fit (Fits), into a fresh trainer and
// batch stream.
func (st *State) restore(tr *nn.Trainer, batches *rand.PCG) error {
	if err := tr.Opt.Restore(st.M, st.V, st.AdamSteps); err != nil {
		return fmt.Errorf("training: saved state: %w", err)
	}
	if err := batches.UnmarshalBinary(st.Batches); err != nil {
		return fmt.Errorf("training: saved state's batch stream: %w", err)
	}
	for i, p := range tr.Model.Params() {
		copy(p.Data, st.Params[i])
	}
	return nil
}

// stateMagic opens an encoded State; the format is private to sdapipe and
// versioned by it.
const stateMagic = "sdapipe training state 1\n"

// stateHeader is the JSON part of an encoded State; the float32 arrays
// follow it.
type stateHeader struct {
	Step      int      `json:"step"`
	Curve     []Point  `json:"curve"`
	Sum       float64  `json:"sum"`
	Count     int      `json:"count"`
	Batches   []byte   `json:"batches"`
	Names     []string `json:"names"`
	Sizes     []int    `json:"sizes"`
	Moments   int      `json:"moments"`
	AdamSteps int      `json:"adam_steps"`
}

// MarshalBinary encodes the state: a magic line, the length of a JSON
// header, the header, the parameters, the first and the second moments as
// little-endian float32, and the SHA-256 of everything before it, so that
// a damaged file is recognised rather than resumed from.
func (st *State) MarshalBinary() ([]byte, error) {
	h := stateHeader{Step: st.Step, Curve: st.Curve, Sum: st.Sum, Count: st.Count, Batches: st.Batches,
		Names: st.Names, Moments: len(st.M), AdamSteps: st.AdamSteps}
	if len(st.V) != len(st.M) || len(st.Params) != len(st.Names) {
		return nil, errors.New("training: inconsistent state")
	}
	for _, p := range st.Params {
		h.Sizes = append(h.Sizes, len(p))
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("training: encode state: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(stateMagic)
	binary.Write(&buf, binary.LittleEndian, uint64(len(hb)))
	buf.Write(hb)
	put := func(xs []float32) {
		b := make([]byte, 4*len(xs))
		for i, x := range xs {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
		buf.Write(b)
	}
	for _, p := range st.Params {
		put(p)
	}
	put(st.M)
	put(st.V)
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	return buf.Bytes(), nil
}

// UnmarshalState decodes what MarshalBinary wrote, refusing anything
// truncated, altered or of another format.
func UnmarshalState(b []byte) (*State, error) {
	bad := func(why string) error { return fmt.Errorf("training: not a saved training state: %s", why) }
	if len(b) < len(stateMagic)+8+sha256.Size || string(b[:len(stateMagic)]) != stateMagic {
		return nil, bad("no header")
	}
	body, tail := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], tail) {
		return nil, bad("checksum mismatch (truncated or damaged)")
	}
	r := body[len(stateMagic):]
	n := binary.LittleEndian.Uint64(r)
	r = r[8:]
	if n > uint64(len(r)) {
		return nil, bad("header runs past the end")
	}
	var h stateHeader
	if err := json.Unmarshal(r[:n], &h); err != nil {
		return nil, bad(err.Error())
	}
	r = r[n:]
	if h.Step < 0 || h.Count < 0 || h.AdamSteps < 0 {
		return nil, bad("negative step count")
	}
	// Each size is at most the data's length, so the sum cannot overflow.
	fits := func(k int) bool { return k >= 0 && k <= len(r)/4 }
	if !fits(h.Moments) {
		return nil, bad("array sizes do not match the data")
	}
	total := 2 * h.Moments
	for _, s := range h.Sizes {
		if !fits(s) {
			return nil, bad("array sizes do not match the data")
		}
		total += s
	}
	if len(h.Sizes) != len(h.Names) || total != len(r)/4 || len(r)%4 != 0 {
		return nil, bad("array sizes do not match the data")
	}
	get := func(k int) []float32 {
		xs := make([]float32, k)
		for i := range xs {
			xs[i] = math.Float32frombits(binary.LittleEndian.Uint32(r[4*i:]))
		}
		r = r[4*k:]
		return xs
	}
	st := &State{Step: h.Step, Curve: h.Curve, Sum: h.Sum, Count: h.Count, Batches: h.Batches, Names: h.Names, AdamSteps: h.AdamSteps}
	for _, s := range h.Sizes {
		st.Params = append(st.Params, get(s))
	}
	st.M, st.V = get(h.Moments), get(h.Moments)
	return st, nil
}
