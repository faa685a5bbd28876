// Package link puts the playground's state in a page address, so that a
// link restores it: the settings, and the actions a visitor did, which a
// virtual run replays exactly ([play.Replay]). It knows nothing of
// browsers: [State.Encode] writes a query string, [Parse] reads one.
//
// A query string holds only what differs from [Default], in this order:
//
//	key     value                                          default
//	tab     await, cancel, gather, limit (lessons) or free  await
//	time    real or virtual                                 real
//	speed   the virtual clock's speed, one of [Speeds]       0.1
//	delay   one job's delay, 0 to 24h                       1ms
//	timeout one job's timeout, 0 (none) to 24h              0
//	n       a batch's size, 1 to 100000                     10
//	bdelay  a batch's delay, 0 to 24h                       1ms
//	group   1: a batch's first failure cancels the others   0
//	start   how long a job's start takes, 0 to 1h           0
//	jitter  up to this much longer, per start, 0 to 1h      0
//	fail    percent of starts that fail, 0 to 100           0
//	panic   percent of starts that panic, 0 to 100 - fail   0
//	limit   starts at once, 0 (none) to 1000                0
//	seed    the run's seed, 1 to 2^53-1                     none
//	end     the run's time when the link was made           0
//	acts    what was done, oldest first (below)             none
//
// For example: tab=free&time=virtual&speed=0.25&delay=250ms&n=1000&seed=12345.
//
// Durations are written as [time.Duration.String] writes them, without
// zero units, and with "us" for microseconds: 0, 1.5us, 250ms, 1.5s, 2m,
// 1h30m. Any duration [time.ParseDuration] reads is accepted.
//
// acts needs no escaping: it uses only letters, digits, '.' and '-'.
// Actions are separated by '-'; each is a letter for its kind, the time
// since the action before it (since the run began, for the first), and
// then its fields, each after a '.':
//
//	q<at>.<delay>            queue one job of delay
//	q<at>.<delay>.<timeout>  the same, with a timeout (not 0)
//	b<at>.<n>.<delay>        queue a batch of n jobs of delay
//	g<at>.<n>.<delay>        the same, as a group: its first failure
//	                         cancels the others (play.Run.QueueGroup)
//	c<at>.<pos>              cancel the job at position pos (0 for the run's first)
//	x<at>.<batch>            cancel batch number batch (1 for the run's first)
//	a<at>                    cancel every waiting job
//
// Times, delays and timeouts are nanoseconds in base 36 (digits, then a
// to z), n, pos and batch are decimal: "q0.lfls-b5sdpq8.10.0-x1hl0g.1"
// queues a job of 1ms at once, a batch of 10 jobs of no delay 0.35s later,
// and cancels that batch 2.5ms after; "q0.lfls.tro8w" queues a job of 1ms
// with a timeout of 50ms. A link holds at most [MaxActions] actions; a
// replay runs them, then runs until end.
//
// [Parse] ignores whatever it cannot use, with a note for the visitor:
// the rest of the link still applies. But if acts is wrong at all, all
// the actions go, and end with them: part of a run is not the run that
// was shared.
package link

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wasmsched/wasmsched/internal/lesson"
	"github.com/wasmsched/wasmsched/internal/play"
)

// Speeds are the virtual clock's speeds, slowest first: [State.Speed] and
// the page's slider are indexes in it.
var Speeds = []float64{0.01, 0.1, 0.25, 0.5, 1, 2, 10, 100, 1000}

