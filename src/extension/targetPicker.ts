/**
 * Which program a command works on, asked where the user already is: the given or active Node debug session, else
 * an attached inspector, else an offer to attach, start debugging or open a file. Also the input boxes for an
 * inspector address and for the expression to examine.
 */
import * as vscode from 'vscode';
import type { CaptureProgress } from './captureProgress';
import type { CommandId } from './commands';
import { UserError, type DebugSessions } from './debugSessions';
import { expressionAt, selectionExpression } from './expressionAtCursor';
import type { Target, TargetRegistry } from './targetRegistry';

/** The target to examine, or undefined when the user declined (having been offered a way to get one). */
export async function resolveTarget(targets: TargetRegistry, sessions: DebugSessions, progress: CaptureProgress, sessionId?: string): Promise<Target | undefined> {
  if (sessionId?.startsWith('inspector:')) {
    const t = targets.get(sessionId);
    if (!t) throw new UserError(`Not attached to ${sessionId.slice('inspector:'.length)} any more; attach again.`);
    return t;
  }
  const session = await sessions.pickNodeProcess(sessionId);
  if (session) return targets.connectSession(session);
  const inspectors = targets.inspectors();
  if (inspectors.length === 1) return inspectors[0];
  if (inspectors.length > 1) {
    const picked = await vscode.window.showQuickPick(inspectors.map((t) => ({ label: t.label, t })), { title: 'Which program?' });
    return picked?.t;
  }
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
  if (choice?.id === 'attach') return attach(targets, progress, undefined);
  if (choice?.id === 'debug') await vscode.commands.executeCommand('workbench.action.debug.start');
  if (choice?.id === 'file') await vscode.commands.executeCommand('retentionExplorer.openSnapshotFile' satisfies CommandId);
  return undefined;
}

/** Attaches to an inspector address (asked for when not given); undefined when the user cancelled the input. */
export async function attach(targets: TargetRegistry, progress: CaptureProgress, address: string | undefined): Promise<Target | undefined> {
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
  const where = address.trim();
  const existing = targets.get(`inspector:${where}`);
  if (existing) return existing;
  return progress.run(`Attaching to ${where}`, (signal) => targets.connectInspector(where, signal));
}

/** The expression to examine in the target, prefilled from the editor; undefined when cancelled. */
export async function askExpression(target: Target): Promise<string | undefined> {
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

/** The editor's selection (one line) or the expression under the cursor, to prefill the input box. */
export function expressionFromEditor(): string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return '';
  const { document, selection } = editor;
  if (!selection.isEmpty) return selectionExpression(document.getText(selection));
  return expressionAt(document.lineAt(selection.active.line).text, selection.active.character);
}
