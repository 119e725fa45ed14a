import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Channel, FerryError } from "ferry/client";
import { api, type Note, type Progress } from "./api.ts";

const message = (e: unknown) => (e instanceof FerryError ? e.message : String(e));

export function App() {
  const [notes, setNotes] = useState<Note[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [progress, setProgress] = useState<Progress>();
  const [status, setStatus] = useState("");

  const refresh = useCallback(() => {
    api.invoke("list_notes").then(setNotes, (e: unknown) => setError(message(e)));
  }, []);

  // Listen while the component is mounted. `listen` resolves later than the effect runs, so
  // the cleanup also covers an unmount that comes first (StrictMode mounts twice in dev).
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let unmounted = false;
    api.listen("notes-changed", refresh).then(
      (fn) => (unmounted ? fn() : (unlisten = fn)),
      (e: unknown) => setError(message(e)),
    );
    refresh();
    return () => {
      unmounted = true;
      unlisten?.();
    };
  }, [refresh]);

  async function add(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      await api.invoke("add_note", { text });
      setText("");
    } catch (e) {
      setError(message(e));
    }
  }

  async function exportNotes() {
    setProgress({ done: 0, total: 1 });
    try {
      const { path, count } = await api.invoke("export_notes", { progress: new Channel<Progress>(setProgress) });
      setStatus(`${count} note(s) written to ${path}`);
    } catch (e) {
      setError(message(e));
    } finally {
      setProgress(undefined);
    }
  }

  return (
    <>
      <h1>{document.title}</h1>
      <form onSubmit={add}>
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder="A new note" autoComplete="off" />
        <button>Add</button>
      </form>
      {error && <p className="error">{error}</p>}
      <ul>
        {notes.map((note) => (
          <li key={note.id}>
            {note.text}
            <button onClick={() => api.invoke("delete_note", { id: note.id }).catch((e: unknown) => setError(message(e)))}>Delete</button>
          </li>
        ))}
      </ul>
      <p>
        <button onClick={exportNotes} disabled={progress !== undefined}>
          Export notes
        </button>{" "}
        {status}
      </p>
      {progress && <progress value={progress.done} max={progress.total} />}
    </>
  );
}