const (
	// MaxLen is the longest query string [State.Encode] writes: a
	// conservative length that every browser, server and chat tool keeps
	// whole, with the page's address before it. Parse reads up to four
	// times as much, for links a person has edited.
	MaxLen = 2000
	// MaxActions caps a link's actions: about what fits in MaxLen, and a
	// bound on what a hostile link makes a page do.
	MaxActions = 500
	// MaxJobs caps the jobs a link's actions queue, together, at one of
	// the biggest batches: a link someone else wrote must not freeze or
	// fill the visitor's tab. Measured (make bench-browser, part h, with
	// the cap raised to 300,000, four runs): a replay of 100,000 jobs took
	// 0.3-0.6 s, its renderer peaked at 264-406 MB, and its longest task
	// was 90-187 ms (under 100 ms in one run of four); of 300,000, 0.5-0.6
	// s, 283-286 MB and 105-151 ms. The longest task is one batch's
	// SubmitBatch and the first draw after it, whatever the total. No
	// total kept every task under 100 ms in every run; 100,000 is the
	// smallest step measured, and what one click of the page's batch form
	// makes, so its link must replay.
	MaxJobs = play.MaxBatch
	// MaxEnd is the latest time of an action, and of a run's end: far
	// beyond any run (over 11 years), far from overflowing a Duration.
	MaxEnd = 100_000 * time.Hour
	// MaxSeed is the largest seed a link holds: a JavaScript number holds
	// every integer up to it exactly.
	MaxSeed = 1<<53 - 1
)

// State is what a link holds.
type State struct {
	Tab        string        // "await", "cancel", "gather", "limit" or "free"
	Virtual    bool          // virtual time
	Speed      int           // index in Speeds
	Delay      time.Duration // one job's delay (0 to play.MaxDelay)
	Timeout    time.Duration // one job's timeout (0, none, to play.MaxDelay)
	BatchN     int           // a batch's size (1 to play.MaxBatch)
	BatchDelay time.Duration // a batch's delay (0 to play.MaxDelay)
	BatchGroup bool          // a batch is a group: its first failure cancels the others
	// Start is how jobs start. Its Virtual and Seed are not used: they are
	// State's own, and [State.Settings] fills them in.
	Start   play.Settings
	Seed    uint64        // 1 to MaxSeed; 0 means none
	Actions []play.Action // what was done, At since the run began
	End     time.Duration // the run's time when the link was made: a replay runs to here
}

// Default returns the page's state on a plain visit: the first lesson,
// real time (a virtual clock would run at 0.1×), jobs of 1ms with no
// timeout, batches of 10 jobs of 1ms that are no group, starts that take
// no time and never fail, no limit, no seed, no actions.
func Default() State {
	// Speed 0.1×: slow enough to see a 1 ms job wait.
	return State{Tab: "await", Speed: 1, Delay: time.Millisecond, BatchN: 10, BatchDelay: time.Millisecond}
}

// Settings returns the settings of s's run: s.Start with s's Virtual and
// Seed.
func (s State) Settings() play.Settings {
	set := s.Start
	set.Virtual, set.Seed = s.Virtual, s.Seed
	return set
}

// tabs are the tabs a link names: the lessons, then the free playground.
var tabs = func() []string {
	var t []string
	for _, l := range lesson.All() {
		t = append(t, l.ID)
	}
	return append(t, "free")
}()

// Check returns an error, written as a sentence for the page, if s is out
// of range. What [Parse] returns always passes it.
func (s State) Check() error {
	switch {
	case !slices.Contains(tabs, s.Tab):
		return fmt.Errorf("the tab is one of %s", strings.Join(tabs, ", "))
	case s.Speed < 0 || s.Speed >= len(Speeds):
		return fmt.Errorf("the speed is an index in Speeds, 0 to %d", len(Speeds)-1)
	case s.Delay < 0 || s.Delay > play.MaxDelay || s.BatchDelay < 0 || s.BatchDelay > play.MaxDelay:
		return fmt.Errorf("a delay is from 0 to %s", formatDur(play.MaxDelay))
	case s.Timeout < 0 || s.Timeout > play.MaxDelay:
		return fmt.Errorf("a timeout is from 0 (none) to %s", formatDur(play.MaxDelay))
	case s.BatchN < 1 || s.BatchN > play.MaxBatch:
		return fmt.Errorf("a batch has 1 to %d jobs", play.MaxBatch)
	case s.Seed > MaxSeed:
		return fmt.Errorf("the seed is from 0 (none) to %d", MaxSeed)
	}
	if err := s.Settings().Check(); err != nil {
		return err
	}
	return checkRun(s.Actions, s.End)
}

