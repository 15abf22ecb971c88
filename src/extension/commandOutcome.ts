/**
 * What a command returns, so tests and other extensions can assert on the outcome, and `guard`, which turns a
 * failure into one sentence for the user and an outcome for the caller.
 */
import * as vscode from 'vscode';
import { noticeText } from '../shared/displayText';
import { ArgumentError } from './commands';
import { UserError } from './debugSessions';
import { WorkerCallError } from './workerClient';

export type CommandOutcome<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string; code?: string };

/** Runs a command body; a sentence for the user on failure, and an outcome for the caller either way. */
export async function guard<T extends object>(body: () => Promise<CommandOutcome<T> | undefined>): Promise<CommandOutcome<T> | undefined> {
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

/** The failure as an outcome, without telling the user (the caller decides). */
export function failure(e: unknown): { ok: false; error: string; code?: string } {
  return { ok: false, error: messageOf(e), code: codeOf(e) };
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function codeOf(e: unknown): string | undefined {
  if (e instanceof WorkerCallError) return e.code;
  if (e instanceof ArgumentError) return 'argument';
  if (e instanceof UserError) return e.message ? 'user' : 'dismissed';
  return undefined;
}
