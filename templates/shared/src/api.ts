// The page's typed client: command names, arguments, results, errors and events all come
// from the backend's `App` type (`import type` is erased: no backend code reaches the page).
import { client } from "ferry/client";
import type { App } from "../backend/main.ts";

export const api = client<App>();
export type { Note, Progress } from "../backend/main.ts";
