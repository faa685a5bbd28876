package app

import (
	"fmt"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/sched"
)

// The event handlers run on the UI goroutine, which in the browser is the
// page's only thread: they submit or cancel and return. What blocks (Run,
// Wait, Gather) runs in a goroutine that sends its result back with
// ctx.Dispatch, or with page.after when the result is about jobs whose
// events must show first.

func (p *page) onDelayInput(ctx goapp.Context, e goapp.Event) {
	p.delay = ctx.JSSrc().Get("value").String()
	p.delayErr = ""
}

func (p *page) onBatchSizeInput(ctx goapp.Context, e goapp.Event) {
	p.batchSize = ctx.JSSrc().Get("value").String()
	p.batchErr, p.batchBad = "", ""
}

func (p *page) onBatchDelayInput(ctx goapp.Context, e goapp.Event) {
	p.batchDelay = ctx.JSSrc().Get("value").String()
	p.batchErr, p.batchBad = "", ""
}

// onPreset fills the delay field with one of the seed's delays.
func (p *page) onPreset(v string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		p.delay, p.delayErr = v, ""
		// The render only writes the value when it differs from the last
		// render's, which misses a field changed without an input event.
		setField("delay", v)
	}
}

func (p *page) onQueue(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	p.delay = field("delay", p.delay)
	p.queue()
}

// queue submits one job with the delay typed, or says what is wrong with it
// and queues nothing.
func (p *page) queue() {
	d, err := parseDelay(p.delay)
	if err != nil {
		p.delayErr, p.singleNote = err.Error(), ""
		return
	}
	j, err := p.s.Submit(d)
	if err != nil {
		p.delayErr, p.singleNote = err.Error(), ""
		return
	}
	p.delayErr = ""
	e := p.store.add(j, 0)
	p.singleNote = fmt.Sprintf("Queued job %s to start in %s.", shortID(e.rec.ID), formatDuration(d))
	p.settle()
}

func (p *page) onBatchStart(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	p.batchSize = field("batch-size", p.batchSize)
	p.batchDelay = field("batch-delay", p.batchDelay)
	p.startBatch(ctx)
}

// startBatch queues a batch and gathers it in the background.
//
// A big batch is queued a slice at a time, one slice per frame. Once the
// page is warm one SubmitBatch of 10,000 costs no more than the slices, but
// in a fresh page it held the thread 300-650 ms (the wasm code is compiled
// lazily, the heap grows and the first GC runs), against about 400 ms for
// the worst frame with slices. The first slices are smaller (see
// firstSlice). Each slice is one SubmitBatch, and the batch is gathered as
// one.
func (p *page) startBatch(ctx goapp.Context) {
	n, err := parseBatchSize(p.batchSize)
	if err != nil {
		p.batchErr, p.batchBad = err.Error(), "batch-size"
		return
	}
	d, err := parseDelay(p.batchDelay)
	if err != nil {
		p.batchErr, p.batchBad = "delay: "+err.Error(), "batch-delay"
		return
	}
	p.batchErr, p.batchBad, p.batchNote = "", "", ""
	t0 := time.Now()
	b := p.store.newBatch(n)
	if err := p.queueSlice(b, d); err != nil {
		p.batchErr = err.Error()
		return
	}
	p.latest = b
	p.settle()
	go p.gatherBatch(ctx, b, d, t0)
}

// A batch's first slice is small, and each slice after it as big as
// all those before it, up to sliceSize: the first frames of a batch in a
// fresh page also compile the code they run for the first time.
const (
	firstSlice = 250
	sliceSize  = 1000
)

// queueSlice queues the next slice of b, on the UI goroutine.
func (p *page) queueSlice(b *batch, d time.Duration) error {
	jobs, err := p.s.SubmitBatch(min(sliceSize, max(firstSlice, len(b.Jobs)), b.N-len(b.Jobs)), d)
	if err != nil {
		return err
	}
	p.store.addToBatch(b, jobs)
	return nil
}

