/**
 * The Run and Debug sidebar page: what it is attached to, a snapshot button, the capture in progress, the snapshots
 * taken, and the selected snapshot's heap summary (largest retainers and classes, each a way into the tree).
 * Stateless apart from the last state the host sent (kept for hide/show); every string is inserted as text.
 */
import type { ClassSummary, ReportNode } from '../shared/report';
import type { HostToSidebar, SidebarCommand, SidebarState, SidebarToHost } from '../shared/webviewProtocol';
import { clear, h, icon, text } from './dom';
import { locationLabel, nodeLabel } from '../shared/labels';
import { formatBytes, timeOf, typeIcon } from './format';
import { leakHuntSection } from './leakHuntSection';
import { vscodeApi } from './vscodeApi';

interface PageState {
  state: SidebarState | null;
  classSort: 'retained' | 'count';
}

const api = vscodeApi<PageState, SidebarToHost>();

export function startSidebar(app: HTMLElement): void {
  const page: PageState = { state: null, classSort: 'retained', ...(api.getState() ?? {}) };
  app.removeAttribute('aria-busy');

  function command(command: SidebarCommand, target?: string): void {
    api.postMessage(target ? { type: 'command', command, target } : { type: 'command', command });
  }

  function button(label: string, iconName: string, onClick: () => void, opts: { primary?: boolean; title?: string; disabled?: boolean } = {}): HTMLButtonElement {
    const b = h('button', { class: `button${opts.primary ? ' primary' : ' secondary'}`, type: 'button', title: opts.title ?? label, 'data-focus-key': `button:${label}` }, icon(iconName), text('span', '', label));
    b.disabled = !!opts.disabled;
    b.addEventListener('click', onClick);
    return b;
  }

  function render(): void {
    // Re-rendering replaces the elements: keep the keyboard focus on the same control.
    const active = document.activeElement as HTMLElement | null;
    const focusKey = active && app.contains(active) ? active.dataset.focusKey ?? null : null;
    renderContent();
    if (focusKey) app.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function renderContent(): void {
    clear(app);
    const s = page.state;
    if (!s) {
      app.append(text('p', 'muted', 'Loading…'));
      return;
    }
    const busy = s.capture !== null;

    // Attached programs, or how to get one.
    const live = s.targets.filter((t) => !t.ended);
    if (live.length === 0) {
      app.append(h('section', { class: 'welcome', 'aria-label': 'Getting started' },
        text('p', '', s.otherSession ?? 'No Node program is being debugged.'),
        text('p', 'muted', 'Start debugging a Node program (Run and Debug, F5), or attach to one started with --inspect, or open a .heapsnapshot file. Then take a snapshot here, or right-click an object in the Variables view and choose “Find Retaining Cycles”.'),
        button('Start Debugging', 'debug-alt', () => command('startDebugging'), { primary: true }),
        button('Attach to Inspector Port…', 'plug', () => command('attach')),
        button('Open Heap Snapshot File…', 'folder-opened', () => command('openFile')),
      ));
    } else {
      const section = h('section', { class: 'targets', 'aria-label': 'Attached programs' });
      for (const t of live) {
        const row = h('div', { class: 'target' },
          h('div', { class: 'target-title' }, icon(t.kind === 'session' ? 'debug-alt' : 'plug'), text('span', 'label', t.label),
            t.nodeVersion ? text('span', 'muted', ` Node ${t.nodeVersion}`) : null,
            t.recording ? h('span', { class: 'badge recording' }, icon('record'), text('span', '', 'recording allocations')) : null),
          t.warning ? h('div', { class: 'warning' }, icon('warning'), text('span', '', t.warning)) : null,
          h('div', { class: 'buttons' },
            button('Take Snapshot', 'device-camera', () => command('takeSnapshot', t.key), { primary: true, disabled: busy }),
            button('Find Retaining Cycles…', 'type-hierarchy-sub', () => command('findRetainingCycles'), { disabled: busy }),
            t.recording
              ? button('Stop Recording', 'debug-stop', () => command('stopRecording', t.key), { disabled: busy })
              : button('Record Allocations', 'record', () => command('startRecording', t.key), { disabled: busy, title: 'Record allocation stacks until you stop; objects then link to the code that created them' }),
          ));
        section.append(row);
      }
      app.append(section);
    }

    // The guided leak hunt.
    const hunt = leakHuntSection(s.hunt, live, busy, command, button);
    if (hunt) app.append(hunt);

    // The capture in progress.
    if (s.capture) {
      const pct = s.capture.fraction === null ? null : Math.round(s.capture.fraction * 100);
      const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct ?? undefined, 'aria-label': s.capture.message });
      const fill = h('div', { class: `progress-fill${pct === null ? ' indeterminate' : ''}` });
      if (pct !== null) fill.style.width = `${pct}%`;
      bar.append(fill);
      app.append(h('section', { class: 'capture', 'aria-label': 'Capture in progress' },
        h('div', { class: 'capture-title' }, icon('loading', 'codicon-modifier-spin'), text('span', '', s.capture.message), pct !== null ? text('span', 'muted', ` ${pct}%`) : null),
        bar,
        button('Cancel', 'close', () => command('cancelCapture'))));
    }

    // Snapshots.
    if (s.snapshots.length) {
      const list = h('div', { class: 'list', role: 'listbox', 'aria-label': 'Snapshots' });
      for (const snap of s.snapshots) {
        const selected = snap.snapshotId === s.selectedSnapshotId;
        const item = h('div', { class: `item snapshot${selected ? ' selected' : ''}`, role: 'option', 'aria-selected': String(selected), tabindex: 0, 'data-focus-key': `snapshot:${snap.snapshotId}` },
          icon(snap.hasAllocationStacks ? 'record' : 'device-camera'),
          text('span', 'label', snap.label),
          text('span', 'muted right', `${formatBytes(snap.bytes)} · ${timeOf(snap.takenAt)}`));
        const close = h('span', { class: 'action', role: 'button', title: 'Close this snapshot (frees its memory)', 'aria-label': 'Close snapshot' }, icon('close'));
        close.addEventListener('click', (e) => { e.stopPropagation(); api.postMessage({ type: 'releaseSnapshot', snapshotId: snap.snapshotId }); });
        item.append(close);
        const select = () => api.postMessage({ type: 'selectSnapshot', snapshotId: snap.snapshotId });
        item.addEventListener('click', select);
        item.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(); } });
        list.append(item);
      }
      app.append(h('section', { 'aria-label': 'Snapshots taken' }, text('h3', '', 'Snapshots'), list));
    }

    // The selected snapshot's summary.
    const selected = s.snapshots.find((x) => x.snapshotId === s.selectedSnapshotId);
    if (selected) {
      const section = h('section', { class: 'summary', 'aria-label': 'Heap summary' });
      section.append(text('h3', '', 'Heap summary'));
      if (s.summaryError) section.append(h('div', { class: 'error' }, icon('error'), text('span', '', s.summaryError)));
      else if (!s.summary) section.append(h('div', { class: 'muted' }, icon('loading', 'codicon-modifier-spin'), text('span', '', ' Summarising…')));
      else {
        const sum = s.summary;
        section.append(text('p', 'muted', `${selected.label}: ${sum.nodeCount.toLocaleString()} objects, ${formatBytes(sum.totalSize)} in total`));
        const sortBy = page.classSort;
        const head = h('h4', { class: 'with-actions' }, text('span', '', 'Classes'));
        const sortButton = h('span', { class: 'action', role: 'button', tabindex: 0, title: sortBy === 'retained' ? 'Sort by count' : 'Sort by retained size', 'data-focus-key': 'sort' },
          icon(sortBy === 'retained' ? 'list-ordered' : 'symbol-numeric'), text('span', 'muted', sortBy === 'retained' ? ' by retained size' : ' by count'));
        const toggleSort = () => { page.classSort = sortBy === 'retained' ? 'count' : 'retained'; save(); render(); };
        sortButton.addEventListener('click', toggleSort);
        sortButton.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggleSort(); } });
        head.append(sortButton);
        section.append(head);
        // The program's own classes (constructed in its scripts) first, as in `retention summary`: they are where a
        // leak is fixed; Node's and V8's follow.
        const classes = [...sum.classes].sort((a, b) =>
          Number(b.own === true) - Number(a.own === true) || (sortBy === 'retained' ? b.retainedSize - a.retainedSize : b.count - a.count));
        const list = h('div', { class: 'list', role: 'list' });
        for (const c of classes.slice(0, 25)) list.append(classItem(c, selected.snapshotId));
        section.append(list);
        section.append(text('h4', '', 'Largest retainers'));
        const largest = h('div', { class: 'list', role: 'list' });
        for (const n of sum.largestRetainers.slice(0, 15)) largest.append(nodeItem(n, selected.snapshotId));
        section.append(largest);
      }
      app.append(section);
    }
    save();
  }

  function nodeItem(n: ReportNode, snapshotId: number): HTMLElement {
    const item = h('div', { class: 'item', role: 'listitem', tabindex: 0, title: `Show why ${nodeLabel(n)} @${n.id} is alive`, 'data-focus-key': `node:${n.id}` },
      icon(typeIcon(n.type)), text('span', 'label', nodeLabel(n)), text('span', 'id', ` @${n.id}`),
      text('span', 'muted right', `${formatBytes(n.retainedSize)}${n.location ? ` · ${locationLabel(n.location)}` : ''}`));
    const open = () => api.postMessage({ type: 'inspect', snapshotId, heapId: n.id });
    item.addEventListener('click', open);
    item.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    return item;
  }

  function classItem(c: ClassSummary, snapshotId: number): HTMLElement {
    const item = h('div', { class: 'item', role: 'listitem', tabindex: 0, title: `Pick an instance of ${c.name} and show why it is alive`, 'data-focus-key': `class:${c.name}` },
      icon('symbol-class'), text('span', 'label', c.name), text('span', 'muted', ` ×${c.count.toLocaleString()}`),
      text('span', 'muted right', `${formatBytes(c.retainedSize)}${c.own && c.location ? ` · ${locationLabel(c.location)}` : ''}`));
    const open = () => api.postMessage({ type: 'openClass', snapshotId, name: c.name });
    item.addEventListener('click', open);
    item.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    return item;
  }

  function save(): void {
    api.setState(page);
  }

  window.addEventListener('message', (event: MessageEvent) => {
    const msg = event.data as HostToSidebar;
    if (!msg || typeof msg !== 'object' || msg.type !== 'state') return;
    page.state = msg.state;
    render();
  });

  render();
  api.postMessage({ type: 'ready' });
}
