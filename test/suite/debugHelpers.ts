/**
 * Helpers for the extension tests: start a real js-debug session on a real Node program, wait for it to pause or
 * end, start plain `node --inspect` targets, and read what the retention panel rendered. Everything started is
 * stopped by the test that started it.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'retention-explorer.retention-explorer';

export function extensionRoot(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.extensionPath;
}

export function examplePath(...parts: string[]): string {
  return path.join(extensionRoot(), 'example', ...parts);
}

export function fixturePath(...parts: string[]): string {
  return path.join(extensionRoot(), 'test', 'fixtures', 'extension', ...parts);
}

export async function activate(): Promise<void> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  await ext.activate();
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

export interface DebugRun {
  /** The js-debug child session whose debuggee is the Node process. */
  child: vscode.DebugSession;
  /** The session VS Code started (the parent). */
  parent: vscode.DebugSession;
  stop(): Promise<void>;
}

/** Starts debugging `program` with js-debug (launch config type `node`) and waits for the Node child session. */
export async function startDebugging(program: string, options: { waitForPause?: boolean } = {}): Promise<DebugRun> {
  const started: vscode.DebugSession[] = [];
  const sub = vscode.debug.onDidStartDebugSession((s) => started.push(s));
  try {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const ok = await vscode.debug.startDebugging(folder, {
      type: 'node',
      request: 'launch',
      name: `Test ${path.basename(program)}`,
      program,
      cwd: path.dirname(program),
      console: 'internalConsole',
      skipFiles: ['<node_internals>/**'],
    });
    assert.equal(ok, true, 'vscode.debug.startDebugging returned false');
    const child = await waitFor('the js-debug child session', () => started.find((s) => s.type === 'pwa-node' && s.parentSession));
    const parent = child.parentSession!;
    if (options.waitForPause) await waitForPause(child);
    return {
      child,
      parent,
      stop: async () => {
        const ended = new Promise<void>((resolve) => {
          const done = vscode.debug.onDidTerminateDebugSession((s) => {
            if (s.id === parent.id) {
              done.dispose();
              resolve();
            }
          });
        });
        await vscode.debug.stopDebugging(parent);
        await Promise.race([ended, delay(10_000)]);
      },
    };
  } finally {
    sub.dispose();
  }
}

/** Waits until the session is paused with a focused stack frame (VS Code focuses the top frame on a pause). */
export async function waitForPause(session: vscode.DebugSession, timeoutMs = 30_000): Promise<vscode.DebugStackFrame> {
  return waitFor('the program to pause', () => {
    const item = vscode.debug.activeStackItem;
    return item instanceof vscode.DebugStackFrame && item.session.id === session.id ? item : undefined;
  }, timeoutMs);
}

/** A plain `node --inspect=127.0.0.1:0` target; resolves with its address once it printed `ready`. */
export async function startInspectTarget(script: string, args: string[] = []): Promise<{ address: string; process: ChildProcess; kill(): Promise<void>; send(line: string, answer: string): Promise<void> }> {
  const child = spawn(process.env.RETENTION_TEST_NODE || 'node', ['--inspect=127.0.0.1:0', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += String(d); });
  /** Writes a line to the program's stdin and waits for `answer` on its stdout. */
  const send = async (line: string, answer: string) => {
    const from = out.length;
    child.stdin.write(`${line}\n`);
    await waitFor(`"${answer}" from ${path.basename(script)}`, () => out.indexOf(answer, from) >= 0, 15_000);
  };
  let address = '';
  let ready = false;
  child.stderr.on('data', (d: Buffer) => {
    const m = /ws:\/\/(127\.0\.0\.1:\d+)\//.exec(String(d));
    if (m) address = m[1];
  });
  child.stdout.on('data', (d: Buffer) => { if (String(d).includes('ready')) ready = true; });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitFor(`${path.basename(script)} to listen`, () => address && ready, 15_000);
  } catch (e) {
    await kill();
    throw e;
  }
  return { address, process: child, kill, send };
}

export interface RenderedRow {
  level: number;
  text: string;
  section: string;
  heapId: number | null;
  cycle: boolean;
  expanded: boolean | null;
  location: string | null;
}

export interface PanelState {
  visible: boolean;
  generation: number;
  renderedGeneration: number;
  rows: RenderedRow[];
  sessionEnded: string | null;
  lastOpened: { opened: boolean; path?: string; line?: number; message?: string } | null;
  rejectedMessages: number;
  sidebar: { resolved: boolean; visible: boolean; ready: number; rejected: number };
  sidebarState: {
    targets: { key: string; label: string; kind: string; ended: boolean; recording: boolean }[];
    snapshots: { snapshotId: number; label: string; bytes: number; nodeCount: number }[];
    selectedSnapshotId: number | null;
    summary: { classes: { name: string; count: number }[] } | null;
  };
}

/** What the retention panel's page rendered for `generation` (waits until it has). */
export async function panelState(generation?: number): Promise<PanelState> {
  const state = await vscode.commands.executeCommand<PanelState>('retentionExplorer._panelState', { generation, timeoutMs: 20_000 });
  if (generation !== undefined) {
    assert.ok(state.renderedGeneration >= generation, `the panel did not render generation ${generation} (rendered ${state.renderedGeneration})`);
  }
  return state;
}

export function lineOf(file: string, needle: string): number {
  const text = readFileSync(file, 'utf8');
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not found in ${file}`);
  return i + 1;
}

export function rowsText(rows: RenderedRow[]): string {
  return rows.map((r) => `${'  '.repeat(r.level - 1)}${r.text}${r.cycle ? '  [cycle]' : ''}`).join('\n');
}
