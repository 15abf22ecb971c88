/**
 * Retention Explorer's VS Code layer, wired by hand in the order things depend on each other: the worker client and
 * the debug-session tracker; the target registry, the snapshot catalogue and the capture progress, which own the
 * state; the tree panel; the report flow; the sidebar, which subscribes to the state; then every command of the map
 * in commands.ts.
 */
import * as vscode from 'vscode';
import { CaptureProgress } from './captureProgress';
import { commandHandlers } from './commandHandlers';
import { COMMANDS, type CommandId } from './commands';
import { DebugSessions } from './debugSessions';
import { ReportFlow } from './reportFlow';
import { RetentionPanel } from './retentionPanel';
import { SidebarView } from './sidebarView';
import { SnapshotCatalog } from './snapshotCatalog';
import { TargetRegistry } from './targetRegistry';
import { WorkerClient } from './workerClient';

const RETAINERS_PAGE = 50;

export function activate(context: vscode.ExtensionContext): void {
  const worker = new WorkerClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath);
  const sessions = new DebugSessions();
  const targets = new TargetRegistry(worker, sessions);
  const catalog = new SnapshotCatalog(worker);
  const progress = new CaptureProgress();
  const panel = new RetentionPanel(context.extensionUri, (snapshotId, heapId, offset) =>
    worker.call('retainers', { snapshotId, heapId, offset, limit: RETAINERS_PAGE }));
  const flow = new ReportFlow(worker, sessions, targets, catalog, progress, panel);
  const sidebar = new SidebarView(context.extensionUri, { targets, catalog, progress, sessions, flow });
  // Disposed in reverse: views first, then the state and the sessions. The worker is not among them: VS Code
  // disposes subscriptions without waiting, and the worker must first detach from the debuggee (deactivate below).
  context.subscriptions.push(
    sessions, targets, catalog, progress, panel, sidebar,
    panel.onDidAskInspect(({ snapshotId, heapId }) => flow.inspect(snapshotId, heapId)),
    targets.onDidEnd((e) => panel.sourceEnded(e.key, e.message)),
    worker.onWorkerExit((message) => panel.status('error', `${message} The tree shown stays readable, but expanding it needs a new snapshot.`)),
  );
  activeWorker = worker;

  const handlers = commandHandlers({ worker, sessions, targets, catalog, progress, flow, panel, sidebar });
  for (const id of Object.keys(COMMANDS) as CommandId[]) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handlers[id]));
  }
}

let activeWorker: WorkerClient | null = null;

/** Detaches from every target (stopping allocation tracking, releasing object groups), then ends the worker. */
export function deactivate(): Promise<void> | undefined {
  const worker = activeWorker;
  activeWorker = null;
  return worker?.shutdown();
}
