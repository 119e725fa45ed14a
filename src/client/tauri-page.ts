/**
 * The Tauri bridge as a page module (`/__ferry/tauri.js`): importing it installs the
 * globals Tauri's JS packages call into, on the page's shared ferry connection.
 *
 * The window label comes from the page URL (`#…&ferry-label=<label>`, which the ws
 * transport puts next to the token) and is kept in sessionStorage for reloads. It only
 * answers `getCurrentWindow().label`; the backend knows the label from the token alone.
 */

import { ferry } from "./shared.ts";
import { installTauriBridge } from "./tauri.ts";

export { installTauriBridge, tauriError } from "./tauri.ts";
export type { TauriBridgeOptions, TauriEventInternals, TauriInternals } from "./tauri.ts";

const LABEL_KEY = "ferry-label";
const LABEL_PARAM = /(?:^#|&)ferry-label=([^&]*)/;

/** This window's label from the URL fragment (removed from the URL) or sessionStorage; else "main". */
function pageLabel(): string {
  const m = LABEL_PARAM.exec(location.hash);
  if (m) {
    const label = decodeURIComponent(m[1]!);
    sessionStorage.setItem(LABEL_KEY, label);
    const rest = location.hash.replace(LABEL_PARAM, "").replace(/^#?&?/, "");
    history.replaceState(history.state, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    return label;
  }
  return sessionStorage.getItem(LABEL_KEY) ?? "main";
}

/** The window token, from the URL fragment (before the client has read it) or where the client keeps it. */
const pageToken = (): string | undefined =>
  /(?:^#|&)ferry-token=([0-9a-f]+)/.exec(location.hash)?.[1] ?? sessionStorage.getItem("ferry-token") ?? undefined;

installTauriBridge({ client: ferry.client, label: pageLabel(), token: pageToken });
