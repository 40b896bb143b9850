// Laurel playground: the page. Plain JavaScript, no build step, no network
// but the playground's own API (every call carries the launch token).
"use strict";

const token = new URLSearchParams(location.search).get("token") || sessionStorage.getItem("laurel-token") || "";
sessionStorage.setItem("laurel-token", token);
if (location.search) history.replaceState(null, "", location.pathname); // keep the token out of the address bar

const $ = (id) => document.getElementById(id);
const state = {
  files: [], file: "", texts: {}, saved: {}, history: "", histories: [], against: "disk",
  fields: [], valid: false, tab: "form", schema: null, maxUpload: 0,
  simulateQuery: { sort: "member", descending: false, page: 0, size: 50, search: "" },
  compareQuery: { sort: "delta", descending: true, page: 0, size: 50, search: "" },
  editAt: null, // performance.now() of the last edit, for the edit-to-diff latency
};
window.laurel = { lastDiff: null, lastSimulate: null, lastValidation: null, diffLatencyMs: null };

// ---------------------------------------------------------------- API

class APIError extends Error {
  constructor(body, status) {
    super(body && body.error ? body.error.message : `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error ? body.error.code : "HTTP";
    this.problems = body && body.error ? body.error.problems : null;
  }
}

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "X-Laurel-Token": token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new APIError(json, response.status);
  return json;
}

/// Runs `work` for the latest request of `kind` only: older answers are dropped.
const latest = {};
async function newest(kind, work) {
  const ticket = (latest[kind] = (latest[kind] || 0) + 1);
  const result = await work();
  return ticket === latest[kind] ? result : undefined;
}

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = kind || "";
}

const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
};
const fmt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
const signed = (n) => (n > 0 ? "+" : "") + fmt(n);
const memberName = (m) => (m.scope ? `${m.scope} / ${m.user}` : m.user);

// ---------------------------------------------------------------- editor

const editor = CodeMirror.fromTextArea($("editor"), {
  mode: "yaml", lineNumbers: true, indentUnit: 2, tabSize: 2, indentWithTabs: false,
  gutters: ["problem-gutter", "CodeMirror-linenumbers"],
  extraKeys: {
    "Ctrl-Space": "autocomplete", Tab: (cm) => cm.execCommand("insertSoftTab"),
    "Ctrl-S": () => askToSave(), "Cmd-S": () => askToSave(),
  },
  hintOptions: { hint: schemaHint, completeSingle: false },
});
let marks = [];
let suppressChange = false;
let validateTimer = null;

editor.on("change", () => {
  if (suppressChange) return;
  state.texts[state.file] = editor.getValue();
  state.editAt = performance.now();
  clearTimeout(validateTimer);
  validateTimer = setTimeout(refresh, 300);
  updateTitle();
});

function currentRules() {
  return { file: state.file, text: state.texts[state.file] ?? "" };
}

function updateTitle() {
  const dirty = state.texts[state.file] !== state.saved[state.file];
  document.title = `${dirty ? "● " : ""}${state.file} — Laurel playground`;
  $("save").disabled = !dirty;
}

/// Marks problems in the editor and lists them below it.
function showProblems(problems) {
  for (const mark of marks) mark.clear();
  marks = [];
  editor.clearGutter("problem-gutter");
  const list = $("problems");
  list.replaceChildren();
  for (const problem of problems) {
    const here = !problem.file || problem.file === state.file;
    if (here && problem.line) {
      const line = problem.line - 1;
      const from = { line, ch: Math.max(0, (problem.column || 1) - 1) };
      const to = { line, ch: from.ch + Math.max(1, problem.length || 1) };
      marks.push(editor.markText(from, to, {
        className: `problem ${problem.severity}`, attributes: { title: problem.message, "data-code": problem.code },
      }));
      const dot = el("span", { class: `problem-dot ${problem.severity}`, title: problem.message }, "●");
      editor.setGutterMarker(line, "problem-gutter", dot);
    }
    const where = problem.line ? `${problem.file || state.file}:${problem.line}:${problem.column}` : problem.file || "";
    const item = el("button", {
      class: `problem-item ${problem.severity}`, type: "button", "data-line": problem.line, "data-column": problem.column,
      onclick: () => {
        if (here && problem.line) {
          editor.focus();
          editor.setCursor({ line: problem.line - 1, ch: (problem.column || 1) - 1 });
        }
      },
    }, el("span", { class: "where" }, where), " ", el("span", { class: "severity" }, problem.severity + ":"), " ",
      problem.message);
    list.append(item);
  }
}

/// Validates the editor's text, then refreshes the form and the results.
async function refresh() {
  const rules = currentRules();
  const editAt = state.editAt;
  let result;
  try {
    result = await newest("validate", () => api("/api/validate", { rules }));
  } catch (error) {
    setStatus(error.message, "error");
    return;
  }
  if (!result) return;
  window.laurel.lastValidation = result;
  state.valid = result.valid;
  state.fields = result.fields;
  showProblems(result.problems);
  renderForm();
  if (!result.valid) {
    const count = result.problems.filter((p) => p.severity === "error").length;
    setStatus(`${count} problem${count === 1 ? "" : "s"} — results show the last valid rules`, "error");
    return;
  }
  setStatus(`${result.scheme}: valid`, "ok");
  await Promise.all([loadDiff(editAt), loadSimulate()]);
}

// ---------------------------------------------------------------- completion and hover from the schema

/// The chain of keys leading to `line` (by indentation), e.g. ["ladders", "level", "tiers", "[]"].
function keyPath(cm, lineNumber) {
  const path = [];
  const own = cm.getLine(lineNumber) || "";
  let indent = own.search(/\S|$/);
  if (/^\s*-\s/.test(own)) path.unshift("[]");
  for (let n = lineNumber - 1; n >= 0 && indent > 0; n--) {
    const text = cm.getLine(n);
    if (!text.trim() || text.trim().startsWith("#")) continue;
    const lineIndent = text.search(/\S/);
    const item = /^\s*-\s+/.exec(text);
    const keyIndent = item ? item[0].length : lineIndent;
    if (item && lineIndent < indent && keyIndent <= indent) {
      const match = /^\s*-\s+([A-Za-z_][\w.-]*)\s*:/.exec(text);
      if (match && keyIndent < indent) path.unshift(match[1]);
      path.unshift("[]");
      indent = lineIndent;
      continue;
    }
    if (lineIndent < indent) {
      const match = /^\s*([A-Za-z_][\w.-]*)\s*:/.exec(text);
      if (match) path.unshift(match[1]);
      indent = lineIndent;
    }
  }
  return path;
}

function schemaAt(path) {
  let node = state.schema;
  for (const segment of path) {
    if (!node) return null;
    node = resolve(node);
    if (segment === "[]") node = node.items || (node.anyOf || []).map((x) => x.items).find(Boolean);
    else if (node.properties && node.properties[segment]) node = node.properties[segment];
    else if (node.additionalProperties && typeof node.additionalProperties === "object") node = node.additionalProperties;
    else return null;
  }
  return node ? resolve(node) : null;
}

function resolve(node) {
  if (node && !node.properties && Array.isArray(node.anyOf)) return node.anyOf.find((x) => x.properties || x.items) || node;
  return node;
}

function schemaHint(cm) {
  const cursor = cm.getCursor();
  const line = cm.getLine(cursor.line);
  const before = line.slice(0, cursor.ch);
  const word = /([A-Za-z_][\w-]*)?$/.exec(before)[0];
  if (!/^\s*(-\s+)?[A-Za-z_]*$/.test(before)) return null;
  const node = schemaAt(keyPath(cm, cursor.line));
  if (!node || !node.properties) return null;
  const list = Object.entries(node.properties)
    .filter(([key]) => key.startsWith(word))
    .map(([key, value]) => ({ text: key + ": ", displayText: key, className: "hint-key", description: value.description }));
  const result = { list, from: CodeMirror.Pos(cursor.line, cursor.ch - word.length), to: cursor };
  CodeMirror.on(result, "select", (item, element) => {
    const box = element.getBoundingClientRect();
    showTooltip(item.description || "", { clientX: box.right + 8, clientY: box.top - 16 });
  });
  CodeMirror.on(result, "close", hideTooltip);
  return result;
}

function showTooltip(text, event) {
  const tip = $("tooltip");
  if (!text) return hideTooltip();
  tip.textContent = text;
  tip.hidden = false;
  if (event) {
    tip.style.left = `${event.clientX + 12}px`;
    tip.style.top = `${event.clientY + 16}px`;
  }
}
function hideTooltip() { $("tooltip").hidden = true; }

editor.getWrapperElement().addEventListener("mousemove", (event) => {
  const pos = editor.coordsChar({ left: event.clientX, top: event.clientY }, "window");
  const token = editor.getTokenAt(pos, true);
  const text = editor.getLine(pos.line) || "";
  const key = /^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)\s*:/.exec(text);
  if (!state.schema || !key || pos.ch < key[1].length || pos.ch > key[1].length + key[2].length || !token) {
    return hideTooltip();
  }
  const node = schemaAt([...keyPath(editor, pos.line), key[2]]);
  showTooltip(node && node.description ? `${key[2]}: ${node.description}` : "", event);
});
editor.getWrapperElement().addEventListener("mouseleave", hideTooltip);

// ---------------------------------------------------------------- point values form

function renderForm() {
  const form = $("form");
  const focused = document.activeElement && document.activeElement.dataset && document.activeElement.dataset.id;
  if (focused) {
    // Leave the field being typed in alone; refresh the others' values.
    for (const field of state.fields) {
      const input = form.querySelector(`input[data-id="${CSS.escape(field.id)}"]`);
      if (input && input.dataset.id !== focused) input.value = field.value;
    }
    return;
  }
  form.replaceChildren();
  if (!state.fields.length) {
    form.append(el("p", { class: "hint" }, "No point values found in this file (amounts written as expressions are edited in the YAML)."));
    return;
  }
  const sections = new Map();
  for (const field of state.fields) {
    if (!sections.has(field.section)) sections.set(field.section, []);
    sections.get(field.section).push(field);
  }
  const input = (field) => el("input", {
    id: `field-${field.id}`, "data-id": field.id, value: field.value, "aria-label": field.label,
    type: field.kind === "integer" ? "number" : "text", step: field.kind === "integer" ? "1" : undefined,
    onchange: (event) => setValue(field.id, event.target.value),
    onkeydown: (event) => { if (event.key === "Enter") event.target.blur(); },
  });
  for (const [section, fields] of sections) {
    if (section.startsWith("Ladder ")) {
      // One row per tier: its name and threshold side by side.
      const tiers = new Map();
      for (const field of fields) {
        const match = /tiers\[(\d+)\]\.(name|at)$/.exec(field.id);
        if (!match) continue;
        if (!tiers.has(match[1])) tiers.set(match[1], {});
        tiers.get(match[1])[match[2]] = field;
      }
      form.append(el("h3", {}, section), el("table", { class: "tiers" },
        el("thead", {}, el("tr", {}, el("th", {}, "Tier"), el("th", {}, "Name"), el("th", {}, "At (balance)"))),
        el("tbody", {}, [...tiers.entries()].map(([index, tier]) => el("tr", {},
          el("td", {}, Number(index) + 1), el("td", {}, tier.name ? input(tier.name) : "–"), el("td", {}, tier.at ? input(tier.at) : "–"))))));
      continue;
    }
    const rows = fields.map((field) => el("tr", {},
      el("th", { scope: "row" }, el("label", { for: `field-${field.id}` }, field.label)),
      el("td", {}, input(field)),
      el("td", {}, el("button", {
        type: "button", class: "link", title: "Show in the editor",
        onclick: () => { editor.focus(); editor.setCursor({ line: field.line - 1, ch: field.column - 1 }); },
      }, `line ${field.line}`))));
    form.append(el("h3", {}, section), el("table", { class: "form" }, el("tbody", {}, rows)));
  }
}

async function setValue(id, value) {
  state.editAt = performance.now();
  let result;
  try {
    result = await api("/api/set-value", { rules: currentRules(), id, value });
  } catch (error) {
    setStatus(error.message, "error");
    renderForm();
    return;
  }
  const { line, column, length, replacement } = result.edit;
  const from = { line: line - 1, ch: column - 1 };
  suppressChange = true;
  editor.replaceRange(replacement, from, { line: line - 1, ch: column - 1 + length }, "+form");
  suppressChange = false;
  state.texts[state.file] = editor.getValue();
  updateTitle();
  clearTimeout(validateTimer);
  await refresh();
}

// ---------------------------------------------------------------- charts (inline SVG)

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/// Horizontal bars, one row per label; with `before`, a pale bar for it under the current one.
function barChart(title, bars, compare) {
  const width = 520;
  const row = compare ? 26 : 20;
  const labelWidth = 120;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.members, b.before || 0)));
  const chart = svg("svg", { width, height: bars.length * row + 8, role: "img", "aria-label": title, class: "chart" });
  bars.forEach((bar, i) => {
    const y = i * row + 4;
    const scale = (n) => Math.max(n > 0 ? 2 : 0, ((width - labelWidth - 140) * n) / max);
    chart.append(svg("text", { x: labelWidth - 6, y: y + 13, "text-anchor": "end", class: "label" }, bar.label));
    if (compare) {
      chart.append(svg("rect", { x: labelWidth, y, width: scale(bar.before || 0), height: 9, class: "before" }));
      chart.append(svg("rect", { x: labelWidth, y: y + 10, width: scale(bar.members), height: 9, class: "after" }));
      const delta = bar.members - (bar.before || 0);
      chart.append(svg("text", { x: labelWidth + scale(Math.max(bar.members, bar.before || 0)) + 4, y: y + 15, class: "value" },
        `${fmt(bar.before || 0)} → ${fmt(bar.members)}${delta ? ` (${signed(delta)})` : ""}`));
    } else {
      chart.append(svg("rect", { x: labelWidth, y, width: scale(bar.members), height: 16, class: "after" }));
      chart.append(svg("text", { x: labelWidth + scale(bar.members) + 4, y: y + 13, class: "value" }, fmt(bar.members)));
    }
  });
  return el("figure", {}, el("figcaption", {}, title), chart);
}

// ---------------------------------------------------------------- member tables

function table(columns, rows, query, onSort, onOpen) {
  const head = el("tr", {}, columns.map((column) => {
    const sorted = query.sort === column.sort;
    return el("th", { scope: "col", "aria-sort": sorted ? (query.descending ? "descending" : "ascending") : "none" },
      column.sort
        ? el("button", { type: "button", class: "sort", onclick: () => onSort(column.sort) },
          column.title, sorted ? (query.descending ? " ▼" : " ▲") : "")
        : column.title);
  }));
  const body = rows.map((row) => el("tr", {
    tabindex: "0", class: "member-row", "data-user": row.user, "data-scope": row.scope ?? "",
    onclick: () => onOpen(row), onkeydown: (event) => { if (event.key === "Enter") onOpen(row); },
  }, columns.map((column) => el("td", { class: column.class || "" }, column.value(row)))));
  return el("table", { class: "members" }, el("thead", {}, head), el("tbody", {}, body));
}

function pager(total, query, reload) {
  const pages = Math.max(1, Math.ceil(total / query.size));
  return el("div", { class: "pager" },
    el("button", { type: "button", disabled: query.page <= 0 ? "" : undefined, onclick: () => { query.page--; reload(); } }, "‹ Previous"),
    ` page ${query.page + 1} of ${pages} · ${fmt(total)} members `,
    el("button", { type: "button", disabled: query.page + 1 >= pages ? "" : undefined, onclick: () => { query.page++; reload(); } }, "Next ›"));
}

function sorter(query, reload, defaultDescending) {
  return (sort) => {
    query.descending = query.sort === sort ? !query.descending : defaultDescending;
    query.sort = sort;
    query.page = 0;
    reload();
  };
}

// ---------------------------------------------------------------- simulate

async function loadSimulate() {
  if (!state.valid) return;
  let result;
  try {
    result = await newest("simulate", () => api("/api/simulate", { rules: currentRules(), query: state.simulateQuery }));
  } catch (error) {
    $("simulate-counts").textContent = error.message;
    return;
  }
  if (!result) return;
  window.laurel.lastSimulate = result;
  const c = result.counts;
  $("simulate-counts").textContent =
    `${result.history.name}: ${fmt(c.read)} actions read · ${fmt(c.applied)} applied · ${fmt(c.duplicates)} duplicates · ` +
    `${fmt(c.ignored)} ignored · ${fmt(c.rejected)} rejected · replayed in ${fmt(result.milliseconds)} ms`;
  const charts = $("simulate-charts");
  charts.replaceChildren(
    ...result.tiers.map((chart) => barChart(`Tiers: ${chart.title}`, chart.bars)),
    ...result.balances.map((chart) => barChart(`Balances: ${chart.title}`, chart.bars)),
    ...result.badges.filter((chart) => chart.bars.length).map((chart) => barChart("Badges earned", chart.bars)));
  const columns = [{ title: "Member", sort: "member", value: memberName }];
  for (const currency of result.currencies) columns.push({ title: currency, sort: currency, class: "number", value: (r) => fmt(r.balances[currency]) });
  for (const ladder of result.ladders) columns.push({ title: ladder, sort: ladder, value: (r) => r.tiers[ladder] ?? "–" });
  columns.push({ title: "Badges", sort: "badges", class: "number", value: (r) => r.badges.length });
  const reload = () => loadSimulate();
  $("simulate-table").replaceChildren(
    table(columns, result.members, state.simulateQuery, sorter(state.simulateQuery, reload, true), inspect),
    pager(result.total, state.simulateQuery, reload));
  renderHistory(result);
}

// ---------------------------------------------------------------- compare

async function loadDiff(editAt) {
  if (!state.valid) return;
  let result;
  try {
    result = await newest("diff", () => api("/api/diff", { rules: currentRules(), against: state.against, query: state.compareQuery }));
  } catch (error) {
    $("compare-title").textContent = error.message;
    $("compare-summary").replaceChildren();
    return;
  }
  if (!result) return;
  renderDiff(result);
  if (editAt) {
    const latency = Math.round(performance.now() - editAt);
    window.laurel.diffLatencyMs = latency;
    $("compare-title").textContent += ` · shown ${fmt(latency)} ms after the edit`;
  }
  window.laurel.lastDiff = result;
  document.body.dataset.diffVersion = String((Number(document.body.dataset.diffVersion) || 0) + 1);
}

function renderDiff(result) {
  const s = result.summary;
  $("compare-title").textContent =
    `Editor vs ${result.against === "disk" ? "the file on disk" : result.against} on ${result.history.name} ` +
    `(${fmt(result.counts.read)} actions) · computed in ${fmt(result.milliseconds)} ms`;
  const card = (label, value, id) => el("div", { class: "card", id }, el("strong", {}, fmt(value)), el("span", {}, label));
  $("compare-summary").replaceChildren(
    card("members changed", s.members_changed, "members-changed"),
    card(`of ${fmt(s.members_compared)} compared`, s.members_compared),
    card("balance changed", s.balance_changed), card("tier changed", s.tier_changed),
    card("badges changed", s.badges_changed));
  $("compare-charts").replaceChildren(
    ...result.tiers.map((chart) => barChart(`Tiers: ${chart.title} (before → after)`, chart.bars, true)),
    ...result.balances.map((chart) => barChart(`Balances: ${chart.title} (before → after)`, chart.bars, true)));
  const badges = $("compare-badges");
  badges.replaceChildren();
  if (result.badges.length) {
    badges.append(el("h3", {}, "Badges"), el("table", { class: "small" },
      el("thead", {}, el("tr", {}, el("th", {}, "Badge"), el("th", {}, "Newly earned"), el("th", {}, "No longer earned"))),
      el("tbody", {}, result.badges.map((b) => el("tr", {}, el("td", {}, b.badge), el("td", { class: "number" }, fmt(b.newly_earned)),
        el("td", { class: "number" }, fmt(b.no_longer_earned)))))));
  }
  const movers = (title, list) => el("div", {}, el("h3", {}, title),
    list.length ? el("ol", {}, list.map((m) => el("li", {}, el("button", { type: "button", class: "link", onclick: () => inspect(m) }, memberName(m)),
      ` ${signed(m.delta)} ${result.currency || ""}`))) : el("p", { class: "hint" }, "none"));
  $("compare-movers").replaceChildren(movers("Biggest gainers", result.gainers), movers("Biggest losers", result.losers));
  const currency = result.currency || "";
  const balance = (row) => (row ? fmt(row.balances[currency]) : "–");
  const tiers = (row) => (row ? Object.values(row.tiers).join(", ") : "–");
  const columns = [
    { title: "Member", sort: "member", value: memberName },
    { title: `${currency} before`, class: "number", value: (r) => balance(r.before) },
    { title: `${currency} after`, class: "number", value: (r) => balance(r.after) },
    { title: "Change", sort: "delta", class: "number", value: (r) => signed(r.delta) },
    { title: "Tier", value: (r) => (tiers(r.before) === tiers(r.after) ? tiers(r.after) : `${tiers(r.before)} → ${tiers(r.after)}`) },
    { title: "Why (by rule)", value: (r) => r.by_rule.map((x) => `${x.rule} ${signed(x.delta)}`).join(", ") },
    { title: "Badges", value: (r) => [...r.badges_gained.map((b) => `+${b}`), ...r.badges_lost.map((b) => `−${b}`)].join(", ") },
  ];
  const reload = () => loadDiff(null);
  $("compare-table").replaceChildren(
    result.members.length
      ? table(columns, result.members, state.compareQuery, sorter(state.compareQuery, reload, true), inspect)
      : el("p", { class: "hint" }, "No member changes."),
    pager(result.total, state.compareQuery, reload));
}

// ---------------------------------------------------------------- member inspector

async function inspect(member) {
  const body = $("inspector-body");
  body.replaceChildren(el("p", {}, `Replaying ${memberName(member)}…`));
  if (!$("inspector").open) $("inspector").showModal();
  let result;
  try {
    result = await api("/api/inspect", { rules: currentRules(), against: state.against, scope: member.scope ?? null, user: member.user });
  } catch (error) {
    body.replaceChildren(el("p", { class: "error" }, error.message));
    return;
  }
  const side = (title, timeline) => el("section", { class: "timeline" },
    el("h3", {}, title),
    el("p", {}, timeline.member
      ? Object.entries(timeline.member.balances).map(([c, v]) => `${fmt(v)} ${c}`).join(", ") + " · " +
        Object.entries(timeline.member.tiers).map(([l, t]) => `${l}: ${t}`).join(", ")
      : "not a member under these rules"),
    timeline.steps.length ? el("ul", { class: "steps" }, timeline.steps.map((s) => el("li", {}, `${s.at.slice(0, 10)} ${s.ladder}: ${s.from} → ${s.to} (${s.name})`))) : null,
    timeline.badges.length ? el("ul", { class: "steps" }, timeline.badges.map((b) => el("li", {}, `${b.at.slice(0, 10)} badge ${b.badge}${b.key ? ` (${b.key})` : ""}`))) : null,
    el("table", { class: "small ledger" },
      el("thead", {}, el("tr", {}, ["When", "Action", "Rule", "Amount", "Balance"].map((h) => el("th", {}, h)))),
      el("tbody", {}, timeline.entries.map((e) => el("tr", {}, el("td", {}, e.at.replace("T", " ").replace("Z", "")), el("td", {}, e.action),
        el("td", {}, e.rule), el("td", { class: "number" }, `${signed(e.amount)} ${e.currency}`), el("td", { class: "number" }, fmt(e.balance)))))),
    timeline.omitted ? el("p", { class: "hint" }, `${fmt(timeline.omitted)} more entries not listed`) : null);
  body.replaceChildren(el("h2", {}, memberName(result)),
    el("div", { class: "two" },
      side(`Before (${result.against === "disk" ? "file on disk" : result.against})`, result.before),
      side("After (editor)", result.after)));
}

// ---------------------------------------------------------------- histories

function renderHistories() {
  const select = $("history");
  select.replaceChildren(...state.histories.map((h) => el("option", { value: h.id }, `${h.name} (${fmt(h.lines)} lines)`)));
  select.value = state.history;
}

function renderHistory(result) {
  const h = result.history;
  const c = result.counts;
  const kinds = { sample: "sample", upload: "uploaded", store: "store's action log" };
  $("history-info").replaceChildren(
    el("h3", {}, "Histories"),
    el("ul", { class: "histories" }, state.histories.map((x) => el("li", {},
      el("button", { type: "button", "aria-current": String(x.id === state.history), onclick: () => selectHistory(x.id) }, x.name),
      ` ${kinds[x.kind] || x.kind}${x.lines ? ` · ${fmt(x.lines)} lines` : ""}`))),
    el("h3", {}, `Replaying ${h.name}`),
    el("p", {}, `${h.kind} · ${fmt(h.bytes)} bytes · ${fmt(h.lines)} lines`),
    el("p", { id: "history-counts" }, `${fmt(c.read)} read · ${fmt(c.applied)} applied · ${fmt(c.duplicates)} duplicates · ${fmt(c.ignored)} ignored · ${fmt(c.rejected)} rejected`));
  const rejections = $("rejections");
  rejections.replaceChildren();
  if (result.rejections.length) {
    rejections.append(el("h3", {}, `Rejected lines (first ${result.rejections.length} of ${fmt(c.rejected)})`),
      el("ul", { class: "rejections" }, result.rejections.map((r) => el("li", {}, el("span", { class: "where" }, `line ${r.line}`), ` ${r.reason}`))));
  }
}

async function selectHistory(id) {
  try {
    const info = await api("/api/history/select", { id });
    state.histories = state.histories.map((h) => (h.id === info.id ? info : h));
  } catch (error) {
    setStatus(error.message, "error");
    return;
  }
  state.history = id;
  state.simulateQuery.page = 0;
  state.compareQuery.page = 0;
  renderHistories();
  await refresh();
}

function upload(file) {
  if (!file) return;
  if (file.size > state.maxUpload) {
    $("upload-status").textContent = `${file.name} is ${fmt(file.size)} bytes; the limit is ${fmt(state.maxUpload)}`;
    return;
  }
  const progress = $("upload-progress");
  progress.hidden = false;
  progress.value = 0;
  $("upload-status").textContent = `Uploading ${file.name}…`;
  const request = new XMLHttpRequest();
  request.open("POST", `/api/history/upload?name=${encodeURIComponent(file.name)}`);
  request.setRequestHeader("X-Laurel-Token", token);
  request.upload.onprogress = (event) => { if (event.lengthComputable) progress.value = (100 * event.loaded) / event.total; };
  request.onload = async () => {
    progress.hidden = true;
    const body = JSON.parse(request.responseText || "null");
    if (request.status !== 200) {
      $("upload-status").textContent = body && body.error ? body.error.message : `upload failed (${request.status})`;
      return;
    }
    $("upload-status").textContent = `Uploaded ${body.name}: ${fmt(body.lines)} lines`;
    state.histories = state.histories.filter((h) => h.id !== body.id).concat([body]);
    state.history = body.id;
    renderHistories();
    await refresh();
  };
  request.onerror = () => { progress.hidden = true; $("upload-status").textContent = "upload failed"; };
  request.send(file);
}

const drop = $("drop");
drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  upload(event.dataTransfer.files[0]);
});
drop.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") $("upload").click(); });
$("upload").addEventListener("change", (event) => upload(event.target.files[0]));

// ---------------------------------------------------------------- save and download

function askToSave() {
  if (!state.valid) {
    setStatus("fix the problems before saving", "error");
    return;
  }
  const text = state.texts[state.file];
  $("confirm-text").textContent = `Write ${state.file} (${fmt(new TextEncoder().encode(text).length)} bytes) back to the rules folder? The file on disk is replaced.`;
  $("confirm-save").showModal();
}

$("confirm-save").addEventListener("close", async () => {
  if ($("confirm-save").returnValue !== "ok") return;
  const rules = currentRules();
  try {
    const result = await api("/api/save", { rules });
    state.saved[rules.file] = rules.text;
    updateTitle();
    setStatus(`saved ${result.file} (${fmt(result.bytes)} bytes)`, "ok");
    document.body.dataset.saved = result.file;
    await refresh();
  } catch (error) {
    if (error.problems) showProblems(error.problems);
    setStatus(`not saved: ${error.message}`, "error");
  }
});
$("save").addEventListener("click", askToSave);

$("download").addEventListener("click", () => {
  const blob = new Blob([state.texts[state.file] ?? ""], { type: "application/yaml" });
  const link = el("a", { href: URL.createObjectURL(blob), download: state.file });
  document.body.append(link);
  link.click();
  link.remove();
});

// ---------------------------------------------------------------- tabs and start

for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll("[role=tab]")) other.setAttribute("aria-selected", String(other === tab));
    for (const panel of document.querySelectorAll(".tab")) panel.hidden = panel.id !== `tab-${tab.dataset.tab}`;
    state.tab = tab.dataset.tab;
  });
}

let searchTimer = null;
for (const [id, query, reload] of [["simulate-search", state.simulateQuery, () => loadSimulate()], ["compare-search", state.compareQuery, () => loadDiff(null)]]) {
  $(id).addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { query.search = event.target.value; query.page = 0; reload(); }, 200);
  });
}

function openFile(file) {
  state.file = file;
  suppressChange = true;
  editor.setValue(state.texts[file] ?? "");
  editor.clearHistory();
  suppressChange = false;
  $("file").value = file;
  updateTitle();
  refresh();
}

$("file").addEventListener("change", (event) => openFile(event.target.value));
$("history").addEventListener("change", (event) => selectHistory(event.target.value));
$("against").addEventListener("change", (event) => { state.against = event.target.value; state.compareQuery.page = 0; refresh(); });

async function start() {
  let initial;
  try {
    [initial, state.schema] = await Promise.all([api("/api/state"), api("/api/schema")]);
  } catch (error) {
    setStatus(error.status === 401 ? "open the URL laurel playground printed (it carries the token)" : error.message, "error");
    return;
  }
  state.files = initial.files;
  for (const f of initial.files) { state.texts[f.file] = f.text; state.saved[f.file] = f.text; }
  state.histories = initial.histories;
  state.history = initial.history;
  state.maxUpload = initial.max_upload_bytes;
  $("file").replaceChildren(...initial.files.map((f) => el("option", { value: f.file }, f.scheme ? `${f.file} (${f.scheme})` : f.file)));
  if (initial.git) $("against").append(el("option", { value: "git:HEAD" }, "git HEAD"));
  renderHistories();
  openFile(initial.file);
}

start();
