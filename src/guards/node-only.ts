/**
 * What a browser bundle gets in place of a Node-only entry point (`ferry`, `ferry/acl`,
 * `ferry/transports/*`, `ferry/plugins/*`, `ferry/client/node`): the package's `browser`
 * export condition points here, so the mistake is named where it happens instead of failing
 * deep inside a Node built-in.
 */

throw new Error(
  'ferry: this entry point runs in the Node.js backend, not in a page. In a page import "ferry/client" ' +
    '(invoke, listen, Channel) or "ferry/client/tauri" (the Tauri bridge); keep "ferry", "ferry/acl", ' +
    '"ferry/transports/*", "ferry/plugins/*" and "ferry/client/node" in the backend.',
);
export {};
