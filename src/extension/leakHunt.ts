/**
 * The guided leak hunt on one attached program: a baseline snapshot, the action the user suspects (done by hand in
 * the program, or run N times for them), a target snapshot, optionally a final one after undoing the action, then the
 * leak suspects of the comparison. Every snapshot is taken after a full garbage collection and joins the catalogue,
 * so it stays listed and can be compared with any other. Owns the hunt's state and fires `onDidChange`; the sidebar
 * subscribes.
 */
import * as vscode from 'vscode';
import type { SnapshotComparison } from '../shared/comparisonReport';
import { displayText } from '../shared/displayText';
import type { LeakHuntState } from '../shared/webviewProtocol';
import type { SnapshotInfo } from '../shared/workerProtocol';
import type { CaptureProgress } from './captureProgress';
import { CONTEXT } from './commands';
import { UserError } from './debugSessions';
import type { SnapshotCatalog } from './snapshotCatalog';
import type { Target, TargetRegistry } from './targetRegistry';
import type { WorkerClient } from './workerClient';

export type HuntStep = 'baseline' | 'target' | 'final';

const STEP_LABEL: Record<HuntStep, string> = { baseline: 'Baseline', target: 'Target', final: 'Final' };

export class LeakHunt implements vscode.Disposable {
  private targetKey: string | null = null;
  private targetLabel: string | null = null;
  private targetEnded = false;
  private readonly steps: Record<HuntStep, SnapshotInfo | null> = { baseline: null, target: null, final: null };
  private actionRuns = 0;
  private lastAction: string | null = null;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** A step was taken or forgotten, the action ran, or the program ended. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly worker: WorkerClient,
    private readonly catalog: SnapshotCatalog,
    private readonly progress: CaptureProgress,
    targets: TargetRegistry,
  ) {
    this.disposables.push(
      // A snapshot closed in the sidebar (or lost with the worker) is no longer a step of the hunt.
      catalog.onDidChange(() => {
        let dropped = false;
        for (const step of Object.keys(this.steps) as HuntStep[]) {
          const s = this.steps[step];
          if (s && !catalog.has(s.snapshotId)) { this.steps[step] = null; dropped = true; }
        }
        if (dropped) this.update();
      }),
      targets.onDidEnd((e) => {
        if (e.key !== this.targetKey) return;
        this.targetEnded = true;
        this.update();
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private update(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.huntStarted, this.steps.baseline !== null && !this.targetEnded);
    void vscode.commands.executeCommand('setContext', CONTEXT.huntHasTarget, this.steps.target !== null);
    this.changed.fire();
  }

  state(): LeakHuntState {
    return {
      program: this.targetKey !== null ? { key: this.targetKey, label: this.targetLabel ?? this.targetKey, ended: this.targetEnded } : null,
      baseline: this.steps.baseline,
      target: this.steps.target,
      final: this.steps.final,
      actionRuns: this.actionRuns,
      lastAction: this.lastAction,
    };
  }

  /** The snapshot ids to compare now: baseline, target and (when taken) final. */
  comparisonIds(): number[] {
    const { baseline, target, final } = this.steps;
    if (!baseline) throw new UserError('Take a baseline snapshot first ("Find Leaks: Take Baseline").');
    if (!target) throw new UserError('Do the action you suspect a few times, then take the target snapshot.');
    return final ? [baseline.snapshotId, target.snapshotId, final.snapshotId] : [baseline.snapshotId, target.snapshotId];
  }

  /** Takes one step's snapshot after a garbage collection. A new baseline starts a new hunt. */
  async take(step: HuntStep, t: Target): Promise<SnapshotInfo> {
    if (step !== 'baseline') {
      if (!this.steps.baseline || this.targetKey !== t.key) {
        throw new UserError(`Take a baseline snapshot of ${t.label} first: the ${step} snapshot is compared with it.`);
      }
      if (step === 'final' && !this.steps.target) throw new UserError('Take the target snapshot before the final one.');
    }
    const snapshot = await this.progress.run(`Taking the ${step} snapshot of ${t.label} (after a garbage collection)`, (signal, onProgress) =>
      this.worker.call('takeSnapshot', { target: t.key, label: `${STEP_LABEL[step]} of ${t.label}`, forComparison: true }, { signal, onProgress }));
    if (step === 'baseline') {
      this.targetKey = t.key;
      this.targetLabel = t.label;
      this.targetEnded = false;
      this.steps.target = null;
      this.steps.final = null;
      this.actionRuns = 0;
    } else if (step === 'target') {
      this.steps.final = null;
    }
    this.steps[step] = snapshot;
    this.catalog.add(snapshot, { select: false });
    this.update();
    return snapshot;
  }

  /** Runs the suspected action `times` times in the program, under the cancellable progress. */
  async repeat(t: Target, expression: string, times: number): Promise<{ runs: number; elapsedMs: number }> {
    const started = Date.now();
    const result = await this.progress.run(`Running \`${displayText(expression, 200)}\` ${times} times in ${t.label}`, (signal, onProgress) =>
      this.worker.call('runAction', { target: t.key, expression, times }, { signal, onProgress }));
    if (t.key === this.targetKey) {
      // Counted per action: the sidebar says how often *this* action ran since the baseline.
      if (expression !== this.lastAction) this.actionRuns = 0;
      this.actionRuns += result.runs;
      this.lastAction = expression;
      this.update();
    }
    return { runs: result.runs, elapsedMs: Date.now() - started };
  }

  /** Compares snapshots of the catalogue (default: the hunt's), oldest first. */
  async compare(snapshotIds: number[] = this.comparisonIds()): Promise<SnapshotComparison> {
    return this.progress.run('Comparing the snapshots', async () => {
      // Snapshots not taken for a comparison (opened from a file, taken by hand) keep their digest now, while their
      // analysis is still in the worker; one already released says so.
      for (const snapshotId of snapshotIds) await this.worker.call('keepForComparison', { snapshotId });
      return (await this.worker.call('compareSnapshots', { snapshotIds })).comparison;
    });
  }
}
