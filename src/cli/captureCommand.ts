/**
 * `retention capture`: attach to a running `node --inspect`, select an object by expression, capture the snapshot
 * that holds it (streamed into the parser, and to a file with --save), analyse, print the same report as
 * `retention analyze`, detach. The target keeps running and is left as it was.
 *
 *   retention capture --inspect HOST:PORT|ws://... --expression EXPR [--frame N] [--json] [--save FILE.heapsnapshot]
 *
 * Exit codes: 0 success, 1 the capture failed (a sentence on stderr), 2 usage error, 130 interrupted.
 */
import { formatBytes, formatReport } from '../core/format';
import { displayText } from '../shared/displayText';
import { AtomicFileWriter } from '../node/atomicFile';
import { sentence } from './terminalText';
import { CaptureService, type CaptureProgress } from '../cdp/capture';
import { connect, parseInspectAddress, type CdpConnection } from '../cdp/connect';
import { CaptureError } from '../cdp/errors';
import { captureReport } from '../cdp/liveReport';

export const CAPTURE_USAGE = `Usage: retention capture --inspect HOST:PORT|ws://URL --expression EXPR [options]

Attaches to a program started with node --inspect, evaluates EXPR (in the paused call frame when the program is
paused, globally otherwise), takes a heap snapshot and prints why that object is alive, as retention analyze does.
The program keeps running; nothing is left in it.

Options:
  --inspect HOST:PORT|ws://URL  the inspector address node printed ("Debugger listening on ws://...")
  --expression EXPR             the object to examine, e.g. cache or registry.get("a")
  --frame N                     when paused, evaluate in call frame N (0 = top, the default)
  --json                        print the report as JSON (the shape retention analyze --json prints)
  --save FILE.heapsnapshot      also save the snapshot as it streams (open it later with retention analyze)
  --paths N, --cycles N, --max-cycle-length N, --internal   as for retention analyze
  --no-source-maps              report generated JavaScript positions, not original sources
  --timeout MS                  how long the inspector may take to answer when connecting (default 5000)
  --stall-timeout MS            give up when the target sends nothing for MS during the capture (it is stopped,
                                e.g. by SIGSTOP, or frozen); default: wait as long as it takes
`;

class CaptureUsageError extends Error {}

interface CaptureArgs {
  inspect: string;
  expression: string;
  frame?: number;
  json: boolean;
  save?: string;
  paths?: number;
  cycles?: number;
  maxCycleLength?: number;
  internal: boolean;
  sourceMaps: boolean;
  timeoutMs?: number;
  stallTimeoutMs?: number;
}

const VALUED = ['inspect', 'expression', 'frame', 'save', 'paths', 'cycles', 'max-cycle-length', 'timeout', 'stall-timeout'];
const SWITCHES = ['json', 'internal', 'no-source-maps', 'help'];

export function parseCaptureArgs(argv: string[]): CaptureArgs | 'help' {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h') return 'help';
    if (!a.startsWith('--')) throw new CaptureUsageError(`Unexpected argument "${a}"; options start with --.`);
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (SWITCHES.includes(name)) {
      if (eq >= 0) throw new CaptureUsageError(`--${name} takes no value.`);
      flags.set(name, true);
    } else if (VALUED.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new CaptureUsageError(`--${name} needs a value.`);
      flags.set(name, v);
    } else {
      throw new CaptureUsageError(`Unknown option --${name}.`);
    }
  }
  if (flags.has('help')) return 'help';
  const inspect = flags.get('inspect');
  const expression = flags.get('expression');
  if (typeof inspect !== 'string' || !inspect) throw new CaptureUsageError('Say where the program listens: --inspect HOST:PORT or the ws:// URL node printed.');
  if (typeof expression !== 'string' || !expression.trim()) throw new CaptureUsageError('Say which object to examine: --expression EXPR (a variable or property path the program holds).');
  try {
    parseInspectAddress(inspect);
  } catch (e) {
    throw new CaptureUsageError((e as Error).message);
  }
  const int = (name: string, min = 0): number | undefined => {
    const v = flags.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min) throw new CaptureUsageError(`--${name} must be a whole number${min ? ` of at least ${min}` : ''}, not "${v}".`);
    return n;
  };
  const save = flags.get('save');
  return {
    inspect,
    expression,
    frame: int('frame'),
    json: flags.has('json'),
    save: typeof save === 'string' ? save : undefined,
    paths: int('paths'),
    cycles: int('cycles'),
    maxCycleLength: int('max-cycle-length', 1),
    internal: flags.has('internal'),
    sourceMaps: !flags.has('no-source-maps'),
    timeoutMs: int('timeout', 1),
    stallTimeoutMs: int('stall-timeout', 1),
  };
}

