// A small wasm for scripts/wasmsize's test: its own main, the standard
// library and a module package whose path has characters the linker
// changes in function names (- and /).
package main

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/errors"
)

func main() {
	fmt.Println(errors.New("wasmsize").WithTag("test", 1))
}
