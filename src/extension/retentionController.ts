/**
 * The workflow behind every command: pick the Node process (a js-debug session or an --inspect port), have the worker
 * connect, capture and analyse under a cancellable progress notification, and show the result in the tree panel and
 * the sidebar. Wired by hand in extension.ts.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { formatBytes, formatLocation } from '../core/format';
import type { HeapSummary, RetainerPage, ReportNode } from '../core/report';
import { displayLabel, displayText, noticeText } from '../shared/displayText';
import type { CaptureState, SidebarState, SidebarTarget, SidebarToHost } from '../shared/webviewProtocol';
import type { ObjectReport, SnapshotInfo, TargetInfoDto, WorkerProgress } from '../shared/workerProtocol';
import {
  ArgumentError, CONTEXT, parseAddressArgument, parseFindArgument, parseObjectArgument, parsePathArgument,
  parseTargetArgument, parseVariableArgument, type FindArgument,
} from './commands';
import { DebugSessions, UserError } from './debugSessions';
import { expressionAt, selectionExpression } from './expressionAtCursor';
import type { PanelHost, RetentionPanel } from './retentionPanel';
import type { SidebarHost, SidebarView } from './sidebarView';
import { WorkerCallError, type WorkerClient } from './workerClient';

/** What the commands return, so tests and other extensions can assert on the outcome. */
export type CommandOutcome<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string; code?: string };

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

interface TargetState {
  key: string;
  label: string;
  kind: 'session' | 'inspector';
  session?: vscode.DebugSession;
  info: TargetInfoDto;
  recording: boolean;
  ended: boolean;
}

const RETAINERS_PAGE = 50;

