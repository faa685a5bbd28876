package link

import (
	"os"
	"regexp"
	"testing"
)

// readmeLink matches an example link of the README: a path and a query,
// on a line of its own or in backquotes.
var readmeLink = regexp.MustCompile("(?m)(?:^ {4}|`)(?:https?://[^/\\s`]+)?/[A-Za-z0-9/_.-]*\\?([^\\s`]+)")

// TestReadmeLinksWorkAsWritten: every example link of the README opens
// as it says, with nothing the page would ignore and note.
func TestReadmeLinksWorkAsWritten(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	links := readmeLink.FindAllSubmatch(readme, -1)
	if len(links) < 2 {
		t.Fatalf("%d example links in the README: the pattern finds none of them", len(links))
	}
	for _, m := range links {
		if s, notes := Parse(string(m[1])); len(notes) > 0 {
			t.Errorf("the README's link ?%s: the page would say %q (parsed as %+v)", m[1], notes, s)
		}
	}
}
