/**
 * The comparison page: leak suspects of 2 or 3 snapshots (grouped by retaining-path signature, largest first), then
 * the classes that changed. A group's button opens the retention tree of its representative, with what to break;
 * a class's link opens where it is constructed. Every heap string is inserted as text.
 */
import type { ClassComparison, SuspectGroup } from '../shared/comparisonReport';
import type { ComparisonModel, ComparisonToHost, HostToComparison } from '../shared/webviewProtocol';
import { clear, h, icon, text } from './dom';
import { fullLocationLabel, locationLabel } from '../shared/labels';
import { formatBytes } from './format';
import { vscodeApi } from './vscodeApi';

const api = vscodeApi<{ model: ComparisonModel | null }, ComparisonToHost>();

/** "global .registry → Map entry → Document" (the signature's root first). */
export function signatureLine(group: Pick<SuspectGroup, 'signature'>): string {
  return group.signature.map((s, i) => (i === 0 || !s.edge ? s.className : `${s.edge} → ${s.className}`)).join(' ');
}

function signed(n: number): string {
  return n > 0 ? `+${n.toLocaleString()}` : n.toLocaleString();
}

export function startComparison(app: HTMLElement): void {
  let model: ComparisonModel | null = api.getState()?.model ?? null;
  let status: { kind: string; message: string } | null = null;
  app.removeAttribute('aria-busy');

  function link(loc: ClassComparison['location']): HTMLElement | null {
    if (!loc) return null;
    const a = h('a', { class: 'loc link', role: 'link', tabindex: 0, title: fullLocationLabel(loc) }, locationLabel(loc));
    const open = () => api.postMessage({ type: 'openLocation', location: { url: loc.url, line: loc.line, column: loc.column } });
    a.addEventListener('click', open);
    a.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    return a;
  }

  function groupItem(g: SuspectGroup, rank: number): HTMLElement {
    const open = h('button', { class: 'button primary', type: 'button', title: `Why is ${g.className} @${g.representative.id} alive? What to break` },
      icon('type-hierarchy-sub'), text('span', '', 'Why is it alive?'));
    open.addEventListener('click', () => api.postMessage({ type: 'inspect', heapId: g.representative.id }));
    return h('div', { class: 'item suspect', role: 'listitem', 'aria-label': `Suspect group ${rank}: ${g.count} ${g.className}, ${formatBytes(g.retainedSize)} retained` },
      h('div', { class: 'suspect-title' },
        text('span', 'rank', `${rank}.`), icon('bug'), text('span', 'label', g.className), text('span', 'muted', ` ×${g.count.toLocaleString()}`),
        text('span', 'muted right', `${formatBytes(g.retainedSize)} retained · ${g.objects.toLocaleString()} new objects`)),
      h('div', { class: 'signature', title: 'The retaining path from the roots, repeated links folded' }, icon('arrow-right'), text('span', '', signatureLine(g))),
      h('div', { class: 'buttons' }, open, text('span', 'muted', ` e.g. @${g.representative.id} `), link(g.representative.location)));
  }

  function classRow(c: ClassComparison): HTMLElement {
    return h('tr', { class: c.own ? 'own' : '' },
      text('th', 'label', c.name),
      ...c.counts.map((n) => text('td', 'num', n.toLocaleString())),
      text('td', 'num', signed(c.countDelta)),
      text('td', 'num', c.newCount ? `${c.newCount.toLocaleString()} (${formatBytes(c.newRetainedSize)})` : '0'),
      text('td', 'num', c.freedCount.toLocaleString()),
      h('td', null, link(c.own ? c.location : null)));
  }

  function render(): void {
    clear(app);
    if (status) app.append(h('div', { class: `banner ${status.kind}`, role: 'status' }, text('span', '', status.message)));
    if (!model) {
      app.append(text('p', 'muted', 'Loading…'));
      return;
    }
    const c = model.comparison;
    app.append(h('header', { class: 'header' },
      text('h2', '', 'Leak suspects'),
      text('p', 'muted', `Compared ${c.snapshots.map((s) => `${s.label} (${s.objectCount.toLocaleString()} objects, ${formatBytes(s.totalSize)})`).join(' → ')}`),
      text('p', 'muted', c.method === 'three'
        ? 'Suspects: objects new since the baseline, in the target, and still alive in the final snapshot.'
        : 'Suspects: objects new since the baseline and still alive in the target.')));

    const s = c.suspects;
    const suspects = h('section', { class: 'suspects', 'aria-label': 'Leak suspects' });
    if (s.groups.length === 0) {
      suspects.append(h('p', { class: 'empty' }, icon('pass'), text('span', '', ' No leak suspects: nothing new since the baseline is still held the way a leak is.')));
    } else {
      suspects.append(text('h3', '', `${s.groupCount} group${s.groupCount === 1 ? '' : 's'}, ${s.count.toLocaleString()} object${s.count === 1 ? '' : 's'}, ${formatBytes(s.retainedSize)} retained, largest first`));
      const list = h('div', { class: 'list', role: 'list' });
      s.groups.forEach((g, i) => list.append(groupItem(g, i + 1)));
      suspects.append(list);
    }
    app.append(suspects);

    const classes = h('section', { class: 'classes', 'aria-label': 'Classes that changed' });
    classes.append(text('h3', '', `Classes that changed (${c.classCount})`));
    if (c.classes.length) {
      const head = h('tr', null, text('th', '', 'Class'), ...c.snapshots.map((x, i) => text('th', 'num', i === 0 ? 'Baseline' : i === c.snapshots.length - 1 && c.snapshots.length === 3 ? 'Final' : 'Target', x.label)),
        text('th', 'num', 'Δ'), text('th', 'num', 'New, alive (retained)'), text('th', 'num', 'Freed'), text('th', '', 'Constructed at'));
      const table = h('table', { class: 'comparison' }, h('thead', null, head), h('tbody', null, ...c.classes.map(classRow)));
      classes.append(table);
    }
    app.append(classes);
    if (c.notes.length) app.append(h('section', { class: 'notes', 'aria-label': 'Notes' }, ...c.notes.map((n) => text('p', 'muted', n))));
  }

  window.addEventListener('message', (event: MessageEvent) => {
    const msg = event.data as HostToComparison;
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'show') { model = msg.model; status = null; api.setState({ model }); }
    else if (msg.type === 'status') status = { kind: msg.kind, message: msg.message };
    render();
  });
  render();
  api.postMessage({ type: 'ready' });
}
