/**
 * Runs the action a user suspects of leaking, in the debuggee, a number of times: an expression evaluated globally
 * (`await app.openAndClose()` works: a promise it returns is awaited), one run after the other, with progress and a
 * cancel that takes effect between runs. Each run's result is released at once (its own object group), so nothing
 * of ours stays in the heap the next snapshot sees.
 */
import { CaptureError } from './errors';
import type { CdpConnection } from './connect';

export interface ActionProgress {
  /** Runs finished so far. */
  done: number;
  times: number;
  message: string;
}

export const MAX_ACTION_RUNS = 10_000;

export async function runAction(
  connection: CdpConnection, expression: string, times: number,
  options: { signal?: AbortSignal; onProgress?: (p: ActionProgress) => void } = {},
): Promise<{ runs: number }> {
  const text = expression.trim();
  if (!text) throw new CaptureError('selection', 'The action is empty; give an expression to run, such as `await app.openAndClose()`.');
  if (!Number.isInteger(times) || times < 1 || times > MAX_ACTION_RUNS) {
    throw new CaptureError('usage', `Run the action 1 to ${MAX_ACTION_RUNS} times, not ${times}.`);
  }
  if (connection.paused) throw new CaptureError('usage', 'The program is paused; resume it, then run the action.');
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  // `await` at the top level needs an async wrapper; a plain expression runs as it is.
  const source = /\bawait\b/.test(text) ? `(async () => (${text}))()` : text;
  for (let run = 0; run < times; run++) {
    if (options.signal?.aborted) {
      throw new CaptureError('cancelled', `Cancelled after ${run} of ${times} runs of \`${short}\`; the snapshots taken before are unchanged.`);
    }
    options.onProgress?.({ done: run, times, message: `Running \`${short}\` (${run + 1} of ${times})` });
    const objectGroup = `retention-explorer-action-${process.pid}`;
    try {
      const r = await connection.send('Runtime.evaluate', {
        expression: source, objectGroup, silent: true, awaitPromise: true, returnByValue: false, generatePreview: false,
        includeCommandLineAPI: false, userGesture: false,
      });
      if (r.exceptionDetails) {
        const what = r.exceptionDetails.exception?.description?.split('\n')[0] ?? r.exceptionDetails.text;
        throw new CaptureError('selection', `\`${short}\` threw ${what} on run ${run + 1} of ${times}; it was not run again.`);
      }
    } finally {
      if (!connection.closed) await connection.send('Runtime.releaseObjectGroup', { objectGroup }).catch(() => {});
    }
  }
  options.onProgress?.({ done: times, times, message: `Ran \`${short}\` ${times} time${times === 1 ? '' : 's'}` });
  return { runs: times };
}
