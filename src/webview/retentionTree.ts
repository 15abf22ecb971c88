/**
 * The retention tree page: the selected object at the top; why it is alive (the shortest paths from GC roots merged
 * into one tree, read from the object towards the roots); the cycles it is part of; what to break. Any object row can
 * be expanded into its own retainers, fetched from the worker page by page. A row that repeats an ancestor is a cycle
 * and points back to it instead of expanding.
 *
 * The tree is rebuilt from (model, loaded pages) on every change and rendered as a flat list of ARIA treeitems with
 * aria-level; expansion, loaded pages and focus live in the webview state, so hide/show and reloads keep them.
 */
import type { ReportNode, RetainerEntry, RetentionReport, SourceLocation, Step, Suggestion } from '../core/report';
import type { HostToPanel, PanelModel, RenderedRow } from '../shared/webviewProtocol';
import { clear, h, icon, text } from './dom';
import { edgeText, formatBytes, formatLocation, fullLocation, nodeName, typeIcon } from './format';
import { vscodeApi } from './vscodeApi';

type Section = 'object' | 'paths' | 'cycles' | 'fix' | 'notes';
type RowKind = 'object' | 'section' | 'retainer' | 'cycle' | 'cycleStep' | 'fix' | 'note' | 'more' | 'message';

interface Row {
  key: string;
  parent: Row | null;
  level: number;
  section: Section;
  kind: RowKind;
  node?: ReportNode;
  /** Retainer rows: the edge from this node to its parent row's node. Cycle steps: from the previous step's node. */
  edge?: { type: string; name: string; label?: string };
  title?: string;
  detail?: string;
  children: Row[];
  /** Can load its retainers from the worker. */
  lazy: boolean;
  cycleTo?: Row;
  breakHere?: Suggestion;
  gcRoot?: string;
  via?: ReportNode[];
  location: SourceLocation | null;
  /** Expanded when the tree is first shown (the user's own toggles are kept in the page state). */
  defaultExpanded: boolean;
  /** Node ids from the chain's top object down to this row (cycle detection). */
  chain: number[];
  /** For 'more' rows: the row whose retainers it loads. */
  owner?: Row;
}

interface LoadedPage {
  entries: RetainerEntry[];
  total: number;
}

interface PageState {
  model: PanelModel | null;
  expanded: string[];
  collapsed: string[];
  loaded: Record<string, LoadedPage>;
  focused: string | null;
  sessionEnded: string | null;
}

const api = vscodeApi<PageState>();

