/**
 * The dev-mode IPC inspector's page script (`/__ferry/inspector.js`, docs/inspector.md). It
 * speaks ferry's wire protocol itself, with the inspector's token from the URL fragment: one
 * `watch` call, then one event per call or event of every window. It keeps at most MAX_ROWS
 * rows (the oldest go, counted) and shows how many the backend dropped while this page was
 * behind (`lagged`). No framework, no dependency; not part of the client.
 */

import { INSPECTOR_EVENT, type InspectorRow as Row } from "../protocol/inspector.ts";

/** Rows the page keeps; older ones are removed from the table and counted. */
const MAX_ROWS = 2000;
const WATCH_ID = 1;
const HANDLER = 1;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = $("status");
const windowFilter = $<HTMLSelectElement>("window");
const nameFilter = $<HTMLInputElement>("name");
const errorsOnly = $<HTMLInputElement>("errors");
const tbody = $<HTMLTableSectionElement>("rows");
const counts = $("counts");
const detail = $("detail");

/** Every kept row with its table row, oldest first. */
const rows: { row: Row; tr: HTMLTableRowElement }[] = [];
let removed = 0;
let lost = 0;
let selected: HTMLTableRowElement | undefined;
const windows = new Set<string>();

function el(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function setStatus(text: string, state: "ok" | "wait" | "error"): void {
  status.textContent = text;
  status.dataset.state = state;
}

const time = (at: number): string => {
  const d = new Date(at);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

const bytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;

function visible(row: Row): boolean {
  if (windowFilter.value && row.window !== windowFilter.value) return false;
  if (errorsOnly.checked && row.outcome === "ok") return false;
  const q = nameFilter.value.trim().toLowerCase();
  return !q || row.name.toLowerCase().includes(q);
}

function showCounts(): void {
  const shown = rows.filter((r) => !r.tr.hidden).length;
  const parts = [`${shown} of ${rows.length} rows`];
  if (removed > 0) parts.push(`${removed} older removed`);
  if (lost > 0) parts.push(`${lost} dropped while this page was behind`);
  counts.textContent = parts.join(" · ");
  counts.dataset.lost = String(lost);
}

function addWindow(label: string): void {
  if (windows.has(label)) return;
  windows.add(label);
  const option = document.createElement("option");
  option.value = option.textContent = label;
  windowFilter.append(option);
}

function add(row: Row): void {
  addWindow(row.window);
  const tr = document.createElement("tr");
  tr.className = row.outcome === "ok" ? "" : "failed";
  const ms = el("td", "ms");
  if (row.ms !== undefined) {
    // A bar on a log scale: 1 ms a sliver, 10 s the full cell.
    const bar = el("span", "bar");
    bar.style.width = `${Math.min(100, Math.log10(1 + row.ms) * 25)}%`;
    ms.append(bar, el("span", "", row.ms.toFixed(row.ms < 10 ? 2 : 0)));
  }
  tr.append(
    el("td", "time", time(row.at)),
    el("td", "window", row.window),
    el("td", "type", row.type),
    el("td", "name", row.name),
    ms,
    el("td", "bytes", bytes(row.bytes)),
    el("td", "outcome", row.outcome),
  );
  tr.hidden = !visible(row);
  tr.addEventListener("click", () => select(tr, row));
  tbody.append(tr);
  rows.push({ row, tr });
  while (rows.length > MAX_ROWS) {
    rows.shift()!.tr.remove();
    removed++;
  }
}

/** A preview as the backend cut it; pretty-printed when it is whole JSON. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function select(tr: HTMLTableRowElement, row: Row): void {
  selected?.classList.remove("selected");
  selected = tr;
  tr.classList.add("selected");
  detail.replaceChildren();
  const facts = el("dl", "facts");
  const fact = (k: string, v: string) => facts.append(el("dt", "", k), el("dd", "", v));
  fact("time", time(row.at));
  fact("window", row.window);
  fact(row.type === "call" ? "command" : "event", row.name);
  if (row.ms !== undefined) fact("duration", `${row.ms} ms`);
  fact("bytes sent", bytes(row.bytes));
  fact("outcome", row.outcome);
  detail.append(facts);
  for (const key of ["args", "result", "error", "payload"] as const) {
    const value = row[key];
    if (value === undefined) continue;
    detail.append(el("h3", "", key), el("pre", `preview ${key}`, pretty(value)));
  }
}

function refilter(): void {
  for (const { row, tr } of rows) tr.hidden = !visible(row);
  showCounts();
}

/** One message of the wire protocol (a text frame holds one, or an array of them). */
function receive(m: { t?: string; id?: number; n?: unknown; p?: unknown; v?: unknown; e?: { message?: string } }): void {
  if (m.t === "e" && m.n === INSPECTOR_EVENT) add(m.p as Row);
  else if (m.t === "l") lost += ((m.n as number[] | undefined) ?? []).reduce((a, b) => a + b, 0);
  else if (m.t === "r" && m.id === WATCH_ID) {
    for (const w of (m.v as { windows?: string[] }).windows ?? []) addWindow(w);
    setStatus("watching", "ok");
  } else if (m.t === "f" && m.id === WATCH_ID) setStatus(`refused: ${m.e?.message ?? "?"}`, "error");
}

let scheduled = false;
/** Counts are redrawn once per frame, however many rows arrive in it. */
function later(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    showCounts();
  });
}

function connect(token: string, delay = 500): void {
  setStatus("connecting…", "wait");
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/__ferry/ws`, [
    "ferry.v1",
    `ferry.token.${token}`,
  ]);
  ws.onopen = () => {
    delay = 500;
    ws.send(JSON.stringify({ t: "i", id: WATCH_ID, cmd: "watch", a: { handler: HANDLER } }));
  };
  ws.onmessage = (e) => {
    if (typeof e.data !== "string") return;
    const data = JSON.parse(e.data) as Parameters<typeof receive>[0] | Parameters<typeof receive>[0][];
    for (const m of Array.isArray(data) ? data : [data]) receive(m);
    later();
  };
  ws.onclose = (e) => {
    if (e.code === 4401 || e.code === 4403) {
      setStatus("token refused: open the inspector URL the backend printed", "error");
      return;
    }
    // The backend restarts under `ferry dev`; the dev token file keeps this token valid.
    setStatus("disconnected: reconnecting…", "wait");
    setTimeout(() => connect(token, Math.min(delay * 2, 5000)), delay);
  };
}

windowFilter.addEventListener("change", refilter);
nameFilter.addEventListener("input", refilter);
errorsOnly.addEventListener("change", refilter);
$("clear").addEventListener("click", () => {
  for (const { tr } of rows) tr.remove();
  rows.length = 0;
  removed = lost = 0;
  detail.replaceChildren(el("p", "hint", "Click a row to see its values."));
  showCounts();
});

const token = new URLSearchParams(location.hash.slice(1)).get("ferry-token");
if (token) connect(token);
else setStatus("no token: open the inspector URL the backend printed (it ends in #ferry-token=…)", "error");
showCounts();
