// The morning report webview script (browser bundle dist/webview.js). It builds the whole DOM from
// the host's view-model with createElement/textContent — never innerHTML with data — so corpus text
// (titles, reasons, paths) always shows as text. State survives reloads through vscode.setState.
import type { HostToWebview, ReportViewModel, WebviewState, WebviewToHost } from '../protocol/webview';
// the one piece of the engine the webview uses: the status vocabulary (a leaf module, no Node)
import { statusTone } from '../engine/core/status';

interface VsCodeApi {
  postMessage(msg: WebviewToHost): void;
  getState(): unknown;
  setState(s: WebviewState & { model?: ReportViewModel }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG_NS = 'http://www.w3.org/2000/svg';

type Child = Node | string | null | undefined | false;
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
function button(label: string, onClick: () => void, cls = ''): HTMLButtonElement {
  const b = el('button', { type: 'button', class: cls });
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}
function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return el('section', { id, 'aria-labelledby': `${id}-h` }, el('h2', { id: `${id}-h` }, title), ...children);
}
function table(headers: string[], rows: Child[][], caption?: string): HTMLTableElement {
  const t = el('table');
  if (caption) t.append(el('caption', {}, caption));
  t.append(el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))));
  const body = el('tbody');
  for (const r of rows) body.append(el('tr', {}, ...r.map((c) => el('td', {}, c))));
  t.append(body);
  return t;
}
function statusClass(status: Parameters<typeof statusTone>[0]): string {
  const tone = statusTone(status);
  return tone === 'neutral' ? '' : tone;
}

function fitnessChart(f: ReportViewModel['fitness']): HTMLElement {
  const wrap = el('div', { class: 'chart' });
  const n = f.points.length;
  if (n === 0 || f.series.length === 0) {
    wrap.append(el('p', { class: 'muted' }, 'No fitness was measured.'));
    return wrap;
  }
  const W = 640;
  const H = 240;
  const pad = { l: 40, r: 12, t: 10, b: 28 };
  const x = (i: number) => pad.l + (n === 1 ? (W - pad.l - pad.r) / 2 : (i * (W - pad.l - pad.r)) / (n - 1));
  const y = (v: number) => pad.t + (1 - v) * (H - pad.t - pad.b);
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': 'Fitness per metric across iterations (0 to 1); the table below has the same numbers',
    class: 'chart-svg',
  });
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    root.append(svg('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    const t = svg('text', { x: pad.l - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' });
    t.textContent = v.toFixed(2);
    root.append(t);
  }
  f.points.forEach((p, i) => {
    const t = svg('text', { x: x(i), y: H - 8, class: 'axis', 'text-anchor': 'middle' });
    t.textContent = p;
    root.append(t);
  });
  f.series.forEach((s, si) => {
    const g = svg('g', { class: `series s${si % 10}` });
    const title = svg('title');
    title.textContent = s.metric;
    g.append(title);
    // a polyline per run of consecutive measured points
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) g.append(svg('polyline', { points: run.join(' '), fill: 'none' }));
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null) return flush();
      run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      g.append(svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.5 }));
    });
    flush();
    root.append(g);
  });
  wrap.append(root);
  const legend = el('ul', { class: 'legend' });
  f.series.forEach((s, si) =>
    legend.append(el('li', { class: `s${si % 10}` }, el('span', { class: 'swatch', 'aria-hidden': 'true' }), s.metric)),
  );
  wrap.append(legend);
  return wrap;
}