export function startRetentionTree(app: HTMLElement): void {
  const state: PageState = { model: null, expanded: [], collapsed: [], loaded: {}, focused: null, sessionEnded: null, ...(api.getState() ?? {}) };
  const expanded = new Set(state.expanded);
  const collapsed = new Set(state.collapsed);
  const loading = new Map<number, Row>();
  const pendingKeys = new Set<string>();
  const loadErrors = new Map<string, string>();
  let nextRequest = 1;
  let rows: Row[] = [];
  let visible: Row[] = [];
  let focusedKey: string | null = state.focused;
  let status: { kind: 'busy' | 'error' | 'info'; message: string } | null = null;

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

  // ---------------------------------------------------------------------------------------------------------------
  // Building the rows

  function build(): void {
    rows = [];
    const m = state.model;
    if (!m) return;
    const report = m.report;
    const objectRow = makeRow({ key: 'o', parent: null, level: 1, section: 'object', kind: 'object', node: report.object, chain: [report.object.id], lazy: false });
    rows.push(objectRow);

    // Why it is alive: the paths, merged from the object towards the roots.
    const pathsTitle = report.paths.length === 0
      ? (report.object.distance === null ? 'Why it is alive: nothing reaches it from a GC root (it is garbage, collected at the next GC)' : 'Why it is alive: no retaining path was found')
      : `Why it is alive: ${report.paths.length} shortest path${report.paths.length === 1 ? '' : 's'} from GC roots`;
    const paths = makeRow({ key: 'p', parent: null, level: 1, section: 'paths', kind: 'section', title: pathsTitle, chain: [report.object.id], lazy: false, defaultExpanded: true });
    rows.push(paths);
    report.paths.forEach((path, pi) => {
      let parent = paths;
      for (let i = path.steps.length - 1; i >= 0; i--) {
        const step = path.steps[i];
        const key = `${parent.key}/${stepKey(step.edge, step.from.id)}`;
        let row = parent.children.find((r) => r.key === key);
        if (!row) {
          row = retainerRow(parent, key, step.from, { ...step.edge, label: step.label }, step.via);
          parent.children.push(row);
        }
        if (path.suggestion && path.suggestion.step === i) row.breakHere = path.suggestion;
        if (i === 0) row.gcRoot = path.system ? `${path.root ?? 'root'} (engine or debugger handle)` : path.root ?? 'GC root';
        if (pi === 0) row.defaultExpanded = true;
        parent = row;
      }
    });
    addLoaded(paths);
    paths.children.push(moreRow(paths, `All retainers of ${nodeName(report.object)} @${report.object.id}`));

    // Cycles: each one a chain from the object back to it.
    if (report.cycles.length > 0 || report.hiddenCycles > 0) {
      const hidden = report.hiddenCycles > 0 ? ` (${report.hiddenCycles} more only through engine internals, not shown)` : '';
      const cycles = makeRow({ key: 'c', parent: null, level: 1, section: 'cycles', kind: 'section', lazy: false, defaultExpanded: true,
        title: `Cycles it is part of: ${report.cycles.length}${hidden}`, chain: [] });
      rows.push(cycles);
      report.cycles.forEach((cycle, ci) => {
        const names = [nodeName(report.object), ...cycle.steps.map((s) => `${edgeText(s.edge, s.label)} → ${nodeName(s.to)}`)].join(' ');
        const head = makeRow({ key: `c/${ci}`, parent: cycles, level: 2, section: 'cycles', kind: 'cycle', lazy: false,
          title: `Cycle ${ci + 1}: ${cycle.steps.length} reference${cycle.steps.length === 1 ? '' : 's'}`, detail: names,
          chain: [report.object.id], defaultExpanded: ci === 0, node: report.object });
        cycles.children.push(head);
        let parent = head;
        cycle.steps.forEach((step, si) => {
          const row = makeRow({ key: `${parent.key}/${si}`, parent, level: parent.level + 1, section: 'cycles', kind: 'cycleStep',
            node: step.to, edge: { ...step.edge, label: step.label }, via: step.via, lazy: false, defaultExpanded: true,
            chain: [...parent.chain, step.to.id] });
          if (cycle.suggestion && cycle.suggestion.step === si) row.breakHere = cycle.suggestion;
          if (parent.chain.includes(step.to.id)) row.cycleTo = step.to.id === report.object.id ? objectRow : findAncestor(parent, step.to.id) ?? objectRow;
          parent.children.push(row);
          parent = row;
        });
      });
    }

    // What to break.
    const fixes = collectFixes(report);
    const fixSection = makeRow({ key: 'f', parent: null, level: 1, section: 'fix', kind: 'section', lazy: false, defaultExpanded: true,
      title: fixes.length ? 'What to break' : 'What to break: no single reference frees it', chain: [] });
    rows.push(fixSection);
    // When one reference frees the object (report.fix, listed first), it is the answer; the other paths' and
    // cycles' suggestions are kept one level down, folded, so they do not read as more work to do.
    const frees = report.fix ? fixes.slice(0, 1) : fixes;
    const others = report.fix ? fixes.slice(1) : [];
    const fixRow = (f: FixItem, key: string, parent: Row) =>
      makeRow({ key, parent, level: parent.level + 1, section: 'fix', kind: 'fix', lazy: false,
        title: f.suggestion.fix, detail: `${f.where}. ${f.suggestion.reason}`, node: f.node, location: f.location, chain: [] });
    frees.forEach((f, i) => fixSection.children.push(fixRow(f, `f/${i}`, fixSection)));
    if (others.length) {
      const more = makeRow({ key: 'f/others', parent: fixSection, level: 2, section: 'fix', kind: 'section', lazy: false, defaultExpanded: false,
        title: `Other references (${others.length}), not needed once the one above is broken`, chain: [] });
      others.forEach((f, i) => more.children.push(fixRow(f, `f/others/${i}`, more)));
      fixSection.children.push(more);
    }
    if (fixes.length === 0) {
      fixSection.children.push(makeRow({ key: 'f/none', parent: fixSection, level: 2, section: 'fix', kind: 'note', lazy: false,
        title: report.paths.length > 1
          ? 'Several independent paths hold it: break one reference on each path shown above.'
          : 'Nothing here is a user-level reference to break.', chain: [] }));
    }

    const notes = [...report.notes];
    if (report.heldOnlyBySystem) notes.unshift('Only engine or debugger handles hold this object; the program itself no longer reaches it.');
    if (report.componentSize > 1) notes.push(`It belongs to a group of ${report.componentSize} objects that all reach each other.`);
    if (notes.length) {
      const noteSection = makeRow({ key: 'n', parent: null, level: 1, section: 'notes', kind: 'section', lazy: false, defaultExpanded: true, title: 'Notes', chain: [] });
      rows.push(noteSection);
      notes.forEach((n, i) => noteSection.children.push(makeRow({ key: `n/${i}`, parent: noteSection, level: 2, section: 'notes', kind: 'note', lazy: false, title: n, chain: [] })));
    }
  }

  function makeRow(r: Partial<Row> & Pick<Row, 'key' | 'parent' | 'level' | 'section' | 'kind' | 'chain' | 'lazy'>): Row {
    return { children: [], location: r.node?.location ?? null, defaultExpanded: false, ...r } as Row;
  }

  function retainerRow(parent: Row, key: string, node: ReportNode, edge: Row['edge'], via?: ReportNode[]): Row {
    const row = makeRow({ key, parent, level: parent.level + 1, section: parent.section, kind: 'retainer', node, edge, via,
      chain: [...parent.chain, node.id], lazy: true });
    if (parent.chain.includes(node.id)) {
      row.cycleTo = findAncestor(parent, node.id) ?? rows[0];
      row.lazy = false;
    } else {
      addLoaded(row);
    }
    return row;
  }

  /** Adds the retainer pages loaded for this row (skipping those already shown) and a "more" row when there are more. */
  function addLoaded(row: Row): void {
    const page = state.loaded[row.key];
    if (!page) return;
    for (const e of page.entries) {
      const key = `${row.key}/${stepKey(e.edge, e.node.id)}`;
      if (row.children.some((c) => c.key === key)) continue;
      row.children.push(retainerRow(row, key, e.node, { ...e.edge, label: e.label }));
    }
    if (row.kind !== 'section' && page.entries.length < page.total) {
      row.children.push(moreRow(row, `Show more retainers (${page.entries.length} of ${page.total})`));
    }
  }

  function moreRow(owner: Row, title: string): Row {
    const page = state.loaded[owner.key];
    const t = page ? (page.entries.length < page.total ? `${title.split(' (')[0]} (${page.entries.length} of ${page.total} shown)` : '') : title;
    return makeRow({ key: `${owner.key}/more`, parent: owner, level: owner.level + 1, section: owner.section, kind: 'more', owner, lazy: false, title: t || title, chain: [] });
  }

  function findAncestor(row: Row | null, id: number): Row | undefined {
    for (let r = row; r; r = r.parent) if (r.node?.id === id && r.kind !== 'cycle') return r;
    return rows[0]?.node?.id === id ? rows[0] : undefined;
  }

  function isExpanded(r: Row): boolean {
    if (collapsed.has(r.key)) return false;
    if (expanded.has(r.key)) return true;
    return r.defaultExpanded && r.children.length > 0;
  }

  function canExpand(r: Row): boolean {
    if (r.cycleTo) return false;
    return r.children.length > 0 || (r.lazy && !state.loaded[r.key]);
  }

  function flatten(): void {
    visible = [];
    const walk = (list: Row[]) => {
      for (const r of list) {
        if (r.kind === 'more' && state.loaded[r.owner!.key] && state.loaded[r.owner!.key].entries.length >= state.loaded[r.owner!.key].total) continue;
        visible.push(r);
        if (canExpand(r) && isExpanded(r)) {
          if (r.children.length === 0 || pendingKeys.has(r.key)) {
            visible.push(makeRow({ key: `${r.key}/loading`, parent: r, level: r.level + 1, section: r.section, kind: 'message', lazy: false,
              title: loadErrors.get(r.key) ?? 'Loading retainers…', chain: [] }));
          }
          walk(r.children);
        }
      }
    };
    walk(rows);
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
    flatten();
    if (!focusedKey || !visible.some((r) => r.key === focusedKey)) focusedKey = visible[0]?.key ?? null;
    const groups = new Map<Row | null, Row[]>();
    for (const r of visible) {
      const g = groups.get(r.parent);
      if (g) g.push(r);
      else groups.set(r.parent, [r]);
    }
    const siblingsInfo = new Map<Row, { size: number; pos: number }>();
    for (const g of groups.values()) g.forEach((r, i) => siblingsInfo.set(r, { size: g.length, pos: i + 1 }));
    for (const r of visible) tree.append(renderRow(r, siblingsInfo.get(r)!));
    save();
    scheduleRendered();
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
    const what = m.object ? `${m.object.expression}` : `${nodeName(o)} @${o.id}`;
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

  function renderRow(r: Row, sib: { size: number; pos: number }): HTMLElement {
    const exp = canExpand(r) ? isExpanded(r) : undefined;
    const el = h('div', {
      class: `row kind-${r.kind}${r.cycleTo ? ' is-cycle' : ''}${r.breakHere ? ' is-break' : ''}`,
      role: 'treeitem',
      'aria-level': r.level,
      'aria-setsize': sib.size,
      'aria-posinset': sib.pos,
      'aria-expanded': exp === undefined ? undefined : String(exp),
      'aria-selected': String(r.key === focusedKey),
      tabindex: r.key === focusedKey ? 0 : -1,
      'data-key': r.key,
    });
    el.style.setProperty('--level', String(r.level - 1));
    const twistie = icon(exp === undefined ? 'blank' : exp ? 'chevron-down' : 'chevron-right', 'twistie');
    const main = h('span', { class: 'col-main' });
    main.append(twistie);
    switch (r.kind) {
      case 'section':
        main.append(text('span', 'section-title', r.title ?? ''));
        break;
      case 'cycle':
        main.append(icon('sync'), text('span', 'cycle-title', r.title ?? ''), text('span', 'muted detail', r.detail ?? ''));
        break;
      case 'fix':
        main.append(icon('lightbulb', 'fix-icon'), text('span', 'fix-title', r.title ?? ''), text('span', 'muted detail', r.detail ?? ''));
        break;
      case 'note':
        main.append(icon('info'), text('span', 'note', r.title ?? ''));
        break;
      case 'message':
        main.append(icon(loadErrors.has(r.parent?.key ?? '') ? 'error' : 'loading codicon-modifier-spin'), text('span', 'muted', r.title ?? ''));
        break;
      case 'more':
        main.append(icon('ellipsis'), text('span', 'more', r.title ?? ''));
        break;
      default:
        appendNode(main, r);
    }
    el.append(main);
    if (r.node && (r.kind === 'object' || r.kind === 'retainer' || r.kind === 'cycleStep' || r.kind === 'fix')) {
      const n = r.node;
      el.append(
        text('span', 'col dist', n.distance === null || n.distance === undefined ? '–' : n.distance >= 100_000_000 ? 'sys' : String(n.distance),
          'Distance from the GC roots (as DevTools counts it)'),
        text('span', 'col size self', formatBytes(n.selfSize), 'Shallow size: the object itself'),
        text('span', 'col size retained', formatBytes(n.retainedSize), 'Retained size: what would be freed with it'),
        locationCell(r),
      );
      if (r.kind !== 'fix' && !(r.kind === 'object')) {
        const inspect = h('span', { class: 'action', role: 'button', title: `Show why ${nodeName(n)} @${n.id} is alive`, 'aria-label': `Show why ${nodeName(n)} is alive` }, icon('target'));
        inspect.addEventListener('click', (e) => { e.stopPropagation(); inspectRow(r); });
        el.append(inspect);
      } else {
        el.append(h('span', { class: 'action placeholder' }));
      }
    } else if (r.location) {
      el.append(h('span', { class: 'col dist' }), h('span', { class: 'col size self' }), h('span', { class: 'col size retained' }), locationCell(r), h('span', { class: 'action placeholder' }));
    }
    el.addEventListener('click', () => { focusRow(r.key); activate(r, 'click'); });
    el.addEventListener('dblclick', () => { if (r.node && r.kind !== 'object') inspectRow(r); });
    return el;
  }

  function appendNode(main: HTMLElement, r: Row): void {
    const n = r.node!;
    if (r.edge && r.kind === 'retainer') {
      main.append(text('span', edgeClass(r.edge.type), edgeText(r.edge, r.edge.label), `${r.edge.type} reference`), text('span', 'muted', ' in '));
    }
    if (r.edge && r.kind === 'cycleStep') {
      main.append(text('span', edgeClass(r.edge.type), edgeText(r.edge, r.edge.label), `${r.edge.type} reference`), text('span', 'muted', ' → '));
    }
    main.append(icon(typeIcon(n.type), 'type-icon'));
    main.append(text('span', 'name', nodeName(n), n.name.length > 60 ? n.name.slice(0, 500) : undefined));
    main.append(text('span', 'id', ` @${n.id}`));
    if (r.kind === 'object') main.append(text('span', 'muted', ` (${n.type})`));
    if (r.cycleTo) {
      const back = r.cycleTo.node ?? n;
      main.append(h('span', { class: 'badge cycle', title: 'This object is already above in the tree: a cycle' },
        icon('debug-restart'), text('span', '', `cycle: back to ${nodeName(back)} @${back.id}`)));
    }
    if (r.gcRoot) main.append(h('span', { class: 'badge root', title: 'The path starts at this GC root' }, icon('pinned'), text('span', '', r.gcRoot)));
    if (r.breakHere) {
      main.append(h('span', { class: 'badge break', title: `${r.breakHere.fix} — ${r.breakHere.reason}` }, icon('debug-disconnect'), text('span', '', `break here: ${fixLabel(r.breakHere)}`)));
    }
    if (r.via && r.via.length) main.append(text('span', 'muted via', ` via ${r.via.map(nodeName).join(', ')}`));
  }

  function locationCell(r: Row): HTMLElement {
    const loc = r.location;
    if (!loc) {
      const el = text('span', 'col loc unknown', 'no source', 'V8 recorded no source location for this object');
      el.addEventListener('click', (e) => {
        e.stopPropagation();
        setStatus('info', `V8 recorded no source location for ${r.node ? `${nodeName(r.node)} @${r.node.id}` : 'this row'} (built-in or native objects, and plain objects whose constructor is unknown, have none).`);
      });
      return el;
    }
    const link = text('span', 'col loc link', formatLocation(loc), `Open ${fullLocation(loc)}`);
    link.setAttribute('role', 'link');
    link.addEventListener('click', (e) => { e.stopPropagation(); focusRow(r.key); openLocation(loc); });
    return link;
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

  function toggle(r: Row, to?: boolean): void {
    const now = isExpanded(r);
    const want = to ?? !now;
    if (want === now) return;
    if (want) {
      expanded.add(r.key);
      collapsed.delete(r.key);
      if (r.lazy && !state.loaded[r.key] && r.node) loadRetainers(r, 0);
    } else {
      expanded.delete(r.key);
      collapsed.add(r.key);
    }
    render();
    focusRow(r.key);
  }

  function loadMore(owner: Row): void {
    expanded.add(owner.key);
    collapsed.delete(owner.key);
    const page = state.loaded[owner.key];
    loadRetainers(owner, page ? page.entries.length : 0);
    render();
  }

  function loadRetainers(r: Row, offset: number): void {
    const m = state.model;
    const heapId = r.kind === 'section' ? m?.report.object.id : r.node?.id;
    if (!m || heapId === undefined || pendingKeys.has(r.key)) return;
    const requestId = nextRequest++;
    loading.set(requestId, r);
    pendingKeys.add(r.key);
    loadErrors.delete(r.key);
    api.postMessage({ type: 'loadRetainers', requestId, snapshotId: m.snapshot.snapshotId, heapId, offset });
  }

  function revealRow(target: Row): void {
    for (let p = target.parent; p; p = p.parent) {
      expanded.add(p.key);
      collapsed.delete(p.key);
    }
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
        if (canExpand(r) && !isExpanded(r)) toggle(r, true);
        else if (canExpand(r) && visible[i + 1]?.parent === r) focusRow(visible[i + 1].key);
        break;
      case 'ArrowLeft':
        if (canExpand(r) && isExpanded(r)) toggle(r, false);
        else if (r.parent && visible.includes(r.parent)) focusRow(r.parent.key);
        break;
      case 'Enter':
        activate(r, 'enter');
        break;
      case ' ':
        if (canExpand(r)) toggle(r);
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

  function setStatus(kind: 'busy' | 'error' | 'info', message: string | null): void {
    status = message === null ? null : { kind, message };
    renderBanner();
  }

  function save(): void {
    state.expanded = [...expanded];
    state.collapsed = [...collapsed];
    state.focused = focusedKey;
    api.setState(state);
  }

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
          expanded: canExpand(r) ? isExpanded(r) : null,
          location: r.location ? `${r.location.url}:${r.location.line}` : null,
        });
        if (out.length >= 2000) break;
      }
      api.postMessage({ type: 'rendered', generation: m.generation, rows: out });
    }, 30);
  }

  window.addEventListener('message', (event: MessageEvent) => {
    const msg = event.data as HostToPanel;
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'show': {
        const same = state.model?.generation === msg.model.generation && state.model?.snapshot.snapshotId === msg.model.snapshot.snapshotId;
        state.model = msg.model;
        state.sessionEnded = msg.model.sessionEnded;
        if (!same) {
          expanded.clear();
          collapsed.clear();
          state.loaded = {};
          focusedKey = null;
          // Answers still coming for the previous object's rows must not land under this one's rows of the same key.
          loading.clear();
          pendingKeys.clear();
          loadErrors.clear();
        }
        build();
        render();
        if (!same) tree.querySelector<HTMLElement>('[tabindex="0"]')?.focus();
        break;
      }
      case 'retainers': {
        const r = loading.get(msg.requestId);
        loading.delete(msg.requestId);
        if (!r) return;
        pendingKeys.delete(r.key);
        if (msg.ok) {
          const prev = state.loaded[r.key];
          const entries = prev && msg.page.offset > 0 ? [...prev.entries, ...msg.page.entries] : msg.page.entries;
          state.loaded[r.key] = { entries, total: msg.page.total };
          if (msg.page.total === 0) loadErrors.set(r.key, 'Nothing else holds it.');
        } else {
          loadErrors.set(r.key, msg.error);
        }
        build();
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
  });

  // Restore what the page showed before it was hidden, then ask for the current model.
  if (state.model) build();
  render();
  api.postMessage({ type: 'ready' });
}