// checkRun returns an error if acts are not what a run records, each at
// its time, then a replay to end.
func checkRun(acts []play.Action, end time.Duration) error {
	if len(acts) > MaxActions {
		return fmt.Errorf("there are %d actions, more than %d", len(acts), MaxActions)
	}
	var at time.Duration
	jobs, batches := 0, 0
	for i, a := range acts {
		if err := checkAction(a, at, jobs, batches); err != nil {
			return fmt.Errorf("action %d %v", i+1, err)
		}
		at = a.At
		switch a.Kind {
		case play.Queue:
			jobs++
		case play.QueueBatch:
			jobs += a.N
			batches++
		}
		if jobs > MaxJobs {
			return fmt.Errorf("the actions queue more than %d jobs", MaxJobs)
		}
	}
	if end < at || end > MaxEnd {
		return fmt.Errorf("the end is from the last action's time, %s, to %s", formatDur(at), formatDur(MaxEnd))
	}
	return nil
}

// checkAction checks a, the action after one at last, after actions that
// queued jobs jobs in batches batches.
func checkAction(a play.Action, last time.Duration, jobs, batches int) error {
	queues := a.Kind == play.Queue || a.Kind == play.QueueBatch
	switch {
	case a.At < last:
		return errors.New("is before the action before it")
	case a.At > MaxEnd:
		return fmt.Errorf("is after %s", formatDur(MaxEnd))
	case a.Delay < 0 || a.Delay > play.MaxDelay:
		return fmt.Errorf("has a delay out of 0 to %s", formatDur(play.MaxDelay))
	case a.Delay != 0 && !queues:
		return errors.New("has a delay but queues nothing")
	case a.Timeout < 0 || a.Timeout > play.MaxDelay:
		return fmt.Errorf("has a timeout out of 0 to %s", formatDur(play.MaxDelay))
	case a.Timeout != 0 && a.Kind != play.Queue:
		return errors.New("has a timeout but queues no single job")
	case a.Group && a.Kind != play.QueueBatch:
		return errors.New("is a group but queues no batch")
	}
	switch a.Kind {
	case play.Queue, play.CancelAll:
		if a.N != 0 {
			return errors.New("has a number its kind does not use")
		}
	case play.QueueBatch:
		if a.N < 1 || a.N > play.MaxBatch {
			return fmt.Errorf("queues a batch of %d jobs, not 1 to %d", a.N, play.MaxBatch)
		}
	case play.Cancel:
		if a.N < 0 || a.N >= jobs {
			return fmt.Errorf("cancels job %d of the %d queued before it (the first is 0)", a.N, jobs)
		}
	case play.CancelBatch:
		if a.N < 1 || a.N > batches {
			return fmt.Errorf("cancels batch %d of the %d queued before it (the first is 1)", a.N, batches)
		}
	default:
		return fmt.Errorf("is of no known kind (%d)", a.Kind)
	}
	return nil
}

// kinds are the letters of the kinds of action, from play.Queue on;
// group is a QueueBatch's letter when it is a group.
const (
	kinds = "qbcxa"
	group = 'g'
)