/** live learnings (solid, scaled to the highest night) and composite fitness (dashed, 0..1) across the last nights */
function historyChart(h: ReportViewModel['history']): HTMLElement {
  const wrap = el('div', { class: 'chart' });
  if (h.length < 2) {
    wrap.append(el('p', { class: 'muted' }, 'One night so far: the chart appears after the next run.'));
    return wrap;
  }
  const W = 640;
  const H = 160;
  const pad = { l: 40, r: 12, t: 10, b: 24 };
  const maxLive = Math.max(1, ...h.map((p) => p.live ?? 0));
  const x = (i: number) => pad.l + (i * (W - pad.l - pad.r)) / (h.length - 1);
  const y = (v: number) => pad.t + (1 - v) * (H - pad.t - pad.b);
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': 'Live learnings and fitness across the last nights; the table below has the same numbers',
    class: 'history-svg',
  });
  const line = (vals: (number | null)[], cls: string) => {
    const pts = vals.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter(Boolean);
    if (pts.length > 1) root.append(svg('polyline', { points: pts.join(' '), class: cls }));
  };
  line(
    h.map((p) => (p.live === null ? null : p.live / maxLive)),
    'live',
  );
  line(
    h.map((p) => p.fitness),
    'fit',
  );
  h.forEach((p, i) => {
    if (p.current && p.live !== null) root.append(svg('circle', { cx: x(i), cy: y(p.live / maxLive), r: 4, class: 'current' }));
  });
  wrap.append(root);
  return wrap;
}

