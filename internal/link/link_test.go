package link

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/internal/play"
)

// same reports whether a and b are the same state, nil and empty actions
// alike.
func same(a, b State) bool {
	if len(a.Actions) == 0 {
		a.Actions = nil
	}
	if len(b.Actions) == 0 {
		b.Actions = nil
	}
	return reflect.DeepEqual(a, b)
}

// roundTrip checks that s encodes whole and parses back to itself,
// without a note.
func roundTrip(t *testing.T, s State) string {
	t.Helper()
	if err := s.Check(); err != nil {
		t.Fatalf("the test's state is invalid: %v", err)
	}
	q, full := s.Encode()
	if !full {
		t.Fatalf("Encode(%+v) is not full: %q", s, q)
	}
	if len(q) > MaxLen {
		t.Errorf("Encode wrote %d characters, more than MaxLen", len(q))
	}
	got, notes := Parse(q)
	if len(notes) > 0 {
		t.Errorf("Parse(%q) noted %q", q, notes)
	}
	if !same(got, s) {
		t.Errorf("Parse(%q)\n got %+v\nwant %+v", q, got, s)
	}
	return q
}

func TestDefaultEncodesToNothing(t *testing.T) {
	d := Default()
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	if Speeds[d.Speed] != 0.1 {
		t.Errorf("the default speed is %v, want 0.1", Speeds[d.Speed])
	}
	if q, full := d.Encode(); q != "" || !full {
		t.Errorf("Default().Encode() = %q, %v; want \"\", true", q, full)
	}
	for _, q := range []string{"", "?", "&&", "?wasm=false"} {
		if s, notes := Parse(q); !same(s, d) || len(notes) > 0 {
			t.Errorf("Parse(%q) = %+v, %q; want the default and no note", q, s, notes)
		}
	}
}

func TestEncodeIsReadable(t *testing.T) {
	s := Default()
	s.Tab, s.Virtual, s.Speed, s.Delay, s.BatchN, s.Seed = "free", true, 2, 250*time.Millisecond, 1000, 12345
	want := "tab=free&time=virtual&speed=0.25&delay=250ms&n=1000&seed=12345"
	if q := roundTrip(t, s); q != want {
		t.Errorf("Encode = %q, want %q", q, want)
	}
}

