package main

import (
	"fmt"
	"io"
	"strconv"
)

// defaultMaxWasmBr is the budget for web/app.wasm.br, what a visitor's
// browser downloads (README, "Browser benchmark"). It was 1,717,694 bytes
// (1.64 MiB) while go-app's server-side files were built into the client;
// with them left out (cmd/buildwasm) the wasm is 1,298,510 bytes, and the
// budget is that plus about 40 KiB for the next lessons: 1.28 MiB.
const defaultMaxWasmBr = 1342177

// budgetAdvice says what to do about a wasm over its budget. The files
// and the README section it names exist (budget_test.go checks).
const budgetAdvice = "find what grew (scripts/wasmsize lists the wasm's code by Go package, read from its name section " +
	"with wasm-objdump, Debian's wabt; go tool nm does not read wasm), " +
	"keep net/http and text that only needs showing out of the client " +
	"(README, \"Browser benchmark\"), " +
	"or raise the budget: -max-wasm-br BYTES (0 disables it), or defaultMaxWasmBr in cmd/gensite/budget.go"

// checkWasmBudget fails the build when the brotli app.wasm is over max
// bytes; max 0 disables the check. Without a .br sibling (brotli made it
// no smaller), a host serves the raw file, so that is what is checked.
func checkWasmBudget(s sizes, max int64) error {
	if max <= 0 {
		return nil
	}
	name, n := "web/app.wasm.br", s.Brotli
	if n == 0 {
		name, n = "web/app.wasm (no smaller as brotli)", s.Raw
	}
	if n <= max {
		return nil
	}
	size, budget := apartMiB(n, max)
	return fmt.Errorf("%s is %s (%s bytes), %s bytes over the %s budget (%s bytes): %s",
		name, size, commas(n), commas(n-max), budget, commas(max), budgetAdvice)
}

// apartMiB shows two sizes in MiB with as many decimals as it takes (two
// to four) for them not to look the same: 1,627,598 bytes is 1.55 MiB, as
// is the budget, but 1.552 MiB against 1.550 MiB.
func apartMiB(a, b int64) (string, string) {
	var sa, sb string
	for prec := 2; prec <= 4; prec++ {
		sa = fmt.Sprintf("%.*f MiB", prec, float64(a)/(1<<20))
		sb = fmt.Sprintf("%.*f MiB", prec, float64(b)/(1<<20))
		if sa != sb {
			break
		}
	}
	return sa, sb
}

// printBudget says how much of the budget the brotli app.wasm uses.
func printBudget(w io.Writer, s sizes, max int64) {
	if max <= 0 {
		fmt.Fprintf(w, "web/app.wasm.br: %s bytes; no size budget (-max-wasm-br 0)\n", commas(s.Brotli))
		return
	}
	fmt.Fprintf(w, "web/app.wasm.br: %s bytes, %.0f%% of the %s budget (-max-wasm-br %d)\n",
		commas(s.Brotli), 100*float64(s.Brotli)/float64(max), mib(max), max)
}

// commas writes n with thousands separators: 1625292 is 1,625,292.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}
