package lesson

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Under js/wasm the runtime parks a goroutine of its own for JS events.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}

const examplesFile = "../../sched/example_test.go"

// exampleBodies returns the body of every function of sched's example
// file, from the line after its opening brace to the line before its
// closing one, exactly as written.
func exampleBodies(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile(examplesFile)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, examplesFile, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		from := fset.Position(fn.Body.Lbrace).Offset + 1
		to := fset.Position(fn.Body.Rbrace).Offset
		bodies[fn.Name.Name] = strings.TrimPrefix(string(src[from:to]), "\n")
	}
	return bodies
}

// TestGoListingsAreExamples checks that each Go listing is, byte for
// byte, the body of its Example dedented one tab: renaming anything in
// the Example, or changing a value, fails here until the listing follows.
func TestGoListingsAreExamples(t *testing.T) {
	bodies := exampleBodies(t)
	for _, d := range defs {
		body, ok := bodies[d.example]
		if !ok {
			t.Errorf("lesson %s: no function %s in %s", d.id, d.example, examplesFile)
			continue
		}
		if !strings.Contains(body, "// Output:") {
			t.Errorf("lesson %s: %s has no // Output: comment, so go test does not run it", d.id, d.example)
		}
		var dedented strings.Builder
		for i, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
			if line != "" && !strings.HasPrefix(line, "\t") {
				t.Errorf("lesson %s: line %d of %s is not indented one tab: %q", d.id, i+1, d.example, line)
			}
			dedented.WriteString(strings.TrimPrefix(line, "\t") + "\n")
		}
		file, ok := listing(d.id + ".go.txt")
		if !ok {
			t.Fatalf("no listing listings/%s.go.txt", d.id)
		}
		if string(file) != dedented.String() {
			t.Errorf("listings/%s.go.txt is not the body of %s dedented:\n--- listing\n%s--- example\n%s", d.id, d.example, file, dedented.String())
		}
		l, _ := ByID(d.id)
		if got := strings.Join(l.Go, "\n") + "\n"; got != string(file) {
			t.Errorf("lesson %s: Go lines do not join back into the listing file", d.id)
		}
	}
}

// notInSeed are the only Python lines of the first three lessons that are
// not lines of the original module, lesson by lesson, in order. The
// original never cancels a task that has finished, and lesson "cancel"
// shows that doing so returns False, as Job.Cancel returns false on a job
// that has started. The added lines come together, after a comment that
// says they are not in the original, so that the page says so too.
var notInSeed = map[string][]string{
	"cancel": {
		"# Not in the original: a task that has finished cannot be cancelled",
		"quick_task = asyncio.create_task(start_job(uuid4().hex, _DELAY_SMALL))",
		"await quick_task",
		"assert quick_task.cancel() is False",
	},
}

// TestPythonListingsFromSeed checks that the Python of the first three
// lessons is made of lines of the original module, in testdata/seed.py,
// but for the lines of notInSeed, which come together after a comment
// that says they are not the original's.
func TestPythonListingsFromSeed(t *testing.T) {
	f, err := os.Open("testdata/seed.py")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		seed[strings.TrimSpace(sc.Text())] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !seed["single_record = await single_job"] {
		t.Fatal("testdata/seed.py does not look like the seed's code")
	}
	for _, id := range []string{"await", "cancel", "gather"} {
		l, _ := ByID(id)
		if len(l.Python) == 0 {
			t.Errorf("lesson %s: no Python", id)
		}
		var added []string
		first := -1
		for i, line := range l.Python {
			s := strings.TrimSpace(line)
			if s == "" || seed[s] {
				continue
			}
			if first < 0 {
				first = i
			}
			if i != first+len(added) {
				t.Errorf("lesson %s: Python line %d is not a line of the seed, and not next to the added lines before it: %q", id, i, line)
			}
			added = append(added, s)
		}
		if !slices.Equal(added, notInSeed[id]) {
			t.Errorf("lesson %s: the Python lines not in the seed are %q, want %q", id, added, notInSeed[id])
		}
		if len(added) > 0 && !strings.HasPrefix(added[0], "# Not in the original") {
			t.Errorf("lesson %s: the Python lines not in the seed begin with %q, want a comment that says they are not in the original", id, added[0])
		}
	}
}