export class RetentionController implements PanelHost, SidebarHost, vscode.Disposable {
  private readonly targets = new Map<string, TargetState>();
  private readonly connecting = new Map<string, Promise<TargetState>>();
  private readonly snapshots: SnapshotInfo[] = [];
  private readonly summaries = new Map<number, Promise<HeapSummary>>();
  private readonly summaryErrors = new Map<number, string>();
  private readonly loadedSummaries = new Map<number, HeapSummary>();
  private selectedSnapshotId: number | null = null;
  private capture: (CaptureState & { cancel: () => void }) | null = null;
  private panel!: RetentionPanel;
  private sidebar!: SidebarView;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly worker: WorkerClient, private readonly sessions: DebugSessions) {
    this.disposables.push(
      worker.onTargetClosed((e) => this.onTargetClosed(e.target, e.byRequest)),
      worker.onWorkerExit((message) => this.onWorkerExit(message)),
      sessions.onDidEnd((s) => this.onSessionEnded(s)),
      sessions.onDidChange(() => this.sidebar?.refresh()),
    );
  }

  /** Wires the views (they need the controller as their host, so they come after it). */
  attachViews(panel: RetentionPanel, sidebar: SidebarView): void {
    this.panel = panel;
    this.sidebar = sidebar;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.capture?.cancel();
    for (const key of this.targets.keys()) void this.worker.call('disconnect', { target: key }).catch(() => {});
  }

  // -------------------------------------------------------------------------------------------------------------
  // Commands

  async findRetainingCycles(arg: unknown): Promise<CommandOutcome<ShownReport> | undefined> {
    return this.guard(async () => {
      const parsed = parseFindArgument(arg);
      const target = await this.resolveTarget(parsed?.sessionId);
      if (!target) return undefined;
      const expression = parsed?.expression ?? await this.askExpression(target);
      if (expression === undefined) return undefined;
      return this.captureAndShow(target, { ...parsed, expression });
    });
  }

  async findRetainingCyclesForVariable(arg: unknown): Promise<CommandOutcome<ShownReport> | undefined> {
    return this.guard(async () => {
      const variable = parseVariableArgument(arg);
      const target = await this.resolveTarget(variable.sessionId);
      if (!target) return undefined;
      return this.captureAndShow(target, { expression: variable.expression });
    });
  }

  async takeHeapSnapshot(arg: unknown): Promise<CommandOutcome<{ snapshot: SnapshotInfo }> | undefined> {
    return this.guard(async () => {
      const target = await this.resolveTarget(parseTargetArgument(arg));
      if (!target) return undefined;
      const snapshot = await this.withProgress(`Taking a heap snapshot of ${target.label}`, (signal, onProgress) =>
        this.worker.call('takeSnapshot', { target: target.key, label: `${target.label}` }, { signal, onProgress }));
      this.addSnapshot(snapshot);
      void vscode.commands.executeCommand('retentionExplorer.sidebar.focus');
      return { ok: true, snapshot };
    });
  }

  async attachToInspector(arg: unknown): Promise<CommandOutcome<{ target: string; description: string; nodeVersion: string | null }> | undefined> {
    return this.guard(async () => {
      const target = await this.attach(parseAddressArgument(arg));
      if (!target) return undefined;
      return { ok: true, target: target.key, description: target.info.description, nodeVersion: target.info.nodeVersion };
    });
  }

  async detach(arg: unknown): Promise<CommandOutcome | undefined> {
    return this.guard(async () => {
      const inspectors = [...this.targets.values()].filter((t) => t.kind === 'inspector');
      let key = parseTargetArgument(arg);
      if (!key) {
        if (inspectors.length === 0) throw new UserError('No inspector port is attached.');
        if (inspectors.length === 1) key = inspectors[0].key;
        else {
          const picked = await vscode.window.showQuickPick(inspectors.map((t) => ({ label: t.label, key: t.key })), { title: 'Detach from which program?' });
          if (!picked) return undefined;
          key = picked.key;
        }
      }
      await this.worker.call('disconnect', { target: key });
      return { ok: true };
    });
  }

  async openSnapshotFile(arg: unknown): Promise<CommandOutcome<{ snapshot: SnapshotInfo }> | undefined> {
    return this.guard(async () => {
      let path = parsePathArgument(arg);
      if (!path) {
        const picked = await vscode.window.showOpenDialog({
          title: 'Open Heap Snapshot', canSelectMany: false, openLabel: 'Analyse',
          filters: { 'Heap snapshots': ['heapsnapshot'], 'All files': ['*'] },
        });
        if (!picked?.[0]) return undefined;
        path = picked[0].fsPath;
      }
      const file = path;
      const snapshot = await this.withProgress(`Opening ${basename(file)}`, (signal, onProgress) =>
        this.worker.call('openFile', { path: file }, { signal, onProgress }));
      this.addSnapshot(snapshot);
      void vscode.commands.executeCommand('retentionExplorer.sidebar.focus');
      return { ok: true, snapshot };
    });
  }

  async startAllocationRecording(arg: unknown): Promise<CommandOutcome<{ target: string }> | undefined> {
    return this.guard(async () => {
      const target = await this.resolveTarget(parseTargetArgument(arg));
      if (!target) return undefined;
      await this.worker.call('startRecording', { target: target.key });
      target.recording = true;
      this.updateRecordingContext();
      void vscode.window.showInformationMessage(noticeText(
        `Recording allocations in ${target.label}: objects created from now on carry the stack that created them. Run "Retention: Stop Allocation Recording" to take the snapshot.`));
      return { ok: true, target: target.key };
    });
  }

  async stopAllocationRecording(arg: unknown): Promise<CommandOutcome<{ snapshot: SnapshotInfo }> | undefined> {
    return this.guard(async () => {
      const key = parseTargetArgument(arg);
      const recording = [...this.targets.values()].filter((t) => t.recording && (!key || t.key === key || t.session?.id === key));
      if (recording.length === 0) throw new UserError('No allocation recording is running.');
      const target = recording[0];
      try {
        const snapshot = await this.withProgress(`Stopping the allocation recording of ${target.label}`, (signal, onProgress) =>
          this.worker.call('stopRecording', { target: target.key, label: `Allocations in ${target.label}` }, { signal, onProgress }));
        this.addSnapshot(snapshot);
        return { ok: true, snapshot };
      } finally {
        target.recording = false;
        this.updateRecordingContext();
      }
    });
  }

  async findInstancesOfClass(arg: unknown): Promise<CommandOutcome<ShownReport> | undefined> {
    return this.guard(async () => {
      const snapshotId = this.requireSelectedSnapshot();
      let name = typeof arg === 'string' ? arg : typeof (arg as { name?: unknown })?.name === 'string' ? (arg as { name: string }).name : undefined;
      // Called with a name (programmatically), the largest instance is shown without asking.
      const ask = name === undefined;
      if (!name) {
        name = await vscode.window.showInputBox({ title: 'Retention: Find Instances of Class', prompt: 'Constructor name, as in `class Widget` (case-sensitive)', ignoreFocusOut: true });
        if (!name) return undefined;
      }
      return this.openClass(snapshotId, name.trim(), ask);
    });
  }

  async showObjectById(arg: unknown): Promise<CommandOutcome<ShownReport> | undefined> {
    return this.guard(async () => {
      let parsed = parseObjectArgument(arg);
      if (!parsed) {
        const text = await vscode.window.showInputBox({
          title: 'Retention: Show Retainers of Heap Object Id', prompt: 'V8 heap object id (DevTools shows it as @123)',
          validateInput: (v) => (/^@?\d+$/.test(v.trim()) ? null : 'A number, such as 12345 or @12345'),
        });
        if (!text) return undefined;
        parsed = { heapId: Number(text.trim().replace(/^@/, '')) };
      }
      const snapshotId = parsed.snapshotId ?? this.requireSelectedSnapshot();
      return this.showObject(snapshotId, parsed.heapId);
    });
  }

  async showRetentionPanel(): Promise<CommandOutcome | undefined> {
    const model = this.panel.currentModel;
    if (!model) return { ok: false, error: 'Nothing has been examined yet; run "Retention: Find Retaining Cycles" first.' };
    this.panel.show(model, { fromHistory: true });
    return { ok: true };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Panel and sidebar hosts

  retainers(snapshotId: number, heapId: number, offset: number): Promise<RetainerPage> {
    return this.worker.call('retainers', { snapshotId, heapId, offset, limit: RETAINERS_PAGE });
  }

  async inspect(snapshotId: number, heapId: number): Promise<void> {
    const outcome = await this.showObject(snapshotId, heapId);
    if (!outcome.ok) void vscode.window.showErrorMessage(noticeText(outcome.error));
  }

  sidebarState(): SidebarState {
    const targets: SidebarTarget[] = [...this.targets.values()].map((t) => ({
      key: t.key, label: t.label, kind: t.kind, nodeVersion: t.info.nodeVersion, warning: t.info.warning, recording: t.recording, ended: t.ended,
    }));
    // Node processes being debugged that we have not connected to yet are shown too: the snapshot button works on them.
    for (const s of this.sessions.nodeProcesses()) {
      if (!this.targets.has(sessionKey(s))) {
        targets.push({ key: sessionKey(s), label: s.name, kind: 'session', nodeVersion: null, warning: null, recording: false, ended: false });
      }
    }
    const selected = this.selectedSnapshotId;
    return {
      targets,
      otherSession: this.sessions.otherSessionSentence(),
      snapshots: [...this.snapshots].reverse(),
      selectedSnapshotId: selected,
      summary: selected !== null ? this.loadedSummaries.get(selected) ?? null : null,
      summaryError: selected !== null ? this.summaryErrors.get(selected) ?? null : null,
      capture: this.capture ? { message: this.capture.message, fraction: this.capture.fraction } : null,
    };
  }

  async onSidebarMessage(message: SidebarToHost): Promise<void> {
    switch (message.type) {
      case 'command': {
        const arg = message.target ? this.targets.get(message.target)?.session?.id ?? message.target : undefined;
        const id = {
          takeSnapshot: 'retentionExplorer.takeHeapSnapshot',
          attach: 'retentionExplorer.attachToInspector',
          openFile: 'retentionExplorer.openSnapshotFile',
          findRetainingCycles: 'retentionExplorer.findRetainingCycles',
          startRecording: 'retentionExplorer.startAllocationRecording',
          stopRecording: 'retentionExplorer.stopAllocationRecording',
          startDebugging: 'workbench.action.debug.start',
          cancelCapture: '',
        }[message.command];
        if (message.command === 'cancelCapture') {
          this.capture?.cancel();
          return;
        }
        const needsTarget = message.command === 'takeSnapshot' || message.command === 'startRecording' || message.command === 'stopRecording';
        await vscode.commands.executeCommand(id, needsTarget ? arg : undefined);
        return;
      }
      case 'selectSnapshot':
        if (this.snapshots.some((s) => s.snapshotId === message.snapshotId)) this.selectSnapshot(message.snapshotId);
        return;
      case 'releaseSnapshot': {
        const i = this.snapshots.findIndex((s) => s.snapshotId === message.snapshotId);
        if (i < 0) return;
        this.snapshots.splice(i, 1);
        this.summaries.delete(message.snapshotId);
        this.loadedSummaries.delete(message.snapshotId);
        this.summaryErrors.delete(message.snapshotId);
        await this.worker.call('releaseSnapshot', { snapshotId: message.snapshotId }).catch(() => {});
        if (this.selectedSnapshotId === message.snapshotId) this.selectSnapshot(this.snapshots.at(-1)?.snapshotId ?? null);
        this.updateSnapshotContext();
        this.sidebar.refresh();
        return;
      }
      case 'inspect': {
        if (!this.snapshots.some((s) => s.snapshotId === message.snapshotId)) return;
        const outcome = await this.showObject(message.snapshotId, message.heapId);
        if (!outcome.ok) void vscode.window.showErrorMessage(noticeText(outcome.error));
        return;
      }
      case 'openClass': {
        if (!this.snapshots.some((s) => s.snapshotId === message.snapshotId)) return;
        const outcome = await this.guard(() => this.openClass(message.snapshotId, message.name));
        if (outcome && !outcome.ok && outcome.error) void vscode.window.showErrorMessage(noticeText(outcome.error));
        return;
      }
      case 'ready':
        return;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // The flow

  /** Shows the retention tree of an object of an analysed snapshot. */
  async showObject(snapshotId: number, heapId: number): Promise<CommandOutcome<ShownReport>> {
    try {
      const result = await this.worker.call('report', { snapshotId, heapId });
      return { ok: true, ...this.present(result) };
    } catch (e) {
      return { ok: false, error: messageOf(e), code: codeOf(e) };
    }
  }

  private async openClass(snapshotId: number, name: string, ask = true): Promise<CommandOutcome<ShownReport> | undefined> {
    const found: ReportNode[] = await this.worker.call('findByClass', { snapshotId, name, limit: 200 });
    if (found.length === 0) throw new UserError(`No object of class ${name} is in this snapshot (class names are case-sensitive).`);
    let pick = found[0];
    if (found.length > 1 && ask) {
      const picked = await vscode.window.showQuickPick(found.map((n) => ({
        label: `${displayLabel(n.name, 200)} @${n.id}`,
        description: `retained ${formatBytes(n.retainedSize ?? 0)}, distance ${n.distance ?? 'unreachable'}`,
        detail: n.location ? displayLabel(formatLocation(n.location), 200) : undefined,
        node: n,
      })), { title: `${found.length}${found.length === 200 ? '+' : ''} instances of ${displayText(name, 200)}, largest retained first`, matchOnDescription: true });
      if (!picked) return undefined;
      pick = picked.node;
    }
    return this.showObject(snapshotId, pick.id);
  }

  private async captureAndShow(target: TargetState, find: FindArgument): Promise<CommandOutcome<ShownReport>> {
    const expression = find.expression.trim();
    if (!expression) throw new UserError('The expression is empty; name the object to examine, such as `cache` or `this.listeners[0]`.');
    let frame = find.frame;
    if (frame === undefined && !find.global && target.session) frame = await this.sessions.focusedFrameIndex(target.session);
    this.panel.status('busy', `Examining ${expression} in ${target.label}…`);
    let result: ObjectReport;
    try {
      result = await this.withProgress(`Finding what keeps ${short(expression)} alive`, (signal, onProgress) =>
        this.worker.call('captureObject', {
          target: target.key,
          selection: { expression, frame, global: find.global },
          label: target.label,
        }, { signal, onProgress }));
    } catch (e) {
      if (e instanceof WorkerCallError && e.cancelled) this.panel.status('info', 'Cancelled; the program was left as it was.');
      else this.panel.status('error', messageOf(e));
      throw e;
    }
    this.addSnapshot(result.snapshot, false);
    return { ok: true, ...this.present(result) };
  }

  private present(result: ObjectReport): ShownReport {
    const { snapshot, report } = result;
    const target = this.targets.get(snapshot.source);
    const generation = this.panel.show({
      snapshot,
      object: result.object,
      report,
      sourceLabel: target?.label ?? basename(snapshot.source),
      sessionEnded: target?.ended ? `${target.label} has ended; these results stay readable.` : null,
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

  /**
   * The target to examine: the given or active Node debug session (connected through js-debug's proxy), else an
   * attached inspector, else the user is offered to attach or start one (undefined when they decline).
   */
  private async resolveTarget(sessionId?: string): Promise<TargetState | undefined> {
    if (sessionId?.startsWith('inspector:')) {
      const t = this.targets.get(sessionId);
      if (!t || t.ended) throw new UserError(`Not attached to ${sessionId.slice('inspector:'.length)} any more; attach again.`);
      return t;
    }
    const session = await this.sessions.pickNodeProcess(sessionId);
    if (session) return this.connectSession(session);
    const inspectors = [...this.targets.values()].filter((t) => t.kind === 'inspector' && !t.ended);
    if (inspectors.length === 1) return inspectors[0];
    if (inspectors.length > 1) {
      const picked = await vscode.window.showQuickPick(inspectors.map((t) => ({ label: t.label, t })), { title: 'Which program?' });
      return picked?.t;
    }
    // Asked where the user already is (the palette), not in a notification that may go unseen.
    const choices = [
      { label: '$(plug) Attach to Inspector Port…', detail: 'A Node program started with --inspect (or --inspect-brk), such as 127.0.0.1:9229', id: 'attach' },
      { label: '$(debug-alt) Start Debugging', detail: 'Start the launch configuration of this workspace, then run this command again', id: 'debug' },
      { label: '$(folder-opened) Open Heap Snapshot File…', detail: 'Examine a .heapsnapshot saved earlier', id: 'file' },
    ];
    const choice = await vscode.window.showQuickPick(choices, {
      title: 'Retention: no Node program is being debugged',
      placeHolder: 'No Node program is being debugged. Attach to one started with --inspect, or start debugging first.',
      matchOnDetail: true,
    });
    if (choice?.id === 'attach') return this.attach(undefined);
    if (choice?.id === 'debug') await vscode.commands.executeCommand('workbench.action.debug.start');
    if (choice?.id === 'file') await vscode.commands.executeCommand('retentionExplorer.openSnapshotFile');
    return undefined;
  }

  private connectSession(session: vscode.DebugSession): Promise<TargetState> {
    const key = sessionKey(session);
    const existing = this.targets.get(key);
    if (existing && !existing.ended) return Promise.resolve(existing);
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const p = (async () => {
      const endpoint = await this.sessions.requestCdpProxy(session);
      const info = await this.worker.call('connect', { target: key, endpoint, timeoutMs: 10_000 });
      const t: TargetState = { key, label: session.name, kind: 'session', session, info, recording: false, ended: false };
      this.targets.set(key, t);
      this.warnSlowNode(t);
      this.sidebar.refresh();
      return t;
    })().finally(() => this.connecting.delete(key));
    this.connecting.set(key, p);
    return p;
  }

  private async attach(address: string | undefined): Promise<TargetState | undefined> {
    if (address === undefined) {
      address = await vscode.window.showInputBox({
        title: 'Retention: Attach to Inspector Port',
        prompt: 'Address of a Node program started with --inspect (HOST:PORT, PORT, or the ws:// URL it printed)',
        value: '127.0.0.1:9229',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? null : 'Give HOST:PORT, such as 127.0.0.1:9229'),
      });
      if (address === undefined) return undefined;
    }
    const key = `inspector:${address.trim()}`;
    const existing = this.targets.get(key);
    if (existing && !existing.ended) return existing;
    const where = address.trim();
    const info = await this.withProgress(`Attaching to ${where}`, (signal) =>
      this.worker.call('connect', { target: key, endpoint: { kind: 'inspector', address: where }, timeoutMs: 5000 }, { signal }));
    const label = info.description || where;
    const t: TargetState = { key, label, kind: 'inspector', info, recording: false, ended: false };
    this.targets.set(key, t);
    void vscode.commands.executeCommand('setContext', CONTEXT.attached, true);
    this.warnSlowNode(t);
    this.sidebar.refresh();
    return t;
  }

  private warnSlowNode(t: TargetState): void {
    if (t.info.warning) void vscode.window.showWarningMessage(noticeText(t.info.warning));
  }

  private async askExpression(target: TargetState): Promise<string | undefined> {
    const where = target.info.paused || (target.session && vscode.debug.activeStackItem instanceof vscode.DebugStackFrame)
      ? 'evaluated in the focused stack frame'
      : 'evaluated in the global scope (pause the program to use local variables)';
    const value = await vscode.window.showInputBox({
      title: 'Retention: Find Retaining Cycles',
      prompt: `An expression naming the object to examine in ${target.label}, ${where}`,
      placeHolder: 'cache, this.children[0], server.listeners("request")[0]',
      value: expressionFromEditor(),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? null : 'Name an object, such as `cache` or `this.children[0]`'),
    });
    return value?.trim() || undefined;
  }

  /** Runs worker work under a cancellable notification with a percentage, mirrored in the sidebar. */
  private async withProgress<T>(title: string, work: (signal: AbortSignal, onProgress: (p: WorkerProgress) => void) => Promise<T>): Promise<T> {
    if (this.capture) throw new UserError('A capture is already running; wait for it or cancel it first.');
    const controller = new AbortController();
    this.capture = { message: title, fraction: null, cancel: () => controller.abort() };
    this.sidebar.refresh();
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        let lastRefresh = 0;
        return work(controller.signal, (p) => {
          const increment = p.fraction !== null ? Math.max(0, Math.round(p.fraction * 100) - reported) : 0;
          reported += increment;
          progress.report({ message: p.message, increment });
          if (this.capture) {
            this.capture.message = p.message;
            this.capture.fraction = p.fraction;
            const now = Date.now();
            if (now - lastRefresh > 250) {
              lastRefresh = now;
              this.sidebar.refresh();
            }
          }
        });
      });
    } finally {
      this.capture = null;
      this.sidebar.refresh();
    }
  }

  /** Runs a command body; a sentence for the user on failure, and an outcome for the caller either way. */
  private async guard<T extends object>(body: () => Promise<CommandOutcome<T> | undefined>): Promise<CommandOutcome<T> | undefined> {
    try {
      return await body();
    } catch (e) {
      const error = messageOf(e);
      const code = codeOf(e);
      if (code === 'cancelled') {
        void vscode.window.setStatusBarMessage('$(circle-slash) Retention: cancelled; the program was left as it was.', 4000);
      } else if (error) {
        void vscode.window.showErrorMessage(noticeText(error));
      }
      return { ok: false, error, code };
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // State

  private addSnapshot(snapshot: SnapshotInfo, select = true): void {
    this.snapshots.push(snapshot);
    this.updateSnapshotContext();
    if (select || this.selectedSnapshotId === null) this.selectSnapshot(snapshot.snapshotId);
    else this.sidebar.refresh();
  }

  private selectSnapshot(id: number | null): void {
    this.selectedSnapshotId = id;
    this.sidebar.refresh();
    if (id === null || this.summaries.has(id)) return;
    const p = this.worker.call('summary', { snapshotId: id });
    this.summaries.set(id, p);
    p.then((s) => { this.loadedSummaries.set(id, s); this.summaryErrors.delete(id); },
      (e: unknown) => { this.summaryErrors.set(id, messageOf(e)); this.summaries.delete(id); })
      .finally(() => this.sidebar.refresh());
  }

  private requireSelectedSnapshot(): number {
    if (this.selectedSnapshotId === null) throw new UserError('No snapshot is open; take a heap snapshot or open a .heapsnapshot file first.');
    return this.selectedSnapshotId;
  }

  private updateSnapshotContext(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.hasSnapshot, this.snapshots.length > 0);
  }

  private updateRecordingContext(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.recording, [...this.targets.values()].some((t) => t.recording));
    this.sidebar.refresh();
  }

  private onSessionEnded(session: vscode.DebugSession): void {
    const key = sessionKey(session);
    const t = this.targets.get(key);
    if (!t) return;
    void this.worker.call('disconnect', { target: key }).catch(() => {});
    this.markEnded(t, `The debug session "${t.label}" has ended; these results stay readable, but capturing again needs a new session.`);
  }

  private onTargetClosed(key: string, byRequest: boolean): void {
    const t = this.targets.get(key);
    if (!t || t.ended) return;
    const message = byRequest
      ? `Detached from ${t.label}; these results stay readable.`
      : t.kind === 'session'
        ? `The debug session "${t.label}" has ended; these results stay readable, but capturing again needs a new session.`
        : `${t.label} has exited or closed its inspector; these results stay readable. Attach again to capture more.`;
    this.markEnded(t, message);
  }

  /** The worker died: every connection and analysed snapshot went with it; the next command starts afresh. */
  private onWorkerExit(message: string): void {
    this.targets.clear();
    this.connecting.clear();
    this.snapshots.length = 0;
    this.summaries.clear();
    this.loadedSummaries.clear();
    this.summaryErrors.clear();
    this.selectedSnapshotId = null;
    this.capture = null;
    this.panel.status('error', `${message} The tree shown stays readable, but expanding it needs a new snapshot.`);
    void vscode.commands.executeCommand('setContext', CONTEXT.attached, false);
    this.updateSnapshotContext();
    this.updateRecordingContext();
  }

  private markEnded(t: TargetState, message: string): void {
    t.ended = true;
    t.recording = false;
    this.targets.delete(t.key);
    this.panel.sourceEnded(t.key, message);
    void vscode.commands.executeCommand('setContext', CONTEXT.attached, [...this.targets.values()].some((x) => x.kind === 'inspector'));
    this.updateRecordingContext();
  }
}

function sessionKey(s: vscode.DebugSession): string {
  return `session:${s.id}`;
}

/** The editor's selection (one line) or the expression under the cursor, to prefill the input box. */
export function expressionFromEditor(): string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return '';
  const { document, selection } = editor;
  if (!selection.isEmpty) return selectionExpression(document.getText(selection));
  return expressionAt(document.lineAt(selection.active.line).text, selection.active.character);
}

function messageOf(e: unknown): string {
  if (e instanceof UserError || e instanceof ArgumentError || e instanceof WorkerCallError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

function codeOf(e: unknown): string | undefined {
  if (e instanceof WorkerCallError) return e.code;
  if (e instanceof ArgumentError) return 'argument';
  if (e instanceof UserError) return e.message ? 'user' : 'dismissed';
  return undefined;
}

function short(expression: string): string {
  return expression.length > 40 ? `${expression.slice(0, 39)}…` : expression;
}
