import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebviewWindow } from "@tauri-apps/api/webviewWindow";
import { ask, confirm } from "@tauri-apps/plugin-dialog";

const list = document.querySelector("#notes");
const status = document.querySelector("#status");

async function render() {
  const notes = await invoke("list_notes");
  list.replaceChildren(
    ...notes.map((note) => {
      const item = document.createElement("li");
      const text = document.createElement("span");
      text.textContent = note.text;
      const remove = document.createElement("button");
      remove.textContent = "Delete";
      remove.addEventListener("click", async () => {
        if (await ask(`Delete "${note.text}"?`, { title: "Notes", kind: "warning" })) {
          await invoke("delete_note", { noteId: note.id });
          status.textContent = `deleted "${note.text}"`;
        } else status.textContent = `kept "${note.text}"`;
      });
      item.append(text, " ", remove);
      return item;
    }),
  );
}

document.querySelector("#add-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = document.querySelector("#note-input");
  try {
    await invoke("add_note", { noteText: input.value });
    input.value = "";
    status.textContent = "added";
  } catch (error) {
    status.textContent = `could not add: ${typeof error === "string" ? error : JSON.stringify(error)}`;
  }
});

document.querySelector("#clear").addEventListener("click", async () => {
  const sure = await confirm("Remove every note?", { title: "Notes", okLabel: "Remove all", cancelLabel: "Keep them" });
  if (sure) await invoke("clear_notes");
  status.textContent = sure ? "cleared" : "nothing removed";
});

document.querySelector("#window-label").textContent = getCurrentWebviewWindow().label;
await listen("notes-changed", render);
await render();
document.body.dataset.ready = "yes";
