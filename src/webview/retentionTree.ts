/**
 * The retention tree page: view and events over the row model (retentionRows.ts) and the row view (treeRowView.ts).
 * The tree is rebuilt from (model, loaded pages) on every change and rendered as a flat list of ARIA treeitems with
 * aria-level; expansion, loaded pages and focus live in the webview state, so hide/show and reloads keep them.
 */
import type { SourceLocation } from '../shared/report';
import type { HostToPanel, PanelModel, PanelToHost, RenderedRow } from '../shared/webviewProtocol';
import { clear, h, icon, text } from './dom';
import { nodeLabel } from '../shared/labels';
import { formatBytes, typeIcon } from './format';
import {
  buildRows, canExpand, isExpanded, siblingPositions, visibleRows, type Expansion, type LoadedPage, type Row,
} from './retentionRows';
import { renderRow } from './treeRowView';
import { vscodeApi } from './vscodeApi';

interface PageState {
  model: PanelModel | null;
  expanded: string[];
  collapsed: string[];
  loaded: Record<string, LoadedPage>;
  focused: string | null;
  sessionEnded: string | null;
}

type Status = { kind: 'busy' | 'error' | 'info'; message: string };

const api = vscodeApi<PageState, PanelToHost>();

export function startRetentionTree(app: HTMLElement): void {
  const state: PageState = { model: null, expanded: [], collapsed: [], loaded: {}, focused: null, sessionEnded: null, ...(api.getState() ?? {}) };
  const expansion = {
    expanded: new Set(state.expanded),
    collapsed: new Set(state.collapsed),
    pending: new Set<string>(),
    errors: new Map<string, string>(),
  } satisfies Expansion;
  /** Retainer requests in flight: request id -> the row that asked. */
  const loading = new Map<number, Row>();
  let nextRequest = 1;
  let rows: Row[] = [];
  let visible: Row[] = [];
  let focusedKey: string | null = state.focused;
  let status: Status | null = null;

  const banner = h('div', { class: 'banner', role: 'status', 'aria-live': 'polite' });
  const header = h('div', { class: 'header' });
  const columns = h('div', { class: 'columns', 'aria-hidden': 'true' },
    text('span', 'col-main', 'Object and reference'),
    text('span', 'col dist', 'Distance'),
    text('span', 'col size self', 'Shallow'),
    text('span', 'col size retained', 'Retained'),
    text('span', 'col loc', 'Source'));
  const tree = h('div', { class: 'tree', role: 'tree', tabindex: -1, 'aria-label': 'Retention tree' });
  const empty = h('div', { class: 'empty' },
    h('p', null, icon('type-hierarchy-sub'), ' Nothing examined yet.'),
    h('p', null, 'Run “Retention: Find Retaining Cycles” from the Command Palette while debugging a Node program, or right-click an object in the Variables view.'));
  app.append(banner, header, columns, tree, empty);
  app.removeAttribute('aria-busy');

  const handlers = {
    activate: (r: Row) => { focusRow(r.key); activate(r, 'click'); },
    inspect: (r: Row) => inspectRow(r),
    openLocation: (r: Row, loc: SourceLocation) => { focusRow(r.key); openLocation(loc); },
    noLocation: (r: Row) => setStatus('info', `V8 recorded no source location for ${r.node ? `${nodeLabel(r.node)} @${r.node.id}` : 'this row'} (built-in or native objects, and plain objects whose constructor is unknown, have none).`),
  };

  function rebuild(): void {
    rows = state.model ? buildRows(state.model.report, state.loaded) : [];
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Rendering

  function render(): void {
    renderBanner();
    renderHeader();
    const m = state.model;
    empty.hidden = m !== null;
    columns.hidden = m === null;
    tree.hidden = m === null;
    clear(tree);
    if (!m) return;
    visible = visibleRows(rows, expansion);
    if (!focusedKey || !visible.some((r) => r.key === focusedKey)) focusedKey = visible[0]?.key ?? null;
    const positions = siblingPositions(visible);
    for (const r of visible) {
      const { size, pos } = positions.get(r)!;
      tree.append(renderRow(r, {
        expanded: canExpand(r) ? isExpanded(r, expansion) : undefined,
        focused: r.key === focusedKey,
        size, pos,
        failed: r.kind === 'message' && expansion.errors.has(r.parent?.key ?? ''),
        context: findingContext(r, m),
      }, handlers));
    }
    save();
    scheduleRendered();
  }

  /** A finding (the object, a fix) carries what "Copy as Regression Test" needs; VS Code hands it to the command. */
  function findingContext(r: Row, m: PanelModel): string | undefined {
    if (r.kind !== 'fix' && r.kind !== 'object') return undefined;
    const o = m.object;
    return JSON.stringify({
      webviewSection: 'finding', preventDefaultContextMenuItems: true, expression: o?.expression ?? '', className: o?.className ?? r.node?.name ?? '',
      scope: o?.scope ?? '', fix: r.kind === 'fix' ? r.title : m.report.fix?.fix, where: r.kind === 'fix' ? r.detail : undefined,
    });
  }

  function renderBanner(): void {
    clear(banner);
    const ended = state.sessionEnded;
    if (ended) banner.append(h('div', { class: 'notice ended' }, icon('debug-disconnect'), text('span', '', ended)));
    if (status) {
      const iconName = status.kind === 'busy' ? 'loading codicon-modifier-spin' : status.kind === 'error' ? 'error' : 'info';
      banner.append(h('div', { class: `notice ${status.kind}` }, icon(iconName), text('span', '', status.message)));
    }
  }

  function renderHeader(): void {
    clear(header);
    const m = state.model;
    if (!m) return;
    const o = m.report.object;
    const what = m.object ? `${m.object.expression}` : `${nodeLabel(o)} @${o.id}`;
    if (m.back) {
      const back = h('button', { class: 'back', type: 'button', title: `Back to ${m.back} (Alt+Left)`, 'aria-label': `Back to ${m.back}` }, icon('arrow-left'), text('span', '', ` ${m.back}`));
      back.addEventListener('click', () => api.postMessage({ type: 'back' }));
      header.append(back);
    }
    header.append(
      h('div', { class: 'title' }, icon(typeIcon(o.type)), text('span', 'expr', what),
        m.object ? text('span', 'muted', ` — ${m.object.description} @${o.id}, evaluated in ${m.object.scope}`) : null),
      h('div', { class: 'subtitle' }, text('span', 'muted',
        `${m.snapshot.label} · ${formatBytes(m.snapshot.bytes)} · ${m.snapshot.nodeCount.toLocaleString()} objects`)),
    );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Behaviour

  function openLocation(loc: SourceLocation): void {
    api.postMessage({ type: 'openLocation', location: { url: loc.url, line: loc.line, column: loc.column } });
  }

  function inspectRow(r: Row): void {
    if (!r.node || !state.model) return;
    api.postMessage({ type: 'inspect', snapshotId: state.model.snapshot.snapshotId, heapId: r.node.id });
  }

  function activate(r: Row, how: 'click' | 'enter'): void {
    if (r.cycleTo) {
      revealRow(r.cycleTo);
      return;
    }
    if (r.kind === 'more') {
      loadMore(r.owner!);
      return;
    }
    if (how === 'enter' && r.location) {
      openLocation(r.location);
      return;
    }
    if (canExpand(r)) toggle(r);
  }

  function setExpanded(key: string, on: boolean): void {
    (on ? expansion.expanded : expansion.collapsed).add(key);
    (on ? expansion.collapsed : expansion.expanded).delete(key);
  }

  function toggle(r: Row, to?: boolean): void {
    const now = isExpanded(r, expansion);
    const want = to ?? !now;
    if (want === now) return;
    setExpanded(r.key, want);
    if (want && r.lazy && !r.loaded && r.node) loadRetainers(r, 0);
    render();
    focusRow(r.key);
  }

  function loadMore(owner: Row): void {
    setExpanded(owner.key, true);
    const page = state.loaded[owner.key];
    loadRetainers(owner, page ? page.entries.length : 0);
    render();
  }

  function loadRetainers(r: Row, offset: number): void {
    const m = state.model;
    const heapId = r.kind === 'section' ? m?.report.object.id : r.node?.id;
    if (!m || heapId === undefined || expansion.pending.has(r.key)) return;
    const requestId = nextRequest++;
    loading.set(requestId, r);
    expansion.pending.add(r.key);
    expansion.errors.delete(r.key);
    api.postMessage({ type: 'loadRetainers', requestId, snapshotId: m.snapshot.snapshotId, heapId, offset });
  }

  function revealRow(target: Row): void {
    for (let p = target.parent; p; p = p.parent) setExpanded(p.key, true);
    render();
    focusRow(target.key);
    const el = tree.querySelector<HTMLElement>(`[data-key="${cssEscape(target.key)}"]`);
    el?.classList.add('flash');
    setTimeout(() => el?.classList.remove('flash'), 900);
  }

  function focusRow(key: string, scroll = true): void {
    focusedKey = key;
    for (const el of tree.querySelectorAll<HTMLElement>('[role="treeitem"]')) {
      const on = el.dataset.key === key;
      el.tabIndex = on ? 0 : -1;
      el.setAttribute('aria-selected', String(on));
      if (on) {
        el.focus({ preventScroll: !scroll });
        if (scroll) el.scrollIntoView({ block: 'nearest' });
      }
    }
    save();
  }

  window.addEventListener('keydown', (e) => {
    if (e.altKey && e.key === 'ArrowLeft' && state.model?.back) {
      e.preventDefault();
      api.postMessage({ type: 'back' });
    }
  });

  tree.addEventListener('keydown', (e) => {
    const i = visible.findIndex((r) => r.key === focusedKey);
    if (i < 0) return;
    const r = visible[i];
    const expandable = canExpand(r);
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        if (i + 1 < visible.length) focusRow(visible[i + 1].key);
        break;
      case 'ArrowUp':
        if (i > 0) focusRow(visible[i - 1].key);
        break;
      case 'Home':
        focusRow(visible[0].key);
        break;
      case 'End':
        focusRow(visible[visible.length - 1].key);
        break;
      case 'ArrowRight':
        if (expandable && !isExpanded(r, expansion)) toggle(r, true);
        else if (expandable && visible[i + 1]?.parent === r) focusRow(visible[i + 1].key);
        break;
      case 'ArrowLeft':
        if (expandable && isExpanded(r, expansion)) toggle(r, false);
        else if (r.parent && visible.includes(r.parent)) focusRow(r.parent.key);
        break;
      case 'Enter':
        activate(r, 'enter');
        break;
      case ' ':
        if (expandable) toggle(r);
        else activate(r, 'click');
        break;
      case 'i':
        inspectRow(r);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });

  function setStatus(kind: Status['kind'], message: string | null): void {
    status = message === null ? null : { kind, message };
    renderBanner();
  }

  function save(): void {
    state.expanded = [...expansion.expanded];
    state.collapsed = [...expansion.collapsed];
    state.focused = focusedKey;
    api.setState(state);
  }

  // What the page shows, for tests and `_panelState`: sent shortly after each render.
  let renderedTimer: ReturnType<typeof setTimeout> | null = null;
  function scheduleRendered(): void {
    if (renderedTimer) return;
    renderedTimer = setTimeout(() => {
      renderedTimer = null;
      const m = state.model;
      if (!m) return;
      const out: RenderedRow[] = [];
      for (const el of tree.querySelectorAll<HTMLElement>('[role="treeitem"]')) {
        const r = visible.find((x) => x.key === el.dataset.key);
        if (!r) continue;
        out.push({
          level: r.level,
          text: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
          section: r.section,
          heapId: r.node?.id ?? null,
          cycle: !!r.cycleTo,
          expanded: canExpand(r) ? isExpanded(r, expansion) : null,
          location: r.location ? `${r.location.url}:${r.location.line}` : null,
        });
        if (out.length >= 2000) break;
      }
      api.postMessage({ type: 'rendered', generation: m.generation, rows: out });
    }, 30);
  }

  function onHostMessage(msg: HostToPanel): void {
    switch (msg.type) {
      case 'show': {
        const same = state.model?.generation === msg.model.generation && state.model?.snapshot.snapshotId === msg.model.snapshot.snapshotId;
        state.model = msg.model;
        state.sessionEnded = msg.model.sessionEnded;
        if (!same) {
          expansion.expanded.clear();
          expansion.collapsed.clear();
          state.loaded = {};
          focusedKey = null;
          // Answers still coming for the previous object's rows must not land under this one's rows of the same key.
          loading.clear();
          expansion.pending.clear();
          expansion.errors.clear();
        }
        rebuild();
        render();
        if (!same) tree.querySelector<HTMLElement>('[tabindex="0"]')?.focus();
        break;
      }
      case 'retainers': {
        const r = loading.get(msg.requestId);
        loading.delete(msg.requestId);
        if (!r) return;
        expansion.pending.delete(r.key);
        if (msg.ok) {
          const prev = state.loaded[r.key];
          const entries = prev && msg.page.offset > 0 ? [...prev.entries, ...msg.page.entries] : msg.page.entries;
          state.loaded[r.key] = { entries, total: msg.page.total };
          if (msg.page.total === 0) expansion.errors.set(r.key, 'Nothing else holds it.');
        } else {
          expansion.errors.set(r.key, msg.error);
        }
        rebuild();
        render();
        focusRow(focusedKey ?? r.key, false);
        break;
      }
      case 'sessionEnded':
        state.sessionEnded = msg.message;
        if (state.model) state.model = { ...state.model, sessionEnded: msg.message };
        save();
        renderBanner();
        break;
      case 'status':
        setStatus(msg.kind, msg.message);
        break;
      case 'clearStatus':
        setStatus('info', null);
        break;
    }
  }

  window.addEventListener('message', (event: MessageEvent) => {
    const msg = event.data as HostToPanel | null;
    if (msg && typeof msg === 'object') onHostMessage(msg);
  });

  // Restore what the page showed before it was hidden, then ask for the current model.
  rebuild();
  render();
  api.postMessage({ type: 'ready' });
}

function cssEscape(s: string): string {
  return typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&');
}
