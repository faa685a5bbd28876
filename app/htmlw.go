package app

import (
	"html"
	"strings"
)

// htmlw writes HTML for the parts of the page built as strings (see
// introHTML for why). Every text and attribute value goes through it and
// is escaped here, so that no caller's safety rests on what its values
// happen to contain.
type htmlw struct{ b strings.Builder }

// open writes a start tag with attributes given as name, value pairs.
// Names are the caller's constants; values are escaped.
func (w *htmlw) open(tag string, attrs ...string) *htmlw {
	w.tag(tag, attrs)
	w.b.WriteByte('>')
	return w
}

// void writes an element with no content, self-closed as SVG needs, such
// as <line/>.
func (w *htmlw) void(tag string, attrs ...string) *htmlw {
	w.tag(tag, attrs)
	w.b.WriteString("/>")
	return w
}

func (w *htmlw) tag(tag string, attrs []string) {
	w.b.WriteByte('<')
	w.b.WriteString(tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		w.b.WriteString(html.EscapeString(attrs[i+1]))
		w.b.WriteByte('"')
	}
}

// text writes escaped text.
func (w *htmlw) text(s string) *htmlw {
	w.b.WriteString(html.EscapeString(s))
	return w
}

// close writes an end tag.
func (w *htmlw) close(tag string) *htmlw {
	w.b.WriteString("</")
	w.b.WriteString(tag)
	w.b.WriteByte('>')
	return w
}

// elem writes a whole element holding text.
func (w *htmlw) elem(tag, text string, attrs ...string) *htmlw {
	return w.open(tag, attrs...).text(text).close(tag)
}

func (w *htmlw) String() string { return w.b.String() }
