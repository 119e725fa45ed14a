/** Every contender, in table order: the floor first, ferry last. */

import { birpc } from "./birpc.ts";
import { ferry } from "./ferry.ts";
import { raw } from "./raw.ts";
import { trpc } from "./trpc.ts";
import type { Contender, ContenderName } from "./types.ts";

export const CONTENDERS: Record<ContenderName, Contender> = { raw, birpc, trpc, ferry };
