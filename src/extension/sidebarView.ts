/**
 * The Run and Debug sidebar view: the programs attached, a button to take a snapshot, the snapshots taken, the heap
 * summary of the selected one (each row a way into the tree) and the capture in progress. It subscribes to the
 * target registry, the snapshot catalogue, the capture progress and the debug sessions, and sends the page a new
 * state when any of them changes.
 */
import * as vscode from 'vscode';
import { DisposableList } from '../shared/disposables';
import { noticeText } from '../shared/displayText';
import { parseSidebarMessage, type SidebarCommand, type SidebarState, type SidebarToHost } from '../shared/webviewProtocol';
import type { CaptureProgress } from './captureProgress';
import { guard } from './commandOutcome';
import type { CommandId } from './commands';
import type { DebugSessions } from './debugSessions';
import type { LeakHunt } from './leakHunt';
import type { ReportFlow } from './reportFlow';
import type { SnapshotCatalog } from './snapshotCatalog';
import type { TargetRegistry } from './targetRegistry';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const SIDEBAR_VIEW_ID = 'retentionExplorer.sidebar';

/** What each sidebar button runs: a command of the map (or VS Code's own), and whether it takes the row's target. */
const SIDEBAR_COMMANDS: Record<Exclude<SidebarCommand, 'cancelCapture'>, { id: CommandId | 'workbench.action.debug.start'; target: boolean }> = {
  takeSnapshot: { id: 'retentionExplorer.takeHeapSnapshot', target: true },
  attach: { id: 'retentionExplorer.attachToInspector', target: false },
  openFile: { id: 'retentionExplorer.openSnapshotFile', target: false },
  findRetainingCycles: { id: 'retentionExplorer.findRetainingCycles', target: false },
  startRecording: { id: 'retentionExplorer.startAllocationRecording', target: true },
  stopRecording: { id: 'retentionExplorer.stopAllocationRecording', target: true },
  startDebugging: { id: 'workbench.action.debug.start', target: false },
  takeBaseline: { id: 'retentionExplorer.takeBaseline', target: true },
  runAction: { id: 'retentionExplorer.runAction', target: true },
  takeTarget: { id: 'retentionExplorer.takeTarget', target: true },
  takeFinal: { id: 'retentionExplorer.takeFinal', target: true },
  showSuspects: { id: 'retentionExplorer.showLeakSuspects', target: false },
  compareSnapshots: { id: 'retentionExplorer.compareSnapshots', target: false },
};

export interface SidebarSources {
  targets: TargetRegistry;
  catalog: SnapshotCatalog;
  progress: CaptureProgress;
  sessions: DebugSessions;
  flow: ReportFlow;
  hunt: LeakHunt;
}

export class SidebarView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | null = null;
  private readonly disposables = new DisposableList();
  private rejected = 0;
  private readyCount = 0;

  constructor(private readonly extensionUri: vscode.Uri, private readonly sources: SidebarSources) {
    const refresh = () => this.refresh();
    this.disposables.push(
      vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, this),
      sources.targets.onDidChange(refresh),
      sources.catalog.onDidChange(refresh),
      sources.progress.onDidChange(refresh),
      sources.sessions.onDidChange(refresh),
      sources.hunt.onDidChange(refresh),
    );
  }

  dispose(): void {
    this.disposables.dispose();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'sidebar', 'Retention Explorer');
    const subs = new DisposableList(
      view.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseSidebarMessage(raw);
        if (!message) {
          this.rejected++;
          return;
        }
        if (message.type === 'ready') {
          this.readyCount++;
          this.refresh();
          return;
        }
        void this.handle(message).catch((e: unknown) => {
          void vscode.window.showErrorMessage(noticeText(e instanceof Error ? e.message : String(e)));
        });
      }),
      view.onDidChangeVisibility(() => { if (view.visible) this.refresh(); }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = null;
        subs.dispose();
      }),
    );
  }

  /** What the page shows, built from the sources. */
  state(): SidebarState {
    const { targets, catalog, progress, sessions } = this.sources;
    const selected = catalog.selectedSnapshotId;
    const entry = selected !== null ? catalog.get(selected) : undefined;
    return {
      targets: targets.sidebarTargets(),
      otherSession: sessions.otherSessionSentence(),
      snapshots: catalog.snapshots().reverse(),
      selectedSnapshotId: selected,
      summary: entry?.summary ?? null,
      summaryError: entry?.summaryError ?? null,
      capture: progress.state,
      hunt: this.sources.hunt.state(),
    };
  }

  get stats(): { resolved: boolean; visible: boolean; ready: number; rejected: number } {
    return { resolved: this.view !== null, visible: this.view?.visible ?? false, ready: this.readyCount, rejected: this.rejected };
  }

  /** Sends the current state to the page (cheap: the page re-renders only what it shows). */
  private refresh(): void {
    if (!this.view) return;
    void this.view.webview.postMessage({ type: 'state', state: this.state() });
  }

  private async handle(message: Exclude<SidebarToHost, { type: 'ready' }>): Promise<void> {
    const { targets, catalog, progress, flow } = this.sources;
    switch (message.type) {
      case 'command': {
        if (message.command === 'cancelCapture') {
          progress.cancel();
          return;
        }
        const { id, target } = SIDEBAR_COMMANDS[message.command];
        // A connected session is named by its debug session id, which the commands accept like any caller's.
        const key = target && message.target ? targets.get(message.target)?.session?.id ?? message.target : undefined;
        // "Repeat an Action" takes its expression as a plain string, so the program goes in an object.
        await vscode.commands.executeCommand(id, key !== undefined && message.command === 'runAction' ? { target: key } : key);
        return;
      }
      case 'selectSnapshot':
        catalog.select(message.snapshotId);
        return;
      case 'releaseSnapshot':
        await catalog.release(message.snapshotId);
        return;
      case 'inspect':
        if (catalog.has(message.snapshotId)) await flow.inspect(message.snapshotId, message.heapId);
        return;
      case 'openClass':
        if (catalog.has(message.snapshotId)) await guard(() => flow.openClass(message.snapshotId, message.name));
        return;
    }
  }
}
