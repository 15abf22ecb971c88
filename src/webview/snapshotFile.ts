/**
 * The page of the read-only editor for a `.heapsnapshot` file: reading progress (with Cancel), then the heap summary
 * (the program's own classes first, then by retained size; the largest retainers), each row a way into the retention
 * tree, and a button to compare this snapshot with others. Every heap string is inserted as text.
 */
import type { ClassSummary, ReportNode } from '../shared/report';
import type { HostToSnapshotFile, SnapshotFileModel, SnapshotFileToHost } from '../shared/webviewProtocol';
import { clear, h, icon, text } from './dom';
import { locationLabel, nodeLabel } from '../shared/labels';
import { formatBytes, typeIcon } from './format';
import { vscodeApi } from './vscodeApi';

const api = vscodeApi<{ model: SnapshotFileModel | null }, SnapshotFileToHost>();

export function startSnapshotFile(app: HTMLElement): void {
  let model: SnapshotFileModel | null = null;
  app.removeAttribute('aria-busy');

  function item(label: HTMLElement[], title: string, onOpen: () => void): HTMLElement {
    const el = h('div', { class: 'item', role: 'listitem', tabindex: 0, title }, ...label);
    el.addEventListener('click', onOpen);
    el.addEventListener('keydown', (e) => { if (e.key === 'Enter') onOpen(); });
    return el;
  }

  function classItem(c: ClassSummary): HTMLElement {
    return item([icon('symbol-class'), text('span', 'label', c.name), text('span', 'muted', ` ×${c.count.toLocaleString()}`),
      text('span', 'muted right', `${formatBytes(c.retainedSize)}${c.own && c.location ? ` · ${locationLabel(c.location)}` : ''}`)],
    `Pick an instance of ${c.name} and show why it is alive`, () => api.postMessage({ type: 'openClass', name: c.name }));
  }

  function nodeItem(n: ReportNode): HTMLElement {
    return item([icon(typeIcon(n.type)), text('span', 'label', nodeLabel(n)), text('span', 'id', ` @${n.id}`),
      text('span', 'muted right', `${formatBytes(n.retainedSize)}${n.location ? ` · ${locationLabel(n.location)}` : ''}`)],
    `Show why ${nodeLabel(n)} @${n.id} is alive`, () => api.postMessage({ type: 'inspect', heapId: n.id }));
  }

  function render(): void {
    clear(app);
    if (!model) {
      app.append(text('p', 'muted', 'Loading…'));
      return;
    }
    const m = model;
    app.append(h('header', { class: 'header' }, text('h2', '', m.fileName),
      m.snapshot ? text('p', 'muted', `${m.snapshot.nodeCount.toLocaleString()} objects, ${formatBytes(m.snapshot.totalSize)} in the heap, ${formatBytes(m.snapshot.bytes)} on disk${m.snapshot.hasAllocationStacks ? ', with allocation stacks' : ''}`) : null));
    if (m.error) {
      app.append(h('div', { class: 'error', role: 'alert' }, icon('error'), text('span', '', m.error)));
      return;
    }
    if (m.progress) {
      const pct = m.progress.fraction === null ? null : Math.round(m.progress.fraction * 100);
      const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct ?? undefined, 'aria-label': m.progress.message });
      const fill = h('div', { class: `progress-fill${pct === null ? ' indeterminate' : ''}` });
      if (pct !== null) fill.style.width = `${pct}%`;
      bar.append(fill);
      const cancel = h('button', { class: 'button secondary', type: 'button' }, icon('close'), text('span', '', 'Cancel'));
      cancel.addEventListener('click', () => api.postMessage({ type: 'cancel' }));
      app.append(h('section', { class: 'capture', 'aria-label': 'Reading the snapshot' },
        h('div', { class: 'capture-title' }, icon('loading', 'codicon-modifier-spin'), text('span', '', m.progress.message)), bar, cancel));
      return;
    }
    const compare = h('button', { class: 'button primary', type: 'button', title: 'Compare this snapshot with one or two others of the same process: leak suspects and classes that grew' },
      icon('diff'), text('span', '', 'Compare with Other Snapshots…'));
    compare.addEventListener('click', () => api.postMessage({ type: 'compare' }));
    app.append(h('div', { class: 'buttons' }, compare));
    if (!m.summary) {
      app.append(h('div', { class: 'muted' }, icon('loading', 'codicon-modifier-spin'), text('span', '', ' Summarising…')));
      return;
    }
    const classes = [...m.summary.classes].sort((a, b) => Number(b.own === true) - Number(a.own === true) || b.retainedSize - a.retainedSize);
    app.append(h('section', { class: 'summary', 'aria-label': 'Heap summary' },
      text('h3', '', 'Classes (your own first, then by retained size)'),
      h('div', { class: 'list', role: 'list' }, ...classes.slice(0, 40).map(classItem)),
      text('h3', '', 'Largest retainers'),
      h('div', { class: 'list', role: 'list' }, ...m.summary.largestRetainers.slice(0, 20).map(nodeItem))));
  }

  window.addEventListener('message', (event: MessageEvent) => {
    const msg = event.data as HostToSnapshotFile;
    if (!msg || typeof msg !== 'object' || msg.type !== 'show') return;
    model = msg.model;
    render();
  });
  render();
  api.postMessage({ type: 'ready' });
}
