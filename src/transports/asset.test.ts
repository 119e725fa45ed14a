import { test } from "node:test";
import assert from "node:assert/strict";
import { mediaType } from "./asset.ts";
import { parseRange } from "./protocol.ts";

test("parseRange follows RFC 9110's single byte ranges", () => {
  assert.equal(parseRange(undefined, 100), undefined);
  assert.deepEqual(parseRange("bytes=0-9", 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange("bytes=90-", 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange("bytes=90-500", 100), { start: 90, end: 99 }, "an end past the file is clamped");
  assert.deepEqual(parseRange("bytes=-10", 100), { start: 90, end: 99 }, "a suffix range");
  assert.deepEqual(parseRange("bytes=-500", 100), { start: 0, end: 99 });
  assert.equal(parseRange("bytes=100-", 100), "unsatisfiable");
  assert.equal(parseRange("bytes=-0", 100), "unsatisfiable");
  assert.equal(parseRange("bytes=0-", 0), "unsatisfiable", "nothing to send from an empty file");
  assert.equal(parseRange("bytes=5-2", 100), undefined, "an invalid range is ignored: the whole file");
  assert.equal(parseRange("bytes=0-1,5-6", 100), undefined, "several ranges: the whole file");
  assert.equal(parseRange("items=0-1", 100), undefined);
  assert.equal(parseRange("bytes=-", 100), undefined);
});

test("mediaType knows the media a page plays", () => {
  assert.equal(mediaType("/a/b.WAV"), "audio/wav");
  assert.equal(mediaType("/a/b.mp4"), "video/mp4");
  assert.equal(mediaType("/a/b.png"), "image/png");
  assert.equal(mediaType("/a/b"), "application/octet-stream");
});
