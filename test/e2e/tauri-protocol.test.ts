/**
 * End to end: custom protocols (Tauri's `register_uri_scheme_protocol`). `convertFileSrc(path,
 * "stream")` from the published `@tauri-apps/api` gives a URL an `<audio>` element plays in
 * Chromium, streamed by the app's handler through `rangeResponse` (a `Range` request, a seek);
 * every request carries the calling window's label through its key and passes the Host, Origin
 * and key rules of the asset protocol.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { allowAll, createApp } from "ferry";
import { rangeResponse, serveWs, type FerryServer, type UriSchemeHandler } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";
import { statusWithHost } from "../support/http.ts";
import { openTauriPage, writeTauriPage } from "../support/tauri-page.ts";
import { playFrom, wav } from "../support/media.ts";

const PAGE_SOURCE = `
import { convertFileSrc } from "@tauri-apps/api/core";
window.convertFileSrc = convertFileSrc;
document.body.dataset.ready = "yes";
`;

const keyOf = (token: string) => createHash("sha256").update(`ferry-asset\0${token}`).digest("hex").slice(0, 32);

describe("custom protocols, in Chromium", () => {
  let server: FerryServer;
  let root: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const sound = wav(120);
  /** What the `stream` handler saw: path, Range header, label. */
  const seen: { path: string; range: string | null; label: string }[] = [];
  const logged: string[] = [];

  const stream: UriSchemeHandler = (request, { label }) => {
    const path = decodeURIComponent(new URL(request.url).pathname.slice(1));
    seen.push({ path, range: request.headers.get("range"), label });
    if (path !== "tone.wav") return new Response("no such sound\n", { status: 404 });
    return rangeResponse(request, {
      size: sound.length,
      type: "audio/wav",
      // A stream in 1 KB chunks, as a handler reading from elsewhere would send it. A response from
      // the start stalls after 256 KB, as a slow source would: a seek past that must ask for a range.
      read: (start, end) => {
        let at = start;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (start === 0 && at >= 256 * 1024) return new Promise<void>(() => {});
            const next = Math.min(at + 1024, end + 1);
            controller.enqueue(sound.subarray(at, next));
            at = next;
            if (at > end) controller.close();
          },
        });
      },
    });
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "ferry-protocol-"));
    await mkdir(join(root, "site"));
    await writeTauriPage(join(root, "site"), PAGE_SOURCE);
    server = await serveWs(createApp({ authorize: allowAll, log: () => {} }), {
      root: join(root, "site"),
      log: (m) => logged.push(m),
      protocols: {
        stream,
        whoami: (request, { label }) => new Response(`${label} ${new URL(request.url).search}`),
        cached: () => new Response("x", { headers: { "Cache-Control": "max-age=3600", "Referrer-Policy": "unsafe-url", "X-Own": "kept" } }),
        broken: () => {
          throw new Error("the handler broke at /secret/place");
        },
      },
    });
    chromium = await launchChromium(["--autoplay-policy=no-user-gesture-required"]);
    page = await openTauriPage(chromium.browser, server.window("main").url);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  const src = (path: string, protocol: string) =>
    page.evaluate(([p, n]) => (window as any).convertFileSrc(p, n) as string, [path, protocol] as const);

  test("an <audio> element plays a WAV streamed by the handler, seeking with Range requests", async () => {
    const url = await src("tone.wav", "stream");
    assert.ok(url.startsWith(`${server.origin}/__ferry/protocol/stream/${keyOf(server.window("main").token)}/`), url);
    seen.length = 0;
    const played = await playFrom(page, url, 110);
    assert.ok(Math.abs(played.duration - 120) < 0.01, `duration ${played.duration}`);
    assert.ok(played.at >= 110, `playing from the seek point, at ${played.at}`);
    assert.ok(seen.length > 0 && seen.every((s) => s.path === "tone.wav" && s.label === "main"));
    assert.ok(
      seen.some((s) => s.range !== null && s.range !== "bytes=0-"),
      `the seek asked for a later range: ${JSON.stringify(seen.map((s) => s.range))}`,
    );

    const part = await page.evaluate(async (u) => {
      const r = await fetch(u, { headers: { Range: "bytes=1000-3047" } });
      return { status: r.status, range: r.headers.get("content-range"), bytes: [...new Uint8Array(await r.arrayBuffer())] };
    }, url);
    assert.equal(part.status, 206);
    assert.equal(part.range, `bytes 1000-3047/${sound.length}`);
    assert.deepEqual(part.bytes, [...sound.subarray(1000, 3048)], "across chunk boundaries");
    const past = await page.evaluate(async (u) => {
      const r = await fetch(u, { headers: { Range: `bytes=${99999999}-` } });
      return { status: r.status, range: r.headers.get("content-range") };
    }, url);
    assert.deepEqual(past, { status: 416, range: `bytes */${sound.length}` });
    const whole = await page.evaluate(async (u) => {
      // The head only: a response from the start stalls (above).
      const r = await fetch(u);
      void r.body?.cancel();
      return {
        status: r.status,
        type: r.headers.get("content-type"),
        length: Number(r.headers.get("content-length")),
        rp: r.headers.get("referrer-policy"),
      };
    }, url);
    assert.deepEqual(whole, { status: 200, type: "audio/wav", length: sound.length, rp: "no-referrer" });
  });

  test("each request carries the label of the window whose key it holds", async () => {
    const text = (u: string) => page.evaluate(async (u) => (await fetch(u)).text(), u);
    assert.equal(await text(await src("x", "whoami")), "main ");
    const other = await openTauriPage(chromium.browser, server.window("other").url);
    try {
      const url = await other.evaluate((p) => (window as any).convertFileSrc(p, "whoami") as string, "x");
      assert.equal(await other.evaluate(async (u) => (await fetch(u)).text(), url), "other ");
      // main's page holding other's key is "other", with other's rights, not main's.
      assert.equal(await text(url), "other ");
    } finally {
      await other.close();
    }
    const viewer = `${server.origin}/__ferry/protocol/whoami/${keyOf(server.window("viewer").token)}/x?a=1`;
    assert.equal(await (await fetch(viewer)).text(), "viewer ?a=1", "the query reaches the handler");
    server.revoke("viewer");
    assert.equal((await fetch(viewer)).status, 403, "a revoked window's key");
  });

  test("Host, Origin, key and name are checked; a failing handler is a bare 500", async () => {
    const key = keyOf(server.window("main").token);
    const url = `${server.origin}/__ferry/protocol/whoami/${key}/x`;
    assert.equal((await fetch(url)).status, 200);
    assert.equal((await fetch(url, { headers: { Origin: "http://evil.example" } })).status, 403);
    assert.equal((await fetch(url.replace(key, "f".repeat(32)))).status, 403);
    assert.equal((await fetch(`${server.origin}/__ferry/protocol/nope/${key}/x`)).status, 404);
    assert.equal((await fetch(url, { method: "POST", body: "x" })).status, 405);
    assert.equal(await statusWithHost(url, "evil.example"), 403);
    const cached = await fetch(`${server.origin}/__ferry/protocol/cached/${key}/x`);
    assert.deepEqual(
      [cached.headers.get("cache-control"), cached.headers.get("referrer-policy"), cached.headers.get("x-own")],
      ["no-store", "no-referrer", "kept"],
      "the handler cannot let the key-bearing URL be cached or sent as a referrer",
    );
    const broken = await fetch(`${server.origin}/__ferry/protocol/broken/${key}/x`);
    assert.equal(broken.status, 500);
    assert.equal(await broken.text(), "internal error\n", "no message or stack on the wire");
    assert.ok(logged.some((m) => m.includes("the handler broke")));
    assert.ok(logged.every((m) => !m.includes(key)));
  });

  test("protocol names are checked when serving starts", async () => {
    const app = createApp({ authorize: allowAll, log: () => {} });
    const ok = () => new Response("");
    await assert.rejects(serveWs(app, { protocols: { Bad: ok } }), /lower-case URI scheme/);
    await assert.rejects(serveWs(app, { protocols: { asset: ok } }), /assetProtocol/);
    await assert.rejects(serveWs(app, { protocols: { x: "nope" as never } }), /expected a function/);
  });
});
