/**
 * The analysed snapshots the worker holds, oldest first, each with its heap summary (loaded on demand, once), and
 * which one is selected. Owns the `hasSnapshot` context key and fires `onDidChange`; the sidebar subscribes.
 *
 * A snapshot's `snapshotId` is the worker's id: it is what `report`, `retainers`, `findByClass` and a comparison of
 * two snapshots take. `entries()` lists every snapshot with what is known of its summary.
 */
import * as vscode from 'vscode';
import { DisposableList } from '../shared/disposables';
import type { HeapSummary } from '../shared/report';
import type { SnapshotInfo } from '../shared/workerProtocol';
import { CONTEXT } from './commands';
import { UserError } from './debugSessions';
import type { WorkerClient } from './workerClient';

/** One snapshot of the catalogue and its summary: loaded, failed (a sentence), or not yet (both null). */
export interface CatalogEntry {
  snapshot: SnapshotInfo;
  summary: HeapSummary | null;
  summaryError: string | null;
}

interface Held extends CatalogEntry {
  pending: Promise<HeapSummary> | null;
}

export class SnapshotCatalog implements vscode.Disposable {
  private readonly held: Held[] = [];
  private selectedId: number | null = null;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables = new DisposableList(this.changed);
  /** A snapshot was added or released, the selection changed, or a summary arrived. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly worker: WorkerClient) {
    // The worker died and took its snapshots with it.
    this.disposables.push(worker.onWorkerExit(() => this.clear()));
  }

  dispose(): void {
    this.disposables.dispose();
  }

  /** Every snapshot with its summary as far as known, oldest first. */
  entries(): CatalogEntry[] {
    return this.held.map(({ snapshot, summary, summaryError }) => ({ snapshot, summary, summaryError }));
  }

  snapshots(): SnapshotInfo[] {
    return this.held.map((h) => h.snapshot);
  }

  has(snapshotId: number): boolean {
    return this.find(snapshotId) !== undefined;
  }

  get(snapshotId: number): CatalogEntry | undefined {
    const h = this.find(snapshotId);
    return h && { snapshot: h.snapshot, summary: h.summary, summaryError: h.summaryError };
  }

  get selectedSnapshotId(): number | null {
    return this.selectedId;
  }

  /** The selected snapshot's id, or a sentence telling the user to make one. */
  requireSelected(): number {
    if (this.selectedId === null) throw new UserError('No snapshot is open; take a heap snapshot or open a .heapsnapshot file first.');
    return this.selectedId;
  }

  /** Adds a snapshot the worker has analysed; selects it when asked to, or when nothing is selected. */
  add(snapshot: SnapshotInfo, options: { select?: boolean } = {}): void {
    this.held.push({ snapshot, summary: null, summaryError: null, pending: null });
    if (options.select !== false || this.selectedId === null) this.select(snapshot.snapshotId);
    else this.update();
  }

  /** Selects a snapshot (ignored when it is not in the catalogue) and starts loading its summary. */
  select(snapshotId: number | null): void {
    if (snapshotId !== null && !this.has(snapshotId)) return;
    this.selectedId = snapshotId;
    if (snapshotId !== null) void this.summary(snapshotId).catch(() => {});
    this.update();
  }

  /** The snapshot's heap summary, asked of the worker once; a failure is kept as `summaryError` and retried later. */
  summary(snapshotId: number): Promise<HeapSummary> {
    const h = this.find(snapshotId);
    if (!h) return Promise.reject(new UserError(`Snapshot ${snapshotId} is no longer open.`));
    if (h.summary) return Promise.resolve(h.summary);
    if (h.pending) return h.pending;
    const p = this.worker.call('summary', { snapshotId });
    h.pending = p;
    p.then((s) => { h.summary = s; h.summaryError = null; },
      (e: unknown) => { h.summaryError = e instanceof Error ? e.message : String(e); })
      .finally(() => { h.pending = null; if (this.held.includes(h)) this.update(); });
    return p;
  }

  /** Frees the snapshot in the worker; the newest remaining one is selected if it was. */
  async release(snapshotId: number): Promise<void> {
    const i = this.held.findIndex((h) => h.snapshot.snapshotId === snapshotId);
    if (i < 0) return;
    this.held.splice(i, 1);
    await this.worker.call('releaseSnapshot', { snapshotId }).catch(() => {});
    if (this.selectedId === snapshotId) this.select(this.held.at(-1)?.snapshot.snapshotId ?? null);
    else this.update();
  }

  private find(snapshotId: number): Held | undefined {
    return this.held.find((h) => h.snapshot.snapshotId === snapshotId);
  }

  private clear(): void {
    this.held.length = 0;
    this.selectedId = null;
    this.update();
  }

  private update(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.hasSnapshot, this.held.length > 0);
    this.changed.fire();
  }
}
