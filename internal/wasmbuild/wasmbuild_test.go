//go:build !js

// The tests run the go command, which WebAssembly under Node cannot.

package wasmbuild

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// moduleRoot is wasmsched's root, two folders up.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestPrepare patches the go-app that go.mod requires: the server-side
// files get the line that keeps them out of the browser, the browser's
// stub that names Handler is gone, and the two helpers the browser needs
// are there, as go-app wrote them; the rest of the copy is go-app's own.
func TestPrepare(t *testing.T) {
	s, err := Prepare("", moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Version != "v9.8.0" {
		t.Errorf("go-app %s; the patches are written for v9.8.0", s.Version)
	}
	if !strings.HasPrefix(filepath.Base(s.Copy), "go-app@"+s.Version+"-") || filepath.Base(filepath.Dir(s.Copy)) != Dir {
		t.Errorf("the copy is at %s, want %s/go-app@%s-HASH", s.Copy, Dir, s.Version)
	}
	app := os.DirFS(filepath.Join(s.Copy, "pkg", "app"))
	read := func(name string) string {
		b, err := fs.ReadFile(app, name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, name := range []string{"http.go", "resource.go"} {
		if !strings.HasPrefix(read(name), serverOnly+"package app\n") {
			t.Errorf("%s does not begin with %q", name, serverOnly)
		}
	}
	if strings.Contains(read("wasm.go"), "func GenerateStaticWebsite") {
		t.Error("wasm.go still declares GenerateStaticWebsite")
	}
	if !strings.Contains(read("engine.go"), frameCaseFixed) {
		t.Error("engine.go's loop does not take the waiting dispatches before it draws a frame")
	}
	paths := read("paths_wasm.go")
	for _, fn := range []string{isRemoteLocation, isStaticResourcePath} {
		if !strings.Contains(paths, fn) || !strings.Contains(read("http.go"), fn) {
			t.Errorf("paths_wasm.go and http.go do not both declare\n%s", fn)
		}
	}
	if _, err := fs.Stat(app, "html_gen_test.go"); err == nil {
		t.Error("the copy has go-app's tests")
	}
	if read("html.go") == "" {
		t.Error("the copy lacks go-app's html.go")
	}

	// The go.mod replaces go-app by a path relative to the module, which
	// is all the wasm records of the copy.
	mod, err := os.ReadFile(s.Modfile)
	if err != nil {
		t.Fatal(err)
	}
	want := GoApp + " => ./" + Dir + "/" + filepath.Base(s.Copy)
	if !bytes.Contains(mod, []byte(want)) {
		t.Errorf("the go.mod does not say %q:\n%s", want, mod)
	}

	// A second set-up reuses the copy; Close leaves it for the next build.
	again, err := Prepare("", moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if again.Copy != s.Copy {
		t.Errorf("a second set-up copied to %s, not %s", again.Copy, s.Copy)
	}
	again.Close()
	if _, err := os.Stat(filepath.Dir(again.Modfile)); !os.IsNotExist(err) {
		t.Errorf("Close left the go.mod's folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Copy, "go.mod")); err != nil {
		t.Errorf("Close removed the copy: %v", err)
	}
}

// TestPatchesFailWhenGoAppChanges: a go-app whose files no longer match
// what the patches were written for fails, naming the file and the
// patch, rather than build a wasm that lost the fix.
func TestPatchesFailWhenGoAppChanges(t *testing.T) {
	good := fstest.MapFS{
		"http.go":     {Data: []byte("package app\n\nimport \"strings\"\n\n" + isRemoteLocation + "\n" + isStaticResourcePath)},
		"resource.go": {Data: []byte("package app\n")},
		"wasm.go":     {Data: []byte("//go:build wasm\n\npackage app\n\n" + generateStub)},
		"engine.go":   {Data: []byte("package app\n\nfunc (e *engine) start() {\n\t\tfor {\n\t\t\tselect {\n" + frameCase + "\t\t\t}\n\t\t}\n}\n")},
	}
	if _, err := patchFiles(good); err != nil {
		t.Fatalf("the patches do not apply to files as go-app v9.8.0 has them: %v", err)
	}
	for _, tc := range []struct {
		file, data, want string
	}{
		{"http.go", "//go:build !wasm\n\npackage app\n", "does not begin with `package app`"},
		{"wasm.go", "//go:build wasm\n\npackage app\n", "found 0 times"},
		{"http.go", "package app\n\nfunc isRemoteLocation(path string) bool { return false }\n", "does not declare"},
		{"paths_wasm.go", "package app\n", "already exists"},
		{"engine.go", "package app\n", "found 0 times"},
	} {
		changed := fstest.MapFS{}
		for name, f := range good {
			changed[name] = f
		}
		changed[tc.file] = &fstest.MapFile{Data: []byte(tc.data)}
		_, err := patchFiles(changed)
		if err == nil {
			t.Errorf("%s changed to %q: the patches applied", tc.file, tc.data)
			continue
		}
		for _, want := range []string{"no longer applies", tc.want} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s changed: error %q, want it to say %q", tc.file, err, want)
			}
		}
	}
}

// TestBuildIsReproducible builds the browser main twice: the same bytes,
// so an unchanged build keeps the site's version and its compressed
// files. The build also shows that the patched go-app compiles.
func TestBuildIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the wasm twice")
	}
	dir := t.TempDir()
	var builds [2][]byte
	for i := range builds {
		// Each build has a set-up of its own, as each `make build` does:
		// its go.mod is in another temporary folder.
		s, err := Prepare("", moduleRoot(t))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		out := filepath.Join(dir, "app.wasm")
		if err := s.Build(out, "./cmd/wasm", false); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\x00asm")) {
			t.Fatalf("build %d is not a WebAssembly module", i+1)
		}
		builds[i] = b
		os.Remove(out)
	}
	if !bytes.Equal(builds[0], builds[1]) {
		t.Errorf("two builds differ (%d and %d bytes)", len(builds[0]), len(builds[1]))
	}
}
