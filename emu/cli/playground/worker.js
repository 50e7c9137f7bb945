// emu under Pyodide, in a Web Worker so the page stays responsive while a build runs.
// Loads only files of this site: Pyodide from pyodide/, emu and rich as wheels (wheels/),
// and maps emu's large data files (lazy/) into Python's filesystem, fetched on first read.
"use strict";
importScripts("pyodide/pyodide.js");

const t0 = performance.now();
let browser = null;

function status(text) {
  postMessage({ type: "status", text });
}

async function fetchOk(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ": HTTP " + r.status);
  return r;
}

async function boot() {
  const manifest = await (await fetchOk("manifest.json")).json();
  status("Starting Python (Pyodide " + manifest.pyodide + ")…");
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", location).href });
  const site = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  for (const wheel of manifest.wheels) {
    status("Installing " + wheel + "…");
    const data = await (await fetchOk("wheels/" + wheel)).arrayBuffer();
    pyodide.unpackArchive(data, "wheel", { extractDir: site });
  }
  for (const [path, url] of Object.entries(manifest.lazy)) {
    const full = site + "/" + path;
    const dir = full.slice(0, full.lastIndexOf("/"));
    pyodide.FS.mkdirTree(dir);
    pyodide.FS.createLazyFile(dir, full.slice(dir.length + 1), new URL(url, location).href, true, false);
  }
  status("Loading emu…");
  browser = pyodide.pyimport("emu.cli._browser");
  postMessage({ type: "ready", seconds: (performance.now() - t0) / 1000 });
}

const booted = boot().catch((e) => {
  postMessage({ type: "failed", error: String(e && e.message ? e.message : e) });
  throw e;
});

onmessage = async (ev) => {
  const { id, op, args } = ev.data;
  try {
    await booted;
    let out;
    if (op === "build") out = browser.build(JSON.stringify(args));
    else if (op === "explain") out = browser.explain(args.path, args.stage || "");
    else throw new Error("unknown request " + op);
    postMessage({ id, result: JSON.parse(out) });
  } catch (e) {
    postMessage({ id, error: String(e && e.message ? e.message : e) });
  }
};
