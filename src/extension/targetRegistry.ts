/**
 * The Node programs the worker is connected to: js-debug sessions (through their CDP proxy) and `--inspect` ports.
 * Owns the connections' state and the `attached` and `recording` context keys; fires `onDidChange` when either
 * changes and `onDidEnd` when a connection closes, so the views subscribe instead of being told.
 */
import * as vscode from 'vscode';
import { DisposableList } from '../shared/disposables';
import { noticeText } from '../shared/displayText';
import type { SidebarTarget } from '../shared/webviewProtocol';
import type { TargetInfoDto } from '../shared/workerProtocol';
import { CONTEXT } from './commands';
import type { DebugSessions } from './debugSessions';
import type { WorkerClient } from './workerClient';

export interface Target {
  /** `session:<debug session id>` or `inspector:<address>`: the worker's name for the connection. */
  readonly key: string;
  readonly label: string;
  readonly kind: 'session' | 'inspector';
  readonly session?: vscode.DebugSession;
  readonly info: TargetInfoDto;
  readonly recording: boolean;
}

/** A connection closed: the sentence the views show above results that came from it. */
export interface TargetEnded {
  key: string;
  label: string;
  message: string;
}

export function sessionKey(s: vscode.DebugSession): string {
  return `session:${s.id}`;
}

export class TargetRegistry implements vscode.Disposable {
  private readonly targets = new Map<string, Target>();
  private readonly connecting = new Map<string, Promise<Target>>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly ended = new vscode.EventEmitter<TargetEnded>();
  private readonly disposables = new DisposableList(this.changed, this.ended);
  /** The set of targets, or one's recording flag, changed. */
  readonly onDidChange = this.changed.event;
  /** A connection closed (session ended, program exited, detached, or the worker died). */
  readonly onDidEnd = this.ended.event;

  constructor(private readonly worker: WorkerClient, private readonly sessions: DebugSessions) {
    this.disposables.push(
      worker.onTargetClosed((e) => this.closed(e.target, e.byRequest)),
      worker.onWorkerExit(() => this.clear()),
      sessions.onDidEnd((s) => this.sessionEnded(s)),
    );
  }

  dispose(): void {
    for (const key of this.targets.keys()) void this.worker.call('disconnect', { target: key }).catch(() => {});
    this.disposables.dispose();
  }

  get(key: string): Target | undefined {
    return this.targets.get(key);
  }

  all(): Target[] {
    return [...this.targets.values()];
  }

  inspectors(): Target[] {
    return this.all().filter((t) => t.kind === 'inspector');
  }

  recording(): Target[] {
    return this.all().filter((t) => t.recording);
  }

  /** The connection to a js-debug session's Node process, made once (concurrent callers share the attempt). */
  connectSession(session: vscode.DebugSession): Promise<Target> {
    const key = sessionKey(session);
    const existing = this.targets.get(key);
    if (existing) return Promise.resolve(existing);
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const p = (async () => {
      const endpoint = await this.sessions.requestCdpProxy(session);
      const info = await this.worker.call('connect', { target: key, endpoint, timeoutMs: 10_000 });
      return this.add({ key, label: session.name, kind: 'session', session, info, recording: false });
    })().finally(() => this.connecting.delete(key));
    this.connecting.set(key, p);
    return p;
  }

  /** The connection to a `node --inspect` address (existing, or made now under `signal`). */
  async connectInspector(address: string, signal?: AbortSignal): Promise<Target> {
    const where = address.trim();
    const key = `inspector:${where}`;
    const existing = this.targets.get(key);
    if (existing) return existing;
    const info = await this.worker.call('connect', { target: key, endpoint: { kind: 'inspector', address: where }, timeoutMs: 5000 }, { signal });
    return this.add({ key, label: info.description || where, kind: 'inspector', info, recording: false });
  }

  /** Asks the worker to close a connection; `onDidEnd` follows when the worker says it closed. */
  disconnect(key: string): Promise<void> {
    return this.worker.call('disconnect', { target: key });
  }

  setRecording(key: string, recording: boolean): void {
    const t = this.targets.get(key);
    if (!t || t.recording === recording) return;
    this.targets.set(key, { ...t, recording });
    this.update();
  }

  /**
   * What the sidebar lists: the connections, then the Node processes being debugged that are not connected yet
   * (the snapshot button works on them too).
   */
  sidebarTargets(): SidebarTarget[] {
    const out: SidebarTarget[] = this.all().map((t) => ({
      key: t.key, label: t.label, kind: t.kind, nodeVersion: t.info.nodeVersion, warning: t.info.warning, recording: t.recording, ended: false,
    }));
    for (const s of this.sessions.nodeProcesses()) {
      if (!this.targets.has(sessionKey(s))) {
        out.push({ key: sessionKey(s), label: s.name, kind: 'session', nodeVersion: null, warning: null, recording: false, ended: false });
      }
    }
    return out;
  }

  private add(t: Target): Target {
    this.targets.set(t.key, t);
    if (t.info.warning) void vscode.window.showWarningMessage(noticeText(t.info.warning));
    this.update();
    return t;
  }

  private sessionEnded(session: vscode.DebugSession): void {
    const key = sessionKey(session);
    const t = this.targets.get(key);
    if (!t) return;
    void this.worker.call('disconnect', { target: key }).catch(() => {});
    this.end(t, `The debug session "${t.label}" has ended; these results stay readable, but capturing again needs a new session.`);
  }

  private closed(key: string, byRequest: boolean): void {
    const t = this.targets.get(key);
    if (!t) return;
    this.end(t, byRequest
      ? `Detached from ${t.label}; these results stay readable.`
      : t.kind === 'session'
        ? `The debug session "${t.label}" has ended; these results stay readable, but capturing again needs a new session.`
        : `${t.label} has exited or closed its inspector; these results stay readable. Attach again to capture more.`);
  }

  private end(t: Target, message: string): void {
    this.targets.delete(t.key);
    this.ended.fire({ key: t.key, label: t.label, message });
    this.update();
  }

  /** The worker died and its connections with it: the next command connects afresh. */
  private clear(): void {
    this.targets.clear();
    this.connecting.clear();
    this.update();
  }

  private update(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.attached, this.inspectors().length > 0);
    void vscode.commands.executeCommand('setContext', CONTEXT.recording, this.recording().length > 0);
    this.changed.fire();
  }
}