function stepKey(edge: { type: string; name: string }, id: number): string {
  return `${edge.type}:${edge.name}:${id}`;
}

function fixLabel(s: Suggestion): string {
  switch (s.kind) {
    case 'weak-ref': return 'make it a WeakRef';
    case 'weak-map': return 'use a WeakMap';
    case 'remove-listener': return 'remove the listener';
    case 'delete-entry': return 'delete the entry';
    case 'dispose': return 'dispose it';
    default: return s.kind;
  }
}

interface FixItem {
  suggestion: Suggestion;
  node?: ReportNode;
  location: SourceLocation | null;
  where: string;
}

/** The report's fix first, then the other paths' and cycles' suggestions, without repeats. */
function collectFixes(report: RetentionReport): FixItem[] {
  const out: FixItem[] = [];
  const seen = new Set<string>();
  const add = (s: Suggestion | null | undefined, steps: Step[] | undefined) => {
    if (!s || !steps) return;
    const step = steps[s.step];
    if (!step) return;
    const key = `${step.from.id}:${step.edge.type}:${step.edge.name}:${step.to.id}:${s.kind}`;
    if (seen.has(key)) return;
    seen.add(key);
    // A listener is removed where it was added: the closure's own line. Otherwise the object holding the reference.
    const node = s.kind === 'remove-listener' ? (step.to.location ? step.to : step.from) : (step.from.location ? step.from : step.to);
    out.push({
      suggestion: s,
      node,
      location: s.site ?? node.location, // the line that creates the reference, when a script shows it
      where: `${nodeName(step.from)} @${step.from.id} ${edgeText(step.edge, step.label)} → ${nodeName(step.to)} @${step.to.id}`,
    });
  };
  if (report.fix) add(report.fix, report.paths[report.fix.path]?.steps);
  for (const p of report.paths) add(p.suggestion, p.steps);
  for (const c of report.cycles) add(c.suggestion, c.steps);
  return out;
}

/** Edge type names come from the snapshot's meta: only a known V8 edge type becomes a class name. */
function edgeClass(type: string): string {
  return /^(context|element|property|internal|hidden|shortcut|weak)$/.test(type) ? `edge edge-${type}` : 'edge';
}

function cssEscape(s: string): string {
  return typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&');
}