func TestEachFieldRoundTrips(t *testing.T) {
	for _, c := range []struct {
		name, want string // want: the query written
		set        func(*State)
	}{
		{"tab cancel", "tab=cancel", func(s *State) { s.Tab = "cancel" }},
		{"tab gather", "tab=gather", func(s *State) { s.Tab = "gather" }},
		{"tab limit", "tab=limit", func(s *State) { s.Tab = "limit" }},
		{"tab free", "tab=free", func(s *State) { s.Tab = "free" }},
		{"virtual", "time=virtual", func(s *State) { s.Virtual = true }},
		{"slowest", "speed=0.01", func(s *State) { s.Speed = 0 }},
		{"fastest", "speed=1000", func(s *State) { s.Speed = len(Speeds) - 1 }},
		{"speed 1", "speed=1", func(s *State) { s.Speed = 4 }},
		{"no delay", "delay=0", func(s *State) { s.Delay = 0 }},
		{"delay 1ns", "delay=1ns", func(s *State) { s.Delay = 1 }},
		{"delay 1.5us", "delay=1.5us", func(s *State) { s.Delay = 1500 }},
		{"delay 1.5s", "delay=1.5s", func(s *State) { s.Delay = 1500 * time.Millisecond }},
		{"delay 90s", "delay=1m30s", func(s *State) { s.Delay = 90 * time.Second }},
		{"delay 2m", "delay=2m", func(s *State) { s.Delay = 2 * time.Minute }},
		{"delay 1h30m", "delay=1h30m", func(s *State) { s.Delay = 90 * time.Minute }},
		{"delay 1h5s", "delay=1h5s", func(s *State) { s.Delay = time.Hour + 5*time.Second }},
		{"longest delay", "delay=24h", func(s *State) { s.Delay = play.MaxDelay }},
		{"odd delay", "delay=23h59m59.999999999s", func(s *State) { s.Delay = play.MaxDelay - 1 }},
		{"timeout", "timeout=50ms", func(s *State) { s.Timeout = 50 * time.Millisecond }},
		{"longest timeout", "timeout=24h", func(s *State) { s.Timeout = play.MaxDelay }},
		{"timeout and delay", "delay=1h&timeout=1.5s", func(s *State) { s.Delay, s.Timeout = time.Hour, 1500*time.Millisecond }},
		{"group", "group=1", func(s *State) { s.BatchGroup = true }},
		{"batch of 1", "n=1", func(s *State) { s.BatchN = 1 }},
		{"biggest batch", "n=100000", func(s *State) { s.BatchN = play.MaxBatch }},
		{"batch delay", "bdelay=2m", func(s *State) { s.BatchDelay = 2 * time.Minute }},
		{"batch no delay", "bdelay=0", func(s *State) { s.BatchDelay = 0 }},
		{"start", "start=1h", func(s *State) { s.Start.StartTime = play.MaxStartTime }},
		{"jitter", "jitter=1ns", func(s *State) { s.Start.Jitter = 1 }},
		{"all fail", "fail=100", func(s *State) { s.Start.FailPct = 100 }},
		{"all panic", "panic=100", func(s *State) { s.Start.PanicPct = 100 }},
		{"fail and panic", "fail=30&panic=70", func(s *State) { s.Start.FailPct, s.Start.PanicPct = 30, 70 }},
		{"limit", "limit=1000", func(s *State) { s.Start.Limit = play.MaxLimit }},
		{"seed 1", "seed=1", func(s *State) { s.Seed = 1 }},
		{"biggest seed", "seed=9007199254740991", func(s *State) { s.Seed = MaxSeed }},
		{"end alone", "end=5s", func(s *State) { s.End = 5 * time.Second }},
		{"latest end", "end=100000h", func(s *State) { s.End = MaxEnd }},
		{"queue", "end=1ms&acts=qlfls.lfls", func(s *State) {
			s.Actions, s.End = []play.Action{{At: time.Millisecond, Kind: play.Queue, Delay: time.Millisecond}}, time.Millisecond
		}},
		{"queue at 0", "acts=q0.0", func(s *State) { s.Actions = []play.Action{{Kind: play.Queue}} }},
		{"batch", "acts=b0.100000.1", func(s *State) {
			s.Actions = []play.Action{{Kind: play.QueueBatch, N: play.MaxBatch, Delay: 1}}
		}},
		{"queue with a timeout", "acts=q0.lfls.tro8w", func(s *State) {
			s.Actions = []play.Action{{Kind: play.Queue, Delay: time.Millisecond, Timeout: 50 * time.Millisecond}}
		}},
		{"longest timeout of an action", "acts=q0.0.umjm17uo0", func(s *State) {
			s.Actions = []play.Action{{Kind: play.Queue, Timeout: play.MaxDelay}}
		}},
		{"group of a batch", "acts=g0.10.0", func(s *State) { s.Actions = []play.Action{{Kind: play.QueueBatch, N: 10, Group: true}} }},
		{"cancel of a group", "acts=g0.2.lfls-x0.1-c0.1", func(s *State) {
			s.Actions = []play.Action{{Kind: play.QueueBatch, N: 2, Delay: time.Millisecond, Group: true}, {Kind: play.CancelBatch, N: 1}, {Kind: play.Cancel, N: 1}}
		}},
		{"cancel", "acts=q0.0-c0.0", func(s *State) { s.Actions = []play.Action{{Kind: play.Queue}, {Kind: play.Cancel}} }},
		{"cancel batch", "acts=b0.2.0-x0.1", func(s *State) {
			s.Actions = []play.Action{{Kind: play.QueueBatch, N: 2}, {Kind: play.CancelBatch, N: 1}}
		}},
		{"latest action", "end=100000h&acts=a2qgpckvng1s0", func(s *State) {
			s.Actions, s.End = []play.Action{{At: MaxEnd, Kind: play.CancelAll}}, MaxEnd
		}},
		{"cancel all", "end=1h&acts=a0", func(s *State) { s.Actions, s.End = []play.Action{{Kind: play.CancelAll}}, time.Hour }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Default()
			c.set(&s)
			if q := roundTrip(t, s); q != c.want {
				t.Errorf("Encode = %q, want %q", q, c.want)
			}
		})
	}
}

