import { Channel, FerryError, type UnlistenFn } from "ferry/client";
import { api, type Note, type Progress } from "./api.ts";
import "./style.css";

const root = document.querySelector<HTMLDivElement>("#app")!;
root.innerHTML = `
  <h1></h1>
  <form><input name="text" placeholder="A new note" autocomplete="off" /><button>Add</button></form>
  <p class="error" hidden></p>
  <ul></ul>
  <p><button id="export">Export notes</button> <span id="status"></span></p>
  <progress value="0" max="1" hidden></progress>
`;
root.querySelector("h1")!.textContent = document.title;
const form = root.querySelector("form")!;
const input = form.querySelector("input")!;
const error = root.querySelector<HTMLParagraphElement>(".error")!;
const list = root.querySelector("ul")!;
const exportButton = root.querySelector<HTMLButtonElement>("#export")!;
const status = root.querySelector<HTMLSpanElement>("#status")!;
const bar = root.querySelector("progress")!;

function showError(e: unknown) {
  error.hidden = false;
  error.textContent = e instanceof FerryError ? e.message : String(e);
}

function render(notes: Note[]) {
  list.replaceChildren(
    ...notes.map((note) => {
      const item = document.createElement("li");
      item.textContent = note.text;
      const remove = document.createElement("button");
      remove.textContent = "Delete";
      remove.onclick = () => api.invoke("delete_note", { id: note.id }).catch(showError);
      item.append(remove);
      return item;
    }),
  );
}

const refresh = () => api.invoke("list_notes").then(render, showError);

form.onsubmit = async (event) => {
  event.preventDefault();
  error.hidden = true;
  try {
    await api.invoke("add_note", { text: input.value });
    input.value = "";
  } catch (e) {
    showError(e);
  }
};

exportButton.onclick = async () => {
  exportButton.disabled = true;
  bar.hidden = false;
  try {
    const progress = new Channel<Progress>(({ done, total }) => {
      bar.max = total;
      bar.value = done;
    });
    const { path, count } = await api.invoke("export_notes", { progress });
    status.textContent = `${count} note(s) written to ${path}`;
  } catch (e) {
    showError(e);
  } finally {
    exportButton.disabled = false;
    bar.hidden = true;
  }
};

// Every window hears notes-changed (this one and any other): list the notes again.
// Listeners outlive the page's code unless removed: unlisten when the page goes away.
let unlisten: UnlistenFn | undefined;
api.listen("notes-changed", () => void refresh()).then((fn) => (unlisten = fn), showError);
addEventListener("pagehide", () => unlisten?.());

void refresh();