// Encode returns the query string, without a leading '?', that holds s:
// the fields that differ from [Default], in a fixed order. The actions and
// the end are in it only if they pass [State.Check] and the whole string
// then fits in [MaxLen]; full is false when s had actions that are not.
// s should pass Check: a field out of range is written as it is (Parse
// then ignores it), or not at all.
func (s State) Encode() (q string, full bool) {
	d := Default()
	var b query
	if s.Tab != d.Tab {
		b.add("tab", url.QueryEscape(s.Tab))
	}
	if s.Virtual {
		b.add("time", "virtual")
	}
	if s.Speed != d.Speed && s.Speed >= 0 && s.Speed < len(Speeds) {
		b.add("speed", formatSpeed(Speeds[s.Speed]))
	}
	b.dur("delay", s.Delay, d.Delay)
	b.dur("timeout", s.Timeout, d.Timeout)
	b.num("n", uint64(s.BatchN), uint64(d.BatchN))
	b.dur("bdelay", s.BatchDelay, d.BatchDelay)
	if s.BatchGroup {
		b.add("group", "1")
	}
	b.dur("start", s.Start.StartTime, 0)
	b.dur("jitter", s.Start.Jitter, 0)
	b.num("fail", uint64(s.Start.FailPct), 0)
	b.num("panic", uint64(s.Start.PanicPct), 0)
	b.num("limit", uint64(s.Start.Limit), 0)
	b.num("seed", s.Seed, 0)
	set := string(b)
	if checkRun(s.Actions, s.End) != nil {
		return set, len(s.Actions) == 0
	}
	b.dur("end", s.End, 0)
	if len(s.Actions) > 0 {
		b.add("acts", encodeActs(s.Actions))
	}
	if len(b) > MaxLen {
		return set, len(s.Actions) == 0
	}
	return string(b), true
}

// query is a query string being written.
type query []byte

func (q *query) add(key, v string) {
	if len(*q) > 0 {
		*q = append(*q, '&')
	}
	*q = append(append(append(*q, key...), '='), v...)
}

func (q *query) dur(key string, d, def time.Duration) {
	if d != def {
		q.add(key, formatDur(d))
	}
}

// num writes n, which is an int or a seed: an int out of range comes out
// as a huge number that Parse ignores.
func (q *query) num(key string, n, def uint64) {
	if n != def {
		q.add(key, strconv.FormatUint(n, 10))
	}
}

// encodeActs writes acts, which pass checkRun.
func encodeActs(acts []play.Action) string {
	var b []byte
	var last time.Duration
	for i, a := range acts {
		if i > 0 {
			b = append(b, '-')
		}
		if a.Group {
			b = append(b, group)
		} else {
			b = append(b, kinds[a.Kind-play.Queue])
		}
		b = strconv.AppendInt(b, int64(a.At-last), 36)
		last = a.At
		if a.Kind != play.Queue && a.Kind != play.CancelAll {
			b = strconv.AppendInt(append(b, '.'), int64(a.N), 10)
		}
		if a.Kind == play.Queue || a.Kind == play.QueueBatch {
			b = strconv.AppendInt(append(b, '.'), int64(a.Delay), 36)
		}
		if a.Timeout != 0 {
			b = strconv.AppendInt(append(b, '.'), int64(a.Timeout), 36)
		}
	}
	return string(b)
}

