/**
 * Which rows the retention tree has, apart from how a row is drawn: pure functions over a report and the retainer
 * pages loaded so far, unit-tested without a browser (test/unit/retentionRows.test.ts).
 *
 * - `buildRows(report, loaded)`: the tree. The object; why it is alive (the shortest paths merged into one tree,
 *   read from the object towards the roots, plus the pages of retainers the user loaded); the cycles it is part of;
 *   what to break; notes. A row that repeats an ancestor is a cycle and points back to it instead of expanding.
 * - `visibleRows(rows, expansion)`: the rows shown, in order, given what the user expanded and collapsed (rows
 *   expanded by default stay so until collapsed) and which loads are pending or failed.
 */
import type { ReportNode, RetainerEntry, RetentionReport, SourceLocation, Step, Suggestion } from '../shared/report';
import { distanceShort, locationLabel, nodeLabel } from '../shared/labels';
import { edgeText, formatBytes } from './format';

export type Section = 'object' | 'paths' | 'cycles' | 'fix' | 'notes';
export type RowKind = 'object' | 'section' | 'retainer' | 'cycle' | 'cycleStep' | 'fix' | 'note' | 'more' | 'message';

export interface Row {
  /** Stable across rebuilds of the same report: expansion and focus are kept by key. */
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
  /** A page of its retainers has been loaded. */
  loaded: boolean;
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
  /** A 'more' row once every retainer of its owner is shown: kept in the tree, not shown. */
  hidden?: boolean;
}

/** Retainer pages loaded so far, by the key of the row they belong to. */
export interface LoadedPage {
  entries: RetainerEntry[];
  total: number;
}
export type LoadedPages = Readonly<Record<string, LoadedPage>>;

/** What the user expanded and collapsed, and which rows' retainers are loading or failed to load. */
export interface Expansion {
  expanded: ReadonlySet<string>;
  collapsed: ReadonlySet<string>;
  pending?: ReadonlySet<string>;
  /** Row key -> the sentence shown instead of "Loading retainers…". */
  errors?: ReadonlyMap<string, string>;
}

