// The browser half of `npm run bench`: round trips and pipelined calls from this page,
// ferry's client (the bundle the backend serves at /__ferry/client.js) against a raw
// WebSocket, interleaved, then POSTed back to the orchestrator at /results.
import { connect } from "/ferry-client.js";

const q = new URLSearchParams(location.search);
const rounds = Number(q.get("rounds"));
const rtWarm = Number(q.get("warm"));
const rtCalls = Number(q.get("calls"));
const pipeCalls = Number(q.get("pipe"));
const inFlight = Number(q.get("inflight"));

/**
 * The p-th percentile of round-trip samples (µs). A page's clock moves in steps (Chromium's
 * performance.now() in 5 µs steps here), so a plain percentile of its samples moves in whole
 * steps too: 3 % of a 170 µs round trip, as much as the gap the bench judges. It is therefore
 * read as for grouped data: within its step, by where the rank falls among the samples in
 * that step. Samples are first rounded to 0.1 µs (float noise); the step is the smallest gap
 * between two distinct samples, so an unstepped clock gives the plain percentile.
 */
function percentile(values, p) {
  const sorted = values.map((v) => Math.round(v * 10) / 10).sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  const v = sorted[rank];
  let step = Infinity;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] > sorted[i - 1]) step = Math.min(step, sorted[i] - sorted[i - 1]);
  if (!Number.isFinite(step)) return v;
  const below = sorted.indexOf(v);
  const within = sorted.lastIndexOf(v) + 1 - below;
  return v - step / 2 + (((p / 100) * sorted.length - below) / within) * step;
}

async function rawClient(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`raw ws: could not connect to ${url}`));
  });
  const pending = new Map();
  let nextId = 1;
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    const resolve = pending.get(msg.id);
    pending.delete(msg.id);
    resolve?.(msg);
  };
  return (name) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, cmd: "greet", a: { name } }));
    });
}

function ferryClient(url) {
  const client = connect({ url });
  // invoke's own promise, as the raw client returns its own: an async wrapper here would add
  // promise jobs to ferry's side of every round trip.
  return (name) => client.invoke("greet", { name });
}

// Round trips alternate between the contenders call by call, the order reversed every
// other turn, so both see the same moments of whatever else the machine is doing.
async function roundTrips(contenders, order) {
  const samples = Object.fromEntries(order.map((name) => [name, []]));
  const reversed = [...order].reverse();
  for (let i = 0; i < rtCalls; i++) {
    for (const name of i % 2 ? reversed : order) {
      const t0 = performance.now();
      await contenders[name]("Ada");
      samples[name].push((performance.now() - t0) * 1000);
    }
  }
  return Object.fromEntries(order.map((name) => [name, { rt_p50: percentile(samples[name], 50), rt_p99: percentile(samples[name], 99) }]));
}

function pipelineRate(greet, total) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const t0 = performance.now();
    const next = () => {
      if (sent >= total) return;
      sent++;
      greet("Ada").then(() => {
        if (++done === total) resolve(total / ((performance.now() - t0) / 1000));
        else next();
      }, reject);
    };
    for (let i = 0; i < inFlight; i++) next();
  });
}

async function main() {
  const contenders = { raw: await rawClient(q.get("raw")), ferry: ferryClient(q.get("ferry")) };
  // One untimed pass each first, so round 1 does not pay for JIT warm-up.
  for (const greet of Object.values(contenders)) {
    await pipelineRate(greet, Math.max(300, pipeCalls / 2));
    for (let i = 0; i < rtWarm; i++) await greet("Ada");
  }
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ["raw", "ferry"] : ["ferry", "raw"];
    for (const name of order) for (let i = 0; i < rtWarm; i++) await contenders[name]("Ada");
    const rt = await roundTrips(contenders, order);
    for (const name of order) {
      await pipelineRate(contenders[name], Math.min(pipeCalls, 2000));
      const figures = { ...rt[name], pipelined: await pipelineRate(contenders[name], pipeCalls) };
      runs.push({ round, contender: name, figures });
    }
    // The orchestrator logs each round as it ends, beside the machine's load average then.
    await fetch("/round", { method: "POST", body: JSON.stringify(runs.filter((r) => r.round === round)) });
  }
  return { runs, crossOriginIsolated: globalThis.crossOriginIsolated === true, userAgent: navigator.userAgent };
}

const post = (body) => fetch("/results", { method: "POST", body: JSON.stringify(body) });
main()
  .then(
    (results) => post(results),
    (err) => post({ error: String(err?.stack ?? err) }),
  )
  .finally(() => (document.getElementById("status").textContent = "done"));
