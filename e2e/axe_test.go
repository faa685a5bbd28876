//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeScript is axe-core, as scripts/setup installs it (npm ci in e2e/).
const axeScript = "node_modules/axe-core/axe.min.js"

// checkAxe runs axe-core's rules in the page as it is now and fails the
// test for each violation. With no rules, it runs all of them.
func checkAxe(t *testing.T, p *page, rules ...string) {
	t.Helper()
	src, err := os.ReadFile(axeScript)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no axe-core (%v): make setup installs it", err)
		}
		t.Skipf("no axe-core (%v): make setup installs it", err)
	}
	// DevTools evaluation is not subject to the page's CSP.
	eval[bool](p, string(src)+"\n;true")
	opts := "{}"
	if len(rules) > 0 {
		opts = fmt.Sprintf(`{runOnly: {type: "rule", values: %s}}`, jsList(rules))
	}
	violations := eval[[]string](p, `axe.run(document, `+opts+`).then(r => r.violations.map(v =>
		v.id + " (" + v.impact + "): " + v.help + ": " + v.nodes.map(n => n.target.join(" ")).join(", ")))`,
		chromedp.EvalAwaitPromise)
	for _, v := range violations {
		t.Errorf("axe-core: %s", v)
	}
}

func jsList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = js(s)
	}
	return "[" + strings.Join(quoted, ",") + "]"
}
