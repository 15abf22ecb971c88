/**
 * The retention tree: an editor-area webview panel beside the code. The host keeps the current model and answers
 * the page's typed requests (more retainers of a node, open a source location, re-root the tree at a node).
 */
import * as vscode from 'vscode';
import { DisposableList } from '../shared/disposables';
import type { RetainerPage, RetentionReport, SourceLocation } from '../shared/report';
import {
  parsePanelMessage, type HostToPanel, type PanelModel, type PanelToHost, type RenderedRow,
} from '../shared/webviewProtocol';
import { displayText, noticeText } from '../shared/displayText';
import { openLocation, type OpenedLocation } from './sourceLinks';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const PANEL_VIEW_TYPE = 'retentionExplorer.retentionTree';

/** Where the panel reads more retainers of a node, page by page. */
export type RetainersSource = (snapshotId: number, heapId: number, offset: number) => Promise<RetainerPage>;

/** The page asked for the tree of another object of the same snapshot. */
export interface InspectRequest {
  snapshotId: number;
  heapId: number;
}

export interface PanelState {
  visible: boolean;
  generation: number;
  renderedGeneration: number;
  rows: RenderedRow[];
  sessionEnded: string | null;
  lastOpened: OpenedLocation | null;
  rejectedMessages: number;
}

