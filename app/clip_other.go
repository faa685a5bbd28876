//go:build !(js && wasm)

package app

import (
	"bytes"
	"sync"
)

// Outside the browser, as in tests, the clipboard and downloads are kept
// in memory.
var (
	outMu     sync.Mutex
	clipboard string
	saved     = map[string][]byte{} // downloads by file name
)

func copyText(text string, done func(error)) {
	outMu.Lock()
	clipboard = text
	outMu.Unlock()
	go done(nil)
}

type download struct{ buf bytes.Buffer }

func newDownload() *download { return &download{} }

func (d *download) write(b []byte) { d.buf.Write(b) }

func (d *download) save(name, mime string) {
	outMu.Lock()
	saved[name] = d.buf.Bytes()
	outMu.Unlock()
}