// fullRun is a state with every setting changed and actions of every kind.
func fullRun() State {
	ms := time.Millisecond
	return State{
		Tab: "free", Virtual: true, Speed: 7, Delay: 250 * ms, BatchN: 1000, BatchDelay: 2 * time.Second,
		Start: play.Settings{StartTime: 10 * ms, Jitter: 5 * ms, FailPct: 10, PanicPct: 5, Limit: 3},
		Seed:  12345,
		Actions: []play.Action{
			{At: 0, Kind: play.Queue, Delay: ms},
			{At: 350 * ms, Kind: play.QueueBatch, N: 10, Delay: 0},
			{At: 350 * ms, Kind: play.Cancel, N: 0},
			{At: 352*ms + 500*time.Microsecond, Kind: play.CancelBatch, N: 1},
			{At: time.Second, Kind: play.QueueBatch, N: 1000, Delay: time.Hour},
			{At: 2 * time.Second, Kind: play.Cancel, N: 1010},
			{At: 3 * time.Hour, Kind: play.CancelAll},
			{At: 3 * time.Hour, Kind: play.CancelBatch, N: 2},
		},
		End: 4 * time.Hour,
	}
}

// TestFullRunRoundTrips: a run with every setting changed but a timeout
// and a group, the page's choices before it had them, writes the very
// link it wrote then.
func TestFullRunRoundTrips(t *testing.T) {
	q := roundTrip(t, fullRun())
	want := "tab=free&time=virtual&speed=100&delay=250ms&n=1000&bdelay=2s&start=10ms&jitter=5ms&fail=10&panic=5&limit=3&seed=12345&end=4h" +
		"&acts=q0.lfls-b5sdpq8.10.0-c0.0-x1hl0g.1-bapi674.1000.19xtf1ts0-cgjdgxs.1010-a3tsj6ejgg-x0.2"
	if q != want {
		t.Errorf("Encode =\n%s\nwant\n%s", q, want)
	}
}

// TestTimeoutsAndGroupsRoundTrip: the same run with a timeout and a group
// in the forms, and actions that use them.
func TestTimeoutsAndGroupsRoundTrip(t *testing.T) {
	s := fullRun()
	s.Timeout, s.BatchGroup = 50*time.Millisecond, true
	s.Actions[0].Timeout = 50 * time.Millisecond
	s.Actions[4].Group = true
	q := roundTrip(t, s)
	want := "tab=free&time=virtual&speed=100&delay=250ms&timeout=50ms&n=1000&bdelay=2s&group=1&start=10ms&jitter=5ms&fail=10&panic=5&limit=3&seed=12345&end=4h" +
		"&acts=q0.lfls.tro8w-b5sdpq8.10.0-c0.0-x1hl0g.1-gapi674.1000.19xtf1ts0-cgjdgxs.1010-a3tsj6ejgg-x0.2"
	if q != want {
		t.Errorf("Encode =\n%s\nwant\n%s", q, want)
	}
}

