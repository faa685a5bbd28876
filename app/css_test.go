package app

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestStateColoursContrast: every state's colour, and the lateness colour,
// stand out from the card they are drawn on by at least 3:1 (WCAG's bar
// for graphics), and each state has its set of custom properties.
func TestStateColoursContrast(t *testing.T) {
	// The formula itself: black on white is 21:1, and the old amber of
	// "starting" was too light.
	if c := contrast("#000000", "#ffffff"); math.Abs(c-21) > 0.01 {
		t.Fatalf("contrast(black, white) = %.2f, want 21", c)
	}
	if c := contrast("#d99a00", "#ffffff"); c >= 3 {
		t.Fatalf("contrast(#d99a00, white) = %.2f, want under 3", c)
	}
	css, err := os.ReadFile("../web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	prop := func(name string) string {
		m := regexp.MustCompile(`--` + name + `:\s*(#[0-9a-fA-F]{6});`).FindSubmatch(css)
		if m == nil {
			t.Fatalf("web/app.css sets no --%s colour", name)
		}
		return string(m[1])
	}
	card := prop("card")
	names := []string{"late"}
	for _, si := range states {
		names = append(names, si.Class)
		if !regexp.MustCompile(`\.` + si.Class + ` \{ --state: var\(--` + si.Class + `\);`).Match(css) {
			t.Errorf("web/app.css has no .%s rule setting --state", si.Class)
		}
	}
	for _, n := range names {
		if c := contrast(prop(n), card); c < 3 {
			t.Errorf("--%s %s on the card %s: contrast %.2f, want at least 3", n, prop(n), card, c)
		}
	}
	// A state's mark is text in its colour, in the counts and the
	// timeline's key: text's bar is 4.5:1.
	for _, si := range states {
		if c := contrast(prop(si.Class), card); c < 4.5 {
			t.Errorf("a %s mark, --%[1]s %s as text on the card %s: contrast %.2f, want at least 4.5", si.Class, prop(si.Class), card, c)
		}
	}
	for _, si := range states {
		if c := contrast(prop(si.Class+"-ink"), prop(si.Class+"-bg")); c < 4.5 {
			t.Errorf("badge text --%s-ink on --%[1]s-bg: contrast %.2f, want at least 4.5", si.Class, c)
		}
	}
}

// TestRecordCardLabels: a row shown as a card labels its cells with the
// names of the table's columns, in order: web/app.css writes them, one
// nth-child rule a column, and recordsHTML's header row must agree.
func TestRecordCardLabels(t *testing.T) {
	css, err := os.ReadFile("../web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	var headers []string
	for _, m := range regexp.MustCompile(`<th [^>]*>(?:<span [^>]*>)?([^<]+)<`).FindAllStringSubmatch(recordsHTML(nil), -1) {
		headers = append(headers, m[1])
	}
	if len(headers) != 10 {
		t.Fatalf("recordsHTML's header row has %d columns, %q; this test expects 10", len(headers), headers)
	}
	labels := map[int]string{}
	for _, m := range regexp.MustCompile(`#records td:nth-child\((\d+)\)::before \{ content: "([^"]*)" / ""; \}`).FindAllSubmatch(css, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		labels[n] = string(m[2])
	}
	// The last column, the row's actions, is a button that says what it
	// does: it has no label.
	for i, h := range headers[:len(headers)-1] {
		if labels[i+1] != h {
			t.Errorf("web/app.css labels a card's cell %d %q; the column's header is %q", i+1, labels[i+1], h)
		}
	}
	if len(labels) != len(headers)-1 {
		t.Errorf("web/app.css labels %d cells of a card, %v; the table has %d columns with names", len(labels), labels, len(headers)-1)
	}
}

// TestLegendFollowsStates: the timeline's key names every state of
// states, in order, by mark and label, and web/app.css draws each of its
// swatches' classes inside .legend as the timeline's lanes draw them.
func TestLegendFollowsStates(t *testing.T) {
	css, err := os.ReadFile("../web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	key := legendHTML()
	at := 0
	for _, si := range states {
		item := `<li class="key ` + si.Class + `" title="` + si.Help + `">`
		i := strings.Index(key[at:], item)
		if i < 0 {
			t.Fatalf("the key has no item %s after the previous state's:\n%s", item, key)
		}
		at += i
		end := at + strings.Index(key[at:], "</li>")
		if want := `<span class="mark" aria-hidden="true">` + si.Mark + `</span> ` + si.Label; !strings.Contains(key[at:end], want) {
			t.Errorf("the key's %s item lacks %q: %s", si.Class, want, key[at:end])
		}
	}
	for _, m := range regexp.MustCompile(`<(?:rect|line) class="([a-z-]+)`).FindAllStringSubmatch(key, -1) {
		if !regexp.MustCompile(`\.legend \.` + m[1] + `[ ,{]`).Match(css) {
			t.Errorf("web/app.css has no rule for .legend .%s, which the key draws", m[1])
		}
	}
	if !regexp.MustCompile(`#run:not\(:has\(#timeline\)\) \.legend \.lane-part \{\s*display: none;`).Match(css) {
		t.Error("web/app.css does not hide the key's lane parts beside the aggregate charts")
	}
}

// contrast is WCAG 2's contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
