package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
)

// go-app v9's app.js, app-worker.js and page head are fixed templates with
// few settings. The patches below change what it writes where it falls
// short. Each must apply exactly once to each file it is for: when go-app
// changes what it writes, the build fails here, naming the patch, instead
// of shipping a site that silently lost a fix.

// patch replaces the one match of old in each file named by files.
type patch struct {
	name  string   // what it fixes, for the error when it no longer applies
	files []string // names relative to the site folder
	old   *regexp.Regexp
	new   func(m []byte) []byte
}

// literal matches s exactly.
func literal(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }

// to replaces a match with s.
func to(s string) func([]byte) []byte { return func([]byte) []byte { return []byte(s) } }

// digestsPlaceholder stands in for the files' digests in app-worker.js
// until they are known (see setDigests).
const digestsPlaceholder = "/* gensite: digests */{}"

// wasmSizePlaceholder stands in for app.wasm's size in app.js.
const wasmSizePlaceholder = "/* gensite: wasm size */0"

// patches are applied in order, after tidyPages.
var patches = []patch{
	{
		// axe-core meta-viewport: a page must let its visitors zoom.
		name:  "viewport allows zoom",
		files: []string{"index.html"},
		old:   literal(`<meta content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=0, viewport-fit=cover" name="viewport">`),
		new:   to(`<meta content="width=device-width, initial-scale=1, viewport-fit=cover" name="viewport">`),
	},
	{
		// axe-core image-alt: the spinning icon says nothing the label
		// beside it does not, so it is marked as decoration.
		name:  "loader icon is decoration",
		files: []string{"index.html"},
		old:   regexp.MustCompile(`<img class="goapp-logo goapp-spin" id="app-wasm-loader-icon" src="[^"]*">`),
		new: func(m []byte) []byte {
			return append([]byte(`<img alt="" `), m[len(`<img `):]...)
		},
	},
	{
		// The loader is a slim bar across the top of the page rendered
		// ahead of time, which can be read while app.wasm downloads
		// (web/app.css): a progress bar with the label beside it.
		name:  "loader has a progress bar",
		files: []string{"index.html"},
		old:   literal(`<p class="goapp-label" id="app-wasm-loader-label">`),
		new: to(`<progress aria-labelledby="app-wasm-loader-label" id="app-wasm-loader-bar" max="100" value="0"></progress>
<p class="goapp-label" id="app-wasm-loader-label">`),
	},
	{
		// The loader counts decoded bytes. go-app divides them by a length
		// header, else by Content-Length, which is the compressed size for
		// a precompressed file (over 100%) and missing when a host
		// compresses on the fly (NaN%). This takes the decoded size from
		// the header cmd/serve and _headers hosts send, else from the size
		// of this build's app.wasm, else from a Content-Length that is not
		// of a compressed body, and never shows more than 100%.
		name:  "loader shows true progress",
		files: []string{"app.js"},
		old: literal(`  let contentLength;
  try {
    contentLength = response.headers.get(goappWasmContentLengthHeader);
  } catch {}
  if (!goappWasmContentLengthHeader || !contentLength) {
    contentLength = response.headers.get("Content-Length");
  }

  const total = parseInt(contentLength, 10);
  let loaded = 0;

  const progressHandler = function (loaded, total) {
    progess(Math.round((loaded * 100) / total));
  };
`),
		new: to(`  // gensite: a page in place of the wasm is a failed load, not 100%.
  if (!response.ok) {
    throw new Error(url + " answered " + response.status + " " + response.statusText);
  }
  // gensite: the decoded size, which the loader's count is of.
  const total = wasmschedWasmTotal(response);
  let loaded = 0;

  const progressHandler = function (loaded, total) {
    progess(wasmschedProgress(loaded, total));
  };
`),
	},
	{
		// With no size known, the label shows how much has come instead of
		// a percentage; the bar follows the label; and once the load has
		// failed, its message stays.
		name:  "loader label and bar",
		files: []string{"app.js"},
		old:   literal(`      loaderLabel.innerText = goappLoadingLabel.replace("{progress}", progress);`),
		new: to(`      if (loader.dataset.failed) {
        return; // the stream's last count comes after the failure
      }
      loaderLabel.innerText = typeof progress === "number"
        ? goappLoadingLabel.replace("{progress}", progress)
        : goappLoadingLabel.replace(/ ?\{progress\}%?/, " " + progress);
      wasmschedShowBar(progress);`),
	},
	{
		// go-app shows a failed load as the bare error, such as
		// "TypeError: Failed to fetch". Say what happened and what to do.
		name:  "loader explains a failed load",
		files: []string{"app.js"},
		old:   literal("    loaderLabel.innerText = err;\n"),
		new: to(`    loaderLabel.innerText =
      "The scheduler could not load (" + err + "). Check the connection, then reload the page.";
    loader.dataset.failed = "true";
`),
	},
	{
		// go-app calls goappOnUpdate when a new version is installed, but
		// sets it only once the wasm runs: an update found while the wasm
		// still loads would be lost. This one notes it for the app.
		name:  "an update found while loading is kept",
		files: []string{"app.js"},
		old:   literal("var goappOnUpdate = function () {};\n"),
		new: to(`var goappOnUpdate = function () {
  wasmschedUpdateReady = true;
};
var wasmschedUpdateReady = false;
`),
	},
	{
		name:  "loader helpers",
		files: []string{"app.js"},
		old:   literal("async function fetchWithProgress(url, progess) {\n"),
		new: to(`// gensite: the size of this build's app.wasm, decoded.
const wasmschedWasmSize = ` + wasmSizePlaceholder + `;

// wasmschedWasmTotal returns the decoded size of the wasm response, or 0
// when nothing says it.
function wasmschedWasmTotal(response) {
  const encoded = response.headers.get("Content-Encoding");
  const sizes = [
    response.headers.get(goappWasmContentLengthHeader),
    wasmschedWasmSize,
    encoded && encoded !== "identity" ? null : response.headers.get("Content-Length"),
  ];
  for (const size of sizes) {
    const n = Number(size);
    if (size !== null && size !== "" && Number.isSafeInteger(n) && n > 0) {
      return n;
    }
  }
  return 0;
}

// wasmschedShowBar shows progress on the loader's bar: a percentage, or
// no value (a bar that says it is busy) when the size is not known.
function wasmschedShowBar(progress) {
  const bar = document.getElementById("app-wasm-loader-bar");
  if (!bar) {
    return;
  }
  if (typeof progress === "number") {
    bar.value = progress;
  } else {
    bar.removeAttribute("value");
  }
}

// wasmschedProgress is a whole percentage from 0 to 100 when the total is
// known, else the amount loaded, such as "1.2 MB".
function wasmschedProgress(loaded, total) {
  if (total > 0) {
    return Math.max(0, Math.min(100, Math.floor((loaded * 100) / total)));
  }
  return (loaded / 1e6).toFixed(1) + " MB";
}

async function fetchWithProgress(url, progess) {
`),
	},
	{
		// Offline, a page opened with a query (share links carry their
		// settings in it) must still come from the cache, and so must the
		// page opened as BASE/index.html: go-app's worker looks up the
		// request as it is, query and all.
		name:  "offline finds the page, with any query",
		files: []string{"app-worker.js"},
		old:   literal(`caches.match(event.request)`),
		new:   to(`caches.match(wasmschedCacheKey(event.request), { ignoreSearch: true })`),
	},
	{
		name:  "the worker's cache key",
		files: []string{"app-worker.js"},
		old:   literal(`self.addEventListener("fetch", (event) => {`),
		new: to(`// wasmschedCacheKey returns what the cache holds request under: the page,
// asked for as BASE/ or BASE/index.html (with any query), is cached as
// BASE/, the worker's scope; anything else as itself.
function wasmschedCacheKey(request) {
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin === scope.origin &&
      (url.pathname === scope.pathname || url.pathname === scope.pathname + "index.html")) {
    return scope.pathname;
  }
  return request;
}

self.addEventListener("fetch", (event) => {`),
	},
	{
		// The worker caches what it fetches one file at a time. If the
		// site is rebuilt meanwhile, it could cache one build's page with
		// another's app.wasm and serve that mix from then on. Each file is
		// checked against the digest this build wrote for it first: on a
		// mismatch the install fails, nothing is cached, and the next visit
		// tries again.
		name:  "the worker caches one build",
		files: []string{"app-worker.js"},
		old: literal(`      .then((cache) => {
        return cache.addAll(resourcesToCache);
      })
`),
		new: to(`      .then((cache) => wasmschedCacheAll(cache))
`),
	},
	{
		name:  "the worker's digests",
		files: []string{"app-worker.js"},
		old:   regexp.MustCompile(`(?m)^const resourcesToCache = .*;\n`),
		new: func(m []byte) []byte {
			return append(slices.Clip(m), []byte(`
// gensite: the SHA-256 of each file in resourcesToCache, as this build
// wrote it.
const wasmschedDigests = `+digestsPlaceholder+`;

// wasmschedCacheAll caches every file of resourcesToCache, or none if any
// is not the file of this build.
async function wasmschedCacheAll(cache) {
  const responses = await Promise.all(
    resourcesToCache.map(async (url) => {
      const response = await fetch(url, { cache: "no-cache" });
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      const body = await response.clone().arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
      const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
      if (hex !== wasmschedDigests[url]) {
        throw new Error(
          url + " is not the file of version " + cacheName +
            ": the site changed while it was being cached; the next visit tries again"
        );
      }
      if (response.redirected) {
        // A host that answered through a redirect: a browser refuses a
        // redirected response to a visit, so keep the body alone.
        return [url, new Response(body, { headers: response.headers })];
      }
      return [url, response];
    })
  );
  await Promise.all(responses.map(([url, response]) => cache.put(url, response)));
}
`)...)
		},
	},
}

