/**
 * `retention`: the command line front end of the engine.
 *
 *   retention analyze FILE.heapsnapshot (--id N | --class NAME [--index K]) [--json] [--paths N] [--cycles N] [--internal]
 *   retention summary FILE.heapsnapshot [--json] [--limit N]
 *   retention capture --inspect HOST:PORT|ws://... --expression EXPR [--json] [--save FILE]
 *   retention diff BASE.heapsnapshot TARGET.heapsnapshot [FINAL.heapsnapshot] [--json] [--limit N] [--groups N]
 *
 * Exit codes: 0 success, 1 the work failed (bad snapshot, unknown id, unreachable target), 2 usage error.
 *
 * Every sentence on stderr can repeat hostile text (a file name, a --class argument, a target's exception message):
 * it reaches the terminal only through `sentence` (displayText). stdout is escaped where it is made (the text report) and left
 * exact for --json, which is data.
 */
import { HeapAnalysis, UnknownObjectError } from '../core/analysis';
import { formatReport, formatSummary, formatNode, formatBytes } from '../core/format';
import { SnapshotFormatError } from '../core/snapshotParser';
import { parseSnapshotFile } from '../node/snapshotFile';
import { displayText } from '../shared/displayText';
import { sentence } from './terminalText';
import { siteFinder } from '../cdp/scriptSources';
import { applySourceMaps, SourceMapResolver } from '../node/sourceMaps';

export const USAGE = `Usage:
  retention analyze FILE.heapsnapshot --id N [--json]          why object @N is alive, its cycles, what to break
  retention analyze FILE.heapsnapshot --class NAME [--index K] the same for the K-th largest instance of NAME (default 1)
  retention summary FILE.heapsnapshot [--json] [--limit N]     largest retainers and classes by count and retained size
  retention capture --inspect HOST:PORT|ws://URL --expression EXPR [--json] [--save FILE.heapsnapshot]
                                                               attach to a running node --inspect, select, capture, analyse
  retention diff BASE.heapsnapshot TARGET.heapsnapshot [FINAL.heapsnapshot] [--json] [--limit N] [--groups N]
                                                               leak suspects (new since BASE, alive at the end) and classes that changed
Options for analyze: --paths N (default 5), --cycles N (default 8), --max-cycle-length N (default 12),
  --internal (also list cycles through engine internals), --unfold (list each step of a folded "N x" row), --json (the report as JSON; see README)
`;

export class UsageError extends Error {}

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** Parses `--flag value` and `--switch` arguments; positional arguments are returned in order. */
export function parseArgs(argv: string[], switches: string[], valued: string[]): { flags: Map<string, string | true>; positional: string[] } {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (switches.includes(name)) flags.set(name, true);
    else if (valued.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value.`);
      flags.set(name, v);
    } else throw new UsageError(`Unknown option --${name}.`);
  }
  return { flags, positional };
}

function intFlag(flags: Map<string, string | true>, name: string, fallback: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, not "${v}".`);
  return n;
}

async function load(file: string | undefined): Promise<HeapAnalysis> {
  if (!file) throw new UsageError('Name the .heapsnapshot file to read.');
  const snapshot = await parseSnapshotFile(file);
  return HeapAnalysis.fromSnapshot(snapshot);
}

async function analyze(argv: string[], io: Io): Promise<number> {
  const { flags, positional } = parseArgs(argv, ['json', 'internal', 'unfold'], ['id', 'class', 'index', 'paths', 'cycles', 'max-cycle-length']);
  if (positional.length > 1) throw new UsageError(`Unexpected argument "${positional[1]}".`);
  if (!flags.has('id') && !flags.has('class')) throw new UsageError('Say which object: --id N (its heap id, @N in DevTools) or --class NAME.');
  const analysis = await load(positional[0]);
  let id: number;
  if (flags.has('id')) {
    const raw = String(flags.get('id')).replace(/^@/, '');
    id = Number(raw);
    if (!Number.isInteger(id) || id < 0) throw new UsageError(`--id must be a heap object id like 12345 or @12345, not "${flags.get('id')}".`);
  } else {
    const name = String(flags.get('class'));
    const shown = displayText(name, 200);
    const index = intFlag(flags, 'index', 1);
    const instances = analysis.findByClass(name, Math.max(index, 20));
    if (instances.length === 0) {
      io.err.write(sentence(`No object of class ${shown} is in this snapshot. \`retention summary FILE\` lists the classes it holds.`));
      return 1;
    }
    if (index < 1 || index > instances.length) {
      io.err.write(sentence(`There ${instances.length === 1 ? 'is 1 instance' : `are ${instances.length} instances`} of ${shown} (--index 1..${instances.length}).`));
      return 1;
    }
    id = instances[index - 1].id;
    if (!flags.has('json') && instances.length > 1) {
      io.err.write(sentence(`${instances.length}${instances.length >= 20 ? '+' : ''} instances of ${shown}; showing #${index} by retained size. Others: ${instances
        .slice(0, 6)
        .map((n, i) => `#${i + 1} ${formatNode(n)} (${formatBytes(n.retainedSize ?? 0)})`)
        .join(', ')}`));
    }
  }
  const report = analysis.report(id, {
    maxPaths: intFlag(flags, 'paths', 5),
    maxCycles: intFlag(flags, 'cycles', 8),
    maxCycleLength: intFlag(flags, 'max-cycle-length', 12),
    includeInternalCycles: flags.has('internal'),
  });
  // The scripts on disk give source maps and the line that creates each fix's reference.
  const resolver = new SourceMapResolver();
  await applySourceMaps(report, resolver);
  await siteFinder(null, resolver).addTo(report);
  io.out.write(flags.has('json') ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, { unfold: flags.has('unfold') }));
  return 0;
}

async function summary(argv: string[], io: Io): Promise<number> {
  const { flags, positional } = parseArgs(argv, ['json'], ['limit']);
  const analysis = await load(positional[0]);
  const s = analysis.summary({ limit: intFlag(flags, 'limit', 20) });
  io.out.write(flags.has('json') ? JSON.stringify(s, null, 2) + '\n' : formatSummary(s));
  return 0;
}

export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'analyze':
        return await analyze(rest, io);
      case 'summary':
        return await summary(rest, io);
      case 'diff': {
        const { flags, positional } = parseArgs(rest, ['json'], ['limit', 'groups']);
        if (positional.length < 2 || positional.length > 3) throw new UsageError('diff takes two or three snapshot files: BASE TARGET [FINAL], in the order they were taken.');
        const { runDiff } = await import('./diffCommand');
        return await runDiff(positional, { json: flags.has('json'), limit: intFlag(flags, 'limit', 50), groups: intFlag(flags, 'groups', 10) }, io);
      }
      case 'capture': {
        const { runCapture } = await import('./captureCommand');
        return await runCapture(rest, io.out, io.err);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`${sentence(e.message)}\n${USAGE}`);
      return 2;
    }
    if (e instanceof SnapshotFormatError || e instanceof UnknownObjectError) {
      io.err.write(sentence(e.message));
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.err.write(sentence(message));
    return 1;
  }
}
