/**
 * Runs the action a user suspects of leaking (`await app.openAndClose()`) N times in the debuggee, between the
 * baseline and the target snapshot of a leak hunt. Each run is awaited before the next; Cancel stops between runs
 * (a run already started in the target finishes there: V8 cannot abandon a promise).
 *
 * Nothing is left behind: the expression is wrapped in an async function (no `var`/`let` of the user's becomes a
 * global), its results go into one object group that is released after every run, and no console API is exposed.
 */
import type { CdpConnection } from './connect';
import { CaptureError } from './errors';

export interface ActionProgress {
  /** Runs finished so far. */
  done: number;
  times: number;
  message: string;
}

export interface ActionResult {
  runs: number;
}

const OBJECT_GROUP = 'retention-explorer-action';

function short(text: string): string {
  const t = text.trim();
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

/** The two ways to wrap what the user typed: as an expression (its promise awaited), or as statements. */
function wrappings(expression: string): string[] {
  const body = expression.trim().replace(/;+\s*$/, '');
  return [`(async () => (${body}\n))()`, `(async () => {\n${body}\n})()`];
}

export async function runAction(
  connection: CdpConnection,
  expression: string,
  times: number,
  options: { signal?: AbortSignal; onProgress?: (p: ActionProgress) => void } = {},
): Promise<ActionResult> {
  if (!expression.trim()) throw new CaptureError('usage', 'Type the action to repeat, such as `await app.openAndClose()`.');
  if (!Number.isSafeInteger(times) || times < 1 || times > 10_000) {
    throw new CaptureError('usage', `Run the action between 1 and 10000 times, not ${times}.`);
  }
  if (connection.paused) {
    throw new CaptureError('selection', 'The program is paused at a breakpoint, so the action cannot run; resume it (F5) and try again.');
  }
  let source: string | null = null;
  for (let run = 0; run < times; run++) {
    if (options.signal?.aborted) {
      throw new CaptureError('cancelled', `Stopped after ${run} of ${times} runs of the action; the snapshots taken so far are kept.`);
    }
    options.onProgress?.({ done: run, times, message: `Running the action (${run + 1} of ${times})` });
    if (connection.closed) throw new CaptureError('target-exited', `${connection.goneSentence} after ${run} of ${times} runs of the action.`);
    const candidates: string[] = source ? [source] : wrappings(expression);
    let lastSyntaxError: string | null = null;
    for (const candidate of candidates) {
      const r = await connection.send('Runtime.evaluate', {
        expression: candidate, awaitPromise: true, objectGroup: OBJECT_GROUP, silent: true,
        includeCommandLineAPI: false, returnByValue: false, generatePreview: false,
      }).finally(() => connection.send('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }).catch(() => {}));
      const ex = r.exceptionDetails;
      if (ex && !source && ex.exception?.className === 'SyntaxError') {
        lastSyntaxError = ex.exception.description?.split('\n')[0] ?? ex.text;
        continue;
      }
      if (ex) {
        const what = ex.exception?.description?.split('\n')[0] ?? ex.text;
        throw new CaptureError('selection', `\`${short(expression)}\` threw ${what} on run ${run + 1} of ${times}; it was not run again.`);
      }
      source = candidate;
      break;
    }
    if (!source) throw new CaptureError('selection', `\`${expression}\` is not valid JavaScript (${lastSyntaxError ?? 'syntax error'}).`);
  }
  options.onProgress?.({ done: times, times, message: `Ran the action ${times} times` });
  return { runs: times };
}
