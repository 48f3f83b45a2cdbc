//go:build unix

package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sdapipe/artifacts"
)

// recordPath returns the path of the run record of a stage's latest run.
func recordPath(t *testing.T, ws *Workspace, addr string) (string, *Record) {
	t.Helper()
	rec, err := ws.Latest(addr)
	if err != nil || rec == nil {
		t.Fatalf("no record for %s: %v", addr, err)
	}
	key, _ := artifacts.ParseDigest(rec.Key)
	return ws.recordPath(key), rec
}

// truncate cuts a file to half its length, as a full disk or a crash in
// another program might.
func truncate(t *testing.T, path string) {
	t.Helper()
	os.Chmod(path, 0o644)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}

func quarantined(t *testing.T, ws *Workspace) []string {
	t.Helper()
	ents, _ := os.ReadDir(ws.quarantineDir())
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func reasons(r *Result) string { return strings.Join(r.Reasons, "; ") }

// TestTruncatedRecordReruns: a truncated runs/<key>.json used to abort
// status --explain and fail the stage even with --force. Now status
// explains it, and a run moves it aside and reruns the stage (with and
// without --force), to the same bytes.
func TestTruncatedRecordReruns(t *testing.T) {
	for _, force := range []bool{false, true} {
		cfg, ws := setup(t, "")
		runStages(t, cfg, ws, 1)
		before := digests(t, ws, cfg)
		path, _ := recordPath(t, ws, "tmap.a")
		truncate(t, path)

		ds, err := cfg.Status(ws, nil, nil)
		if err != nil {
			t.Fatalf("status with a truncated record: %v", err)
		}
		for _, d := range ds {
			if d.Addr == "tmap.a" && (!d.Run || !strings.Contains(strings.Join(d.Reasons, ";"), "is unreadable (its JSON is malformed")) {
				t.Errorf("status of tmap.a: run=%v %v", d.Run, d.Reasons)
			}
		}
		if q := quarantined(t, ws); len(q) != 0 {
			t.Errorf("status moved %v aside; only runs may", q)
		}
		var f []string
		if force {
			f = []string{"tmap.a"}
		}
		res := runStages(t, cfg, ws, 1, f...)
		if res["tmap.a"].Outcome != Ran || !strings.Contains(reasons(res["tmap.a"]), "moved aside to quarantine/") && !force {
			t.Errorf("force=%v: tmap.a %s: %s", force, res["tmap.a"].Outcome, reasons(res["tmap.a"]))
		}
		if res["tmap.join"].Outcome != Cached {
			t.Errorf("force=%v: join %s although a's bytes are the same", force, res["tmap.join"].Outcome)
		}
		for k, v := range digests(t, ws, cfg) {
			if before[k] != v {
				t.Errorf("%s changed on the rerun", k)
			}
		}
		if rec, err := ws.Record(mustKey(t, res["tmap.a"])); err != nil || rec == nil {
			t.Errorf("the rerun left no usable record: %v", err)
		}
	}
}

func mustKey(t *testing.T, r *Result) artifacts.Digest {
	t.Helper()
	if r.Record == nil {
		t.Fatalf("%s has no record", r.Addr)
	}
	k, err := artifacts.ParseDigest(r.Record.Key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSpecialRecordFileReruns: a FIFO in place of a run record is
// unusable, not a hang: the stage reruns.
func TestSpecialRecordFileReruns(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	path, _ := recordPath(t, ws, "tsrc.root")
	os.Remove(path)
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	got := make(chan map[string]*Result, 1)
	go func() {
		res, _ := (&Runner{Config: cfg, WS: ws, Jobs: 1}).Run(context.Background(), nil)
		got <- byAddr(res)
	}()
	var res map[string]*Result
	select {
	case res = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO in place of a run record blocked")
	}
	if r := res["tsrc.root"]; r.Outcome != Ran || !strings.Contains(reasons(r), "named pipe") {
		t.Errorf("tsrc.root %s: %s", r.Outcome, reasons(r))
	}
}

// TestTruncatedObjectReruns: an object shorter than its record says is
// found by a stat on an ordinary run (no rehash), moved aside, and its
// stage reruns; downstream stays cached.
func TestTruncatedObjectReruns(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	_, rec := recordPath(t, ws, "tsrc.root")
	o, _ := rec.Output("out")
	truncate(t, ws.Store.Path(o.Digest))
	res := runStages(t, cfg, ws, 1)
	if r := res["tsrc.root"]; r.Outcome != Ran || !strings.Contains(reasons(r), "is corrupt: ") || !strings.Contains(reasons(r), "moved aside to quarantine/") {
		t.Errorf("tsrc.root %s: %s", r.Outcome, reasons(r))
	}
	if o := outcomes(res); o != "tsrc.root=ran tmap.a=cached tmap.b=cached tmap.join=cached" {
		t.Errorf("got %s", o)
	}
	if err := ws.Store.Verify(o.Digest); err != nil {
		t.Errorf("the object was not remade: %v", err)
	}
	if q := quarantined(t, ws); len(q) != 1 || !strings.Contains(q[0], o.Digest.String()) {
		t.Errorf("quarantine holds %v", q)
	}
}

// TestCorruptUpstreamIsRemadeNextRun: an upstream object corrupted in
// place (same size, so no stat can tell) is found when a consumer reads
// it. It used to stay cached, failing the consumer until the producer was
// forced. Now the read moves it aside, the error says the next run remakes
// it, and the next run reruns the producer and then the consumer.
func TestCorruptUpstreamIsRemadeNextRun(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	before := digests(t, ws, cfg)
	_, rec := recordPath(t, ws, "tsrc.root")
	o, _ := rec.Output("out")
	flipLastByte(t, ws.Store.Path(o.Digest))

	force := map[string]bool{"tmap.a": true}
	_, err := (&Runner{Config: cfg, WS: ws, Jobs: 1, Force: force}).Run(context.Background(), nil)
	var ce *artifacts.CorruptError
	if !errors.As(err, &ce) || ce.Digest != o.Digest || !strings.Contains(err.Error(), "the next run reruns tsrc.root") {
		t.Fatalf("reading the corrupt object: %v; want a CorruptError saying the next run reruns tsrc.root", err)
	}
	res, err := (&Runner{Config: cfg, WS: ws, Jobs: 1, Force: force}).Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("the next run: %v", err)
	}
	m := byAddr(res)
	if r := m["tsrc.root"]; r.Outcome != Ran || !strings.Contains(reasons(r), "missing from the store") {
		t.Errorf("tsrc.root %s: %s", r.Outcome, reasons(r))
	}
	if m["tmap.a"].Outcome != Ran {
		t.Errorf("tmap.a %s", m["tmap.a"].Outcome)
	}
	for k, v := range digests(t, ws, cfg) {
		if before[k] != v {
			t.Errorf("%s differs after healing", k)
		}
	}
}

// TestVerifyReportsMissingAndBadRecords: verify used to say "0 corrupt"
// with an object deleted and say nothing of an unreadable record. Now it
// reports both, naming the outputs, and without --repair moves nothing.
func TestVerifyReportsMissingAndBadRecords(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	_, b := recordPath(t, ws, "tmap.b")
	ob, _ := b.Output("out")
	if err := os.Remove(ws.Store.Path(ob.Digest)); err != nil {
		t.Fatal(err)
	}
	pathA, _ := recordPath(t, ws, "tmap.a")
	truncate(t, pathA)
	truncate(t, ws.latestPath("tmap.join"))

	rep, err := ws.Verify(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Corrupt) != 0 || len(rep.Missing) != 1 || len(rep.BadRecords) != 2 || rep.Problems() != 3 {
		t.Fatalf("report %+v, want 1 missing and 2 unreadable records", rep)
	}
	if m := rep.Missing[0]; !strings.Contains(m, ob.Digest.String()) || !strings.Contains(m, "output of tmap.b.out") {
		t.Errorf("missing %q does not name the object and its output", m)
	}
	all := strings.Join(rep.BadRecords, "\n")
	for _, want := range []string{ws.rel(pathA) + ": its JSON is malformed", "out/tmap.join/record.json: its JSON is malformed"} {
		if !strings.Contains(all, want) {
			t.Errorf("unreadable records %q lack %q", all, want)
		}
	}
	if q := quarantined(t, ws); len(q) != 0 {
		t.Errorf("verify without --repair moved %v", q)
	}
}

// TestVerifyRepairThenRunHeals: verify --repair moves a corrupt object, an
// unreadable record and the record of a missing object aside; a second
// verify is clean, and the next run reruns exactly the stages concerned,
// to the original bytes.
func TestVerifyRepairThenRunHeals(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	before := digests(t, ws, cfg)
	_, root := recordPath(t, ws, "tsrc.root")
	or, _ := root.Output("out")
	flipLastByte(t, ws.Store.Path(or.Digest))
	_, b := recordPath(t, ws, "tmap.b")
	ob, _ := b.Output("out")
	os.Remove(ws.Store.Path(ob.Digest))
	pathJoin, _ := recordPath(t, ws, "tmap.join")
	truncate(t, pathJoin)

	rep, err := ws.Verify(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Corrupt) != 1 || len(rep.Missing) != 1 || len(rep.BadRecords) != 1 {
		t.Fatalf("report %+v", rep)
	}
	// The corrupt object, the bad record, and the records of tsrc.root and
	// tmap.b, whose objects are corrupt and missing.
	if len(rep.Moved) != 4 || len(quarantined(t, ws)) != 4 {
		t.Errorf("moved %v; quarantine holds %v", rep.Moved, quarantined(t, ws))
	}
	if got := strings.Join(rep.Rerun, " "); got != "tmap.b tsrc.root" {
		t.Errorf("next run reruns %q, want tmap.b tsrc.root", got)
	}
	again, err := ws.Verify(context.Background(), false)
	if err != nil || again.Problems() != 0 {
		t.Fatalf("verify after repair: %+v %v", again, err)
	}
	res := runStages(t, cfg, ws, 1)
	if o := outcomes(res); o != "tsrc.root=ran tmap.a=cached tmap.b=ran tmap.join=ran" {
		t.Errorf("after repair: %s", o)
	}
	for k, v := range digests(t, ws, cfg) {
		if before[k] != v {
			t.Errorf("%s differs after healing", k)
		}
	}
	if final, err := ws.Verify(context.Background(), false); err != nil || final.Problems() != 0 {
		t.Errorf("verify after the healing run: %+v %v", final, err)
	}
}

// TestGCMovesUnreadableRecordAside: gc used to stop at an unreadable run
// record; now it moves the record aside and collects the rest.
func TestGCMovesUnreadableRecordAside(t *testing.T) {
	dir := t.TempDir()
	cfg, ws := setup(t, dir)
	runStages(t, cfg, ws, 1)
	path, _ := recordPath(t, ws, "tmap.a")
	truncate(t, path)
	rep, err := ws.GC(false, true)
	if err != nil || rep.BadRecords != 1 {
		t.Fatalf("gc -n: %+v %v", rep, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("gc -n moved the record: %v", err)
	}
	rep, err = ws.GC(false, false)
	if err != nil || rep.BadRecords != 1 {
		t.Fatalf("gc: %+v %v", rep, err)
	}
	if q := quarantined(t, ws); len(q) != 1 || !strings.HasSuffix(q[0], filepath.Base(path)) {
		t.Errorf("quarantine holds %v", q)
	}
	if rep, err := ws.GC(false, false); err != nil || rep.Quarantined != 1 || len(quarantined(t, ws)) != 0 {
		t.Errorf("second gc did not empty quarantine: %+v %v", rep, err)
	}
	if res := runStages(t, cfg, ws, 1); res["tmap.a"].Outcome != Ran {
		t.Errorf("tmap.a %s after its record was moved aside", res["tmap.a"].Outcome)
	}
}