// pageAsFolder has the worker cache the page of a site under base as
// BASE/, where visitors open it: go-app lists it as BASE, which a host
// answers with a redirect to BASE/, and which a visit to BASE/ does not
// match, so the page would not load offline. A root site's page is "/"
// already.
func pageAsFolder(base string) []patch {
	if base == "" {
		return nil
	}
	return []patch{{
		name:  "the worker caches the page as BASE/",
		files: []string{"app-worker.js"},
		old:   literal(`const resourcesToCache = ["` + base + `",`),
		new:   to(`const resourcesToCache = ["` + base + `/",`),
	}}
}

// patchSite applies every patch to the files in dir, a site for base, and
// puts wasmSize, the size of app.wasm, where the loader reads it.
func patchSite(dir, base string, wasmSize int) error {
	if err := applyPatches(dir, append(pageAsFolder(base), patches...)); err != nil {
		return err
	}
	return replaceOnce(filepath.Join(dir, "app.js"), wasmSizePlaceholder, strconv.Itoa(wasmSize))
}

// applyPatches applies ps to the files in dir, in order.
func applyPatches(dir string, ps []patch) error {
	for _, p := range ps {
		for _, name := range p.files {
			path := filepath.Join(dir, filepath.FromSlash(name))
			b, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("patch %q: %w", p.name, err)
			}
			if n := len(p.old.FindAllIndex(b, -1)); n != 1 {
				return fmt.Errorf("patch %q matches %d times in %s, want once: has go-app changed what it writes? (cmd/gensite/patch.go)", p.name, n, name)
			}
			b = p.old.ReplaceAllFunc(b, p.new)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// replaceOnce replaces the one placeholder in the file at path with value.
func replaceOnce(path, placeholder, value string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if n := bytes.Count(b, []byte(placeholder)); n != 1 {
		return fmt.Errorf("%s holds %q %d times, want once", filepath.Base(path), placeholder, n)
	}
	return os.WriteFile(path, bytes.Replace(b, []byte(placeholder), []byte(value), 1), 0o644)
}
