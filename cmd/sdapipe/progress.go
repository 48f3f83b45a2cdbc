package main

import (
	"fmt"
	"io"
	"os"
	"sdapipe/stage"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// progress draws one bar per long task on a terminal. When stderr is not
// a terminal it draws nothing and instead logs a line about every ten
// seconds, so CI logs show that long work is alive.
type progress struct {
	out io.Writer
	p   *mpb.Progress // nil when stderr is not a terminal
}

func newProgress(stderr io.Writer) *progress {
	pr := &progress{out: stderr}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		pr.p = mpb.New(mpb.WithOutput(stderr), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond))
	}
	return pr
}

// logOutput is where log lines go: above the bars when there are bars.
func (pr *progress) logOutput() io.Writer {
	if pr.p != nil {
		return pr.p
	}
	return pr.out
}

func (pr *progress) wait() {
	if pr.p != nil {
		pr.p.Wait()
	}
}

func (pr *progress) start(log hclog.Logger) func(addr, label string, total int64) stage.Progress {
	return func(addr, label string, total int64) stage.Progress {
		if pr.p == nil {
			return &logProgress{log: log.Named(addr), label: label, total: total, start: time.Now(), last: time.Now()}
		}
		b := &barProgress{}
		b.bar = pr.p.AddBar(total,
			mpb.PrependDecorators(decor.Name(addr+" "+label, decor.WCSyncSpaceR)),
			mpb.AppendDecorators(
				decor.CountersNoUnit("%d/%d", decor.WCSyncSpace),
				decor.Name(" "),
				decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace),
				decor.Any(func(decor.Statistics) string { return b.status() }),
			),
			mpb.BarRemoveOnComplete(),
		)
		return b
	}
}

type barProgress struct {
	bar *mpb.Bar
	mu  sync.Mutex
	st  string
}

func (b *barProgress) Add(n int64) { b.bar.IncrInt64(n) }

func (b *barProgress) Status(s string) {
	b.mu.Lock()
	b.st = s
	b.mu.Unlock()
}

func (b *barProgress) status() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.st == "" {
		return ""
	}
	return "  " + b.st
}

func (b *barProgress) Done() {
	if !b.bar.Completed() {
		b.bar.Abort(true)
	}
}

type logProgress struct {
	log         hclog.Logger
	label       string
	total, done int64
	start, last time.Time
	st          string
}

func (l *logProgress) Add(n int64) {
	l.done += n
	if time.Since(l.last) < 10*time.Second {
		return
	}
	l.last = time.Now()
	eta := ""
	if l.done > 0 {
		rem := time.Duration(float64(time.Since(l.start)) * float64(l.total-l.done) / float64(l.done))
		eta = rem.Round(time.Second).String()
	}
	l.log.Info(fmt.Sprintf("%s %d/%d", l.label, l.done, l.total), "eta", eta, "status", l.st)
}

func (l *logProgress) Status(s string) { l.st = s }
func (l *logProgress) Done()           {}
