/**
 * The dev-mode inspector's page (`/__ferry/inspector`, docs/inspector.md): plain HTML and CSS
 * around `/__ferry/inspector.js` (src/client/inspector.ts). It holds no token: the page reads
 * its own from the URL fragment, which never travels over HTTP.
 */

/** The policy the inspector page is served with: its own script, its own socket, no frames. */
export const INSPECTOR_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The inspector page. */
export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>ferry inspector</title>
<style>
  :root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7385; --line: #e3e6ec; --bg: #fff; --head: #f6f7f9;
          --accent: #2f6fde; --bad: #c8332b; --bad-bg: #fdf0ef; --sel: #e8f0fd; --bar: #cfdcf6; }
  @media (prefers-color-scheme: dark) {
    :root { --fg: #e2e5eb; --muted: #99a0ae; --line: #2c313b; --bg: #16191f; --head: #1e222a;
            --accent: #7aa7f5; --bad: #f07a72; --bad-bg: #3a1f1d; --sel: #23324d; --bar: #2c426b; }
  }
  * { box-sizing: border-box; }
  body { margin: 0; font: 13px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg);
         display: grid; grid-template-rows: auto 1fr; height: 100vh; }
  header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 8px 12px;
           border-bottom: 1px solid var(--line); background: var(--head); }
  h1 { font-size: 14px; margin: 0; }
  #status { font-size: 12px; color: var(--muted); }
  #status::before { content: "●"; margin-right: 4px; color: var(--muted); }
  #status[data-state="ok"]::before { color: #2e9e55; }
  #status[data-state="error"] { color: var(--bad); }
  #status[data-state="error"]::before { color: var(--bad); }
  label { display: inline-flex; gap: 4px; align-items: center; }
  input[type="search"], select { font: inherit; padding: 2px 6px; border: 1px solid var(--line); border-radius: 4px;
                                 background: var(--bg); color: inherit; }
  input[type="search"] { width: 16em; }
  button { font: inherit; padding: 2px 10px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: inherit; cursor: pointer; }
  #counts { margin-left: auto; color: var(--muted); font-size: 12px; }
  #counts:not([data-lost="0"]) { color: var(--bad); }
  main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(280px, 34%); min-height: 0; }
  .table { overflow: auto; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; }
  th { position: sticky; top: 0; background: var(--head); text-align: left; font-weight: 600; color: var(--muted);
       padding: 4px 8px; border-bottom: 1px solid var(--line); font-family: system-ui, sans-serif; }
  td { padding: 3px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  td.ms { position: relative; text-align: right; }
  td.ms .bar { position: absolute; left: 0; top: 3px; bottom: 3px; background: var(--bar); border-radius: 2px; }
  td.ms span:last-child { position: relative; }
  td.bytes, th.num { text-align: right; }
  td.type, td.time { color: var(--muted); }
  tr { cursor: pointer; }
  tr:hover td { background: var(--head); }
  tr.failed td { background: var(--bad-bg); }
  tr.failed td.outcome { color: var(--bad); font-weight: 600; }
  tr.selected td { background: var(--sel); }
  aside { border-left: 1px solid var(--line); overflow: auto; padding: 10px 14px; }
  aside .hint { color: var(--muted); }
  dl.facts { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0 0 8px; }
  dt { color: var(--muted); }
  dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
  h3 { font-size: 12px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
  pre { margin: 0; padding: 8px; background: var(--head); border: 1px solid var(--line); border-radius: 4px;
        white-space: pre-wrap; word-break: break-all; font-size: 12px; }
  pre.error { border-color: var(--bad); }
</style>
</head>
<body>
<header>
  <h1>ferry inspector</h1>
  <span id="status" data-state="wait">loading…</span>
  <label>window <select id="window"><option value="">all</option></select></label>
  <input id="name" type="search" placeholder="command or event" aria-label="command or event">
  <label><input id="errors" type="checkbox"> errors only</label>
  <button id="clear" type="button">Clear</button>
  <span id="counts"></span>
</header>
<main>
  <div class="table">
    <table>
      <colgroup><col style="width: 9.5em"><col style="width: 10em"><col style="width: 4.5em"><col>
        <col style="width: 7em"><col style="width: 6em"><col style="width: 12em"></colgroup>
      <thead><tr><th>time</th><th>window</th><th>type</th><th>command / event</th><th class="num">ms</th><th class="num">bytes</th><th>outcome</th></tr></thead>
      <tbody id="rows"></tbody>
    </table>
  </div>
  <aside id="detail"><p class="hint">Click a row to see its values.</p></aside>
</main>
<script type="module" src="/__ferry/inspector.js"></script>
</body>
</html>
`;