// decodeActs reads what encodeActs writes, and checks it but for the end.
func decodeActs(v string) ([]play.Action, error) {
	if strings.Count(v, "-") >= MaxActions {
		return nil, fmt.Errorf("there are more than %d actions", MaxActions)
	}
	var acts []play.Action
	var at time.Duration
	for i, w := range strings.Split(v, "-") {
		k := -1
		if w != "" {
			k = strings.IndexByte(kinds, w[0])
		}
		a := play.Action{Kind: play.Queue + play.Kind(k)}
		if w != "" && w[0] == group {
			a.Kind, a.Group = play.QueueBatch, true
		} else if k < 0 {
			return nil, fmt.Errorf("action %d, %s, is of no known kind", i+1, clip(w))
		}
		f := strings.Split(w[1:], ".")
		want := 2 // at and one field
		switch a.Kind {
		case play.QueueBatch:
			want = 3
		case play.CancelAll:
			want = 1
		}
		timeout, hasTimeout := "", a.Kind == play.Queue && len(f) == 3
		if hasTimeout {
			f, timeout = f[:2], f[2]
		}
		var err error
		if len(f) != want {
			err = errors.New("has the wrong number of fields")
		} else {
			var n uint64
			n, err = strconv.ParseUint(f[0], 36, 63)
			if err == nil && n > uint64(MaxEnd-at) {
				err = fmt.Errorf("is after %s", formatDur(MaxEnd))
			}
			at += time.Duration(n)
			a.At = at
		}
		if err == nil && a.Kind != play.Queue && a.Kind != play.CancelAll {
			a.N, err = strconv.Atoi(f[1])
		}
		if err == nil && (a.Kind == play.Queue || a.Kind == play.QueueBatch) {
			var n uint64
			n, err = strconv.ParseUint(f[len(f)-1], 36, 63)
			a.Delay = time.Duration(n)
		}
		if err == nil && hasTimeout {
			var n uint64
			n, err = strconv.ParseUint(timeout, 36, 63)
			a.Timeout = time.Duration(n)
			if err == nil && n == 0 {
				err = errors.New("has a timeout of 0: a job with none has no third field")
			}
		}
		if err != nil {
			if _, ok := err.(*strconv.NumError); ok {
				err = errors.New("has a field that is not a number the page writes")
			}
			return nil, fmt.Errorf("action %d, %s, %v", i+1, clip(w), err)
		}
		acts = append(acts, a)
	}
	if err := checkRun(acts, at); err != nil {
		return nil, err
	}
	return acts, nil
}

// Parse reads a query string, with or without its leading '?', over
// [Default]. What it cannot use, it ignores, and says so in a note for the
// visitor, a sentence each; but the parameter "wasm", which go-app's
// loader reads, it ignores silently. Of a parameter given more than once,
// the first counts. The State it returns always passes [State.Check].
func Parse(query string) (State, []string) {
	s := Default()
	query = strings.TrimPrefix(query, "?")
	if len(query) > 4*MaxLen {
		return s, []string{fmt.Sprintf("The link's query is %d characters long, more than %d: it is ignored.", len(query), 4*MaxLen)}
	}
	var p parser
	p.split(query)
	if v, ok := p.vals["tab"]; ok {
		if slices.Contains(tabs, v) {
			s.Tab = v
		} else {
			p.bad("tab", v, "one of "+strings.Join(tabs, ", "))
		}
	}
	if v, ok := p.vals["time"]; ok {
		switch v {
		case "real":
			s.Virtual = false
		case "virtual":
			s.Virtual = true
		default:
			p.bad("time", v, "real or virtual")
		}
	}
	if v, ok := p.vals["speed"]; ok {
		x, err := strconv.ParseFloat(v, 64)
		if i := slices.Index(Speeds, x); err == nil && i >= 0 {
			s.Speed = i
		} else {
			sp := make([]string, len(Speeds))
			for i, x := range Speeds {
				sp[i] = formatSpeed(x)
			}
			p.bad("speed", v, "one of "+strings.Join(sp, ", "))
		}
	}
	p.dur("delay", &s.Delay, play.MaxDelay)
	p.dur("timeout", &s.Timeout, play.MaxDelay)
	p.num("n", &s.BatchN, 1, play.MaxBatch)
	p.dur("bdelay", &s.BatchDelay, play.MaxDelay)
	if v, ok := p.vals["group"]; ok {
		switch v {
		case "0":
			s.BatchGroup = false
		case "1":
			s.BatchGroup = true
		default:
			p.bad("group", v, "0 or 1")
		}
	}
	p.dur("start", &s.Start.StartTime, play.MaxStartTime)
	p.dur("jitter", &s.Start.Jitter, play.MaxStartTime)
	p.num("fail", &s.Start.FailPct, 0, 100)
	p.num("panic", &s.Start.PanicPct, 0, 100)
	if s.Start.FailPct+s.Start.PanicPct > 100 {
		p.note("The link's fail and panic add up to more than 100 percent: panic is ignored.")
		s.Start.PanicPct = 0
	}
	p.num("limit", &s.Start.Limit, 0, play.MaxLimit)
	if v, ok := p.vals["seed"]; ok {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil && n <= MaxSeed {
			s.Seed = n
		} else {
			p.bad("seed", v, "a whole number from 1 to "+strconv.Itoa(MaxSeed))
		}
	}
	endOK := p.dur("end", &s.End, MaxEnd)
	if v, ok := p.vals["acts"]; ok {
		acts, err := decodeActs(v)
		if err != nil {
			p.note("The link's acts are ignored, and its end with them: " + err.Error() + ".")
			s.End = 0
		} else {
			if last := acts[len(acts)-1].At; s.End < last {
				if endOK {
					p.note("The link's end is before its last action: the replay ends at " + formatDur(last) + ".")
				}
				s.End = last
			}
			s.Actions = acts
		}
	}
	return s, p.finish()
}