// TestRandomStatesRoundTrip makes valid states at random, as a run
// records them, and checks that each comes back from its link.
func TestRandomStatesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dur := func(max time.Duration) time.Duration {
		switch r.IntN(3) {
		case 0:
			return 0
		case 1:
			return time.Duration(r.IntN(1000)) * time.Millisecond
		}
		return time.Duration(r.Int64N(int64(max) + 1))
	}
	for range 1000 {
		s := Default()
		s.Tab = tabs[r.IntN(len(tabs))]
		s.Virtual = r.IntN(2) == 0
		s.Speed = r.IntN(len(Speeds))
		s.Delay, s.BatchDelay, s.Timeout = dur(play.MaxDelay), dur(play.MaxDelay), dur(play.MaxDelay)
		s.BatchGroup = r.IntN(2) == 0
		s.BatchN = 1 + r.IntN(play.MaxBatch)
		s.Start.StartTime, s.Start.Jitter = dur(play.MaxStartTime), dur(play.MaxStartTime)
		s.Start.FailPct = r.IntN(101)
		s.Start.PanicPct = r.IntN(101 - s.Start.FailPct)
		s.Start.Limit = r.IntN(play.MaxLimit + 1)
		s.Seed = r.Uint64N(MaxSeed + 1)
		jobs, batches := 0, 0
		for range r.IntN(30) {
			s.End += dur(time.Minute)
			a := play.Action{At: s.End, Kind: play.Queue + play.Kind(r.IntN(5))}
			switch a.Kind {
			case play.Queue:
				a.Delay, a.Timeout = dur(play.MaxDelay), dur(play.MaxDelay)
				jobs++
			case play.QueueBatch:
				a.N, a.Delay, a.Group = 1+r.IntN(1000), dur(play.MaxDelay), r.IntN(2) == 0
				jobs += a.N
				batches++
			case play.Cancel:
				if jobs == 0 {
					continue
				}
				a.N = r.IntN(jobs)
			case play.CancelBatch:
				if batches == 0 {
					continue
				}
				a.N = 1 + r.IntN(batches)
			}
			s.Actions = append(s.Actions, a)
		}
		s.End += dur(time.Hour)
		roundTrip(t, s)
		if t.Failed() {
			return
		}
	}
}

func TestFormatDur(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                   "0",
		1:                                   "1ns",
		1500:                                "1.5us",
		time.Millisecond:                    "1ms",
		time.Second:                         "1s",
		time.Minute:                         "1m",
		90 * time.Second:                    "1m30s",
		time.Hour:                           "1h",
		10*time.Hour + 500*time.Millisecond: "10h0.5s",
		time.Hour + 10*time.Minute:          "1h10m",
		100 * time.Hour:                     "100h",
	} {
		got := formatDur(d)
		if got != want {
			t.Errorf("formatDur(%d) = %q, want %q", d, got, want)
		}
		if back, err := time.ParseDuration(got); err != nil || back != d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", got, back, err, d)
		}
	}
}

// rest is what a hostile case's query holds besides the value under test;
// restState is the state it gives.
const rest = "tab=limit&n=7&seed=42"

func restState() State {
	s := Default()
	s.Tab, s.BatchN, s.Seed = "limit", 7, 42
	return s
}

