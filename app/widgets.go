package app

import (
	"strconv"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"
)

// The page's controls, each written one way. Every go-app element built
// in a chain of calls is compiled at its call site, and the wasm the
// visitor downloads grows with each: one helper a kind of control keeps
// that code in one place.

// button is a button that is not a form's submit button.
func button(id, class, label string, h goapp.EventHandler) goapp.HTMLButton {
	b := goapp.Button().ID(id).Type("button").OnClick(h).Text(label)
	if class != "" {
		b = b.Class(class)
	}
	return b
}

// toggle is a button that is on or off.
func toggle(id, class, label string, on bool, h goapp.EventHandler) goapp.HTMLButton {
	return button(id, class, label, h).Aria("pressed", on)
}

// submit is a form's submit button.
func submit(id, label string) goapp.UI {
	return goapp.Button().ID(id).Type("submit").Text(label)
}

// labelFor is the label of the control id.
func labelFor(id, text string) goapp.UI {
	return goapp.Label().For(id).Text(text)
}

// para is a paragraph of text.
func para(id, class, text string) goapp.HTMLP {
	el := goapp.P().Class(class).Text(text)
	if id != "" {
		el = el.ID(id)
	}
	return el
}

// live is a paragraph announced when its text changes: it is always there,
// empty until it has something to say.
func live(id, class, text string) goapp.UI {
	return para(id, class, text).Aria("live", "polite")
}

// textInput is a text field whose value the page keeps in v.
func textInput(id, value, describedby string, invalid bool, h goapp.EventHandler) goapp.HTMLInput {
	return goapp.Input().ID(id).Name(id).Type("text").Value(value).
		AutoComplete(false).Spellcheck(false).
		Aria("describedby", describedby).Aria("invalid", invalid).OnInput(h)
}

// textField is a labelled text field in a column.
func textField(id, label, value, describedby string, invalid bool, h goapp.EventHandler) goapp.UI {
	return goapp.Div().Class("field").Body(labelFor(id, label), textInput(id, value, describedby, invalid, h))
}

// choice is a radio button or a check box with its label.
func choice(kind, id, name, label string, checked bool, h goapp.EventHandler) goapp.UI {
	in := goapp.Input().ID(id).Type(kind).Checked(checked).OnChange(h)
	if name != "" {
		in = in.Name(name)
	}
	return goapp.Label().Class("radio").Body(in, goapp.Text(" "+label))
}

// slider is a range from 0 to max.
func slider(id string, max, value int, valuetext string, h goapp.EventHandler) goapp.HTMLInput {
	return goapp.Input().ID(id).Type("range").Min(0).Max(max).Value(strconv.Itoa(value)).
		Aria("valuetext", valuetext).OnInput(h)
}

// row lays controls out in a line that wraps.
func row(body ...goapp.UI) goapp.UI { return goapp.Div().Class("row").Body(body...) }
