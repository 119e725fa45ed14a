/**
 * `/__ferry/client.js`: the client entry (`./index.ts`) as the page's shared module, so a
 * page that also loads `/__ferry/tauri.js` holds one client, not two (see `./shared.ts`).
 */

import { ferry } from "./shared.ts";

export const { Channel, Client, createClient, FerryError, FRAMEWORK_ERROR_KINDS, connect, client, invoke, listen, once, emit, emitTo } =
  ferry;