// TestListings checks the lessons' shape, and that every step's anchors
// resolve to exactly one line of each listing, the Go ones going forward.
func TestListings(t *testing.T) {
	for _, p := range problems {
		t.Error(p)
	}
	var ids []string
	for _, l := range All() {
		ids = append(ids, l.ID)
		if l.Title == "" || l.Summary == "" || !strings.HasSuffix(l.Summary, ".") {
			t.Errorf("lesson %s: title %q, summary %q: want both, the summary a sentence", l.ID, l.Title, l.Summary)
		}
		if n := len(l.Steps); n < 3 || n > 6 {
			t.Errorf("lesson %s has %d steps, want 3 to 6", l.ID, n)
		}
		d, _ := def(l.ID)
		prevGo := -1
		for i, st := range l.Steps {
			for _, c := range []struct {
				lang    string
				listing []string
				anchor  string
				at      int
			}{{"Python", l.Python, d.steps[i].py, st.Python}, {"Go", l.Go, d.steps[i].golang, st.Go}} {
				var on []int
				for j, line := range c.listing {
					if strings.Contains(line, c.anchor) {
						on = append(on, j)
					}
				}
				if len(on) != 1 || on[0] != c.at {
					t.Errorf("lesson %s, step %d: %s anchor %q is on lines %v, step says %d", l.ID, i, c.lang, c.anchor, on, c.at)
				}
			}
			if st.Go <= prevGo {
				t.Errorf("lesson %s, step %d: Go line %d does not come after the previous step's, %d", l.ID, i, st.Go, prevGo)
			}
			prevGo = st.Go
			if st.Say == "" || !strings.HasSuffix(st.Say, ".") || strings.Count(st.Say, ". ") > 0 {
				t.Errorf("lesson %s, step %d: Say %q: want one sentence", l.ID, i, st.Say)
			}
		}
	}
	if want := []string{"await", "cancel", "gather", "limit", "timeout", "group", "completed", "blocked"}; !slices.Equal(ids, want) {
		t.Errorf("lessons %v, want %v", ids, want)
	}
}

