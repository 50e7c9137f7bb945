// The playground page: file editors, presets, save/load/share, and drawing what the worker
// (worker.js: emu under Pyodide) returns for a build. No network: every fetch is of a file
// of this site, and the worker only reads files of this site too.
"use strict";

const $ = (id) => document.getElementById(id);
const FIRST = ["Dockerfile", ".dockerignore", "Dockerfile.single-stage"];
const started = performance.now();

// What the test and the benchmark read: when Python was ready, when the first build showed.
window.emu = { timings: {}, builds: 0, last: null };

let presets = [];
let state = { preset: "", files: {}, target: "" };
let current = "Dockerfile";
let excluded = new Set();

// --- the worker -------------------------------------------------------------------------

const worker = new Worker("worker.js");
const pending = new Map();
let nextId = 1;

function call(op, args) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, op, args });
  });
}

worker.onmessage = (ev) => {
  const m = ev.data;
  if (m.type === "status") return setStatus(m.text);
  if (m.type === "failed") {
    document.body.dataset.state = "failed";
    return setStatus("Python did not start: " + m.error, "bad");
  }
  if (m.type === "ready") {
    window.emu.timings.ready = performance.now() - started;
    window.emu.timings.pythonSeconds = m.seconds;
    document.body.dataset.state = "ready";
    $("build").disabled = false;
    setStatus("Ready (Python started in " + m.seconds.toFixed(1) + " s)", "good");
    return startup.then(build);
  }
  const p = pending.get(m.id);
  pending.delete(m.id);
  if (m.error) p.reject(new Error(m.error));
  else p.resolve(m.result);
};

function setStatus(text, kind) {
  const el = $("status");
  el.textContent = text;
  el.className = "status" + (kind ? " " + kind : "");
}

// --- files ------------------------------------------------------------------------------

function ordered() {
  const names = Object.keys(state.files);
  const first = FIRST.filter((n) => n in state.files);
  return first.concat(names.filter((n) => !FIRST.includes(n)).sort());
}

function drawTabs() {
  const nav = $("tabs");
  nav.textContent = "";
  for (const name of ordered()) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = name;
    b.dataset.file = name;
    if (name === current) b.classList.add("on");
    if (excluded.has(name)) {
      b.classList.add("excluded");
      b.title = "excluded from the context by .dockerignore";
    }
    b.onclick = () => open(name);
    nav.appendChild(b);
  }
}

function open(name) {
  current = name;
  $("code").value = state.files[name] ?? "";
  $("filename").value = name;
  drawTabs();
}

$("code").addEventListener("input", () => {
  state.files[current] = $("code").value;
});
$("code").addEventListener("keydown", (ev) => {
  if (ev.key === "Tab") {
    ev.preventDefault();
    document.execCommand("insertText", false, "    ");
  } else if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    build();
  }
});
$("rename").onclick = () => {
  const name = cleanName($("filename").value);
  if (!name || name === current) return;
  if (name in state.files) return alert(name + " exists already");
  state.files[name] = state.files[current];
  delete state.files[current];
  open(name);
};
$("delete").onclick = () => {
  if (current === "Dockerfile") return alert("A build needs its Dockerfile.");
  delete state.files[current];
  open("Dockerfile");
};
$("add").onclick = () => {
  const name = cleanName(prompt("Path of the new file in the context (e.g. src/app.py):") || "");
  if (!name) return;
  if (!(name in state.files)) state.files[name] = "";
  open(name);
};

function cleanName(name) {
  return name.trim().replace(/^\/+/, "").replace(/\/{2,}/g, "/");
}

function load(next, why) {
  state = {
    preset: next.preset || "",
    files: Object.assign({}, next.files),
    target: next.target || "",
  };
  if (!("Dockerfile" in state.files)) state.files.Dockerfile = "";
  $("preset").value = state.preset;
  $("target").value = state.target;
  excluded = new Set();
  open("Dockerfile");
  if (why) setStatus(why);
}

