/**
 * The app's folders per platform. Linux reads a real `user-dirs.dirs` from a temp folder;
 * macOS and Windows are pure functions of the platform and environment (only Linux runs here).
 * Expected values are the `dirs` crate's, which Tauri's path API calls.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { defaultPathVariables } from "../acl/paths.ts";
import { appDirs, parseUserDirs } from "./dirs.ts";

const ID = "com.example.notes";

test("Linux: XDG base folders, relative and empty values ignored, app folders under them", () => {
  const env = {
    HOME: "/home/ann",
    XDG_DATA_HOME: "/data",
    XDG_CONFIG_HOME: "rel/cfg",
    XDG_CACHE_HOME: "",
    XDG_RUNTIME_DIR: "/run/user/1000",
  };
  const d = appDirs(ID, { platform: "linux", env });
  assert.equal(d.home, "/home/ann");
  assert.equal(d.data, "/data");
  assert.equal(d.localData, "/data");
  assert.equal(d.config, "/home/ann/.config");
  assert.equal(d.cache, "/home/ann/.cache");
  assert.equal(d.appData, "/data/com.example.notes");
  assert.equal(d.appLocalData, "/data/com.example.notes");
  assert.equal(d.appConfig, "/home/ann/.config/com.example.notes");
  assert.equal(d.appCache, "/home/ann/.cache/com.example.notes");
  assert.equal(d.appLog, "/data/com.example.notes/logs");
  assert.equal(d.runtime, "/run/user/1000");
  assert.equal(d.executable, "/home/ann/.local/bin");
  assert.equal(d.font, "/data/fonts");
  assert.equal(d.temp, "/tmp");
  // No user-dirs.dirs under /home/ann/.config: Tauri has no document folder then either.
  assert.equal(d.document, undefined);
  assert.equal(appDirs(ID, { platform: "linux", env: { HOME: "/h", TMPDIR: "/var/tmp", XDG_BIN_HOME: "/bin2" } }).temp, "/var/tmp");
  assert.equal(appDirs(ID, { platform: "linux", env: { HOME: "/h", XDG_BIN_HOME: "/bin2" } }).executable, "/bin2");
});

test("Linux: user folders come from $XDG_CONFIG_HOME/user-dirs.dirs on disk", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-dirs-"));
  try {
    await writeFile(
      join(dir, "user-dirs.dirs"),
      [
        "# written by xdg-user-dirs-update",
        'XDG_DESKTOP_DIR="$HOME/Desktop"',
        'XDG_DOWNLOAD_DIR="$HOME/Down loads"',
        'XDG_DOCUMENTS_DIR="$HOME/Dokumente"',
        'XDG_MUSIC_DIR="/media/music"',
        'XDG_PICTURES_DIR="$HOME/"',
        'XDG_VIDEOS_DIR="videos"',
        'XDG_TEMPLATES_DIR="$HOME/Vor\\"lagen"',
        'XDG_PUBLICSHARE_DIR="$HOME/Public"',
      ].join("\n"),
    );
    const d = appDirs(ID, { platform: "linux", env: { HOME: "/home/ann", XDG_CONFIG_HOME: dir } });
    assert.equal(d.desktop, "/home/ann/Desktop");
    assert.equal(d.download, "/home/ann/Down loads");
    assert.equal(d.document, "/home/ann/Dokumente");
    assert.equal(d.audio, "/media/music");
    assert.equal(d.picture, undefined, '"$HOME/" disables a folder');
    assert.equal(d.video, undefined, "relative values are skipped");
    assert.equal(d.template, '/home/ann/Vor"lagen');
    assert.equal(d.public, "/home/ann/Public");
    // The same folders reach the fs scopes' variables.
    const vars = defaultPathVariables({ identifier: ID, platform: "linux", env: { HOME: "/home/ann", XDG_CONFIG_HOME: dir } });
    assert.equal(vars.DOCUMENT, "/home/ann/Dokumente");
    assert.equal(vars.AUDIO, "/media/music");
    assert.equal(vars.PICTURE, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("parseUserDirs: the first line for a name wins, other syntaxes are skipped", () => {
  const text =
    'XDG_DESKTOP_DIR="$HOME/A"\nXDG_DESKTOP_DIR="$HOME/B"\n  XDG_MUSIC_DIR = "/m"  \nXDG_VIDEOS_DIR=$HOME/v\nXDG_X_DIR="$HOMEx/y"\r\n';
  assert.deepEqual(parseUserDirs(text, "/h"), { DESKTOP: "/h/A", MUSIC: "/m" });
});

test("macOS: ~/Library folders, logs under ~/Library/Logs, Movies for video, no template", () => {
  const d = appDirs(ID, { platform: "darwin", env: { HOME: "/Users/ann", TMPDIR: "/var/folders/x/T", XDG_DATA_HOME: "/ignored" } });
  assert.deepEqual(d, {
    home: "/Users/ann",
    data: "/Users/ann/Library/Application Support",
    config: "/Users/ann/Library/Application Support",
    localData: "/Users/ann/Library/Application Support",
    cache: "/Users/ann/Library/Caches",
    appData: "/Users/ann/Library/Application Support/com.example.notes",
    appConfig: "/Users/ann/Library/Application Support/com.example.notes",
    appLocalData: "/Users/ann/Library/Application Support/com.example.notes",
    appCache: "/Users/ann/Library/Caches/com.example.notes",
    appLog: "/Users/ann/Library/Logs/com.example.notes",
    temp: "/var/folders/x/T",
    audio: "/Users/ann/Music",
    desktop: "/Users/ann/Desktop",
    document: "/Users/ann/Documents",
    download: "/Users/ann/Downloads",
    font: "/Users/ann/Library/Fonts",
    picture: "/Users/ann/Pictures",
    public: "/Users/ann/Public",
    video: "/Users/ann/Movies",
  });
});

test("Windows: roaming and local AppData, logs under local, user folders under the profile", () => {
  const env = {
    USERPROFILE: "C:\\Users\\ann",
    APPDATA: "C:\\Users\\ann\\AppData\\Roaming",
    LOCALAPPDATA: "D:\\Local",
    TEMP: "C:\\Users\\ann\\AppData\\Local\\Temp",
    PUBLIC: "C:\\Users\\Public",
    HOME: "/ignored",
  };
  const d = appDirs(ID, { platform: "win32", env });
  assert.deepEqual(d, {
    home: "C:\\Users\\ann",
    data: "C:\\Users\\ann\\AppData\\Roaming",
    config: "C:\\Users\\ann\\AppData\\Roaming",
    localData: "D:\\Local",
    cache: "D:\\Local",
    appData: "C:\\Users\\ann\\AppData\\Roaming\\com.example.notes",
    appConfig: "C:\\Users\\ann\\AppData\\Roaming\\com.example.notes",
    appLocalData: "D:\\Local\\com.example.notes",
    appCache: "D:\\Local\\com.example.notes",
    appLog: "D:\\Local\\com.example.notes\\logs",
    temp: "C:\\Users\\ann\\AppData\\Local\\Temp",
    audio: "C:\\Users\\ann\\Music",
    desktop: "C:\\Users\\ann\\Desktop",
    document: "C:\\Users\\ann\\Documents",
    download: "C:\\Users\\ann\\Downloads",
    picture: "C:\\Users\\ann\\Pictures",
    public: "C:\\Users\\Public",
    template: "C:\\Users\\ann\\AppData\\Roaming\\Microsoft\\Windows\\Templates",
    video: "C:\\Users\\ann\\Videos",
  });
  // Without the AppData variables: their default places under the profile; TMP before TEMP.
  const bare = appDirs(ID, { platform: "win32", env: { USERPROFILE: "C:\\Users\\bo", TMP: "E:\\t", TEMP: "F:\\t" } });
  assert.equal(bare.appData, "C:\\Users\\bo\\AppData\\Roaming\\com.example.notes");
  assert.equal(bare.appCache, "C:\\Users\\bo\\AppData\\Local\\com.example.notes");
  assert.equal(bare.temp, "E:\\t");
  assert.equal(bare.public, "C:\\Users\\Public");
});

test("the home option wins; a foreign platform with no home variable has no home and appDirs says so", () => {
  assert.equal(appDirs(ID, { platform: "linux", env: { HOME: "/env" }, home: "/given" }).appConfig, "/given/.config/com.example.notes");
  assert.throws(() => appDirs(ID, { platform: "win32", env: {} }), /home folder is unknown \(USERPROFILE/);
  const foreign = process.platform === "darwin" ? "linux" : "darwin";
  assert.throws(() => appDirs(ID, { platform: foreign, env: { HOME: "relative/home" } }), /HOME is unset, empty or relative/);
  // This platform falls back to the user database, as dirs does when HOME is unset.
  assert.equal(appDirs(ID, { env: {} }).home, userInfo().homedir);
});

test("identifiers that are not reverse-domain are refused by name, before any folder is made of them", () => {
  for (const bad of ["", "../etc", "com/example", "com..example", "com.1example", "com.example.", "my app", ".com", "-a.b"]) {
    assert.throws(
      () => appDirs(bad, { platform: "linux", env: { HOME: "/h" } }),
      (err: Error) => err.message.startsWith(`app identifier: ${JSON.stringify(bad)} is not an app identifier`),
    );
    assert.throws(() => defaultPathVariables({ identifier: bad, platform: "linux", env: { HOME: "/h" } }), /reverse-domain/);
  }
  for (const good of ["x", "com.example.notes", "dev.ferry-app.My-App2"])
    assert.ok(appDirs(good, { platform: "linux", env: { HOME: "/h" } }));
});

test("defaultPathVariables names exactly appDirs' folders, on every platform", () => {
  const cases = [
    { platform: "linux", env: { HOME: "/h", XDG_RUNTIME_DIR: "/run/u" } },
    { platform: "darwin", env: { HOME: "/Users/h" } },
    { platform: "win32", env: { USERPROFILE: "C:\\Users\\h" } },
  ] as const;
  for (const { platform, env } of cases) {
    const d = appDirs(ID, { platform, env });
    const v = defaultPathVariables({ identifier: ID, platform, env, resourceDir: "/res" });
    const pairs: [string, string | undefined][] = [
      ["APPDATA", d.appData],
      ["APPCONFIG", d.appConfig],
      ["APPCACHE", d.appCache],
      ["APPLOCALDATA", d.appLocalData],
      ["APPLOG", d.appLog],
      ["LOG", d.appLog],
      ["HOME", d.home],
      ["DATA", d.data],
      ["CONFIG", d.config],
      ["CACHE", d.cache],
      ["LOCALDATA", d.localData],
      ["TEMP", d.temp],
      ["RUNTIME", d.runtime],
      ["VIDEO", d.video],
      ["TEMPLATE", d.template],
      ["FONT", d.font],
      ["EXE", d.executable],
      ["RESOURCE", "/res"],
    ];
    for (const [name, dir] of pairs) assert.equal(v[name], dir, `${platform} $${name}`);
  }
});