function render(m: ReportViewModel): void {
  const app = document.getElementById('app')!;
  const root = el('div', { class: 'report' });
  root.append(
    el(
      'header',
      {},
      el('h1', {}, 'Dream Morning Report'),
      el(
        'p',
        { class: 'meta' },
        `Run ${m.runId} · `,
        el('span', { class: `pill ${statusClass(m.status)}` }, m.status),
        ` · started ${m.startedAt}`,
        m.finishedAt ? ` · finished ${m.finishedAt}` : '',
        ` · ${m.duration}`,
        m.haltReason ? ` · halt: ${m.haltReason}` : '',
      ),
      m.goal ? el('p', { class: 'meta' }, 'Goal: ', el('strong', {}, m.goal)) : null,
    ),
  );
  if (m.banner) root.append(el('div', { class: `banner ${m.banner.kind}`, role: 'alert' }, m.banner.text));
  if (m.notes.length)
    root.append(
      el(
        'div',
        { class: 'banner info', role: 'note' },
        el('strong', {}, 'Not everything could be read. '),
        ...m.notes.map((n) => el('span', { class: 'note' }, n, ' ')),
      ),
    );

  // 1. the four answers, first
  const dl = el('dl', { class: 'answers' });
  for (const a of m.answers) dl.append(el('dt', {}, a.question), el('dd', {}, a.answer));
  const first = el('div', { class: 'first-move' });
  if (m.firstMove.action.kind !== 'none')
    first.append(button(m.firstMove.label, () => vscode.postMessage({ type: 'firstMove' }), 'primary'));
  const figs = el('div', { class: 'figures' });
  for (const f of m.figures)
    figs.append(el('div', { class: `figure ${f.tone}` }, el('span', { class: 'value' }, f.value), el('span', { class: 'label' }, f.label)));
  root.append(section('The four answers', 'answers', m.figures.length ? figs : null, dl, first));

  if (m.focus.length) {
    const focus = el('div', { class: 'focus' });
    for (const f of m.focus) {
      focus.append(el('h3', {}, f.priority));
      if (!f.matches.length) focus.append(el('p', { class: 'muted' }, 'No learning matches this priority yet.'));
      else
        focus.append(
          el(
            'ul',
            {},
            ...f.matches.map((x) =>
              el(
                'li',
                {},
                button('Open', () => vscode.postMessage({ type: 'openFile', path: x.path }), 'link'),
                ' ',
                x.title,
                ' ',
                el('code', {}, x.path),
                x.changed ? el('span', { class: 'muted' }, ` (tonight: ${x.changed})`) : null,
              ),
            ),
          ),
        );
    }
    root.append(section('Your priorities for tonight', 'focus', focus));
  }

  if (m.review.length) {
    const ul = el('ul', { class: 'review' });
    for (const r of m.review)
      ul.append(
        el(
          'li',
          {},
          button('Open', () => vscode.postMessage({ type: 'openFile', path: r.path }), 'link'),
          ' ',
          el('code', {}, r.path),
          ' — ',
          r.reason,
        ),
      );
    root.append(
      section(
        'Proposed for review',
        'review',
        el('p', { class: 'muted' }, 'Dream did not archive these; look at them, then archive them in one step (nothing is deleted).'),
        ul,
        m.reviewTotal > m.review.length
          ? el('p', { class: 'muted' }, `Showing ${m.review.length} of ${m.reviewTotal} notes; summary.md lists them all.`)
          : null,
        button(
          `Archive These (${Math.max(m.reviewTotal, m.review.length)})`,
          () => vscode.postMessage({ type: 'archiveReview' }),
          'primary',
        ),
      ),
    );
  }

  root.append(
    section(
      'Last nights',
      'history',
      historyChart(m.history),
      table(
        ['run', 'live learnings', 'fitness'],
        m.history.map((p) => [
          p.current ? el('strong', {}, p.runId) : p.runId,
          p.live === null ? 'n/a' : String(p.live),
          p.fitness === null ? 'n/a' : p.fitness.toFixed(3),
        ]),
        'Live learnings and composite fitness after each run',
      ),
    ),
  );

  if (m.packets.length) {
    const ol = el('ol', { class: 'packets' });
    for (const p of m.packets)
      ol.append(
        el(
          'li',
          {},
          el('strong', {}, p.title),
          ' ',
          el('span', { class: `pill sev-${p.severity}` }, p.severity),
          el('div', { class: 'muted' }, p.whyNow),
          el('code', {}, p.command),
        ),
      );
    root.append(section('First moves', 'packets', ol));
  }

  // 2. iterations
  root.append(
    section(
      'Iterations',
      'iterations',
      m.iterations.length
        ? table(
            ['#', 'status', 'live', 'composite delta', 'changes', 'duration', 'notes'],
            m.iterations.map((it) => [
              String(it.index),
              el('span', { class: `pill ${statusClass(it.status)}` }, it.status),
              it.committed ? 'yes' : 'no',
              el('span', { class: it.deltaValue > 0 ? 'up' : it.deltaValue < 0 ? 'down' : '' }, it.delta),
              String(it.changes),
              it.duration,
              [it.error, ...it.regressions].filter(Boolean).join('; '),
            ]),
          )
        : el('p', { class: 'muted' }, 'No iterations ran.'),
    ),
  );

  // 3. fitness chart + table alternative
  root.append(
    section(
      'Fitness',
      'fitness',
      fitnessChart(m.fitness),
      table(
        ['metric', 'before run', 'now', 'delta'],
        m.fitness.rows.map((r) => [r.metric, r.before, r.now, r.delta]),
        'Fitness per metric (0..1, higher is better)',
      ),
    ),
  );

  // 4. changes with diff links
  const changes = m.changes.length
    ? table(
        ['iteration', 'kind', 'file', 'reason', '', ''],
        m.changes.map((c) => [
          `${c.iteration}${c.committed ? '' : ' (not live)'}`,
          c.kind,
          el('code', {}, c.movedTo ? `${c.path} → ${c.movedTo}` : c.path),
          c.reason,
          button('Diff', () => vscode.postMessage({ type: 'openDiff', iteration: c.iteration, position: c.position }), 'link'),
          c.restored
            ? el('span', { class: 'restored' }, 'restored')
            : c.committed
              ? button('Restore', () => vscode.postMessage({ type: 'restoreChange', iteration: c.iteration, position: c.position }), 'link')
              : null,
        ]),
      )
    : el('p', { class: 'muted' }, 'No changes.');
  root.append(
    section(
      'Changes',
      'changes',
      m.restorable ? button('Restore Whole Run', () => vscode.postMessage({ type: 'restoreRun' })) : null,
      changes,
      m.restores.length ? el('ul', { class: 'restores' }, ...m.restores.map((r) => el('li', {}, `Restored ${r}`))) : null,
      m.changesTotal > m.changes.length
        ? el(
            'p',
            { class: 'muted' },
            `Showing ${m.changes.length} of ${m.changesTotal} changes; the tree view and summary.md list them all.`,
          )
        : null,
    ),
  );

  // 5. council, curator
  for (const [title, id, s] of [
    ['Dream Council', 'council', m.council],
    ['Local Curator', 'curator', m.curator],
  ] as const) {
    root.append(section(title, id, s ? el('ul', {}, ...s.lines.map((l) => el('li', {}, l))) : el('p', { class: 'muted' }, 'not run')));
  }

  // 6. what ran, degraded
  root.append(
    section(
      'Steps',
      'steps',
      m.steps.length
        ? table(
            ['step', 'status', 'note'],
            m.steps.map((s) => [s.name, el('span', { class: `pill ${statusClass(s.status)}` }, s.status), s.note]),
          )
        : el('p', { class: 'muted' }, 'No steps recorded.'),
    ),
  );
  root.append(
    section(
      'Degraded',
      'degraded',
      m.degradedGroups.length
        ? el('ul', { class: 'degraded' }, ...m.degradedGroups.map((d) => el('li', { 'data-area': d.area }, d.line)))
        : m.degraded.length
          ? el('ul', { class: 'degraded' }, ...m.degraded.map((d) => el('li', {}, d)))
          : el('p', { class: 'muted' }, 'Nothing degraded.'),
    ),
  );
  root.append(
    el(
      'footer',
      {},
      el('span', { class: 'muted' }, m.summaryPath),
      ' ',
      button('Refresh', () => vscode.postMessage({ type: 'refresh' }), 'link'),
    ),
  );

  app.replaceChildren(root);
  const headings = [...root.querySelectorAll('h2')].map((h) => h.textContent ?? '');
  vscode.postMessage({ type: 'rendered', runId: m.runId, headings, answers: dl.querySelectorAll('dd').length });
}

