/**
 * Which debug sessions can be examined, and how to reach their V8: js-debug runs a parent session per launch and a
 * child session (`type: 'pwa-node'`, `parentSession` set) per Node process; only the child's id gets a CDP proxy.
 * Sets the context keys the `when` clauses read.
 */
import * as vscode from 'vscode';
import { DisposableList } from '../shared/disposables';
import { CONTEXT } from './commands';

/** Debug types served by VS Code's JavaScript debugger for Node. */
const NODE_TYPES = new Set(['pwa-node', 'node', 'node-terminal', 'pwa-extensionHost', 'extensionHost']);
const PROXY_TIMEOUT_MS = 10_000;

export class UserError extends Error {}

export interface CdpProxyEndpoint {
  kind: 'proxy';
  host: string;
  port: number;
  path: string;
}

export class DebugSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, vscode.DebugSession>();
  private readonly disposables = new DisposableList();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly ended = new vscode.EventEmitter<vscode.DebugSession>();
  /** Fires when the set of sessions changes. */
  readonly onDidChange = this.changed.event;
  /** Fires when a session ends (each session, children included). */
  readonly onDidEnd = this.ended.event;

  constructor() {
    this.disposables.push(
      this.changed,
      this.ended,
      vscode.debug.onDidStartDebugSession((s) => { this.sessions.set(s.id, s); this.update(); }),
      vscode.debug.onDidTerminateDebugSession((s) => { this.sessions.delete(s.id); this.ended.fire(s); this.update(); }),
      vscode.debug.onDidChangeActiveDebugSession((s) => { if (s) this.sessions.set(s.id, s); this.update(); }),
    );
    const active = vscode.debug.activeDebugSession;
    if (active) this.sessions.set(active.id, active);
    this.update();
  }

  dispose(): void {
    this.disposables.dispose();
  }

  get(id: string): vscode.DebugSession | undefined {
    return this.sessions.get(id) ?? (vscode.debug.activeDebugSession?.id === id ? vscode.debug.activeDebugSession : undefined);
  }

  /** Node processes being debugged (the child sessions), for the sidebar. */
  nodeProcesses(): vscode.DebugSession[] {
    return [...this.sessions.values()].filter((s) => isNodeProcess(s, this.sessions));
  }

  /** A sentence when the active session is not a Node session, for the sidebar; null otherwise. */
  otherSessionSentence(): string | null {
    const active = vscode.debug.activeDebugSession;
    if (!active || NODE_TYPES.has(active.type)) return null;
    return nonNodeSentence(active);
  }

  /**
   * The Node process session to examine: the given session (or the active one), narrowed to its Node child.
   * Returns undefined when no debug session runs at all. Throws a UserError with a sentence otherwise.
   */
  async pickNodeProcess(sessionId?: string): Promise<vscode.DebugSession | undefined> {
    let start: vscode.DebugSession | undefined;
    if (sessionId) {
      start = this.get(sessionId);
      if (!start) throw new UserError(`There is no debug session with id ${sessionId}; it may have ended.`);
    } else {
      start = vscode.debug.activeDebugSession;
      if (!start) {
        const nodes = this.nodeProcesses();
        if (nodes.length === 0) return undefined;
        start = nodes[0];
      }
    }
    if (!NODE_TYPES.has(start.type)) throw new UserError(nonNodeSentence(start));
    const candidates = [start, ...this.descendants(start)].filter((s) => isNodeProcess(s, this.sessions));
    if (candidates.length === 0) {
      throw new UserError(`"${start.name}" has no Node process attached yet; wait until the program has started (or restart it), then retry.`);
    }
    if (candidates.length === 1) return candidates[0];
    const active = vscode.debug.activeDebugSession;
    if (active && candidates.includes(active)) return active;
    const picked = await vscode.window.showQuickPick(
      candidates.map((s) => ({ label: s.name, description: s.configuration.name, session: s })),
      { title: 'Retention: which Node process?', placeHolder: 'Several Node processes are being debugged' },
    );
    if (!picked) throw new UserError('');
    return picked.session;
  }

  /** Asks js-debug for a CDP proxy to the process's V8, with a timeout and a sentence. */
  async requestCdpProxy(session: vscode.DebugSession): Promise<CdpProxyEndpoint> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UserError(
        `VS Code's JavaScript debugger did not give a connection to "${session.name}" within ${PROXY_TIMEOUT_MS / 1000} s; ` +
        'the program may be exiting. Restart the debug session and retry.')), PROXY_TIMEOUT_MS);
    });
    try {
      const r = await Promise.race([
        vscode.commands.executeCommand<{ host: string; port: number; path: string } | undefined>('extension.js-debug.requestCDPProxy', session.id),
        timeout,
      ]);
      if (!r || typeof r.host !== 'string' || typeof r.port !== 'number') {
        throw new UserError(`VS Code's JavaScript debugger gave no connection for "${session.name}"; is it a Node debug session?`);
      }
      return { kind: 'proxy', host: r.host, port: r.port, path: typeof r.path === 'string' ? r.path : '/' };
    } catch (e) {
      if (e instanceof UserError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (/command .* not found/i.test(message)) {
        throw new UserError("VS Code's JavaScript debugger (ms-vscode.js-debug) is not available, so a debug session cannot be examined; attach to an --inspect port instead.");
      }
      throw new UserError(`Could not reach the debugger of "${session.name}": ${message}`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /**
   * The index of the focused call frame in the paused call stack of `session` (the CDP call frame at the same
   * position), or undefined when no frame of this session is focused. js-debug lists the synchronous frames first,
   * in V8's order, then async frames after a label; only synchronous frames can be evaluated in.
   */
  async focusedFrameIndex(session: vscode.DebugSession): Promise<number | undefined> {
    const item = vscode.debug.activeStackItem;
    if (!(item instanceof vscode.DebugStackFrame) || item.session.id !== session.id) return undefined;
    try {
      const r = await session.customRequest('stackTrace', { threadId: item.threadId, startFrame: 0, levels: 500 }) as {
        stackFrames?: { id: number; presentationHint?: string }[];
      };
      const frames = r.stackFrames ?? [];
      let index = 0;
      for (const f of frames) {
        if (f.presentationHint === 'label') break; // async frames follow
        if (f.id === item.frameId) return index;
        index++;
      }
      return undefined;
    } catch {
      return undefined;
    }
  }

  private descendants(root: vscode.DebugSession): vscode.DebugSession[] {
    const out: vscode.DebugSession[] = [];
    const all = [...this.sessions.values()];
    const walk = (parent: vscode.DebugSession) => {
      for (const s of all) {
        if (s.parentSession?.id === parent.id) {
          out.push(s);
          walk(s);
        }
      }
    };
    walk(root);
    return out;
  }

  private update(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.nodeSession,
      [...this.sessions.values()].some((s) => NODE_TYPES.has(s.type)));
    this.changed.fire();
  }
}

/** A js-debug session whose debuggee is a Node process: a `pwa-node` child with no Node child of its own. */
function isNodeProcess(s: vscode.DebugSession, all: Map<string, vscode.DebugSession>): boolean {
  if (s.type !== 'pwa-node' || !s.parentSession) return false;
  for (const other of all.values()) if (other.parentSession?.id === s.id && other.type === 'pwa-node') return false;
  return true;
}

function nonNodeSentence(s: vscode.DebugSession): string {
  return `The debug session "${s.name}" is a ${s.type} session, not Node.js; Retention Explorer examines Node programs ` +
    "debugged with VS Code's JavaScript debugger. Start a Node debug session, or attach to a program started with --inspect.";
}
