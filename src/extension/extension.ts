/**
 * Retention Explorer's VS Code layer: wires the worker client, the debug-session tracker, the controller and the two
 * webviews together by hand, and registers every command of the map in commands.ts.
 */
import * as vscode from 'vscode';
import { COMMANDS, type CommandId } from './commands';
import { DebugSessions } from './debugSessions';
import { copyAsRegressionTest } from './regressionTestCommand';
import { RetentionController } from './retentionController';
import { RetentionPanel } from './retentionPanel';
import { SidebarView } from './sidebarView';
import { WorkerClient } from './workerClient';

export function activate(context: vscode.ExtensionContext): void {
  const worker = new WorkerClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath);
  const sessions = new DebugSessions();
  const controller = new RetentionController(worker, sessions);
  const panel = new RetentionPanel(context.extensionUri, controller);
  const sidebar = new SidebarView(context.extensionUri, controller);
  controller.attachViews(panel, sidebar);
  // Disposed in reverse: views and controller first, then sessions. The worker is not among them: VS Code disposes
  // subscriptions without waiting, and the worker must first detach from the debuggee (deactivate below).
  context.subscriptions.push(sessions, controller, panel, sidebar);
  activeWorker = worker;

  const handlers: Record<CommandId, (arg: unknown) => unknown> = {
    'retentionExplorer.findRetainingCycles': (arg) => controller.findRetainingCycles(arg),
    'retentionExplorer.findRetainingCyclesForVariable': (arg) => controller.findRetainingCyclesForVariable(arg),
    'retentionExplorer.takeHeapSnapshot': (arg) => controller.takeHeapSnapshot(arg),
    'retentionExplorer.attachToInspector': (arg) => controller.attachToInspector(arg),
    'retentionExplorer.detach': (arg) => controller.detach(arg),
    'retentionExplorer.openSnapshotFile': (arg) => controller.openSnapshotFile(arg),
    'retentionExplorer.startAllocationRecording': (arg) => controller.startAllocationRecording(arg),
    'retentionExplorer.stopAllocationRecording': (arg) => controller.stopAllocationRecording(arg),
    'retentionExplorer.findInstancesOfClass': (arg) => controller.findInstancesOfClass(arg),
    'retentionExplorer.showObjectById': (arg) => controller.showObjectById(arg),
    'retentionExplorer.showRetentionPanel': () => controller.showRetentionPanel(),
    'retentionExplorer.copyAsRegressionTest': (arg) => copyAsRegressionTest(arg),
    'retentionExplorer._panelState': (arg) => {
      const a = (arg ?? {}) as { generation?: unknown; timeoutMs?: unknown };
      return panel.state({
        generation: typeof a.generation === 'number' ? a.generation : undefined,
        timeoutMs: typeof a.timeoutMs === 'number' ? Math.min(a.timeoutMs, 60_000) : undefined,
      }).then((state) => ({ ...state, sidebar: sidebar.stats, sidebarState: controller.sidebarState() }));
    },
  };
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