// gatherBatch queues the rest of b, a slice a frame, then gathers it and
// shows the result. It runs on its own goroutine; b belongs to the UI
// goroutine, but only this goroutine's own dispatches add to b.Jobs, so it
// may read b.Jobs between them.
func (p *page) gatherBatch(ctx goapp.Context, b *batch, d time.Duration, t0 time.Time) {
	for stopped := false; !stopped && len(b.Jobs) < b.N; {
		select {
		case <-nextFrame():
		case <-ctx.Done():
			return
		}
		reply := make(chan bool, 1)
		ctx.Dispatch(func(goapp.Context) {
			if !b.Stopped {
				if err := p.queueSlice(b, d); err != nil {
					b.Stopped, p.batchErr = true, err.Error()
				}
			}
			reply <- b.Stopped
		})
		select {
		case stopped = <-reply:
		case <-ctx.Done():
			return
		}
	}
	jobs := b.Jobs
	recs, err := sched.Gather(ctx, jobs...)
	elapsed := time.Since(t0)
	text, ok := summarizeBatch(jobIDs(jobs), recs, err)
	if missing := b.N - len(jobs); missing > 0 {
		text, ok = fmt.Sprintf("%s; %d never queued: the batch was cancelled while it was being queued", text, missing), false
	}
	p.after(ctx, func() {
		b.Done, b.OK, b.Summary, b.Elapsed = true, ok, text, elapsed
	})
}

// onBatchCancel cancels the jobs of the latest batch that still wait, and
// the slices of it not queued yet.
func (p *page) onBatchCancel(ctx goapp.Context, e goapp.Event) {
	b := p.latest
	if b == nil || b.Done {
		p.batchNote = "No batch is waiting."
		return
	}
	p.batchNote = fmt.Sprintf("Cancelled %s of this batch that still waited.", plural(p.stopBatch(b), "job"))
}

// stopBatch stops queueing b and cancels its jobs that wait; it returns
// how many it cancelled.
func (p *page) stopBatch(b *batch) int {
	b.Stopped = b.Stopped || len(b.Jobs) < b.N
	n := 0
	for _, j := range b.Jobs {
		if j.Cancel(nil) {
			n++
		}
	}
	return n
}

func (p *page) onCancelAll(ctx goapp.Context, e goapp.Event) {
	// A batch still being queued would queue more: stop it first.
	for _, b := range p.store.batches {
		if len(b.Jobs) < b.N {
			b.Stopped = true
		}
	}
	n := p.s.CancelAll(nil)
	p.cancelNote = fmt.Sprintf("Cancelled %s still waiting.", plural(n, "job"))
}

// onRecordsClick handles the cancel buttons of the records table, which
// is plain HTML (see recordsTable): their clicks bubble up to here.
func (p *page) onRecordsClick(ctx goapp.Context, e goapp.Event) {
	btn := e.Get("target").Call("closest", "button.cancel")
	if !btn.Truthy() {
		return
	}
	p.cancelJob(btn.Call("closest", "tr").Get("dataset").Get("id").String())
}

// cancelJob cancels the job with this id, if it still waits.
func (p *page) cancelJob(id string) {
	e := p.store.byID[id]
	if e == nil || e.job == nil {
		return
	}
	if e.job.Cancel(nil) {
		p.cancelNote = fmt.Sprintf("Cancelled job %s.", shortID(id))
	} else {
		p.cancelNote = fmt.Sprintf("Job %s no longer waits: it is %s.", shortID(id), e.job.State())
	}
}

func (p *page) onScenario(ctx goapp.Context, e goapp.Event) {
	if p.running {
		return
	}
	p.running = true
	for i := range p.checks {
		p.checks[i] = check{State: checkIdle, Text: "waiting for the step before"}
	}
	go runSeed(ctx, p.s, func(i int, st checkState, text string) {
		ctx.Dispatch(func(goapp.Context) {
			p.checks[i] = check{State: st, Text: text}
			if i == numChecks-1 && st != checkRunning {
				p.running = false
			}
		})
	})
}

// settle refreshes what depends on the clock and the store's size after
// the store changed, and tells the pump whether to keep updating.
func (p *page) settle() {
	p.now = time.Now()
	p.waiting.Store(p.store.pending())
}

// field returns the value of the input with this id as the browser has it,
// which may be newer than the last input event (a value set by a script or
// a password manager fires none); elsewhere it returns fallback.
func field(id, fallback string) string {
	if !goapp.IsClient {
		return fallback
	}
	if el := goapp.Window().GetElementByID(id); el.Truthy() {
		return el.Get("value").String()
	}
	return fallback
}

// setField writes v into the input with this id, in the browser.
func setField(id, v string) {
	if !goapp.IsClient {
		return
	}
	if el := goapp.Window().GetElementByID(id); el.Truthy() {
		el.Set("value", v)
	}
}
