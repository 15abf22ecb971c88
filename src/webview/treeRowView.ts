/**
 * How one row of the retention tree is drawn: an ARIA treeitem with its columns (object and reference, distance,
 * sizes, source) and its badges. Every string goes in as text. What the row does when used is the page's: it
 * passes the handlers in.
 */
import { h, icon, text } from './dom';
import { distanceShort, fullLocationLabel, locationLabel, nodeLabel } from '../shared/labels';
import { edgeText, formatBytes, typeIcon } from './format';
import { fixLabel, rowLabel, type Row } from './retentionRows';
import type { SourceLocation } from '../shared/report';

export interface RowHandlers {
  /** Click on the row: focus it and activate it (expand, follow a cycle, load more). */
  activate(r: Row): void;
  /** Show why this row's object is alive. */
  inspect(r: Row): void;
  openLocation(r: Row, loc: SourceLocation): void;
  /** The row has no source: say why. */
  noLocation(r: Row): void;
}

export interface RowView {
  expanded: boolean | undefined;
  focused: boolean;
  /** Position among visible siblings. */
  size: number;
  pos: number;
  /** The row's retainers failed to load (its message row shows an error icon). */
  failed: boolean;
  /** `data-vscode-context` of a finding row (what its context menu's commands receive). */
  context?: string;
}

export function renderRow(r: Row, v: RowView, on: RowHandlers): HTMLElement {
  const el = h('div', {
    class: `row kind-${r.kind}${r.cycleTo ? ' is-cycle' : ''}${r.breakHere ? ' is-break' : ''}`,
    role: 'treeitem',
    // The item's name is its text, as a sighted user reads it across the columns (an aria-label that differed would
    // fail WCAG 2.5.3, label in name); the description says what each column's value is.
    'aria-description': rowLabel(r),
    'aria-level': r.level,
    'aria-setsize': v.size,
    'aria-posinset': v.pos,
    'aria-expanded': v.expanded === undefined ? undefined : String(v.expanded),
    'aria-selected': String(v.focused),
    tabindex: v.focused ? 0 : -1,
    'data-key': r.key,
  });
  el.style.setProperty('--level', String(r.level - 1));
  if (v.context) el.setAttribute('data-vscode-context', v.context);
  const twistie = icon(v.expanded === undefined ? 'blank' : v.expanded ? 'chevron-down' : 'chevron-right', 'twistie');
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
      main.append(icon(v.failed ? 'error' : 'loading codicon-modifier-spin'), text('span', 'muted', r.title ?? ''));
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
      text('span', 'col dist', distanceShort(n), 'Distance from the GC roots (as DevTools counts it)'),
      text('span', 'col size self', formatBytes(n.selfSize), 'Shallow size: the object itself'),
      text('span', 'col size retained', formatBytes(n.retainedSize), 'Retained size: what would be freed with it'),
      locationCell(r, on),
    );
    if (r.kind !== 'fix' && r.kind !== 'object') {
      const inspect = h('span', { class: 'action', role: 'button', title: `Show why ${nodeLabel(n)} @${n.id} is alive`, 'aria-label': `Show why ${nodeLabel(n)} is alive` }, icon('target'));
      inspect.addEventListener('click', (e) => { e.stopPropagation(); on.inspect(r); });
      el.append(inspect);
    } else {
      el.append(h('span', { class: 'action placeholder' }));
    }
  } else if (r.location) {
    el.append(h('span', { class: 'col dist' }), h('span', { class: 'col size self' }), h('span', { class: 'col size retained' }), locationCell(r, on), h('span', { class: 'action placeholder' }));
  }
  el.addEventListener('click', () => on.activate(r));
  el.addEventListener('dblclick', () => { if (r.node && r.kind !== 'object') on.inspect(r); });
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
  main.append(text('span', 'name', nodeLabel(n), n.name.length > 60 ? n.name.slice(0, 500) : undefined));
  main.append(text('span', 'id', ` @${n.id}`));
  if (r.kind === 'object') main.append(text('span', 'muted', ` (${n.type})`));
  if (r.cycleTo) {
    const back = r.cycleTo.node ?? n;
    main.append(h('span', { class: 'badge cycle', title: 'This object is already above in the tree: a cycle' },
      icon('debug-restart'), text('span', '', `cycle: back to ${nodeLabel(back)} @${back.id}`)));
  }
  if (r.gcRoot) main.append(h('span', { class: 'badge root', title: 'The path starts at this GC root' }, icon('pinned'), text('span', '', r.gcRoot)));
  if (r.breakHere) {
    main.append(h('span', { class: 'badge break', title: `${r.breakHere.fix} — ${r.breakHere.reason}` }, icon('debug-disconnect'), text('span', '', `break here: ${fixLabel(r.breakHere)}`)));
  }
  if (r.via && r.via.length) main.append(text('span', 'muted via', ` via ${r.via.map(nodeLabel).join(', ')}`));
}

function locationCell(r: Row, on: RowHandlers): HTMLElement {
  const loc = r.location;
  if (!loc) {
    const el = text('span', 'col loc unknown', 'no source', 'V8 recorded no source location for this object');
    el.addEventListener('click', (e) => { e.stopPropagation(); on.noLocation(r); });
    return el;
  }
  const link = text('span', 'col loc link', locationLabel(loc), `Open ${fullLocationLabel(loc)}`);
  link.setAttribute('role', 'link');
  link.addEventListener('click', (e) => { e.stopPropagation(); on.openLocation(r, loc); });
  return link;
}

/** Edge type names come from the snapshot's meta: only a known V8 edge type becomes a class name. */
function edgeClass(type: string): string {
  return /^(context|element|property|internal|hidden|shortcut|weak)$/.test(type) ? `edge edge-${type}` : 'edge';
}