function renderError(message: string, summaryPath: string | null): void {
  const app = document.getElementById('app')!;
  app.replaceChildren(
    el(
      'div',
      { class: 'report' },
      el('h1', {}, 'Dream Morning Report'),
      el('div', { class: 'banner failed', role: 'alert' }, message),
      summaryPath ? el('p', { class: 'muted' }, summaryPath) : null,
      button('Retry', () => vscode.postMessage({ type: 'refresh' }), 'link'),
    ),
  );
}

/**
 * The host validates every message with hostToWebviewSchema (src/protocol/webview.ts) before it
 * posts it; here a structural check keeps zod out of the webview bundle.
 */
function asHostMessage(data: unknown): HostToWebview | null {
  if (!data || typeof data !== 'object') return null;
  const m = data as Record<string, unknown>;
  if (m.type === 'render') {
    const model = m.model as Record<string, unknown> | undefined;
    const ok =
      !!model &&
      typeof model.runId === 'string' &&
      Array.isArray(model.answers) &&
      Array.isArray(model.iterations) &&
      Array.isArray(model.changes) &&
      !!model.fitness &&
      !!model.firstMove;
    return ok ? (m as unknown as HostToWebview) : null;
  }
  if (m.type === 'error' && typeof m.message === 'string') return m as unknown as HostToWebview;
  return null;
}

window.addEventListener('message', (ev: MessageEvent) => {
  const msg = asHostMessage(ev.data);
  if (!msg) return; // only the host's typed messages
  if (msg.type === 'render') {
    vscode.setState({ summaryPath: msg.model.summaryPath, runId: msg.model.runId, model: msg.model });
    render(msg.model);
  } else {
    vscode.setState({ summaryPath: msg.summaryPath, runId: null });
    renderError(msg.message, msg.summaryPath);
  }
});

// show the last model at once after a reload (the host re-sends a fresh one on `ready`)
const saved = vscode.getState() as { model?: unknown } | undefined;
if (saved?.model) {
  const again = asHostMessage({ type: 'render', model: saved.model });
  if (again && again.type === 'render') {
    try {
      render(again.model);
    } catch {
      /* stale state: wait for the host */
    }
  }
}
vscode.postMessage({ type: 'ready' });