// TestListingsSayWhatRunDoes checks that the values Run and Configure use
// are those the listings show.
func TestListingsSayWhatRunDoes(t *testing.T) {
	lit := func(d time.Duration) string {
		switch {
		case d == time.Millisecond:
			return "time.Millisecond"
		case d == time.Hour:
			return "time.Hour"
		case d%time.Millisecond == 0:
			return fmt.Sprintf("%d * time.Millisecond", d/time.Millisecond)
		}
		t.Fatalf("no literal for %v", d)
		return ""
	}
	want := map[string][]string{
		"await":  {"s.Run(context.Background(), " + lit(delaySmall) + ")"},
		"cancel": {"s.Submit(" + lit(delayLarge) + ")"},
		"gather": {fmt.Sprintf("s.SubmitBatch(%d, %s)", batchSize, lit(delaySmall))},
		"limit": {
			fmt.Sprintf("Limit: %d,", limitSlots),
			"clockwork.FromContext(ctx).After(" + lit(limitStart) + ")",
			fmt.Sprintf("if r.ID < %q {", refusedIDs),
			fmt.Sprintf("s.SubmitBatch(%d, %s)", limitJobs, lit(delaySmall)),
		},
	}
	want["timeout"] = []string{
		"s.WithTimeout(context.Background(), " + strings.ReplaceAll(lit(timeoutAfter), " * ", "*") + ")",
		"s.Run(ctx, " + lit(delayLarge) + ")",
		"s.Run(ctx, " + lit(delaySmall) + ")",
	}
	want["group"] = []string{
		"if r.Delay == " + strings.ReplaceAll(lit(groupFails), " * ", "*") + " {",
		"[]time.Duration{" + msList(groupDelays) + "}",
	}
	want["completed"] = []string{"[]time.Duration{" + msList(completedDelays) + "}"}
	want["blocked"] = []string{
		"case " + lit(blockedBugDelay) + ":",
		"case " + lit(blockedFixDelay) + ":",
		"spin(" + lit(blockedTakes) + ")",
		"After(" + lit(blockedTakes) + ")",
		fmt.Sprintf("s.SubmitBatch(%d, %s)", blockedOthers, strings.ReplaceAll(lit(blockedDue), " * ", "*")),
	}
	if limitSeed != [32]byte{} {
		t.Error("limitSeed is not the Example's [32]byte{}")
	}
	want["limit"] = append(want["limit"], "rand.NewChaCha8([32]byte{})")
	checkSays(t, "Go", func(l Lesson) []string { return l.Go }, want)
	// The Python of lessons 4 to 8 is this package's own: it says the same.
	pyWant := map[string][]string{
		"timeout": {
			fmt.Sprintf("timeout=%g", timeoutAfter.Seconds()),
			fmt.Sprintf("start_job(uuid4().hex, %g)", delayLarge.Seconds()),
			fmt.Sprintf("start_job(uuid4().hex, %g)", delaySmall.Seconds()),
		},
		"group":     {"DELAYS = [" + secList(groupDelays) + "]", fmt.Sprintf("if delay == %g:", groupFails.Seconds())},
		"completed": {"for delay in (" + secList(completedDelays) + ")"},
		"blocked": {
			fmt.Sprintf("if delay == %g:", blockedBugDelay.Seconds()),
			fmt.Sprintf("elif delay == %g:", blockedFixDelay.Seconds()),
			fmt.Sprintf("time.sleep(%g)", blockedTakes.Seconds()),
			fmt.Sprintf("await asyncio.sleep(%g)", blockedTakes.Seconds()),
			fmt.Sprintf("start_job(uuid4().hex, %g) for _ in range(%d)", blockedDue.Seconds(), blockedOthers),
		},
	}
	checkSays(t, "Python", func(l Lesson) []string { return l.Python }, pyWant)
	// The Python of "limit" is this package's own: it says the same.
	l, _ := ByID("limit")
	py := strings.Join(l.Python, "\n")
	for _, s := range []string{
		fmt.Sprintf("asyncio.Semaphore(%d)", limitSlots),
		fmt.Sprintf("asyncio.sleep(%g)", limitStart.Seconds()),
		fmt.Sprintf("asyncio.sleep(%g)", delaySmall.Seconds()),
		fmt.Sprintf("if job_id < %q:", refusedIDs),
		fmt.Sprintf("range(%d)", limitJobs),
		"return_exceptions=True",
	} {
		if !strings.Contains(py, s) {
			t.Errorf("lesson limit: the Python listing does not say %s", s)
		}
	}
}

func TestAllAndByID(t *testing.T) {
	all := All()
	all[0].Go[0] = "changed"
	all[0].Steps[0].Say = "changed"
	for _, l := range All() {
		got, ok := ByID(l.ID)
		if !ok || got.ID != l.ID || got.Go[0] == "changed" || got.Steps[0].Say == "changed" {
			t.Errorf("ByID(%q) = %+v, %t: want the lesson, untouched by changes to a copy", l.ID, got.ID, ok)
		}
	}
	if _, ok := ByID("nope"); ok {
		t.Error(`ByID("nope") found a lesson`)
	}
}

// msList writes ds as a Go listing does, in milliseconds: "1, 10, 200".
func msList(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprint(d.Milliseconds()))
	}
	return strings.Join(s, ", ")
}

// secList writes ds as a Python listing does, in seconds: "0.001, 0.01".
func secList(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%g", d.Seconds()))
	}
	return strings.Join(s, ", ")
}

// checkSays checks that the lang listing of each lesson of want, as
// listing gives it, says each of its strings.
func checkSays(t *testing.T, lang string, listing func(Lesson) []string, want map[string][]string) {
	t.Helper()
	for id, says := range want {
		l, _ := ByID(id)
		text := strings.Join(listing(l), "\n")
		for _, s := range says {
			if !strings.Contains(text, s) {
				t.Errorf("lesson %s: the %s listing does not say %s", id, lang, s)
			}
		}
	}
}
