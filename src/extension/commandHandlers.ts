/**
 * The body of every command in the map (commands.ts): thin functions over the target registry, the snapshot
 * catalogue, the worker client and the report flow. Each returns a CommandOutcome (undefined when the user declined).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../core/format';
import { displayLabel, noticeText } from '../shared/displayText';
import type { SnapshotInfo } from '../shared/workerProtocol';
import type { CaptureProgress } from './captureProgress';
import { guard, type CommandOutcome } from './commandOutcome';
import {
  parseActionArgument, parseAddressArgument, parseCompareArgument, parseFindArgument, parseObjectArgument, parsePathArgument, parseTargetArgument,
  parseVariableArgument, type CommandId,
} from './commands';
import { UserError, type DebugSessions } from './debugSessions';
import type { ReportFlow, ShownReport } from './reportFlow';
import type { ComparisonPanel } from './comparisonPanel';
import type { HuntStep, LeakHunt } from './leakHunt';
import { copyAsRegressionTest } from './regressionTestCommand';
import type { RetentionPanel } from './retentionPanel';
import { SIDEBAR_VIEW_ID, type SidebarView } from './sidebarView';
import type { SnapshotCatalog } from './snapshotCatalog';
import { askExpression, attach, resolveTarget } from './targetPicker';
import type { TargetRegistry } from './targetRegistry';
import type { WorkerClient } from './workerClient';

export interface CommandDeps {
  worker: WorkerClient;
  sessions: DebugSessions;
  targets: TargetRegistry;
  catalog: SnapshotCatalog;
  progress: CaptureProgress;
  flow: ReportFlow;
  panel: RetentionPanel;
  sidebar: SidebarView;
  hunt: LeakHunt;
  comparisons: ComparisonPanel;
}

export type CommandHandlers = Record<CommandId, (arg: unknown) => unknown>;

export function commandHandlers(d: CommandDeps): CommandHandlers {
  const { worker, sessions, targets, catalog, progress, flow, panel, sidebar, hunt, comparisons } = d;
  const target = (id?: string) => resolveTarget(targets, sessions, progress, id);
  const focusSidebar = () => void vscode.commands.executeCommand(`${SIDEBAR_VIEW_ID}.focus`);
  /** The hunt's program for a step after the baseline: the one the baseline was taken of. */
  const huntTarget = async (arg: unknown) => {
    const key = parseTargetArgument(arg) ?? hunt.state().program?.key;
    return key ? targets.get(key) ?? target(key) : target(undefined);
  };
  const takeStep = (step: HuntStep) => (arg: unknown) => guard<{ snapshot: SnapshotInfo }>(async () => {
    const t = step === 'baseline' ? await target(parseTargetArgument(arg)) : await huntTarget(arg);
    if (!t) return undefined;
    const snapshot = await hunt.take(step, t);
    focusSidebar();
    return { ok: true, snapshot };
  });
  const showComparison = async (snapshotIds?: number[]) => {
    const comparison = await hunt.compare(snapshotIds);
    const ids = snapshotIds ?? hunt.comparisonIds();
    comparisons.show({ comparison, lastSnapshotId: ids[ids.length - 1] });
    return { ok: true as const, suspects: comparison.suspects.groups.length, classes: comparison.classes.length };
  };

  return {
    'retentionExplorer.findRetainingCycles': (arg) => guard<ShownReport>(async () => {
      const parsed = parseFindArgument(arg);
      const t = await target(parsed?.sessionId);
      if (!t) return undefined;
      const expression = parsed?.expression ?? await askExpression(t);
      if (expression === undefined) return undefined;
      return flow.captureAndShow(t, { ...parsed, expression });
    }),

    'retentionExplorer.findRetainingCyclesForVariable': (arg) => guard<ShownReport>(async () => {
      const variable = parseVariableArgument(arg);
      const t = await target(variable.sessionId);
      if (!t) return undefined;
      return flow.captureAndShow(t, { expression: variable.expression });
    }),

    'retentionExplorer.takeHeapSnapshot': (arg) => guard<{ snapshot: SnapshotInfo }>(async () => {
      const t = await target(parseTargetArgument(arg));
      if (!t) return undefined;
      const snapshot = await progress.run(`Taking a heap snapshot of ${t.label}`, (signal, onProgress) =>
        worker.call('takeSnapshot', { target: t.key, label: t.label }, { signal, onProgress }));
      catalog.add(snapshot);
      focusSidebar();
      return { ok: true, snapshot };
    }),

    'retentionExplorer.attachToInspector': (arg) => guard<{ target: string; description: string; nodeVersion: string | null }>(async () => {
      const t = await attach(targets, progress, parseAddressArgument(arg));
      if (!t) return undefined;
      return { ok: true, target: t.key, description: t.info.description, nodeVersion: t.info.nodeVersion };
    }),

    'retentionExplorer.detach': (arg) => guard(async () => {
      const inspectors = targets.inspectors();
      let key = parseTargetArgument(arg);
      if (!key) {
        if (inspectors.length === 0) throw new UserError('No inspector port is attached.');
        if (inspectors.length === 1) key = inspectors[0].key;
        else {
          const picked = await vscode.window.showQuickPick(inspectors.map((t) => ({ label: t.label, key: t.key })), { title: 'Detach from which program?' });
          if (!picked) return undefined;
          key = picked.key;
        }
      }
      await targets.disconnect(key);
      return { ok: true };
    }),

    'retentionExplorer.openSnapshotFile': (arg) => guard<{ snapshot: SnapshotInfo }>(async () => {
      let path = parsePathArgument(arg);
      if (!path) {
        const picked = await vscode.window.showOpenDialog({
          title: 'Open Heap Snapshot', canSelectMany: false, openLabel: 'Analyse',
          filters: { 'Heap snapshots': ['heapsnapshot'], 'All files': ['*'] },
        });
        if (!picked?.[0]) return undefined;
        path = picked[0].fsPath;
      }
      const file = path;
      const snapshot = await progress.run(`Opening ${basename(file)}`, (signal, onProgress) =>
        worker.call('openFile', { path: file }, { signal, onProgress }));
      catalog.add(snapshot);
      focusSidebar();
      return { ok: true, snapshot };
    }),

    'retentionExplorer.startAllocationRecording': (arg) => guard<{ target: string }>(async () => {
      const t = await target(parseTargetArgument(arg));
      if (!t) return undefined;
      await worker.call('startRecording', { target: t.key });
      targets.setRecording(t.key, true);
      void vscode.window.showInformationMessage(noticeText(
        `Recording allocations in ${t.label}: objects created from now on carry the stack that created them. Run "Retention: Stop Allocation Recording" to take the snapshot.`));
      return { ok: true, target: t.key };
    }),

    'retentionExplorer.stopAllocationRecording': (arg) => guard<{ snapshot: SnapshotInfo }>(async () => {
      const key = parseTargetArgument(arg);
      const t = targets.recording().find((r) => !key || r.key === key || r.session?.id === key);
      if (!t) throw new UserError('No allocation recording is running.');
      try {
        const snapshot = await progress.run(`Stopping the allocation recording of ${t.label}`, (signal, onProgress) =>
          worker.call('stopRecording', { target: t.key, label: `Allocations in ${t.label}` }, { signal, onProgress }));
        catalog.add(snapshot);
        return { ok: true, snapshot };
      } finally {
        targets.setRecording(t.key, false);
      }
    }),

    'retentionExplorer.findInstancesOfClass': (arg) => guard<ShownReport>(async () => {
      const snapshotId = catalog.requireSelected();
      let name = typeof arg === 'string' ? arg : typeof (arg as { name?: unknown } | null)?.name === 'string' ? (arg as { name: string }).name : undefined;
      // Called with a name (programmatically), the largest instance is shown without asking.
      const ask = name === undefined;
      if (!name) {
        name = await vscode.window.showInputBox({ title: 'Retention: Find Instances of Class', prompt: 'Constructor name, as in `class Widget` (case-sensitive)', ignoreFocusOut: true });
        if (!name) return undefined;
      }
      return flow.openClass(snapshotId, name.trim(), ask);
    }),

    'retentionExplorer.showObjectById': (arg) => guard<ShownReport>(async () => {
      let parsed = parseObjectArgument(arg);
      if (!parsed) {
        const text = await vscode.window.showInputBox({
          title: 'Retention: Show Retainers of Heap Object Id', prompt: 'V8 heap object id (DevTools shows it as @123)',
          validateInput: (v) => (/^@?\d+$/.test(v.trim()) ? null : 'A number, such as 12345 or @12345'),
        });
        if (!text) return undefined;
        parsed = { heapId: Number(text.trim().replace(/^@/, '')) };
      }
      return flow.showObject(parsed.snapshotId ?? catalog.requireSelected(), parsed.heapId);
    }),

    'retentionExplorer.showRetentionPanel': (): CommandOutcome => {
      const model = panel.currentModel;
      if (!model) return { ok: false, error: 'Nothing has been examined yet; run "Retention: Find Retaining Cycles" first.' };
      panel.show(model, { fromHistory: true });
      return { ok: true };
    },

    'retentionExplorer.takeBaseline': takeStep('baseline'),
    'retentionExplorer.takeTarget': takeStep('target'),
    'retentionExplorer.takeFinal': takeStep('final'),

    'retentionExplorer.runAction': (arg) => guard<{ runs: number }>(async () => {
      const parsed = parseActionArgument(arg);
      const t = await huntTarget(parsed?.target);
      if (!t) return undefined;
      let expression = parsed?.expression;
      if (expression === undefined) {
        expression = await vscode.window.showInputBox({
          title: 'Find Leaks: Repeat an Action', value: hunt.state().lastAction ?? '',
          prompt: `An expression to run in ${t.label} each time, awaited: the action you suspect, such as \`await app.openAndClose()\``,
          ignoreFocusOut: true, validateInput: (v) => (v.trim() ? null : 'Type the action to repeat'),
        });
        if (!expression) return undefined;
      }
      let times = parsed?.times;
      if (times === undefined) {
        const text = await vscode.window.showInputBox({
          title: 'Find Leaks: Repeat an Action', value: '10', prompt: 'How many times to run it (a leak grows with each run)',
          ignoreFocusOut: true, validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 10_000 ? null : 'A whole number from 1 to 10000'),
        });
        if (!text) return undefined;
        times = Number(text.trim());
      }
      const result = await hunt.repeat(t, expression, times);
      void vscode.window.setStatusBarMessage(`Retention: ran the action ${result.runs === 1 ? "once" : `${result.runs} times`} in ${(result.elapsedMs / 1000).toFixed(1)} s`, 10_000);
      return { ok: true, runs: result.runs };
    }),

    'retentionExplorer.showLeakSuspects': () => guard<{ suspects: number; classes: number }>(() => showComparison()),

    'retentionExplorer.compareSnapshots': (arg) => guard<{ suspects: number; classes: number }>(async () => {
      const parsed = parseCompareArgument(arg);
      let ids = parsed?.snapshotIds;
      let paths = parsed?.paths;
      if (!ids && !paths) {
        const CHOOSE_FILES = -1;
        const items = catalog.snapshots().map((s) => ({ label: displayLabel(s.label, 200), description: `${formatBytes(s.bytes)} · ${new Date(s.takenAt).toLocaleTimeString()}`, id: s.snapshotId }));
        const picked = await vscode.window.showQuickPick([...items, { label: '$(folder-opened) Choose .heapsnapshot files…', description: '', id: CHOOSE_FILES }], {
          title: 'Compare Heap Snapshots: pick 2 (baseline, target) or 3 (baseline, target, final) of one process',
          canPickMany: true, ignoreFocusOut: true,
        });
        if (!picked || picked.length === 0) return undefined;
        if (picked.some((p) => p.id === CHOOSE_FILES)) {
          const files = await vscode.window.showOpenDialog({ title: 'Compare Heap Snapshots', canSelectMany: true, openLabel: 'Compare', filters: { 'Heap snapshots': ['heapsnapshot'] } });
          if (!files?.length) return undefined;
          paths = files.map((f) => f.fsPath);
          ids = picked.filter((p) => p.id !== CHOOSE_FILES).map((p) => p.id);
        } else {
          ids = picked.map((p) => p.id);
        }
      }
      const all = [...(ids ?? [])];
      for (const path of paths ?? []) {
        const snapshot = await progress.run(`Opening ${basename(path)}`, (signal, onProgress) => worker.call('openFile', { path }, { signal, onProgress }));
        catalog.add(snapshot, { select: false });
        all.push(snapshot.snapshotId);
      }
      if (all.length < 2 || all.length > 3) throw new UserError(`Pick 2 snapshots (baseline, target) or 3 (baseline, target, final), not ${all.length}.`);
      // Oldest first: the catalogue's order is the order they were taken or opened; files are ordered by their ids.
      const order = catalog.snapshots().map((s) => s.snapshotId);
      all.sort((a, b) => order.indexOf(a) - order.indexOf(b));
      return showComparison(all);
    }),
    'retentionExplorer.copyAsRegressionTest': (arg) => copyAsRegressionTest(arg),

    'retentionExplorer._panelState': (arg) => {
      const a = (arg ?? {}) as { generation?: unknown; timeoutMs?: unknown };
      return panel.state({
        generation: typeof a.generation === 'number' ? a.generation : undefined,
        timeoutMs: typeof a.timeoutMs === 'number' ? Math.min(a.timeoutMs, 60_000) : undefined,
      }).then((state) => ({ ...state, sidebar: sidebar.stats, sidebarState: sidebar.state() }));
    },
  };
}
