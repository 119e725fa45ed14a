/**
 * End to end: Tauri's asset protocol. `convertFileSrc` from the published `@tauri-apps/api`
 * gives a URL an `<img>` and an `<audio>` element load in Chromium, served within
 * `app.security.assetProtocol.scope`, with `Range` requests (206, `Content-Range`) for
 * seeking; paths outside the scope, `..`, a link out of the scope, requests without a live
 * window's key and a disabled protocol are refused. The URLs carry a key derived from the
 * window's token, never the token: it dies with the token and reads with its own window's scope.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { allowAll, createApp } from "ferry";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";
import { statusWithHost } from "../support/http.ts";
import { openTauriPage, writeTauriPage } from "../support/tauri-page.ts";
import { playFrom, wav } from "../support/media.ts";

const PAGE_SOURCE = `
import { convertFileSrc } from "@tauri-apps/api/core";
window.convertFileSrc = convertFileSrc;
document.body.dataset.ready = "yes";
`;

/** The window key protocol URLs carry: SHA-256("ferry-asset\0" + token), first 128 bits, hex. */
const keyOf = (token: string) => createHash("sha256").update(`ferry-asset\0${token}`).digest("hex").slice(0, 32);

/** A 1×1 red PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");

describe("the asset protocol, in Chromium", () => {
  let server: FerryServer;
  let off: FerryServer;
  let root: string;
  let media: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const refusals: string[] = [];
  const sound = wav(4);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "ferry-asset-"));
    const site = join(root, "site");
    media = join(root, "media");
    await mkdir(site);
    await mkdir(join(media, "private"), { recursive: true });
    await writeFile(join(media, "dot.png"), PNG);
    await writeFile(join(media, "tone.wav"), sound);
    await writeFile(join(media, "private", "key.txt"), "secret");
    await writeFile(join(root, "outside.txt"), "outside");
    await symlink(join(root, "outside.txt"), join(media, "link-out.txt"));
    await writeTauriPage(site, PAGE_SOURCE);
    const app = createApp({ authorize: allowAll, log: () => {} });
    server = await serveWs(app, {
      root: site,
      log: (m) => refusals.push(m),
      assetProtocol: {
        enable: true,
        identifier: "dev.ferry.assettest",
        variables: { MEDIA: media },
        scope: { allow: ["$MEDIA/**"], deny: ["$MEDIA/private/**"] },
        windows: ["main", "viewer"],
      },
    });
    off = await serveWs(createApp({ authorize: allowAll, log: () => {} }), {
      root: site,
      log: () => {},
      assetProtocol: { enable: false, identifier: "dev.ferry.assettest", scope: ["/**"] },
    });
    chromium = await launchChromium(["--autoplay-policy=no-user-gesture-required"]);
    page = await openTauriPage(chromium.browser, server.window("main").url);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
    await off?.close();
    await rm(root, { recursive: true, force: true });
  });

  const src = (path: string) => page.evaluate((p) => (window as any).convertFileSrc(p) as string, path);

  test("convertFileSrc gives a URL an <img> loads", async () => {
    const url = await src(join(media, "dot.png"));
    assert.ok(url.startsWith(`${server.origin}/__ferry/protocol/asset/`), url);
    const size = await page.evaluate(
      (u) =>
        new Promise<number[]>((resolve, reject) => {
          const img = new Image();
          img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
          img.onerror = () => reject(new Error("the image did not load"));
          img.src = u;
        }),
      url,
    );
    assert.deepEqual(size, [1, 1]);
  });

  test("an <audio> element plays a WAV through it, seeking with Range requests", async () => {
    const url = await src(join(media, "tone.wav"));
    const played = await playFrom(page, url, 3);
    assert.ok(Math.abs(played.duration - 4) < 0.01, `duration ${played.duration}`);
    assert.ok(played.at >= 3, `playing from the seek point, at ${played.at}`);

    // The same URL, as the media stack asks for it: a byte range.
    const part = await page.evaluate(async (u) => {
      const r = await fetch(u, { headers: { Range: "bytes=44-59" } });
      return {
        status: r.status,
        range: r.headers.get("content-range"),
        accept: r.headers.get("accept-ranges"),
        bytes: [...new Uint8Array(await r.arrayBuffer())],
      };
    }, url);
    assert.equal(part.status, 206);
    assert.equal(part.range, `bytes 44-59/${sound.length}`);
    assert.equal(part.accept, "bytes");
    assert.deepEqual(part.bytes, [...sound.subarray(44, 60)]);
    const tail = await page.evaluate(async (u) => {
      const r = await fetch(u, { headers: { Range: "bytes=999999999-" } });
      return { status: r.status, range: r.headers.get("content-range") };
    }, url);
    assert.deepEqual(tail, { status: 416, range: `bytes */${sound.length}` });
    const whole = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get("content-type"), length: (await r.arrayBuffer()).byteLength };
    }, url);
    assert.deepEqual(whole, { status: 200, type: "audio/wav", length: sound.length });
  });

  test("outside the scope, a denied folder, `..`, a link out, and no token are refused", async () => {
    const status = (u: string) => page.evaluate(async (u) => (await fetch(u)).status, u);
    assert.equal(await status(await src(join(root, "outside.txt"))), 403);
    assert.equal(await status(await src(join(media, "private", "key.txt"))), 403);
    assert.equal(await status(await src(`${media}/../outside.txt`)), 403);
    assert.equal(await status(await src(join(media, "link-out.txt"))), 403);
    assert.equal(await status(await src(join(media, "missing.png"))), 404);
    assert.equal(await status(await src(media)), 404, "a folder is not a file");
    // Literal `..` in the URL path (not encoded in the path segment).
    const token = server.window("main").token;
    const key = keyOf(token);
    const raw = await fetch(`${server.origin}/__ferry/protocol/asset/${key}/${encodeURIComponent(media)}%2F..%2Foutside.txt`);
    assert.equal(raw.status, 403);
    const dot = encodeURIComponent(join(media, "dot.png"));
    assert.equal((await fetch(`${server.origin}/__ferry/protocol/asset/${dot}`)).status, 403, "no key");
    assert.equal((await fetch(`${server.origin}/__ferry/protocol/asset/${"0".repeat(32)}/${dot}`)).status, 403, "an unknown key");
    assert.equal((await fetch(`${server.origin}/__ferry/protocol/asset/${token}/${dot}`)).status, 403, "the token is no key");
    assert.ok(refusals.some((m) => m.includes("window key")));
    assert.ok(
      refusals.every((m) => !m.includes(token) && !m.includes(key)),
      "neither token nor key reaches the log",
    );
    // Another Host is refused before anything else.
    const good = `${server.origin}/__ferry/protocol/asset/${key}/${dot}`;
    assert.equal((await fetch(good)).status, 200);
    // An Origin, when the browser sends one, must be an allowed page origin.
    assert.equal((await fetch(good, { headers: { Origin: "http://evil.example" } })).status, 403);
    assert.equal((await fetch(good, { headers: { Origin: server.origin } })).status, 200);
    // fetch cannot set Host: a raw request does (DNS rebinding sends another name).
    assert.equal(await statusWithHost(good, "evil.example"), 403);
  });

  test("the URL holds a key, never the token, and the response leaves no referrer and no cache entry", async () => {
    const url = await src(join(media, "dot.png"));
    const { token } = server.window("main");
    assert.ok(!url.includes(token), url);
    assert.equal(new URL(url).search, "", "nothing in the query");
    assert.ok(new URL(url).pathname.startsWith(`/__ferry/protocol/asset/${keyOf(token)}/`), url);
    const r = await fetch(url.replace(/^http:\/\/[^/]+/, server.origin));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("referrer-policy"), "no-referrer");
    assert.equal(r.headers.get("cache-control"), "no-store");
  });

  test("a key reads with its own window's scope: another window's, or a revoked one's, reads nothing", async () => {
    const dot = encodeURIComponent(join(media, "dot.png"));
    const at = (key: string) => `${server.origin}/__ferry/protocol/asset/${key}/${dot}`;
    // "other" is no window of assetProtocol.windows: its own page's URLs are refused ...
    const other = await openTauriPage(chromium.browser, server.window("other").url);
    try {
      const url = await other.evaluate((p) => (window as any).convertFileSrc(p) as string, join(media, "dot.png"));
      assert.equal(await other.evaluate(async (u) => (await fetch(u)).status, url), 403);
      // ... and so is its key from main's page, although main's own key reads the file.
      const otherKey = keyOf(server.window("other").token);
      assert.equal(await page.evaluate(async (u) => (await fetch(u)).status, at(otherKey)), 403);
      assert.equal(await page.evaluate(async (u) => (await fetch(u)).status, at(keyOf(server.window("main").token))), 200);
    } finally {
      await other.close();
    }
    // A revoked window's key dies with its token.
    const viewerKey = keyOf(server.window("viewer").token);
    assert.equal((await fetch(at(viewerKey))).status, 200);
    server.revoke("viewer");
    assert.equal((await fetch(at(viewerKey))).status, 403);
    const renewed = keyOf(server.window("viewer").token);
    assert.notEqual(renewed, viewerKey);
    assert.equal((await fetch(at(renewed))).status, 200);
  });

  test("off unless enabled: a disabled asset protocol serves nothing", async () => {
    const url = `${off.origin}/__ferry/protocol/asset/${keyOf(off.window("main").token)}/${encodeURIComponent(join(media, "dot.png"))}`;
    assert.equal((await fetch(url)).status, 404);
  });
});
