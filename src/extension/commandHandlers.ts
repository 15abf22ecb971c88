/**
 * The body of every command in the map (commands.ts): thin functions over the target registry, the snapshot
 * catalogue, the worker client and the report flow. Each returns a CommandOutcome (undefined when the user declined).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { noticeText } from '../shared/displayText';
import type { SnapshotInfo } from '../shared/workerProtocol';
import type { CaptureProgress } from './captureProgress';
import { guard, type CommandOutcome } from './commandOutcome';
import {
  parseAddressArgument, parseFindArgument, parseObjectArgument, parsePathArgument, parseTargetArgument,
  parseVariableArgument, type CommandId,
} from './commands';
import { UserError, type DebugSessions } from './debugSessions';
import type { ReportFlow, ShownReport } from './reportFlow';
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
}

export type CommandHandlers = Record<CommandId, (arg: unknown) => unknown>;

export function commandHandlers(d: CommandDeps): CommandHandlers {
  const { worker, sessions, targets, catalog, progress, flow, panel, sidebar } = d;
  const target = (id?: string) => resolveTarget(targets, sessions, progress, id);
  const focusSidebar = () => void vscode.commands.executeCommand(`${SIDEBAR_VIEW_ID}.focus`);

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

    'retentionExplorer._panelState': (arg) => {
      const a = (arg ?? {}) as { generation?: unknown; timeoutMs?: unknown };
      return panel.state({
        generation: typeof a.generation === 'number' ? a.generation : undefined,
        timeoutMs: typeof a.timeoutMs === 'number' ? Math.min(a.timeoutMs, 60_000) : undefined,
      }).then((state) => ({ ...state, sidebar: sidebar.stats, sidebarState: sidebar.state() }));
    },
  };
}
