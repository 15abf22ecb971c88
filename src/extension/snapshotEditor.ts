/**
 * A read-only custom editor for `*.heapsnapshot`: opening one from the Explorer reads and analyses it in the worker
 * (with progress and Cancel in the page) instead of VS Code loading a gigabyte of JSON as text, then shows its heap
 * summary, each row a way into the retention tree, and a button to compare it with other snapshots. The snapshot
 * joins the catalogue, so the sidebar lists it and comparisons can use it.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { noticeText } from '../shared/displayText';
import { parseSnapshotFileMessage, type HostToSnapshotFile, type SnapshotFileModel } from '../shared/webviewProtocol';
import { CommandId } from './commands';
import type { ReportFlow } from './reportFlow';
import type { SnapshotCatalog } from './snapshotCatalog';
import { webviewHtml, webviewOptions } from './webviewHtml';
import { WorkerCallError, type WorkerClient } from './workerClient';

export const SNAPSHOT_EDITOR_VIEW_TYPE = 'retentionExplorer.heapSnapshot';

const COMPARE: CommandId = 'retentionExplorer.compareSnapshots';

export class SnapshotEditorProvider implements vscode.CustomReadonlyEditorProvider, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private rejected = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly worker: WorkerClient,
    private readonly catalog: SnapshotCatalog,
    private readonly flow: ReportFlow,
  ) {
    this.disposables.push(vscode.window.registerCustomEditorProvider(SNAPSHOT_EDITOR_VIEW_TYPE, this, {
      // One analysis per editor; a hidden editor keeps its model and redraws from it.
      supportsMultipleEditorsPerDocument: false,
    }));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  get stats(): { rejected: number } {
    return { rejected: this.rejected };
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => {} };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const model: SnapshotFileModel = {
      fileName: basename(document.uri.fsPath), snapshot: null, summary: null, error: null,
      progress: { message: `Reading ${basename(document.uri.fsPath)}`, fraction: null },
    };
    const controller = new AbortController();
    const post = () => void panel.webview.postMessage({ type: 'show', model } satisfies HostToSnapshotFile);
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'snapshotFile', model.fileName);
    const subs = [
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseSnapshotFileMessage(raw);
        if (!message) { this.rejected++; return; }
        const id = model.snapshot?.snapshotId;
        const run = async () => {
          switch (message.type) {
            case 'ready': post(); return;
            case 'cancel': controller.abort(); return;
            case 'inspect': if (id !== undefined) await this.flow.inspect(id, message.heapId); return;
            case 'openClass': if (id !== undefined) await this.flow.openClass(id, message.name); return;
            case 'compare': await vscode.commands.executeCommand(COMPARE); return;
          }
        };
        void run().catch((e: unknown) => void vscode.window.showErrorMessage(noticeText(e instanceof Error ? e.message : String(e))));
      }),
      panel.onDidDispose(() => {
        controller.abort();
        for (const s of subs) s.dispose();
      }),
    ];
    void (async () => {
      try {
        const snapshot = await this.worker.call('openFile', { path: document.uri.fsPath }, {
          signal: controller.signal,
          onProgress: (p) => { model.progress = { message: p.message, fraction: p.fraction }; post(); },
        });
        model.snapshot = snapshot;
        model.progress = null;
        this.catalog.add(snapshot, { select: true });
        post();
        model.summary = await this.catalog.summary(snapshot.snapshotId);
      } catch (e) {
        model.progress = null;
        model.error = e instanceof WorkerCallError && e.cancelled
          ? 'Cancelled: the file was not read. Reopen it to try again.'
          : e instanceof Error ? e.message : String(e);
      }
      post();
    })();
  }
}
