import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { assetKey, sha256Hex } from "./asset-key.ts";

test("sha256Hex matches node:crypto across block boundaries and non-ASCII text", () => {
  const inputs = ["", "abc", "é☃𝄞", ...[55, 56, 63, 64, 65, 119, 120, 1000].map((n) => "x".repeat(n)), randomBytes(40).toString("hex")];
  for (const s of inputs) assert.equal(sha256Hex(s), createHash("sha256").update(s, "utf8").digest("hex"), `length ${s.length}`);
});

test("assetKey is SHA-256 of the context and token, 128 bits", () => {
  const token = randomBytes(32).toString("hex");
  const expected = createHash("sha256").update(`ferry-asset\0${token}`).digest("hex").slice(0, 32);
  assert.equal(assetKey(token), expected);
  assert.notEqual(assetKey(token), assetKey(randomBytes(32).toString("hex")));
});