// TestHostileValuesAreIgnored gives each parameter values it must refuse:
// each gives one note, naming the parameter, and leaves the field at its
// default and the rest of the state as the link says.
func TestHostileValuesAreIgnored(t *testing.T) {
	huge := strings.Repeat("9", 40)
	for _, c := range []struct {
		q    string // with rest, except for the keys of rest
		note string // in the note
	}{
		{"foo=1", `parameter "foo"`},
		{"Tab=free", `parameter "Tab"`},
		{"=1", `parameter ""`},
		{"%3Cscript%3E=1", `parameter "<script>"`},
		{"%zz=1", `part "%zz=1"`},
		{"time=%zz", `part "time=%zz"`},
		{"delay=1%", `part "delay=1%"`},
		{"time=fake", `time "fake"`},
		{"time", `time ""`},
		{"time=Virtual", `time "Virtual"`},
		{"speed=7", `speed "7" is not one of 0.01, 0.1, 0.25, 0.5, 1, 2, 10, 100, 1000`},
		{"speed=NaN", `speed "NaN"`},
		{"speed=Inf", `speed "Inf"`},
		{"speed=-Inf", `speed "-Inf"`},
		{"speed=1e400", `speed "1e400"`},
		{"speed=", `speed ""`},
		{"delay=-1ms", `delay "-1ms" is not a duration from 0 to 24h`},
		{"delay=24h0m0.000000001s", `delay "24h0m0.000000001s"`},
		{"delay=" + huge + "h", `delay "` + huge[:24] + `…"`},
		{"delay=1", `delay "1"`},
		{"delay=%3Cscript%3E", `delay "<script>"`},
		{"bdelay=1d", `bdelay "1d"`},
		{"timeout=-1ms", `timeout "-1ms" is not a duration from 0 to 24h`},
		{"timeout=25h", `timeout "25h"`},
		{"timeout=soon", `timeout "soon"`},
		{"group=2", `group "2" is not 0 or 1`},
		{"group=true", `group "true"`},
		{"group=", `group ""`},
		{"start=61m", `start "61m" is not a duration from 0 to 1h`},
		{"jitter=-1ns", `jitter "-1ns"`},
		{"fail=101", `fail "101" is not a whole number from 0 to 100`},
		{"fail=-1", `fail "-1"`},
		{"fail=0.5", `fail "0.5"`},
		{"panic=" + huge, `panic "` + huge[:24] + `…"`},
		{"limit=1001", `limit "1001" is not a whole number from 0 to 1000`},
		{"limit=0x10", `limit "0x10"`},
		{"end=-1s", `end "-1s"`},
		{"end=100001h", `end "100001h"`},
		{"end=forever", `end "forever"`},
	} {
		t.Run(c.q, func(t *testing.T) {
			q := rest + "&" + c.q
			s, notes := Parse(q)
			if !same(s, restState()) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", q, s, restState())
			}
			if len(notes) != 1 || !strings.Contains(notes[0], c.note) {
				t.Errorf("Parse(%q) noted %q, want one note with %q", q, notes, c.note)
			}
		})
	}
	for _, c := range []struct{ q, note string }{
		{"tab=lesson", `tab "lesson" is not one of await, cancel, gather, limit, timeout, group, completed, blocked, free`},
		{"tab=%3Cscript%3Ealert(1)%3C/script%3E", `tab "<script>alert(1)</script…"`},
		{"tab=%E2%80%AEfree", `tab "\u202efree"`},
		{"n=0", `n "0" is not a whole number from 1 to 100000`},
		{"n=100001", `n "100001"`},
		{"n=" + huge, `n "` + huge[:24] + `…"`},
		{"seed=-1", `seed "-1" is not a whole number from 1 to 9007199254740991`},
		{"seed=9007199254740992", `seed "9007199254740992"`},
		{"seed=18446744073709551616", `seed "18446744073709551616"`},
		{"seed=0x10", `seed "0x10"`},
	} {
		t.Run(c.q, func(t *testing.T) {
			q := "limit=3&" + c.q
			want := Default()
			want.Start.Limit = 3
			s, notes := Parse(q)
			if !same(s, want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", q, s, want)
			}
			if len(notes) != 1 || !strings.Contains(notes[0], c.note) {
				t.Errorf("Parse(%q) noted %q, want one note with %q", q, notes, c.note)
			}
		})
	}
}

func TestFailAndPanicOverHundred(t *testing.T) {
	s, notes := Parse("panic=60&fail=60")
	if s.Start.FailPct != 60 || s.Start.PanicPct != 0 {
		t.Errorf("fail and panic are %d and %d, want 60 and 0", s.Start.FailPct, s.Start.PanicPct)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "panic is ignored") {
		t.Errorf("notes %q, want one that panic is ignored", notes)
	}
}

func TestTheFirstOfARepeatedKeyCounts(t *testing.T) {
	s, notes := Parse("speed=2&n=5&speed=10&speed=100&foo=1&foo=2&wasm=false&wasm=true")
	want := Default()
	want.Speed, want.BatchN = 5, 5
	if !same(s, want) {
		t.Errorf("got %+v, want %+v", s, want)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "speed more than once") || !strings.Contains(notes[1], `"foo"`) {
		t.Errorf("notes %q, want one that speed is repeated and one that foo is unknown", notes)
	}
	// The first counts even when it is the bad one.
	s, notes = Parse("speed=3&speed=2")
	if s.Speed != Default().Speed || len(notes) != 2 {
		t.Errorf("speed=3&speed=2 gave speed %d and notes %q, want the default and two notes", s.Speed, notes)
	}
}

func TestWasmIsIgnoredSilently(t *testing.T) {
	for _, q := range []string{"wasm=false", "?wasm=false&tab=free", "tab=free&wasm=false&wasm=1", "wasm"} {
		s, notes := Parse(q)
		if len(notes) > 0 {
			t.Errorf("Parse(%q) noted %q", q, notes)
		}
		if enc, _ := s.Encode(); strings.Contains(enc, "wasm") {
			t.Errorf("Encode wrote %q", enc)
		}
	}
}