// keys are the parameters a link has, in the order Encode writes them.
var keys = []string{"tab", "time", "speed", "delay", "timeout", "n", "bdelay", "group", "start", "jitter", "fail", "panic", "limit", "seed", "end", "acts"}

// maxNotes caps the notes of one link: a page shows them all.
const maxNotes = 10

type parser struct {
	vals  map[string]string // the first value of each known key
	notes []string
	more  int // notes beyond maxNotes
}

// split reads query's parameters into p.vals, and notes the ones it
// cannot use.
func (p *parser) split(query string) {
	p.vals = make(map[string]string)
	seen := make(map[string]int) // how many times each key came before
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err == nil {
			v, err = url.QueryUnescape(v)
		}
		if err != nil {
			p.note("The link's part " + clip(kv) + " is not escaped properly: it is ignored.")
			continue
		}
		n := seen[k]
		seen[k]++
		switch {
		case k == "wasm": // go-app's loader's, not ours
		case n == 1 && slices.Contains(keys, k):
			p.note("The link has " + k + " more than once: the first counts, the others are ignored.")
		case n > 0:
		case !slices.Contains(keys, k):
			p.note("The link's parameter " + clip(k) + " is not one the page knows: it is ignored.")
		default:
			p.vals[k] = v
		}
	}
}

func (p *parser) note(s string) {
	if len(p.notes) < maxNotes {
		p.notes = append(p.notes, s)
	} else {
		p.more++
	}
}

func (p *parser) finish() []string {
	if p.more > 0 {
		p.notes = append(p.notes, "The link has "+strconv.Itoa(p.more)+" more problems like these.")
	}
	return p.notes
}

// bad notes that the value v of key is not want.
func (p *parser) bad(key, v, want string) {
	p.note("The link's " + key + " " + clip(v) + " is not " + want + ": it is ignored.")
}

// dur reads key's duration, 0 to max, into d, and reports false if it was
// there but out of range.
func (p *parser) dur(key string, d *time.Duration, max time.Duration) bool {
	v, ok := p.vals[key]
	if !ok {
		return true
	}
	x, err := time.ParseDuration(v)
	if err != nil || x < 0 || x > max {
		p.bad(key, v, "a duration from 0 to "+formatDur(max)+", such as 250ms")
		return false
	}
	*d = x
	return true
}

// num reads key's whole number, lo to hi, into n.
func (p *parser) num(key string, n *int, lo, hi int) {
	v, ok := p.vals[key]
	if !ok {
		return
	}
	x, err := strconv.Atoi(v)
	if err != nil || x < lo || x > hi {
		p.bad(key, v, "a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return
	}
	*n = x
}

// formatDur writes d as Duration.String does, without its zero units and
// with "us" for "µs", which would need escaping: 0, 1ms, 2m, 1h5s.
func formatDur(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	s = strings.Replace(s, "h0m", "h", 1)
	return strings.Replace(s, "µs", "us", 1)
}

func formatSpeed(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// clip quotes s for a note, cut short if it is long: it came from a link,
// which anyone can write.
func clip(s string) string {
	const max = 24
	if len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return strconv.Quote(s)
}