$("target").addEventListener("input", () => {
  state.target = $("target").value.trim();
});

// --- presets ----------------------------------------------------------------------------

async function loadPresets() {
  presets = await (await fetch("presets.json")).json();
  const select = $("preset");
  const custom = document.createElement("option");
  custom.value = "";
  custom.textContent = "(your own files)";
  select.appendChild(custom);
  for (const p of presets) {
    const o = document.createElement("option");
    o.value = p.name;
    o.textContent = p.title;
    select.appendChild(o);
  }
  select.onchange = () => {
    const p = presets.find((x) => x.name === select.value);
    if (p) {
      load({ preset: p.name, files: p.files }, "Loaded " + p.name + ": press Build");
    }
  };
}

// --- save, load, share --------------------------------------------------------------------

function snapshot() {
  return { format: "emu-playground/1", preset: state.preset, target: state.target, files: state.files };
}

$("save").onclick = () => {
  const blob = new Blob([JSON.stringify(snapshot(), null, 1)], { type: "application/json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = (state.preset || "emu-playground") + ".json";
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
};

$("load").onchange = async (ev) => {
  const file = ev.target.files[0];
  if (!file) return;
  try {
    load(parseSaved(await file.text()), "Loaded " + file.name + ": press Build");
  } catch (e) {
    setStatus("Cannot load " + file.name + ": " + e.message, "bad");
  }
  ev.target.value = "";
};

function parseSaved(text) {
  const data = JSON.parse(text);
  if (!data || typeof data.files !== "object") throw new Error("not a file saved by the playground");
  for (const v of Object.values(data.files)) {
    if (typeof v !== "string") throw new Error("a file's contents is not text");
  }
  return data;
}

function b64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unb64url(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

// The whole state in the URL's fragment (never sent to a server), deflated.
async function shareLink() {
  const raw = new TextEncoder().encode(JSON.stringify(snapshot()));
  const packed = await pipe(raw, new CompressionStream("deflate-raw"));
  return location.href.split("#")[0] + "#files=" + b64url(packed);
}

async function fromFragment() {
  const m = location.hash.match(/^#files=([A-Za-z0-9_-]+)$/);
  if (!m) return null;
  const raw = await pipe(unb64url(m[1]), new DecompressionStream("deflate-raw"));
  return parseSaved(new TextDecoder().decode(raw));
}

$("share").onclick = async () => {
  const url = await shareLink();
  history.replaceState(null, "", url);
  try {
    await navigator.clipboard.writeText(url);
    setStatus("Link copied: it holds your files (" + url.length + " characters)", "good");
  } catch (e) {
    setStatus("The address bar now holds your files: copy it to share", "good");
  }
};

// --- building -----------------------------------------------------------------------------

$("build").onclick = () => build();

async function build() {
  if ($("build").disabled && document.body.dataset.state !== "ready") return;
  $("build").disabled = true;
  document.body.dataset.state = "building";
  document.body.classList.add("busy");
  setStatus("Building…");
  const t0 = performance.now();
  try {
    const out = await call("build", { files: state.files, target: state.target || null });
    show(out);
    const ms = performance.now() - t0;
    window.emu.builds += 1;
    window.emu.last = { ok: out.ok, ms, pythonSeconds: out.seconds };
    if (window.emu.timings.firstBuild === undefined) {
      window.emu.timings.firstBuild = performance.now() - started;
      window.emu.timings.firstBuildMs = ms;
    }
    setStatus(out.ok ? "Built in " + (ms / 1000).toFixed(2) + " s" : "The build failed: see the log", out.ok ? "good" : "bad");
    document.body.dataset.state = out.ok ? "built" : "failed-build";
  } catch (e) {
    setStatus("emu stopped: " + e.message, "bad");
    document.body.dataset.state = "failed-build";
  } finally {
    $("build").disabled = false;
    document.body.classList.remove("busy");
  }
}

function esc(t) {
  const d = document.createElement("div");
  d.textContent = t;
  return d.innerHTML;
}

function show(out) {
  $("intro").hidden = true;
  $("log").textContent = out.log;
  $("error-jump").textContent = "";
  drawLessons(out.lessons || []);
  if (!out.ok) {
    if (out.error && out.error.line) jumpButton(out.error);
    for (const id of ["summary", "crossings", "tree"]) $(id).innerHTML = "";
    $("graph").innerHTML = '<p class="muted">The build failed: no stages to draw.</p>';
    $("compare").innerHTML = "";
    return;
  }
  excluded = new Set(out.excluded);
  drawTabs();
  $("context-note").textContent = out.excluded.length
    ? ".dockerignore kept out of the context: " + out.excluded.join(", ")
    : "";
  $("summary").innerHTML = out.subtitle + out.cards;
  $("graph").innerHTML = out.graph;
  $("crossings").innerHTML = "<h3>What crossed between stages</h3>" + out.crossings;
  $("tree").innerHTML = out.tree;
  $("prov-body").innerHTML = '<p class="muted">Click a file to see where it came from.</p>';
  emuProvenance($("tree"), out.records, $("prov-body"));
  const stages = $("explain-stage");
  stages.textContent = "";
  for (const st of out.stages) {
    if (st.status === "skipped") continue;
    const o = document.createElement("option");
    o.value = st.status === "final" ? "" : st.name;
    const fate = { final: " (final image)", base: " (base of the final image)" };
    o.textContent = st.name + (fate[st.status] || " (discarded)");
    stages.appendChild(o);
  }
  $("explain-out").textContent = "";
  $("compare").innerHTML = out.comparison.html;
}

function drawLessons(items) {
  const ul = $("lessons");
  if (!items.length) {
    ul.innerHTML = '<li class="muted">No problems found: no check or lesson applies.</li>';
    return;
  }
  ul.innerHTML = items
    .map(
      (f) =>
        `<li class="${esc(f.level)}"><span class="lvl">${esc(f.level)}</span>` +
        `<b>${esc(f.rule)}</b> <span class="muted">Dockerfile:${f.line}</span><br>${esc(f.message)}` +
        `<small>${esc(f.description)} · <a href="${esc(f.url)}" target="_blank" rel="noopener">docs</a></small></li>`,
    )
    .join("");
}

function jumpButton(error) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = `Show ${error.file || "Dockerfile"}:${error.line} in the editor`;
  b.onclick = () => {
    open(error.file && error.file in state.files ? error.file : "Dockerfile");
    const lines = $("code").value.split("\n");
    const start = lines.slice(0, error.line - 1).join("\n").length + (error.line > 1 ? 1 : 0);
    $("code").focus();
    $("code").setSelectionRange(start, start + (lines[error.line - 1] || "").length);
  };
  $("error-jump").appendChild(b);
}

$("explain-form").onsubmit = async (ev) => {
  ev.preventDefault();
  const path = $("explain-path").value.trim();
  if (!path) return;
  const out = await call("explain", { path, stage: $("explain-stage").value });
  const box = $("explain-out");
  if (!out.ok) {
    box.innerHTML = `<p class="muted">${esc(out.message)}</p>`;
    return;
  }
  box.innerHTML =
    '<ol class="chain">' +
    out.chain.map((c) => `<li${c.startsWith("context:") ? ' class="ctx"' : ""}>${esc(c)}</li>`).join("") +
    `</ol><p class="lesson">${esc(out.lesson)}</p>`;
};

// --- start ------------------------------------------------------------------------------

const startup = (async () => {
  await loadPresets();
  let shared = null;
  try {
    shared = await fromFragment();
  } catch (e) {
    setStatus("The link's files could not be read: " + e.message, "bad");
  }
  if (shared) load(shared, "Loaded the files from the link");
  else load({ preset: presets[0].name, files: presets[0].files });
})();