func TestEscapedValuesAreRead(t *testing.T) {
	s, notes := Parse("?t%61b=%66ree&delay=1h+")
	if s.Tab != "free" || len(notes) != 1 {
		t.Errorf("got tab %q and notes %q, want free and one note for the delay %q", s.Tab, notes, "1h ")
	}
}

func TestTooLongQueryIsRefusedWhole(t *testing.T) {
	ok := "tab=free" + strings.Repeat("&", 4*MaxLen-len("tab=free"))
	if s, notes := Parse(ok); s.Tab != "free" || len(notes) > 0 {
		t.Errorf("a query of %d characters gave tab %q, notes %q", len(ok), s.Tab, notes)
	}
	if s, notes := Parse("?" + ok); s.Tab != "free" || len(notes) > 0 {
		t.Errorf("the '?' counted in the length: tab %q, notes %q", s.Tab, notes)
	}
	s, notes := Parse(ok + "&")
	if !same(s, Default()) || len(notes) != 1 || !strings.Contains(notes[0], "8001 characters") {
		t.Errorf("a query of %d characters gave %+v, %q; want the default and one note", len(ok)+1, s, notes)
	}
}

func TestNotesAreCapped(t *testing.T) {
	var q []string
	for i := range 50 {
		q = append(q, "k"+strconv.Itoa(i)+"=1")
	}
	_, notes := Parse(strings.Join(q, "&"))
	if len(notes) != maxNotes+1 || notes[maxNotes] != "The link has 40 more problems like these." {
		t.Errorf("got %d notes, the last %q; want %d, the last saying how many more", len(notes), notes[len(notes)-1], maxNotes+1)
	}
}

// TestBadActionsAreAllDropped gives acts each kind of mistake: all the
// actions go, and the end with them, with one note; the settings stay.
func TestBadActionsAreAllDropped(t *testing.T) {
	b36 := func(d time.Duration) string { return strconv.FormatInt(int64(d), 36) }
	for _, c := range []struct{ acts, note string }{
		{"", "no known kind"},
		{"z0", `action 1, "z0", is of no known kind`},
		{"Q0.0", "no known kind"},
		{"q0.0-", `action 2, "", is of no known kind`},
		{"q0.0--a0", "action 2"},
		{"q0", "wrong number of fields"},
		{"q0.0.0", "action 1, \"q0.0.0\", has a timeout of 0"},
		{"q0.0.1.1", "wrong number of fields"},
		{"q0.0.", "not a number"},
		{"q0.0." + b36(play.MaxDelay+1), "action 1 has a timeout out of 0 to 24h"},
		{"b0.1.0.1", "wrong number of fields"},
		{"g0.1", "wrong number of fields"},
		{"g0.1.0.1", "wrong number of fields"},
		{"g0.0.0", "action 1 queues a batch of 0 jobs"},
		{"G0.1.0", "no known kind"},
		{"g0.1.0-x0.2", "action 2 cancels batch 2 of the 1"},
		{"a0.0", "wrong number of fields"},
		{"b0.1", "wrong number of fields"},
		{"c0", "wrong number of fields"},
		{"q.0", "not a number"},
		{"q0.", "not a number"},
		{"q0.+1", "not a number"},
		{"q!.0", "not a number"},
		{"q0.1_0", "not a number"},
		{"b0.1e3.0", "not a number"},
		{"q" + strings.Repeat("z", 13) + ".0", "not a number"},
		{"q1.0-q" + b36(MaxEnd) + ".0", "action 2, " + strconv.Quote("q"+b36(MaxEnd)+".0") + ", is after 100000h"},
		{"q" + b36(MaxEnd+1) + ".0", "is after 100000h"},
		{"q0." + b36(play.MaxDelay+1), "action 1 has a delay out of 0 to 24h"},
		{"b0.1." + b36(play.MaxDelay+1), "delay out of"},
		{"b0.0.0", "action 1 queues a batch of 0 jobs, not 1 to 100000"},
		{"b0.100001.0", "batch of 100001 jobs"},
		{"b0.-1.0", `action 1, "b0.", has the wrong number of fields`}, // '-' separates actions
		{"c0.0", "action 1 cancels job 0 of the 0 queued before it"},
		{"q0.0-b0.3.0-c0.4", "action 3 cancels job 4 of the 4 queued before it"},
		{"q0.0-c0.-1", `action 2, "c0.", has a field that is not a number`},
		{"c0.99999999999999999999", "not a number"},
		{"x0.1", "action 1 cancels batch 1 of the 0 queued before it"},
		{"b0.1.0-x0.0", "cancels batch 0"},
		{"b0.1.0-q0.0-x0.2", "action 3 cancels batch 2 of the 1"},
		{strings.Repeat("a0-", MaxActions) + "a0", "more than 500 actions"},
		{"b0.100000.0-q0.0", "more than 100000 jobs"},
		{strings.Repeat("b0.100000.0-", 10) + "q0.0", "more than 100000 jobs"},
		{"%3Cscript%3E", `action 1, "<script>", is of no known kind`},
	} {
		t.Run(c.acts, func(t *testing.T) {
			q := rest + "&end=1h&acts=" + c.acts
			s, notes := Parse(q)
			if !same(s, restState()) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", q, s, restState())
			}
			if len(notes) != 1 || !strings.HasPrefix(notes[0], "The link's acts are ignored, and its end with them: ") ||
				!strings.Contains(notes[0], c.note) {
				t.Errorf("Parse(%q) noted %q, want one note with %q", q, notes, c.note)
			}
		})
	}
}