export class RetentionPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private model: PanelModel | null = null;
  private generation = 0;
  private rendered: { generation: number; rows: RenderedRow[] } = { generation: 0, rows: [] };
  private renderWaiters: { generation: number; resolve: () => void }[] = [];
  private readonly knownUrls = new Set<string>();
  private lastOpened: OpenedLocation | null = null;
  private rejected = 0;
  /** The panel was restored after a reload: its page shows its saved tree, but the snapshot behind it is gone. */
  private restored = false;
  /** Objects shown before the current one, for "Back". */
  private readonly history: PanelModel[] = [];
  private readonly inspectAsked = new vscode.EventEmitter<InspectRequest>();
  private readonly disposables = new DisposableList(this.inspectAsked);
  /** The user asked, in the page, why another object is alive. */
  readonly onDidAskInspect = this.inspectAsked.event;

  constructor(private readonly extensionUri: vscode.Uri, private readonly retainers: RetainersSource) {
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel) => {
        // After a window reload the page restores its last tree from its own state; the worker's snapshots are gone,
        // so expanding further says so.
        this.restored = true;
        this.adopt(panel);
        return Promise.resolve();
      },
    }));
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposables.dispose();
  }

  /** Shows a report (creating or revealing the panel). Returns the model's generation. */
  show(model: Omit<PanelModel, 'generation' | 'back'>, options: { fromHistory?: boolean } = {}): number {
    if (this.model && !options.fromHistory) {
      this.history.push(this.model);
      if (this.history.length > 20) this.history.shift();
    }
    this.generation++;
    this.restored = false;
    const previous = this.history.at(-1);
    this.model = { ...model, generation: this.generation, back: previous ? titleOf(previous) : null };
    // Only locations of the reports the panel can show (this one and its history) may be opened; rebuilt here so the
    // set stays bounded by the history's length.
    this.knownUrls.clear();
    for (const m of [...this.history, this.model]) this.remember(m.report);
    let panel = this.panel;
    if (!panel) {
      panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Retention', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
        ...webviewOptions(this.extensionUri),
        enableFindWidget: true,
      });
      this.adopt(panel);
    } else {
      panel.reveal(panel.viewColumn ?? vscode.ViewColumn.Beside, false);
      this.post({ type: 'show', model: this.model });
    }
    panel.title = `Retention: ${titleOf(model)}`;
    return this.generation;
  }

  /** The panel says a capture is running, or failed, above the last results. */
  status(kind: 'busy' | 'error' | 'info', message: string | null): void {
    if (message === null) this.post({ type: 'clearStatus' });
    else this.post({ type: 'status', kind, message });
  }

  /** The session the shown snapshot came from ended: say so, keep the results readable. */
  sourceEnded(source: string, message: string): void {
    if (!this.model || this.model.snapshot.source !== source) return;
    this.model = { ...this.model, sessionEnded: message };
    this.post({ type: 'sessionEnded', message });
  }

  get currentModel(): PanelModel | null {
    return this.model;
  }

  /** For tests: what the page last rendered, waiting (bounded) until it has rendered `generation`. */
  async state(waitFor?: { generation?: number; timeoutMs?: number }): Promise<PanelState> {
    const want = waitFor?.generation;
    if (want !== undefined && this.rendered.generation < want) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitFor?.timeoutMs ?? 10_000);
        this.renderWaiters.push({ generation: want, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    }
    return {
      visible: this.panel?.visible ?? false,
      generation: this.generation,
      renderedGeneration: this.rendered.generation,
      rows: this.rendered.rows,
      sessionEnded: this.model?.sessionEnded ?? null,
      lastOpened: this.lastOpened,
      rejectedMessages: this.rejected,
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = { ...webviewOptions(this.extensionUri) };
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.extensionUri, 'media', 'retention-light.svg'),
      dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'retention-dark.svg'),
    };
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'panel', 'Retention');
    const subs = new DisposableList(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => {
        if (this.panel === panel) this.panel = null;
        subs.dispose();
      }),
    );
  }

  private post(message: HostToPanel): void {
    void this.panel?.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    const message = parsePanelMessage(raw);
    if (!message) {
      // Untrusted input: anything that is not a well-formed request is dropped, and counted for tests.
      this.rejected++;
      return;
    }
    void this.handle(message).catch((e: unknown) => {
      void vscode.window.showErrorMessage(noticeText(e instanceof Error ? e.message : String(e)));
    });
  }

  private async handle(message: PanelToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (this.model) this.post({ type: 'show', model: this.model });
        else if (this.restored) {
          this.post({ type: 'status', kind: 'info', message: 'This tree was restored after the window reloaded; its snapshot is no longer in memory, so take a new one to expand further or open links.' });
        }
        return;
      case 'rendered':
        this.rendered = { generation: message.generation, rows: message.rows };
        this.renderWaiters = this.renderWaiters.filter((w) => {
          if (w.generation > message.generation) return true;
          w.resolve();
          return false;
        });
        return;
      case 'openLocation': {
        // Only locations this host sent can be opened: a page cannot make the host open an arbitrary file.
        if (!this.knownUrls.has(message.location.url)) {
          this.rejected++;
          this.post({ type: 'status', kind: 'info', message: this.restored
            ? 'This tree was restored after the window reloaded; its links open again once you examine the object in a new snapshot.'
            : 'That location is not part of the report shown, so it was not opened.' });
          return;
        }
        this.lastOpened = await openLocation(message.location);
        // Say why nothing opened where the user clicked, not only in a notification.
        if (!this.lastOpened.opened && this.lastOpened.message) this.post({ type: 'status', kind: 'info', message: this.lastOpened.message });
        return;
      }
      case 'loadRetainers': {
        try {
          const page = await this.retainers(message.snapshotId, message.heapId, message.offset);
          for (const e of page.entries) this.rememberLocation(e.node.location);
          this.post({ type: 'retainers', requestId: message.requestId, ok: true, page });
        } catch (e) {
          this.post({ type: 'retainers', requestId: message.requestId, ok: false, error: e instanceof Error ? e.message : String(e) });
        }
        return;
      }
      case 'inspect':
        this.inspectAsked.fire({ snapshotId: message.snapshotId, heapId: message.heapId });
        return;
      case 'back': {
        const previous = this.history.pop();
        if (previous) this.show(previous, { fromHistory: true });
        return;
      }
    }
  }

  private remember(report: RetentionReport): void {
    this.rememberLocation(report.object.location);
    for (const list of [report.paths, report.cycles]) {
      for (const p of list) {
        for (const s of p.steps) {
          this.rememberLocation(s.from.location);
          this.rememberLocation(s.to.location);
          for (const v of s.via ?? []) this.rememberLocation(v.location);
          for (const f of s.folded ?? []) this.rememberLocation(f.to.location);
        }
      }
    }
    for (const s of [report.fix, ...report.paths.map((p) => p.suggestion), ...report.cycles.map((c) => c.suggestion)]) {
      this.rememberLocation(s?.target?.listener?.location);
    }
  }

  private rememberLocation(loc: SourceLocation | null | undefined): void {
    if (loc) this.knownUrls.add(loc.url);
  }
}

function titleOf(model: Omit<PanelModel, 'generation' | 'back'>): string {
  const name = model.object?.expression ?? (model.report.object.name || `(${model.report.object.type})`);
  return `${displayText(name, 30)} @${model.report.object.id}`;
}
