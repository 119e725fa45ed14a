/**
 * The tutorial page: greet, read_file with typed errors, and a job whose progress
 * arrives as events. Listeners are removed as soon as the job is over.
 *
 * The client is typed by the backend's `App` type alone (`import type`: no backend code
 * reaches the page): command names, args, results, error kinds and event payloads are
 * checked by the compiler. Plugin commands use the untyped `invoke<T>`.
 */

import { client, FerryError, invoke, type UnlistenFn } from "ferry/client";
import type { App } from "../commands.ts";

const api = client<App>();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function describeError(err: unknown): string {
  if (err instanceof FerryError) return `${err.kind}: ${err.message}`;
  return String(err);
}

$("greet-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = $<HTMLInputElement>("greet-name").value;
  try {
    $("greeting").textContent = await api.invoke("greet", { name });
  } catch (err) {
    $("greeting").textContent = describeError(err);
  }
});

$("read-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = $("read-error");
  const content = $("read-content");
  error.hidden = true;
  content.textContent = "";
  // Catch narrowly: `e` is the union of the kinds read_file declares and ferry's own.
  content.textContent = await api.invoke("read_file", { path: $<HTMLInputElement>("read-path").value }).catch((e) => {
    error.dataset.kind = e.kind;
    error.textContent = e.kind === "not_found" ? `not_found: no file at ${e.data.path}` : describeError(e);
    error.hidden = false;
    return "";
  });
});

let stopListening: UnlistenFn[] = [];
function cleanup() {
  for (const unlisten of stopListening) unlisten();
  stopListening = [];
}

$("job-start").addEventListener("click", async () => {
  const button = $<HTMLButtonElement>("job-start");
  const bar = $<HTMLProgressElement>("job-progress");
  const status = $("job-status");
  button.disabled = true;
  bar.value = 0;
  $("job-percent").textContent = "0 %";
  status.textContent = "running…";
  cleanup();
  try {
    stopListening = await Promise.all([
      api.listen("job-progress", (e) => {
        bar.value = e.payload;
        $("job-percent").textContent = `${e.payload} %`;
      }),
      api.listen("job-done", () => {
        status.textContent = "done";
      }),
    ]);
    await api.invoke("start_job");
  } catch (err) {
    status.textContent = describeError(err);
  } finally {
    cleanup();
    button.disabled = false;
  }
});

// Capabilities: the dialog adds the picked file to this window's fs scope, so the fs
// plugin may then read it (and nothing else).
$("open-file").addEventListener("click", async () => {
  const error = $("open-error");
  const content = $("open-content");
  error.hidden = true;
  content.textContent = "";
  try {
    const path = await invoke<string | null>("plugin:dialog|open", { options: { filters: [{ name: "Text", extensions: ["txt", "md"] }] } });
    if (path === null) return;
    content.textContent = await invoke<string>("plugin:fs|read_text_file", { path });
  } catch (err) {
    error.dataset.kind = err instanceof FerryError ? err.kind : "unknown";
    error.textContent = describeError(err);
    error.hidden = false;
  }
});

// Show that the connection works (or why it does not) as soon as the page loads.
api.invoke("greet", { name: "ferry" }).then(
  () => ($("connection").textContent = "connected"),
  (err) => ($("connection").textContent = `not connected: ${describeError(err)}`),
);
window.addEventListener("pagehide", cleanup);
