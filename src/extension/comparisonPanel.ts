/**
 * The comparison panel: the leak suspects of 2 or 3 snapshots, grouped by the signature of their retaining path and
 * ranked by what they retain, and the classes that changed. A suspect group opens the retention tree of its
 * representative (with what to break); a class opens its constructor's source. An editor-area webview beside the code.
 */
import * as vscode from 'vscode';
import type { SourceLocation } from '../shared/report';
import { displayText, noticeText } from '../shared/displayText';
import { parseComparisonMessage, type ComparisonModel, type ComparisonToHost, type HostToComparison } from '../shared/webviewProtocol';
import { openLocation } from './sourceLinks';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const COMPARISON_VIEW_TYPE = 'retentionExplorer.comparison';

export class ComparisonPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private model: ComparisonModel | null = null;
  private rejected = 0;
  private readonly inspectAsked = new vscode.EventEmitter<{ snapshotId: number; heapId: number }>();
  private readonly disposables: vscode.Disposable[] = [this.inspectAsked];
  /** The user opened a suspect's retention tree. */
  readonly onDidAskInspect = this.inspectAsked.event;

  constructor(private readonly extensionUri: vscode.Uri) {}

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  get stats(): { visible: boolean; rejected: number; suspects: number | null } {
    return { visible: this.panel?.visible ?? false, rejected: this.rejected, suspects: this.model?.comparison.suspects.groups.length ?? null };
  }

  show(model: ComparisonModel): void {
    this.model = model;
    const title = `Leak suspects: ${model.comparison.snapshots.map((s) => s.label.replace(/^#\d+ /, '')).join(' → ')}`;
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(COMPARISON_VIEW_TYPE, displayText(title, 120), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, webviewOptions(this.extensionUri));
      this.panel = panel;
      panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'comparison', 'Leak suspects');
      const subs = [
        panel.webview.onDidReceiveMessage((raw: unknown) => {
          const message = parseComparisonMessage(raw);
          if (!message) { this.rejected++; return; }
          void this.handle(message).catch((e: unknown) => void vscode.window.showErrorMessage(noticeText(e instanceof Error ? e.message : String(e))));
        }),
        panel.onDidDispose(() => {
          if (this.panel === panel) this.panel = null;
          for (const s of subs) s.dispose();
        }),
      ];
    } else {
      this.panel.title = displayText(title, 120);
      this.panel.reveal(undefined, false);
      this.post({ type: 'show', model });
    }
  }

  private post(message: HostToComparison): void {
    void this.panel?.webview.postMessage(message);
  }

  private async handle(message: ComparisonToHost): Promise<void> {
    const model = this.model;
    switch (message.type) {
      case 'ready':
        if (model) this.post({ type: 'show', model });
        return;
      case 'inspect':
        if (model) this.inspectAsked.fire({ snapshotId: model.lastSnapshotId, heapId: message.heapId });
        return;
      case 'openLocation': {
        // Only a location the comparison itself carries may be opened.
        const known = (l: SourceLocation | null) => l && l.url === message.location.url && l.line === message.location.line;
        const ok = model && (model.comparison.classes.some((c) => known(c.location)) || model.comparison.suspects.groups.some((g) => known(g.representative.location)));
        if (!ok) { this.rejected++; return; }
        await openLocation(message.location);
        return;
      }
    }
  }
}
