/**
 * Backend code that must not compile, annotated as fail/page.ts is: the event map of
 * ../backend.ts checks `emit` and `listen` in the backend too.
 */

import type { CommandContext } from "ferry";
import { app, type Events } from "../backend.ts";

// error: '"job-progres"' is not assignable to parameter of type
app.emit("job-progres", 1);
// error: Argument of type 'string' is not assignable to parameter of type 'number'
app.emit("job-progress", "50%");
// error: Property 'toUpperCase' does not exist on type 'number'
app.listen("job-progress", (e) => e.payload.toUpperCase());

export function handler(_args: unknown, { app: handle }: CommandContext<undefined, Events>): void {
  // error: '"job-don"' is not assignable to parameter of type
  handle.emitTo("main", "job-don", null);
}
