/**
 * `ferry/shell`: what the backend does on the desktop around its windows. Today: opening a
 * page in the system browser through a launch file (`server.launchFile(label)` from
 * `ferry/transports/ws`), so no secret is in any process's arguments.
 *
 * @example
 * const file = server.launchFile("main");
 * if (!(await openInBrowser(file.url))) console.log(`open ${file.path} in a browser`);
 */

export { openInBrowser } from "./open.ts";