func TestMostActions(t *testing.T) {
	s := Default()
	s.Actions = make([]play.Action, MaxActions)
	for i := range s.Actions {
		s.Actions[i].Kind = play.CancelAll
	}
	roundTrip(t, s)
	s.Actions = append(s.Actions, play.Action{Kind: play.CancelAll})
	if err := s.Check(); err == nil {
		t.Errorf("Check passed %d actions", len(s.Actions))
	}
}

func TestEndBeforeTheLastAction(t *testing.T) {
	for _, c := range []struct {
		q        string
		end      time.Duration
		hasNotes int
	}{
		{"acts=q0.0-a5", 5, 1}, // no end
		{"end=1ns&acts=q0.0-a5", 5, 1},
		{"end=5ns&acts=q0.0-a5", 5, 0},
		{"end=1h&acts=q0.0-a5", time.Hour, 0},
		{"acts=q0.0-a0", 0, 0},
		{"end=bad&acts=q0.0-a5", 5, 1}, // noted once, for the bad value
	} {
		s, notes := Parse(c.q)
		if s.End != c.end || len(notes) != c.hasNotes || len(s.Actions) != 2 {
			t.Errorf("Parse(%q) gave end %v, %d actions and notes %q; want %v, 2 and %d notes",
				c.q, s.End, len(s.Actions), notes, c.end, c.hasNotes)
		}
	}
}

func TestTooManyActionsForALink(t *testing.T) {
	s := fullRun()
	s.Actions = nil
	for i := range 300 {
		s.Actions = append(s.Actions, play.Action{At: time.Duration(i) * time.Hour, Kind: play.Queue, Delay: play.MaxDelay})
	}
	s.End = 300 * time.Hour
	q, full := s.Encode()
	if full {
		t.Error("Encode reports full with 300 actions")
	}
	if len(q) > MaxLen {
		t.Errorf("Encode wrote %d characters, more than MaxLen", len(q))
	}
	want := s
	want.Actions, want.End = nil, 0
	got, notes := Parse(q)
	if !same(got, want) || len(notes) > 0 {
		t.Errorf("Parse(%q)\n got %+v, %q\nwant %+v and no note", q, got, notes, want)
	}
}

func TestInvalidActionsAreNotWritten(t *testing.T) {
	s := Default()
	s.Actions = []play.Action{{Kind: play.Cancel, N: 3}}
	if q, full := s.Encode(); q != "" || full {
		t.Errorf("Encode = %q, %v; want \"\", false", q, full)
	}
	s = Default()
	s.End = -1
	if q, full := s.Encode(); q != "" || !full {
		t.Errorf("Encode = %q, %v; want \"\", true: there were no actions", q, full)
	}
}

