//go:build js && wasm

package app

import (
	"errors"
	"syscall/js"
)

// copyText puts text on the clipboard and calls done with the outcome,
// later, on whatever goroutine: the Clipboard API is asynchronous. Where
// it is missing (an insecure context), a selected text area and the older
// copy command stand in.
func copyText(text string, done func(error)) {
	clip := js.Global().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		done(copyByCommand(text))
		return
	}
	var ok, fail js.Func
	release := func() { ok.Release(); fail.Release() }
	ok = js.FuncOf(func(js.Value, []js.Value) any {
		release()
		go done(nil)
		return nil
	})
	fail = js.FuncOf(func(js.Value, []js.Value) any {
		release()
		go done(copyByCommand(text))
		return nil
	})
	clip.Call("writeText", text).Call("then", ok, fail)
}

func copyByCommand(text string) error {
	doc := js.Global().Get("document")
	ta := doc.Call("createElement", "textarea")
	ta.Set("value", text)
	ta.Call("setAttribute", "readonly", "")
	ta.Set("className", "visually-hidden")
	doc.Get("body").Call("appendChild", ta)
	ta.Call("select")
	ok := doc.Call("execCommand", "copy").Truthy()
	ta.Call("remove")
	if !ok {
		return errors.New("the browser refused to copy")
	}
	return nil
}

// download is a file being made a part at a time, kept by the browser
// rather than in Go's memory, then saved as one.
type download struct {
	parts js.Value // the blobs written so far
	buf   js.Value // a Uint8Array reused for every part
}

func newDownload() *download { return &download{parts: js.Global().Get("Array").New()} }

// write copies b into the browser as a blob of its own: the copy into the
// browser's blob storage happens part by part, not all in save, and the
// one array it goes through leaves no garbage for the browser to collect.
// b may be reused after.
func (d *download) write(b []byte) {
	if len(b) == 0 {
		return
	}
	if !d.buf.Truthy() || d.buf.Get("length").Int() < len(b) {
		d.buf = js.Global().Get("Uint8Array").New(max(len(b), 1<<20))
	}
	js.CopyBytesToJS(d.buf, b)
	parts := js.Global().Get("Array").New(1)
	parts.SetIndex(0, d.buf.Call("subarray", 0, len(b)))
	d.parts.Call("push", js.Global().Get("Blob").New(parts))
}

// save offers the parts as one file named name: a blob of blobs, which
// refers to its parts rather than copy them.
func (d *download) save(name, mime string) {
	opts := js.Global().Get("Object").New()
	opts.Set("type", mime)
	blob := js.Global().Get("Blob").New(d.parts, opts)
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	doc := js.Global().Get("document")
	a := doc.Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	// The browser reads the blob when the download starts; it can go once
	// it has.
	var revoke js.Func
	revoke = js.FuncOf(func(js.Value, []js.Value) any {
		revoke.Release()
		js.Global().Get("URL").Call("revokeObjectURL", url)
		return nil
	})
	js.Global().Call("setTimeout", revoke, 60_000)
	d.parts, d.buf = js.Undefined(), js.Undefined()
}
