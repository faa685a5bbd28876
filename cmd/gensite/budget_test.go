package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestWasmBudget(t *testing.T) {
	t.Parallel()
	const budget = 1000
	tests := []struct {
		name  string
		sizes sizes
		max   int64
		want  []string // in the error; nil: no error
	}{
		{"under", sizes{Raw: 5000, Gzip: 1200, Brotli: 999}, budget, nil},
		{"exactly at", sizes{Raw: 5000, Gzip: 1200, Brotli: 1000}, budget, nil},
		{"over", sizes{Raw: 5000, Gzip: 1200, Brotli: 1001}, budget,
			[]string{"web/app.wasm.br is", "(1,001 bytes)", "1 bytes over", "(1,000 bytes)", "-max-wasm-br", "scripts/wasmsize"}},
		{"no budget", sizes{Raw: 5000, Brotli: 4000}, 0, nil},
		{"no .br: the raw file is what is served", sizes{Raw: 1500}, budget,
			[]string{"web/app.wasm (no smaller as brotli) is", "(1,500 bytes)", "500 bytes over"}},
	}
	for _, tt := range tests {
		err := checkWasmBudget(tt.sizes, tt.max)
		switch {
		case tt.want == nil && err != nil:
			t.Errorf("%s: %v; want no error", tt.name, err)
		case tt.want != nil && err == nil:
			t.Errorf("%s: no error; want one", tt.name)
		case err != nil:
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %q does not say %q", tt.name, err, w)
				}
			}
		}
	}

	err := checkWasmBudget(sizes{Brotli: 1_440_000}, defaultMaxWasmBr)
	if err == nil || !strings.HasPrefix(err.Error(), "web/app.wasm.br is 1.37 MiB (1,440,000 bytes), 97,823 bytes over the 1.28 MiB budget (1,342,177 bytes): ") {
		t.Errorf("the default budget: %v", err)
	}
}

func TestBudgetSizesLookApart(t *testing.T) {
	t.Parallel()
	err := checkWasmBudget(sizes{Brotli: 1_627_598}, 1_625_292)
	if err == nil || !strings.HasPrefix(err.Error(), "web/app.wasm.br is 1.552 MiB (1,627,598 bytes), 2,306 bytes over the 1.550 MiB budget (1,625,292 bytes): ") {
		t.Errorf("just over a budget of 1.55 MiB: %v", err)
	}
}