export function buildRows(report: RetentionReport, loaded: LoadedPages): Row[] {
  const rows: Row[] = [];
  const objectRow = makeRow({ key: 'o', parent: null, level: 1, section: 'object', kind: 'object', node: report.object, chain: [report.object.id], lazy: false });
  rows.push(objectRow);

  const findAncestor = (row: Row | null, id: number): Row | undefined => {
    for (let r = row; r; r = r.parent) if (r.node?.id === id && r.kind !== 'cycle') return r;
    return objectRow.node?.id === id ? objectRow : undefined;
  };

  const retainerRow = (parent: Row, key: string, node: ReportNode, edge: Row['edge'], via?: ReportNode[]): Row => {
    const row = makeRow({ key, parent, level: parent.level + 1, section: parent.section, kind: 'retainer', node, edge, via,
      chain: [...parent.chain, node.id], lazy: true });
    if (parent.chain.includes(node.id)) {
      row.cycleTo = findAncestor(parent, node.id) ?? objectRow;
      row.lazy = false;
    } else {
      addLoaded(row);
    }
    return row;
  };

  /** Adds the retainer pages loaded for this row (skipping those already shown) and a "more" row when there are more. */
  const addLoaded = (row: Row): void => {
    const page = loaded[row.key];
    if (!page) return;
    row.loaded = true;
    for (const e of page.entries) {
      const key = `${row.key}/${stepKey(e.edge, e.node.id)}`;
      if (row.children.some((c) => c.key === key)) continue;
      row.children.push(retainerRow(row, key, e.node, { ...e.edge, label: e.label }));
    }
    if (row.kind !== 'section' && page.entries.length < page.total) {
      row.children.push(moreRow(row, `Show more retainers (${page.entries.length} of ${page.total})`));
    }
  };

  const moreRow = (owner: Row, title: string): Row => {
    const page = loaded[owner.key];
    const t = page ? (page.entries.length < page.total ? `${title.split(' (')[0]} (${page.entries.length} of ${page.total} shown)` : '') : title;
    return makeRow({ key: `${owner.key}/more`, parent: owner, level: owner.level + 1, section: owner.section, kind: 'more', owner, lazy: false, title: t || title, chain: [],
      hidden: page !== undefined && page.entries.length >= page.total });
  };

  // Why it is alive: the paths, merged from the object towards the roots.
  const pathsTitle = report.paths.length === 0
    ? (report.heldOnlyByDebugger ? 'Why it is alive: only the debugger holds it (below); not a leak in your code'
      : report.object.distance === null ? 'Why it is alive: nothing reaches it from a GC root (it is garbage, collected at the next GC)' : 'Why it is alive: no retaining path was found')
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
        if (step.folded) row.children.push(foldedRow(row, step.folded));
      }
      if (path.suggestion && path.suggestion.step === i) row.breakHere = path.suggestion;
      if (i === 0) row.gcRoot = path.system ? `${path.root ?? 'root'} (engine or debugger handle)` : path.root ?? 'GC root';
      if (pi === 0) row.defaultExpanded = true;
      parent = row;
    }
  });
  addLoaded(paths);
  paths.children.push(moreRow(paths, `All retainers of ${nodeLabel(report.object)} @${report.object.id}`));

  // The debugger's own handles: apart, since they hold the object only while it is inspected.
  if (report.debuggerPaths?.length) {
    const held = makeRow({ key: 'd', parent: null, level: 1, section: 'paths', kind: 'section', lazy: false, defaultExpanded: false, chain: [],
      title: 'Held by the debugger while paused (released when you resume)' });
    report.debuggerPaths.forEach((p, i) => held.children.push(makeRow({ key: `d/${i}`, parent: held, level: 2, section: 'paths', kind: 'note', lazy: false, chain: [],
      title: [p.root ?? 'root', ...p.steps.map((st) => `${edgeText(st.edge, st.label)} → ${nodeLabel(st.to)} @${st.to.id}`)].join(' ') })));
    rows.push(held);
  }

  // Cycles: each one a chain from the object back to it.
  if (report.cycles.length > 0 || report.hiddenCycles > 0) {
    const hidden = report.hiddenCycles > 0 ? ` (${report.hiddenCycles} more only through engine internals, not shown)` : '';
    const cycles = makeRow({ key: 'c', parent: null, level: 1, section: 'cycles', kind: 'section', lazy: false, defaultExpanded: true,
      title: `Cycles it is part of: ${report.cycles.length}${hidden}`, chain: [] });
    rows.push(cycles);
    report.cycles.forEach((cycle, ci) => {
      const names = [nodeLabel(report.object), ...cycle.steps.map((s) => `${edgeText(s.edge, s.label)} → ${nodeLabel(s.to)}`)].join(' ');
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
  // report.notes says who holds an object no user root reaches (the debugger alone, or a frame or handle of the
  // program's: still a leak to follow).
  if (report.componentSize > 1) notes.push(`It belongs to a group of ${report.componentSize} objects that all reach each other.`);
  if (notes.length) {
    const noteSection = makeRow({ key: 'n', parent: null, level: 1, section: 'notes', kind: 'section', lazy: false, defaultExpanded: true, title: 'Notes', chain: [] });
    rows.push(noteSection);
    notes.forEach((n, i) => noteSection.children.push(makeRow({ key: `n/${i}`, parent: noteSection, level: 2, section: 'notes', kind: 'note', lazy: false, title: n, chain: [] })));
  }
  return rows;
}

/** A folded run of one repeated link ("280 x WeakCell .next"): its steps, one row each, collapsed. */
function foldedRow(owner: Row, folded: Step[]): Row {
  const group = makeRow({ key: `${owner.key}/folded`, parent: owner, level: owner.level + 1, section: owner.section, kind: 'section', lazy: false,
    title: `${folded.length} references folded into this row`, chain: [] });
  folded.forEach((f, i) => group.children.push(makeRow({ key: `${group.key}/${i}`, parent: group, level: group.level + 1, section: owner.section,
    kind: 'note', lazy: false, title: `${nodeLabel(f.from)} @${f.from.id} ${edgeText(f.edge, f.label)} → ${nodeLabel(f.to)} @${f.to.id}`, chain: [] })));
  return group;
}

export function isExpanded(r: Row, expansion: Expansion): boolean {
  if (expansion.collapsed.has(r.key)) return false;
  if (expansion.expanded.has(r.key)) return true;
  return r.defaultExpanded && r.children.length > 0;
}

/** A row with children, or whose retainers can still be loaded; a cycle row points back instead. */
export function canExpand(r: Row): boolean {
  if (r.cycleTo) return false;
  return r.children.length > 0 || (r.lazy && !r.loaded);
}

/**
 * The rows shown, in order. An expanded row whose retainers are loading (or failed to load, or had none) is
 * followed by a message row saying so.
 */
export function visibleRows(rows: readonly Row[], expansion: Expansion): Row[] {
  const out: Row[] = [];
  const walk = (list: readonly Row[]) => {
    for (const r of list) {
      if (r.hidden) continue;
      out.push(r);
      if (!canExpand(r) || !isExpanded(r, expansion)) continue;
      if (r.children.length === 0 || expansion.pending?.has(r.key)) {
        out.push(makeRow({ key: `${r.key}/loading`, parent: r, level: r.level + 1, section: r.section, kind: 'message', lazy: false,
          title: expansion.errors?.get(r.key) ?? 'Loading retainers…', chain: [] }));
      }
      walk(r.children);
    }
  };
  walk(rows);
  return out;
}

/** Each visible row's position among its visible siblings (aria-setsize, aria-posinset). */
export function siblingPositions(visible: readonly Row[]): Map<Row, { size: number; pos: number }> {
  const groups = new Map<Row | null, Row[]>();
  for (const r of visible) {
    const g = groups.get(r.parent);
    if (g) g.push(r);
    else groups.set(r.parent, [r]);
  }
  const out = new Map<Row, { size: number; pos: number }>();
  for (const g of groups.values()) g.forEach((r, i) => out.set(r, { size: g.length, pos: i + 1 }));
  return out;
}

/**
 * The row in words, as a screen reader announces it (its aria-label) and as the golden test reads it: the reference,
 * the object, its distance and sizes, its source, and its badges.
 */
export function rowLabel(r: Row): string {
  const n = r.node;
  if (!n || r.kind === 'section' || r.kind === 'note' || r.kind === 'more' || r.kind === 'message') return r.title ?? '';
  if (r.kind === 'cycle') return `${r.title ?? ''}: ${r.detail ?? ''}`;
  if (r.kind === 'fix') return `${r.title ?? ''} ${r.detail ?? ''}${r.location ? ` Source ${locationLabel(r.location)}.` : ''}`;
  const parts: string[] = [];
  const reference = r.edge ? edgeText(r.edge, r.edge.label) : '';
  const object = `${nodeLabel(n)} @${n.id}${r.kind === 'object' ? ` (${n.type})` : ''}`;
  parts.push(r.kind === 'retainer' && reference ? `${reference} in ${object}` : r.kind === 'cycleStep' && reference ? `${reference} → ${object}` : object);
  if (r.cycleTo) parts.push(`cycle: back to ${nodeLabel(r.cycleTo.node ?? n)} @${(r.cycleTo.node ?? n).id}`);
  if (r.gcRoot) parts.push(`GC root ${r.gcRoot}`);
  if (r.breakHere) parts.push(`break here: ${fixLabel(r.breakHere)}`);
  if (r.via?.length) parts.push(`via ${r.via.map(nodeLabel).join(', ')}`);
  parts.push(`distance ${distanceShort(n)}`);
  if (n.selfSize !== undefined) parts.push(`shallow ${formatBytes(n.selfSize)}`);
  if (n.retainedSize !== undefined) parts.push(`retained ${formatBytes(n.retainedSize)}`);
  parts.push(r.location ? `source ${locationLabel(r.location)}` : 'no source');
  return parts.join(', ');
}

/** The short words of a break-here badge. */
export function fixLabel(s: Suggestion): string {
  switch (s.kind) {
    case 'weak-ref': return 'make it a WeakRef';
    case 'weak-map': return 'use a WeakMap';
    case 'remove-listener': return 'remove the listener';
    case 'delete-entry': return 'delete the entry';
    case 'dispose': return 'dispose it';
    case 'clear-timer': return 'clear the timer';
    default: return s.kind;
  }
}

function makeRow(r: Partial<Row> & Pick<Row, 'key' | 'parent' | 'level' | 'section' | 'kind' | 'chain' | 'lazy'>): Row {
  return { children: [], location: r.node?.location ?? null, defaultExpanded: false, loaded: false, ...r };
}

function stepKey(edge: { type: string; name: string }, id: number): string {
  return `${edge.type}:${edge.name}:${id}`;
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
    // The fix's own listener or timer callback (a once() wrapper's inner function) when it names one.
    const named = s.target?.listener?.location ? s.target.listener : undefined;
    const node = named ?? (s.kind === 'remove-listener' ? (step.to.location ? step.to : step.from) : (step.from.location ? step.from : step.to));
    out.push({
      suggestion: s,
      node,
      location: s.site ?? node.location, // the line that creates the reference, when a script shows it
      where: `${nodeLabel(step.from)} @${step.from.id} ${edgeText(step.edge, step.label)} → ${nodeLabel(step.to)} @${step.to.id}`,
    });
  };
  if (report.fix) add(report.fix, report.paths[report.fix.path]?.steps);
  for (const p of report.paths) add(p.suggestion, p.steps);
  for (const c of report.cycles) add(c.suggestion, c.steps);
  return out;
}
