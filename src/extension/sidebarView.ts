/**
 * The Run and Debug sidebar view: the session it is attached to, a button to take a snapshot, the snapshots taken,
 * the heap summary of the selected one (each row a way into the tree) and the capture in progress.
 */
import * as vscode from 'vscode';
import { noticeText } from '../shared/displayText';
import { parseSidebarMessage, type SidebarState, type SidebarToHost } from '../shared/webviewProtocol';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const SIDEBAR_VIEW_ID = 'retentionExplorer.sidebar';

export interface SidebarHost {
  sidebarState(): SidebarState;
  onSidebarMessage(message: SidebarToHost): Promise<void>;
}

export class SidebarView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private rejected = 0;
  private readyCount = 0;

  constructor(private readonly extensionUri: vscode.Uri, private readonly host: SidebarHost) {
    this.disposables.push(vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, this));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'sidebar', 'Retention Explorer');
    const subs = [
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
        void this.host.onSidebarMessage(message).catch((e: unknown) => {
          void vscode.window.showErrorMessage(noticeText(e instanceof Error ? e.message : String(e)));
        });
      }),
      view.onDidChangeVisibility(() => { if (view.visible) this.refresh(); }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = null;
        for (const s of subs) s.dispose();
      }),
    ];
  }

  /** Sends the current state to the page (cheap: the page re-renders only what it shows). */
  refresh(): void {
    if (!this.view) return;
    void this.view.webview.postMessage({ type: 'state', state: this.host.sidebarState() });
  }

  get stats(): { resolved: boolean; visible: boolean; ready: number; rejected: number } {
    return { resolved: this.view !== null, visible: this.view?.visible ?? false, ready: this.readyCount, rejected: this.rejected };
  }
}