func TestCommas(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1625292: "1,625,292", -1234: "-1,234"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestWasmOverBudgetFailsBuild: gensite refuses a wasm over -max-wasm-br,
// says so, and leaves the old site; under it, it says how much is used.
func TestWasmOverBudgetFailsBuild(t *testing.T) {
	t.Parallel()
	wasm := fakeWasm(t, t.TempDir(), "a")
	out, printed := build(t, "-wasm", wasm)
	if !strings.Contains(printed, "web/app.wasm.br: ") || !strings.Contains(printed, "of the 1.28 MiB budget (-max-wasm-br 1342177)") {
		t.Errorf("gensite printed no budget line:\n%s", printed)
	}
	before := read(t, out, "app-worker.js")

	br := int64(len(read(t, out, "web/app.wasm.br")))
	var stdout, stderr bytes.Buffer
	small := strconv.FormatInt(br-1, 10)
	err := run([]string{"-out", out, "-web", webDir, "-cache", t.TempDir(), "-wasm", wasm, "-max-wasm-br", small}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "web/app.wasm.br is ") ||
		!strings.Contains(err.Error(), "1 bytes over the ") || !strings.Contains(err.Error(), "("+commas(br-1)+" bytes)") {
		t.Fatalf("-max-wasm-br %s: err = %v; want the size, the budget and what to do", small, err)
	}
	if !bytes.Equal(read(t, out, "app-worker.js"), before) {
		t.Error("a build over budget changed the old site")
	}

	// At the size exactly, and with the check off, it builds.
	for _, max := range []string{strconv.FormatInt(br, 10), "0"} {
		stdout.Reset()
		if err := run([]string{"-out", out, "-web", webDir, "-cache", t.TempDir(), "-wasm", wasm, "-max-wasm-br", max}, &stdout, &stderr); err != nil {
			t.Errorf("-max-wasm-br %s: %v", max, err)
		}
	}
	if !strings.Contains(stdout.String(), "no size budget (-max-wasm-br 0)") {
		t.Errorf("-max-wasm-br 0 printed:\n%s", stdout.String())
	}
}

func TestNegativeBudgetRejected(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "dist")
	var stdout, stderr bytes.Buffer
	err := run([]string{"-out", out, "-web", webDir, "-wasm", fakeWasm(t, t.TempDir(), "a"), "-max-wasm-br", "-1"}, &stdout, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "-max-wasm-br -1") {
		t.Errorf("err = %v, stderr %q; want a usage error naming the flag", err, stderr.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("a rejected run created -out")
	}
}

// TestReadmeStatesTheBudget: the README's sentence on the budget names
// the one the build enforces, so that the two cannot drift apart.
func TestReadmeStatesTheBudget(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sentence := regexp.MustCompile(`under a\s+budget of\s+([0-9.]+ MiB)\s+\(([0-9,]+)\s+bytes\)`)
	m := sentence.FindAllSubmatch(readme, -1)
	if len(m) != 1 {
		t.Fatalf("the README states the budget %d times, want once (%s)", len(m), sentence)
	}
	if got, want := string(m[0][1]), mib(defaultMaxWasmBr); got != want {
		t.Errorf("the README says a budget of %s, the build %s", got, want)
	}
	if got, want := string(m[0][2]), commas(defaultMaxWasmBr); got != want {
		t.Errorf("the README says a budget of %s bytes, the build %s", got, want)
	}
}

// TestBudgetAdviceNamesWhatExists: the files and README sections the
// advice of a failed build names are in the repository, and it names the
// script that says what costs the most.
func TestBudgetAdviceNamesWhatExists(t *testing.T) {
	t.Parallel()
	files := regexp.MustCompile(`[\w.-]+(?:/[\w.-]+)*\.(?:go|md)\b|\bscripts/[\w.-]+`).FindAllString(budgetAdvice, -1)
	if !slices.Contains(files, "scripts/wasmsize") {
		t.Errorf("the advice names %q, not scripts/wasmsize", files)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join("../..", f)); err != nil {
			t.Errorf("the advice names %s: %v", f, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := regexp.MustCompile(`README, "([^"]+)"`).FindAllStringSubmatch(budgetAdvice, -1)
	if len(sections) == 0 {
		t.Error("the advice names no README section")
	}
	for _, m := range sections {
		if !regexp.MustCompile(`(?m)^#+ ` + regexp.QuoteMeta(m[1]) + `$`).Match(readme) {
			t.Errorf("the advice names the README section %q, which the README does not have", m[1])
		}
	}
	if !bytes.Contains(readme, []byte("`scripts/wasmsize`")) {
		t.Error("the README does not name scripts/wasmsize")
	}
}

// TestWasmsizeScript runs scripts/wasmsize on a small program: its rows
// add up to the function bodies, and the packages it should find are
// found, among them one whose path the linker changes in function names.
func TestWasmsizeScript(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a wasm")
	}
	if _, err := exec.LookPath("wasm-objdump"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no wasm-objdump, which scripts/setup installs (Debian: apt-get install -y wabt)")
		}
		t.Skip("no wasm-objdump (Debian: apt-get install -y wabt; make setup installs it as root)")
	}
	cmd := exec.Command("bash", "scripts/wasmsize", "./cmd/gensite/testdata/wasmsize", "1000")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/wasmsize: %v\n%s%s", err, out, stderrOf(err))
	}
	num := func(s string) int64 {
		n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		if err != nil {
			t.Fatalf("%q in:\n%s", s, out)
		}
		return n
	}
	bodies := regexp.MustCompile(`(?m)^code section: ([0-9,]+) bytes, [0-9,]+ function bodies ([0-9,]+) bytes$`).FindSubmatch(out)
	data := regexp.MustCompile(`(?m)^data section: ([0-9,]+) bytes$`).FindSubmatch(out)
	if bodies == nil || data == nil || num(string(data[1])) == 0 {
		t.Fatalf("no code or data section's size in:\n%s", out)
	}
	total := num(string(bodies[2]))
	rows := map[string]int64{}
	var sum int64
	for _, m := range regexp.MustCompile(`(?m)^ +([0-9,]+) +[0-9.]+% +[0-9]* +(.+)$`).FindAllSubmatch(out, -1) {
		rows[string(m[2])] = num(string(m[1]))
		sum += num(string(m[1]))
	}
	if sum != total {
		t.Errorf("the rows add up to %d bytes, the function bodies to %d:\n%s", sum, total, out)
	}
	for _, pkg := range []string{"main", "runtime", "fmt", "github.com/maxence-charriere/go-app/v9/pkg/errors"} {
		if rows[pkg] == 0 {
			t.Errorf("no row for %s:\n%s", pkg, out)
		}
	}
	// Runtime assembly and wrappers only: not packages it failed to find.
	if n := rows["(no package: runtime assembly, wrappers)"]; n > total/100 {
		t.Errorf("%d of %d bytes have no package:\n%s", n, total, out)
	}
}

func stderrOf(err error) []byte {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.Stderr
	}
	return nil
}
