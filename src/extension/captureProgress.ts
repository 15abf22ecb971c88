/**
 * The one long piece of worker work that may run at a time (a capture, a file being parsed), under VS Code's
 * cancellable progress notification. Owns its state and fires `onDidChange` (at most four times a second while
 * progress arrives), so the sidebar mirrors it and can cancel it.
 */
import * as vscode from 'vscode';
import { DisposableList } from '../shared/disposables';
import type { CaptureState } from '../shared/webviewProtocol';
import type { WorkerProgress } from '../shared/workerProtocol';
import { UserError } from './debugSessions';

export type ProgressWork<T> = (signal: AbortSignal, onProgress: (p: WorkerProgress) => void) => Promise<T>;

const REFRESH_MS = 250;

export class CaptureProgress implements vscode.Disposable {
  private running: (CaptureState & { controller: AbortController }) | null = null;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables = new DisposableList(this.changed);
  readonly onDidChange = this.changed.event;

  dispose(): void {
    this.cancel();
    this.disposables.dispose();
  }

  /** What runs now, for the sidebar; null when idle. */
  get state(): CaptureState | null {
    return this.running && { message: this.running.message, fraction: this.running.fraction };
  }

  cancel(): void {
    this.running?.controller.abort();
  }

  /** Runs worker work under a cancellable notification with a percentage. Refuses while other work runs. */
  async run<T>(title: string, work: ProgressWork<T>): Promise<T> {
    if (this.running) throw new UserError('A capture is already running; wait for it or cancel it first.');
    const controller = new AbortController();
    const running = { message: title, fraction: null as number | null, controller };
    this.running = running;
    this.changed.fire();
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        let lastRefresh = 0;
        return work(controller.signal, (p) => {
          const increment = p.fraction !== null ? Math.max(0, Math.round(p.fraction * 100) - reported) : 0;
          reported += increment;
          progress.report({ message: p.message, increment });
          running.message = p.message;
          running.fraction = p.fraction;
          const now = Date.now();
          if (now - lastRefresh > REFRESH_MS) {
            lastRefresh = now;
            this.changed.fire();
          }
        });
      });
    } finally {
      this.running = null;
      this.changed.fire();
    }
  }
}