export async function runCapture(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let args: CaptureArgs;
  try {
    const parsed = parseCaptureArgs(argv);
    if (parsed === 'help') {
      out.write(CAPTURE_USAGE);
      return 0;
    }
    args = parsed;
  } catch (e) {
    if (e instanceof CaptureUsageError) {
      err.write(`${sentence(e.message)}\n${CAPTURE_USAGE}`);
      return 2;
    }
    throw e;
  }

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on('SIGINT', onSigint);
  const progress = progressLine(err);
  // Where the capture is, for the stall sentence.
  let phase = 'connecting';
  let stalled: string | null = null;
  const stallMs = args.stallTimeoutMs;
  let conn: CdpConnection | null = null;
  let service: CaptureService | null = null;
  let saving: AtomicFileWriter | null = null;
  let watchdog: NodeJS.Timeout | undefined;
  try {
    // Before attaching: a bad path should not cost a snapshot. A file of its own beside the target, renamed over it
    // only once the whole snapshot is written and parsed.
    if (args.save) saving = AtomicFileWriter.open(args.save);
    conn = await connect({ kind: 'inspector', address: args.inspect }, { timeoutMs: args.timeoutMs });
    if (conn.target.warning) err.write(sentence(`Note: ${conn.target.warning}`));
    service = new CaptureService(conn);
    const file = saving;
    const connection = conn;
    if (stallMs !== undefined) {
      // A target stopped by SIGSTOP (or frozen) keeps its socket open and answers nothing: V8's build progress and
      // the chunks are the heartbeat, so the capture gives up after stallMs of silence while it waits for something.
      watchdog = setInterval(() => {
        if (connection.inFlight > 0 && Date.now() - connection.lastHeard > stallMs && !stalled) {
          stalled = phase;
          abort.abort();
        }
      }, Math.min(250, stallMs));
    }
    // A stopped target answers nothing, not even to a cancel: Ctrl-C and the stall watchdog end the wait here.
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(new CaptureError('cancelled', 'The capture was cancelled; the target is unchanged.'));
      if (abort.signal.aborted) onAbort();
      else abort.signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => {});
    const live = await Promise.race([aborted, captureReport(service, { expression: args.expression, frame: args.frame }, {
      signal: abort.signal,
      onProgress: (p) => { phase = describePhase(p); progress.update(p); },
      // V8's build percentage costs it an extra pass over the heap: only ask for it when a terminal shows it, or
      // when it is the heartbeat that tells a slow build from a stopped target.
      buildProgress: progress.tty || stallMs !== undefined,
      onChunk: file === null ? undefined : (chunk) => { file.write(chunk); },
      sourceMaps: args.sourceMaps,
      report: {
        maxPaths: args.paths,
        maxCycles: args.cycles,
        maxCycleLength: args.maxCycleLength,
        includeInternalCycles: args.internal,
      },
    })]);
    progress.clear();
    if (saving) {
      saving.commit();
      saving = null;
      err.write(sentence(`Saved the snapshot to ${args.save}.`));
    }
    out.write(args.json ? JSON.stringify(live.report, null, 2) + '\n' : formatReport(live.report));
    return 0;
  } catch (e) {
    progress.clear();
    if (stalled) {
      err.write(sentence(`The target sent nothing for ${stallMs! / 1000} s ${String(stalled)}: it is stopped (by SIGSTOP, or a debugger of its own) or frozen. Resume it and retry, or allow longer with --stall-timeout.`));
      return 1;
    }
    if (e instanceof CaptureError && e.code === 'cancelled') {
      err.write(sentence('Interrupted; the target is unchanged.'));
      return 130;
    }
    err.write(sentence(e instanceof Error ? e.message : String(e)));
    return 1;
  } finally {
    clearInterval(watchdog);
    process.removeListener('SIGINT', onSigint);
    saving?.abort();
    // Interrupted, the work may still wait on a target that answers nothing: closing the connection first ends it
    // (V8 then releases this session's object groups and stops its tracking itself).
    if (abort.signal.aborted && conn) await conn.close();
    // No need to wait for a cancelled snapshot to drain: closing the connection drops V8's remaining chunks.
    if (service) await service.dispose({ drain: false }).catch(() => {});
    if (conn) await conn.close();
  }
}

/** "while V8 was building the snapshot (37% done)", for sentences about a stall. */
function describePhase(p: CaptureProgress): string {
  switch (p.phase) {
    case 'waiting': return 'while waiting for an earlier snapshot';
    case 'selecting': return 'while the expression was being evaluated';
    case 'building': return `while V8 was building the snapshot (${Math.floor((p.fraction ?? 0) * 100)}% done)`;
    case 'streaming': return `while the snapshot was streaming (${formatBytes(p.bytes)} received)`;
    default: return 'after the snapshot was received';
  }
}

/** A one-line progress display on stderr when it is a terminal; silent otherwise. */
function progressLine(err: NodeJS.WritableStream): { tty: boolean; update: (p: CaptureProgress) => void; clear: () => void } {
  const tty = (err as NodeJS.WriteStream).isTTY === true;
  let shown = false;
  return {
    tty,
    update: (p) => {
      if (!tty) return;
      const pct = p.fraction === null ? '' : ` ${Math.floor(p.fraction * 100)}%`;
      err.write(`\r\x1b[K${displayText(p.message, 200)}${p.phase === 'streaming' ? pct : ''}`);
      shown = true;
    },
    clear: () => {
      if (tty && shown) err.write('\r\x1b[K');
      shown = false;
    },
  };
}
