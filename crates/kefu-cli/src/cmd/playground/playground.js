// kefu playground: asks /api/ask and shows the answer. Every text from the KB or the shopper
// goes into the page with textContent, never parsed as HTML; the CSP forbids inline code anyway.
"use strict";

const $ = (id) => document.getElementById(id);
let generation = -1;
let lastAsked = null;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function num(x) {
  return typeof x === "number" ? x.toFixed(2) : "–";
}

// 0–1 → the nearest 5% class (style attributes are not allowed by the CSP).
function step(x) {
  const v = Math.max(0, Math.min(1, Number(x) || 0));
  return Math.round(v * 20) * 5;
}

function showBuild(b) {
  if (!b) return;
  const line = $("build");
  const when = b.built_at ? new Date(b.built_at * 1000).toLocaleTimeString() : "never";
  line.textContent = `build ${b.generation}: ${b.entries} entries, ${b.questions} questions, ${b.bytes} bytes` +
    (b.millis !== null && b.millis !== undefined ? ` in ${b.millis} ms` : "") + `; last good build at ${when}` +
    (b.ok ? "" : " — the last save FAILED");
  line.className = b.ok ? "build" : "build failed";
  const list = $("error-list");
  clear(list);
  for (const e of b.errors || []) list.appendChild(el("li", e));
  $("errors").hidden = b.ok;
  const warnings = b.warnings || [];
  const w = $("warnings");
  clear(w);
  for (const x of warnings) w.appendChild(el("li", x));
  $("warnings-summary").textContent = `${warnings.length} warnings (kefu check)`;
  $("warnings-box").hidden = warnings.length === 0;
}

function messages() {
  const earlier = $("earlier").value.split("\n").map((s) => s.trim()).filter((s) => s);
  const q = $("question").value.trim();
  return q ? earlier.concat([q]) : [];
}

async function ask(msgs) {
  if (!msgs.length) return;
  lastAsked = msgs;
  let r, body;
  try {
    r = await fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ messages: msgs }),
    });
    body = await r.text();
  } catch (e) {
    $("problem").textContent = "The playground does not answer: is `kefu playground` still running?";
    $("problem").hidden = false;
    return;
  }
  let data;
  try {
    data = JSON.parse(body);
  } catch (e) {
    data = null;
  }
  if (!data || typeof data !== "object") {
    // An answer that is not the playground's JSON (a proxy, a limit): its status and words.
    const said = body.trim().slice(0, 300);
    $("problem").textContent = `The playground answered ${r.status} ${r.statusText}` + (said ? `: ${said}` : "");
    $("problem").hidden = false;
    $("result").hidden = true;
    return;
  }
  if (!r.ok && !data.error) data.error = `The playground answered ${r.status} ${r.statusText}`;
  showBuild(data.build);
  if (data.build) generation = data.build.generation;
  if (data.error) {
    $("problem").textContent = data.error;
    $("problem").hidden = false;
    $("result").hidden = true;
    return;
  }
  $("problem").hidden = true;
  showResult(data);
}

function showResult(d) {
  $("result").hidden = false;
  $("reply").textContent = d.reply;
  let what = d.decision;
  if (d.entry) what += ` with ${d.entry}`;
  if (d.candidates && d.candidates.length) what += `: did you mean ${d.candidates.join(", ")}`;
  $("decision").textContent = `${what} (triage ${d.triage}; confidence ${num(d.confidence)})`;
  $("meter-bar").className = "bar w" + step(d.confidence);
  $("meter-answer").className = "mark l" + step(d.answer_min);
  $("meter-clarify").className = "mark l" + step(d.clarify_min);
  $("thresholds").textContent =
    `The bar is the confidence; the marks are the "did you mean" and the answer thresholds. ` +
    `The bot answers at confidence ≥ ${num(d.answer_min)} when the best question covers ≥ ${num(d.coverage_min)} of the message ` +
    `and leads the runner-up by ≥ ${num(d.margin_min)} (margin here ${num(d.margin)}); offers "did you mean" at ≥ ${num(d.clarify_min)}. ` +
    `The KB knows ${num(d.known)} of the message's terms (weighted by rarity).`;

  const hits = $("hits");
  clear(hits);
  (d.hits || []).forEach((h, i) => {
    const tr = el("tr", null, h.id === d.entry ? "chosen" : "");
    tr.appendChild(el("td", i + 1, "num"));
    tr.appendChild(el("td", h.id));
    tr.appendChild(el("td", h.title));
    tr.appendChild(el("td", num(h.score), "num"));
    tr.appendChild(el("td", num(h.coverage), "num"));
    tr.appendChild(el("td", num(h.question_coverage), "num"));
    hits.appendChild(tr);
  });
  if (!d.hits || !d.hits.length) {
    const tr = el("tr");
    const td = el("td", "(no entry matches)");
    td.colSpan = 6;
    tr.appendChild(td);
    hits.appendChild(tr);
  }

  $("top-entry").textContent = d.top_entry || "none";
  const words = $("words");
  clear(words);
  for (const w of d.words || []) {
    words.appendChild(el("li", `${w.typed} → ${w.terms.length ? w.terms.join(" ") : "(nothing)"}`));
  }
  const terms = $("terms");
  clear(terms);
  for (const t of d.terms || []) {
    const tr = el("tr");
    tr.appendChild(el("td", t.term, t.stopword ? "stop" : ""));
    tr.appendChild(el("td", t.used === t.term ? "" : `${t.used} (typo)`));
    tr.appendChild(el("td", t.kind + (t.stopword ? ", stop word" : "")));
    tr.appendChild(el("td", t.matched ? `yes, in its ${t.matched}` : "no", t.matched ? "hit" : "miss"));
    terms.appendChild(tr);
  }
  const corr = $("corrections");
  clear(corr);
  for (const [typed, used] of d.corrections || []) corr.appendChild(el("li", `typo: ${typed} → ${used}`));
}

// The build status, every second: a new build re-asks the last question.
async function poll() {
  try {
    const r = await fetch("/api/status");
    const s = await r.json();
    const changed = s.build && s.build.generation !== generation;
    showBuild(s.build);
    if (changed) {
      generation = s.build.generation;
      if (lastAsked) ask(lastAsked);
    }
  } catch (e) {
    $("build").textContent = "the playground is not running";
    $("build").className = "build failed";
  }
  setTimeout(poll, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask").addEventListener("submit", (ev) => {
    ev.preventDefault();
    ask(messages());
  });
  poll();
});