func TestCheckRefusesWhatParseRefuses(t *testing.T) {
	for name, set := range map[string]func(*State){
		"tab":         func(s *State) { s.Tab = "" },
		"speed":       func(s *State) { s.Speed = len(Speeds) },
		"negative":    func(s *State) { s.Speed = -1 },
		"delay":       func(s *State) { s.Delay = -1 },
		"batch delay": func(s *State) { s.BatchDelay = play.MaxDelay + 1 },
		"batch":       func(s *State) { s.BatchN = 0 },
		"seed":        func(s *State) { s.Seed = MaxSeed + 1 },
		"start":       func(s *State) { s.Start.StartTime = -1 },
		"percent":     func(s *State) { s.Start.FailPct, s.Start.PanicPct = 50, 51 },
		"end":         func(s *State) { s.End = MaxEnd + 1 },
		"action order": func(s *State) {
			s.Actions = []play.Action{{At: 2, Kind: play.CancelAll}, {At: 1, Kind: play.CancelAll}}
		},
		"end early":    func(s *State) { s.Actions, s.End = []play.Action{{At: 2, Kind: play.CancelAll}}, 1 },
		"kind":         func(s *State) { s.Actions = []play.Action{{Kind: 0}} },
		"unused N":     func(s *State) { s.Actions = []play.Action{{Kind: play.Queue, N: 1}} },
		"unused delay": func(s *State) { s.Actions = []play.Action{{Kind: play.CancelAll, Delay: 1}} },
		"timeout":      func(s *State) { s.Timeout = -1 },
		"long timeout": func(s *State) { s.Timeout = play.MaxDelay + 1 },
		"action timeout": func(s *State) {
			s.Actions = []play.Action{{Kind: play.Queue, Timeout: play.MaxDelay + 1}}
		},
		"batch timeout": func(s *State) { s.Actions = []play.Action{{Kind: play.QueueBatch, N: 1, Timeout: 1}} },
		"job group":     func(s *State) { s.Actions = []play.Action{{Kind: play.Queue, Group: true}} },
		"cancel group":  func(s *State) { s.Actions = []play.Action{{Kind: play.CancelAll, Group: true}} },
	} {
		s := Default()
		set(&s)
		if err := s.Check(); err == nil {
			t.Errorf("%s: Check passed %+v", name, s)
		}
	}
}

func TestSettings(t *testing.T) {
	s := fullRun()
	set := s.Settings()
	if !set.Virtual || set.Seed != 12345 || set.Limit != 3 || set.FailPct != 10 {
		t.Errorf("Settings = %+v", set)
	}
}

func FuzzParse(f *testing.F) {
	full, _ := fullRun().Encode()
	for _, q := range []string{
		"",
		"?wasm=false",
		"tab=free&time=virtual&speed=0.25&delay=250ms&n=1000&seed=12345",
		full,
		"acts=q0.0-c0.0&end=1s",
		"acts=b0.5.0-x0.1-a1-c1.4&end=1s",
		"timeout=50ms&group=1&acts=q0.lfls.tro8w-g0.5.0-x0.1&end=1s",
		"end=1ns&acts=q0.0-a5",
		"speed=NaN&delay=-1s&n=1e9&%zz&tab=%3Cscript%3E",
		"fail=60&panic=60&fail=1",
		"acts=q" + strings.Repeat("z", 12) + ".0",
		"acts=" + strings.Repeat("b0.100000.0-", 11) + "c0.5",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		s, notes := Parse(q)
		if err := s.Check(); err != nil {
			t.Fatalf("Parse(%q) gave an invalid state: %v\n%+v", q, err, s)
		}
		for _, n := range notes {
			if len(n) > 300 {
				t.Errorf("a note of %d bytes: %q", len(n), n)
			}
		}
		enc, full := s.Encode()
		if len(enc) > MaxLen {
			t.Fatalf("Encode wrote %d characters", len(enc))
		}
		back, notes := Parse(enc)
		if len(notes) > 0 {
			t.Fatalf("Parse(%q) noted %q", enc, notes)
		}
		want := s
		if !full {
			want.Actions, want.End = nil, 0
		}
		if !same(back, want) {
			t.Fatalf("Parse(Encode(s)) for %q\n got %+v\nwant %+v", enc, back, want)
		}
		if again, _ := back.Encode(); again != enc {
			t.Fatalf("Encode is not stable: %q, then %q", enc, again)
		}
	})
}
