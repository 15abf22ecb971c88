/**
 * From an object to the tree panel: capture it live (select, snapshot, analyse in the worker) or read it from an
 * analysed snapshot, then show its report. The commands, the panel's "inspect" and the sidebar's rows all end here.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ReportNode } from '../shared/report';
import { displayLabel, displayText, noticeText } from '../shared/displayText';
import { distanceLabel, formatBytes, fullLocationLabel, nodeLabel } from '../shared/labels';
import type { ObjectReport } from '../shared/workerProtocol';
import type { CaptureProgress } from './captureProgress';
import { failure, type CommandOutcome } from './commandOutcome';
import type { FindArgument } from './commands';
import { UserError, type DebugSessions } from './debugSessions';
import type { RetentionPanel } from './retentionPanel';
import type { SnapshotCatalog } from './snapshotCatalog';
import type { Target, TargetRegistry } from './targetRegistry';
import { WorkerCallError, type WorkerClient } from './workerClient';

export interface ShownReport {
  /** The panel model's generation: `_panelState` can wait until the page has rendered it. */
  generation: number;
  snapshotId: number;
  heapId: number;
  name: string;
  scope: string | null;
  paths: number;
  cycles: number;
  fix: string | null;
}

const CLASS_PICK_LIMIT = 200;

export class ReportFlow {
  constructor(
    private readonly worker: WorkerClient,
    private readonly sessions: DebugSessions,
    private readonly targets: TargetRegistry,
    private readonly catalog: SnapshotCatalog,
    private readonly progress: CaptureProgress,
    private readonly panel: RetentionPanel,
  ) {}

  /** Selects the object by expression in the target, captures and analyses, and shows why it is alive. */
  async captureAndShow(target: Target, find: FindArgument): Promise<CommandOutcome<ShownReport>> {
    const expression = find.expression.trim();
    if (!expression) throw new UserError('The expression is empty; name the object to examine, such as `cache` or `this.listeners[0]`.');
    let frame = find.frame;
    if (frame === undefined && !find.global && target.session) frame = await this.sessions.focusedFrameIndex(target.session);
    this.panel.status('busy', `Examining ${expression} in ${target.label}…`);
    let result: ObjectReport;
    try {
      result = await this.progress.run(`Finding what keeps ${short(expression)} alive`, (signal, onProgress) =>
        this.worker.call('captureObject', {
          target: target.key,
          selection: { expression, frame, global: find.global },
          label: target.label,
        }, { signal, onProgress }));
    } catch (e) {
      if (e instanceof WorkerCallError && e.cancelled) this.panel.status('info', 'Cancelled; the program was left as it was.');
      else this.panel.status('error', e instanceof Error ? e.message : String(e));
      throw e;
    }
    this.catalog.add(result.snapshot, { select: false });
    return { ok: true, ...this.present(result) };
  }

  /** Shows the retention tree of an object of an analysed snapshot. */
  async showObject(snapshotId: number, heapId: number): Promise<CommandOutcome<ShownReport>> {
    try {
      const result = await this.worker.call('report', { snapshotId, heapId });
      return { ok: true, ...this.present(result) };
    } catch (e) {
      return failure(e);
    }
  }

  /** As showObject, telling the user when it fails (for clicks in the views, which have no caller to tell). */
  async inspect(snapshotId: number, heapId: number): Promise<void> {
    const outcome = await this.showObject(snapshotId, heapId);
    if (!outcome.ok) void vscode.window.showErrorMessage(noticeText(outcome.error));
  }

  /** Shows an instance of a class: the largest, or the one the user picks when `ask` and there are several. */
  async openClass(snapshotId: number, name: string, ask = true): Promise<CommandOutcome<ShownReport> | undefined> {
    const found: ReportNode[] = await this.worker.call('findByClass', { snapshotId, name, limit: CLASS_PICK_LIMIT });
    if (found.length === 0) throw new UserError(`No object of class ${name} is in this snapshot (class names are case-sensitive).`);
    let pick = found[0];
    if (found.length > 1 && ask) {
      const picked = await vscode.window.showQuickPick(found.map((n) => ({
        label: `${displayLabel(nodeLabel(n), 200)} @${n.id}`,
        description: `retained ${formatBytes(n.retainedSize ?? 0)}, distance ${distanceLabel(n)}`,
        detail: n.location ? displayLabel(fullLocationLabel(n.location), 200) : undefined,
        node: n,
      })), {
        title: `${found.length}${found.length === CLASS_PICK_LIMIT ? '+' : ''} instances of ${displayText(name, 200)}, largest retained first`,
        matchOnDescription: true,
      });
      if (!picked) return undefined;
      pick = picked.node;
    }
    return this.showObject(snapshotId, pick.id);
  }

  private present(result: ObjectReport): ShownReport {
    const { snapshot, report } = result;
    const target = this.targets.get(snapshot.source);
    const generation = this.panel.show({
      snapshot,
      object: result.object,
      report,
      sourceLabel: target?.label ?? basename(snapshot.source),
      // A target that ended is no longer registered; the panel learns of the end through onDidEnd.
      sessionEnded: null,
    });
    this.panel.status('busy', null);
    return {
      generation,
      snapshotId: snapshot.snapshotId,
      heapId: report.object.id,
      name: report.object.name,
      scope: result.object?.scope ?? null,
      paths: report.paths.length,
      cycles: report.cycles.length,
      fix: report.fix?.fix ?? report.cycles.find((c) => c.suggestion)?.suggestion?.fix ?? null,
    };
  }
}

function short(expression: string): string {
  return expression.length > 40 ? `${expression.slice(0, 39)}…` : expression;
}
