// Regenerates schema/capability.schema.json from ferry's own plugins' manifests.
import { writeFileSync } from "node:fs";
import { builtinCapabilitySchema } from "../src/acl/schema.ts";
import { fsPlugin } from "ferry/plugins/fs";
import { dialogPlugin } from "ferry/plugins/dialog";

export const schemaText = () => JSON.stringify(builtinCapabilitySchema([fsPlugin(), dialogPlugin()]), null, 2) + "\n";

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL("../schema/capability.schema.json", import.meta.url), schemaText());
}
