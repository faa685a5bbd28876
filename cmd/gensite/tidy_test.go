package main

import (
	"bytes"
	"slices"
	"testing"

	"golang.org/x/net/html"
)

// TestPrerenderedHTMLReadsAsMeant parses the generated index.html as a
// browser does, before the wasm runs: the boxes go-app renders unchecked
// are unchecked, no boolean attribute says "false" (which HTML reads as
// true), every ARIA state has a value (a bare one reads as not set), and
// every control is disabled, itself rather than by a fieldset.
func TestPrerenderedHTMLReadsAsMeant(t *testing.T) {
	t.Parallel()
	out, _ := build(t, "-wasm", fakeWasm(t, t.TempDir(), "a"))
	doc, err := html.Parse(bytes.NewReader(read(t, out, "index.html")))
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	var inputs, controls, ariaStatesSeen int
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			switch {
			case htmlBooleans[a.Key] && a.Val != "":
				t.Errorf("<%s id=%q> has %s=%q: a boolean attribute is true whatever its value", n.Data, attr(n, "id"), a.Key, a.Val)
			case ariaStates[a.Key]:
				ariaStatesSeen++
				if a.Val == "" {
					t.Errorf("<%s id=%q> has an empty %s, which ARIA reads as not set", n.Data, attr(n, "id"), a.Key)
				}
			}
		}
		if n.Data == "fieldset" && has(n, "disabled") {
			t.Errorf("a disabled fieldset: its controls should be disabled instead")
		}
		if slices.Contains([]string{"button", "input", "select", "textarea"}, n.Data) {
			controls++
			if !has(n, "disabled") {
				t.Errorf("<%s id=%q> is not disabled: nothing works until the app runs", n.Data, attr(n, "id"))
			}
		}
		if n.Data == "input" && (attr(n, "type") == "checkbox" || attr(n, "type") == "radio") {
			inputs++
			checked[attr(n, "id")] = has(n, "checked")
		}
	}
	// The page's own choices: real time, and run a lesson through.
	for id, want := range map[string]bool{"time-real": true, "time-virtual": false, "lesson-manual": false} {
		if got, ok := checked[id]; !ok || got != want {
			t.Errorf("#%s checked: %v (found: %v), want %v", id, got, ok, want)
		}
	}
	if inputs == 0 || controls < 10 || ariaStatesSeen == 0 {
		t.Errorf("%d boxes, %d controls and %d ARIA states in the page: the test looks at nothing", inputs, controls, ariaStatesSeen)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func has(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func TestTidyAttribute(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, name, want string }{
		{`checked="false"`, "checked", ""},
		{`disabled="0"`, "disabled", ""},
		{`checked`, "checked", "checked"},
		{`checked="checked"`, "checked", `checked="checked"`},
		{`aria-pressed`, "aria-pressed", `aria-pressed="true"`},
		{`aria-pressed="false"`, "aria-pressed", `aria-pressed="false"`},
		{`aria-label="false"`, "aria-label", `aria-label="false"`},
		{`data-error`, "data-error", "data-error"}, // a string, maybe empty: left as it is
		{`value="false"`, "value", `value="false"`},
	} {
		got, keep := tidyAttribute([]byte(tt.in), tt.name)
		if !keep {
			got = nil
		}
		if string(got) != tt.want {
			t.Errorf("tidyAttribute(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDisableControlsNotFieldsets(t *testing.T) {
	t.Parallel()
	in := `<p><button id="out"></button></p><fieldset class="c" disabled><button id="a" type="button"><fieldset><input id="b"></fieldset>` +
		`<select disabled id="c"></select><textarea id="d"></textarea><pre tabindex="0">x</pre></fieldset><input id="after">` +
		`<fieldset disabled><button id="e"></button></fieldset><fieldset class="on"><input id="f"></fieldset>`
	want := `<p><button id="out"></button></p><fieldset class="c"><button disabled id="a" type="button"><fieldset><input disabled id="b"></fieldset>` +
		`<select disabled id="c"></select><textarea disabled id="d"></textarea><pre tabindex="0">x</pre></fieldset><input id="after">` +
		`<fieldset><button disabled id="e"></button></fieldset><fieldset class="on"><input id="f"></fieldset>`
	if got := string(disableControlsNotFieldsets([]byte(in))); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
