/**
 * The fs plugin's path scope against attacks, on a real temp dir through a real app and
 * the memory transport: `..`, symlinks of every kind, glob characters in names, dotfiles,
 * deny inside allow, and windows that must not share scope.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, realpath, rm, stat, symlink, writeFile, lstat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, FerryError } from "ferry";
import { connectMemory } from "ferry/transports/memory";
import { AccessControl } from "ferry/acl";
import { fsPlugin } from "ferry/plugins/fs";
import { createClient, type Client } from "ferry/client";

let root: string;
let fs: ReturnType<typeof fsPlugin>;
let w: Client;
let other: Client;
let app: ReturnType<typeof createApp>;

async function denied(p: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(
    p,
    (err: unknown) => {
      assert.ok(err instanceof FerryError, `${what}: expected a FerryError, got ${String(err)}`);
      assert.equal(err.kind, "permission_denied", `${what}: ${err.kind}: ${err.message}`);
      return true;
    },
    what,
  );
}

before(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ferry-fs-scope-")));
  await mkdir(join(root, "allowed/sub"), { recursive: true });
  await mkdir(join(root, "allowed/secret"), { recursive: true });
  await mkdir(join(root, "allowed/.git"), { recursive: true });
  await mkdir(join(root, "outside"), { recursive: true });
  await mkdir(join(root, "pick"), { recursive: true });
  await writeFile(join(root, "allowed/ok.txt"), "ok");
  await writeFile(join(root, "allowed/sub/deep.txt"), "deep");
  await writeFile(join(root, "allowed/secret/key.txt"), "key");
  await writeFile(join(root, "allowed/.env"), "TOKEN=1");
  await writeFile(join(root, "allowed/.git/config"), "[core]");
  await writeFile(join(root, "allowed/a[1].txt"), "bracket");
  await writeFile(join(root, "outside/secret.txt"), "outside");
  await writeFile(join(root, "pick/*"), "star");
  await writeFile(join(root, "pick/?"), "question");
  await writeFile(join(root, "pick/other.txt"), "sibling");
  await writeFile(join(root, "pick/[o]ther.txt"), "bracketed");
  // Symlinks: leaf, intermediate, relative, chained, dangling, loop, into the denied area.
  await symlink(join(root, "outside/secret.txt"), join(root, "allowed/leaf"));
  await symlink(join(root, "outside"), join(root, "allowed/dirlink"));
  await symlink("../outside/secret.txt", join(root, "allowed/rel"));
  await symlink(join(root, "allowed/chain2"), join(root, "allowed/chain1"));
  await symlink(join(root, "outside/secret.txt"), join(root, "allowed/chain2"));
  await symlink(join(root, "outside/new.txt"), join(root, "allowed/dangling"));
  await symlink(join(root, "allowed/loop2"), join(root, "allowed/loop1"));
  await symlink(join(root, "allowed/loop1"), join(root, "allowed/loop2"));
  await symlink(join(root, "allowed/secret/key.txt"), join(root, "allowed/to-secret"));
  await symlink(join(root, "allowed/sub/deep.txt"), join(root, "allowed/inner-link"));

  fs = fsPlugin({ variables: { ROOT: root } });
  const access = new AccessControl({
    commands: [],
    plugins: [fs],
    capabilities: [
      {
        identifier: "w",
        windows: ["w"],
        permissions: [
          "fs:read-all",
          "fs:write-all",
          {
            identifier: "fs:scope",
            allow: [{ path: "$ROOT/allowed/**" }, "$ROOT/allowed/.env-named"],
            deny: [{ path: "$ROOT/allowed/secret/**" }],
          },
        ],
      },
      {
        identifier: "other",
        windows: ["other"],
        permissions: ["fs:read-all", { identifier: "fs:scope", allow: [{ path: "$ROOT/outside/**" }] }],
      },
    ],
  });
  app = createApp({ plugins: [fs], authorize: access.authorize, log: () => {} });
  w = createClient(connectMemory(app, "w"));
  other = createClient(connectMemory(app, "other"));
});

after(async () => {
  w.close();
  other.close();
  app.close();
  await rm(root, { recursive: true, force: true });
});

const read = (c: Client, path: string) => c.invoke<string>("plugin:fs|read_text_file", { path });

describe("fs scope", () => {
  test("inside the scope works, bytes come back as bytes", async () => {
    assert.equal(await read(w, join(root, "allowed/ok.txt")), "ok");
    assert.equal(await read(w, join(root, "allowed/sub/deep.txt")), "deep");
    assert.equal(await read(w, join(root, "allowed/./sub//deep.txt")), "deep");
    assert.equal(await read(w, join(root, "allowed/inner-link")), "deep"); // link that stays inside
    assert.equal(await read(w, join(root, "allowed/a[1].txt")), "bracket"); // `*` matches names with glob chars
    assert.equal(await read(w, `file://${join(root, "allowed/ok.txt")}`), "ok");
    const bytes = await w.invoke<Uint8Array>("plugin:fs|read_file", { path: join(root, "allowed/ok.txt") });
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual([...bytes], [...Buffer.from("ok")]);
    await w.invoke("plugin:fs|write_file", { path: join(root, "allowed/bin"), data: new Uint8Array([0, 1, 255]) });
    assert.deepEqual([...(await readFile(join(root, "allowed/bin")))], [0, 1, 255]);
    await w.invoke("plugin:fs|write_text_file", { path: join(root, "allowed/new.txt"), data: "hi" });
    await w.invoke("plugin:fs|write_text_file", { path: join(root, "allowed/new.txt"), data: "!", options: { append: true } });
    assert.equal(await readFile(join(root, "allowed/new.txt"), "utf8"), "hi!");
    assert.equal(await w.invoke("plugin:fs|exists", { path: join(root, "allowed/nope") }), false);
    assert.equal(await w.invoke("plugin:fs|exists", { path: join(root, "allowed/ok.txt") }), true);
    const info = await w.invoke<{ isFile: boolean; size: number }>("plugin:fs|stat", { path: join(root, "allowed/ok.txt") });
    assert.equal(info.isFile, true);
    assert.equal(info.size, 2);
    await w.invoke("plugin:fs|mkdir", { path: join(root, "allowed/made/deeper"), options: { recursive: true } });
    assert.ok((await stat(join(root, "allowed/made/deeper"))).isDirectory());
    const entries = await w.invoke<{ name: string; isDirectory: boolean }[]>("plugin:fs|read_dir", { path: join(root, "allowed/sub") });
    assert.deepEqual(entries, [{ name: "deep.txt", isDirectory: false, isFile: true, isSymlink: false }]);
    await w.invoke("plugin:fs|remove", { path: join(root, "allowed/made"), options: { recursive: true } });
    await assert.rejects(stat(join(root, "allowed/made")));
  });

  test("`..` is refused in every position", async () => {
    const attempts = [
      "../outside/secret.txt",
      "..",
      `${root}/allowed/../outside/secret.txt`,
      `${root}/allowed/..`,
      `${root}/allowed/../`,
      `${root}/allowed/sub/../../outside/secret.txt`,
      `${root}/allowed/sub/../ok.txt`, // even when it would stay inside
      `${root}/allowed/sub/..\\..\\outside/secret.txt`,
    ];
    for (const path of attempts) await denied(read(w, path), path);
    await denied(w.invoke("plugin:fs|read_text_file", { path: "../secret.txt", options: { baseDir: 21 } }), "baseDir + ..");
    await denied(w.invoke("plugin:fs|write_text_file", { path: `${root}/allowed/../outside/evil.txt`, data: "x" }), "write ..");
    await assert.rejects(stat(join(root, "outside/evil.txt")));
  });

  test("symlinks are resolved before the check: leaf, intermediate, relative, chained, dangling, loops", async () => {
    await denied(read(w, join(root, "allowed/leaf")), "leaf link");
    await denied(read(w, join(root, "allowed/dirlink/secret.txt")), "intermediate link");
    await denied(read(w, join(root, "allowed/rel")), "relative link");
    await denied(read(w, join(root, "allowed/chain1")), "chained links");
    await denied(w.invoke("plugin:fs|stat", { path: join(root, "allowed/leaf") }), "stat through a link");
    await denied(w.invoke("plugin:fs|read_dir", { path: join(root, "allowed/dirlink") }), "read_dir through a link");
    await denied(
      w.invoke("plugin:fs|write_text_file", { path: join(root, "allowed/dangling"), data: "x" }),
      "write through a dangling link",
    );
    await assert.rejects(stat(join(root, "outside/new.txt")), "nothing was created at the dangling target");
    await denied(read(w, join(root, "allowed/loop1")), "link loop");
  });

  test("creating through a symlinked directory is refused and creates nothing", async () => {
    await denied(
      w.invoke("plugin:fs|write_text_file", { path: join(root, "allowed/dirlink/planted.txt"), data: "x" }),
      "file via dir link",
    );
    await denied(
      w.invoke("plugin:fs|mkdir", { path: join(root, "allowed/dirlink/newdir/x"), options: { recursive: true } }),
      "mkdir via dir link",
    );
    await denied(
      w.invoke("plugin:fs|write_file", { path: join(root, "allowed/dirlink/not/yet/there.bin"), data: new Uint8Array([1]) }),
      "deep via dir link",
    );
    await assert.rejects(stat(join(root, "outside/planted.txt")));
    await assert.rejects(stat(join(root, "outside/newdir")));
  });

  test("removing a link removes the link, never what it points to", async () => {
    await symlink(join(root, "outside/secret.txt"), join(root, "allowed/rm-me"));
    await w.invoke("plugin:fs|remove", { path: join(root, "allowed/rm-me") });
    await assert.rejects(lstat(join(root, "allowed/rm-me")));
    assert.equal(await readFile(join(root, "outside/secret.txt"), "utf8"), "outside");
    await denied(w.invoke("plugin:fs|remove", { path: join(root, "allowed/dirlink/secret.txt") }), "remove via dir link");
    assert.equal(await readFile(join(root, "outside/secret.txt"), "utf8"), "outside");
  });

  test("dotfiles match only when named", async () => {
    await denied(read(w, join(root, "allowed/.env")), "dotfile under **");
    await denied(read(w, join(root, "allowed/.git/config")), "dot dir under **");
    await denied(w.invoke("plugin:fs|write_text_file", { path: join(root, "allowed/.bashrc"), data: "x" }), "new dotfile");
    await w.invoke("plugin:fs|write_text_file", { path: join(root, "allowed/.env-named"), data: "named" });
    assert.equal(await read(w, join(root, "allowed/.env-named")), "named");
  });

  test("deny inside allow wins, also when reached through a link", async () => {
    await denied(read(w, join(root, "allowed/secret/key.txt")), "denied dir");
    await denied(read(w, join(root, "allowed/to-secret")), "link into denied dir");
    await denied(w.invoke("plugin:fs|write_text_file", { path: join(root, "allowed/secret/new.txt"), data: "x" }), "create in denied dir");
    await denied(w.invoke("plugin:fs|read_dir", { path: join(root, "allowed/secret") }), "list denied dir");
  });

  test("picked paths are literal: names with [ * ? grant only themselves, only to the window that picked", async () => {
    await denied(read(w, join(root, "pick/*")), "before the pick");
    fs.allowPath("w", join(root, "pick/*"));
    fs.allowPath("w", join(root, "pick/?"));
    assert.equal(await read(w, join(root, "pick/*")), "star");
    assert.equal(await read(w, join(root, "pick/?")), "question");
    await denied(read(w, join(root, "pick/other.txt")), "sibling of a * pick");
    await denied(read(w, join(root, "pick/[o]ther.txt")), "bracket name");
    await denied(read(other, join(root, "pick/*")), "another window's pick");
  });

  test("scopes are per window, and a window with no scope reaches nothing", async () => {
    assert.equal(await read(other, join(root, "outside/secret.txt")), "outside");
    await denied(read(other, join(root, "allowed/ok.txt")), "other → w's scope");
    await denied(read(w, join(root, "outside/secret.txt")), "w → other's scope");
    await denied(other.invoke("plugin:fs|write_text_file", { path: join(root, "outside/x"), data: "x" }), "command not granted");
    const stranger = createClient(connectMemory(app, "stranger"));
    try {
      await denied(read(stranger, join(root, "allowed/ok.txt")), "no capability");
    } finally {
      stranger.close();
    }
  });

  test("bad input gets a typed error", async () => {
    for (const path of [undefined, 42, "", "relative/path.txt", "a\0b"]) {
      await assert.rejects(
        w.invoke("plugin:fs|read_text_file", { path }),
        (e: unknown) => e instanceof FerryError && e.kind === "invalid_args",
      );
    }
    await assert.rejects(
      w.invoke("plugin:fs|read_text_file", { path: join(root, "allowed/missing.txt") }),
      (e: unknown) => e instanceof FerryError && e.kind === "not_found",
    );
    await assert.rejects(
      w.invoke("plugin:fs|write_file", { path: join(root, "allowed/b"), data: "not bytes" }),
      (e: unknown) => e instanceof FerryError && e.kind === "invalid_args",
    );
  });
});
