/**
 * A seeded fault campaign against `retention analyze` and `retention summary`: real snapshots of real programs the
 * caller made, mutated (truncated, bytes changed, spans cut or doubled, header values made absurd, sections
 * reordered, numbers corrupted, hostile names injected into the string table) and run through the real CLI entry
 * point in this process. A case has two acceptable verdicts:
 *   - a report: exit 0, and text with no raw control or bidi character, no line over the cap, a newline at the end
 *     (or, with --json, a document that parses); a reordered document gives the very report the original gives;
 *   - a clean error: exit 1 and exactly one line on stderr, in the tool's words (no engine message such as "Cannot
 *     read properties of null"), with nothing on stdout.
 * Anything else (an exception out of main, exit 2, a hang, a stack trace, raw hostile text) is a bad result.
 *
 *   node out/test/fuzz/snapshotFuzz.js --cases 5000 --seed 7      (builds its own base snapshots first)
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';

export interface FuzzCaseResult {
  verdict: 'report' | 'clean-error' | 'bad';
  why?: string;
}

export interface FuzzSummary {
  cases: number;
  reports: number;
  cleanErrors: number;
  bad: { name: string; why: string }[];
  /** How often each mutation ran. */
  mutations: Record<string, number>;
}

/** Messages of the JavaScript engine or Node that must never reach a user as the whole explanation. */
export const ENGINE_WORDS = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|Invalid (typed )?array length|Maximum call stack|allocation failed|out of memory|RangeError|TypeError|SyntaxError|ReferenceError|Unexpected token|Unexpected end of JSON|undefined|NaN|\bat [\w.<>]+ \(|ENOENT:|EACCES:|EISDIR:/;

/** Characters the text output must never hold raw (a newline ends a line; everything else is escaped). */
export const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The longest line the text output may have (format.ts cuts lines at 4000 characters). */
export const LINE_CAP = 4000;

/** Names as hostile as a heap can hold; each becomes a class name somewhere in the campaign. */
export const HOSTILE_NAMES = [
  'Esc\u001b[2J\u001b]0;pwned\u0007Title',
  'Csi\u009b31mRed',
  'Bidi\u202Egnp.js',
  'Nul\u0000Bel\u0007',
  'Cr\rLf\nForged line',
  'Lone\ud800Surrogate\udc00x',
  '<script>alert(1)</script>',
  '[Open a terminal](command:workbench.action.terminal.new)',
  'Zw\u200b\u200d\u2028\u2029\ufeffIsolate\u2066x\u2069',
  'Del\u007f\u0085Nel',
  `Huge\u202E${'A'.repeat(1 << 20)}`,
];

/** A small, fast, seeded generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: () => number, n: number) => Math.floor(r() * n);
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[int(r, xs.length)];

class Capture {
  text = '';
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }
}

/** Runs the real CLI entry point in this process. */
export async function runCli(argv: string[], timeoutMs = 30_000): Promise<{ code: number; out: string; err: string; threw?: unknown }> {
  const out = new Capture();
  const err = new Capture();
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      main(argv, { out: out as unknown as NodeJS.WritableStream, err: err as unknown as NodeJS.WritableStream }),
      new Promise<number>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return { code, out: out.text, err: err.text };
  } catch (e) {
    return { code: -1, out: out.text, err: err.text, threw: e };
  } finally {
    clearTimeout(timer);
  }
}

/** The two verdicts a text report may have; anything else is a reason it is bad. */
export function checkText(text: string): string | null {
  const raw = RAW_UNSAFE.exec(text);
  if (raw) return `raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} in the text output at ${raw.index}`;
  if (!text.endsWith('\n')) return 'the text output does not end with a newline';
  const long = text.split('\n').find((l) => l.length > LINE_CAP);
  if (long) return `a line of ${long.length} characters`;
  return null;
}

/** A clean error: one line, the tool's words, nothing raw. */
export function checkSentence(err: string): string | null {
  if (!err.endsWith('\n') || err.indexOf('\n') !== err.length - 1) return `stderr is not one line: ${JSON.stringify(err.slice(0, 300))}`;
  if (err.trim().length < 10) return `stderr is not a sentence: ${JSON.stringify(err)}`;
  const engine = ENGINE_WORDS.exec(err);
  if (engine) return `an engine message ("${engine[0]}"): ${err.trim().slice(0, 300)}`;
  const raw = RAW_UNSAFE.exec(err.slice(0, -1));
  if (raw) return `raw U+${raw[0].charCodeAt(0).toString(16)} in the sentence`;
  return null;
}

/** Classifies one run of the CLI. */
export function verdictOf(r: { code: number; out: string; err: string; threw?: unknown }, json: boolean): FuzzCaseResult {
  if (r.threw) return { verdict: 'bad', why: `main threw: ${r.threw instanceof Error ? r.threw.stack ?? r.threw.message : JSON.stringify(r.threw)}` };
  if (r.code === 0) {
    if (json) {
      try { JSON.parse(r.out); } catch { return { verdict: 'bad', why: 'exit 0 with --json, but stdout is not JSON' }; }
      return { verdict: 'report' };
    }
    const why = checkText(r.out);
    return why ? { verdict: 'bad', why } : { verdict: 'report' };
  }
  if (r.code === 1) {
    if (r.out) return { verdict: 'bad', why: 'exit 1 with output on stdout' };
    const why = checkSentence(r.err);
    return why ? { verdict: 'bad', why } : { verdict: 'clean-error' };
  }
  return { verdict: 'bad', why: `exit ${r.code}: ${r.err.slice(0, 300)}` };
}

// ---- Mutations of a real snapshot document -------------------------------------------------------------------

const TOP_KEYS = ['snapshot', 'nodes', 'edges', 'trace_function_infos', 'trace_tree', 'samples', 'locations', 'strings'];

/** The top-level sections of a V8 document (V8 starts each key on a line of its own). */
function sections(doc: string): { key: string; text: string }[] | null {
  const starts: { key: string; at: number }[] = [];
  for (const key of TOP_KEYS) {
    const at = key === 'snapshot' ? doc.indexOf('{"snapshot":') + 1 : doc.indexOf(`\n"${key}":`) + 1;
    if (at <= 0) return null;
    starts.push({ key, at });
  }
  starts.sort((a, b) => a.at - b.at);
  const end = doc.lastIndexOf('}');
  return starts.map((s, i) => {
    let text = doc.slice(s.at, i + 1 < starts.length ? starts[i + 1].at : end).trimEnd();
    if (text.endsWith(',')) text = text.slice(0, -1);
    return { key: s.key, text };
  });
}

const BYTES = [...'0123456789,[]{}":-. \nex'].map((c) => c.charCodeAt(0)).concat([0, 0xff, 0xc3, 0x80, 0xe2]);
const ABSURD = ['0', '-1', '1e308', '4294967295', '4294967296', '99999999999', '"x"', 'null', '[]', '{}', '1.5', 'true'];

export interface Mutant {
  kind: string;
  bytes: Buffer;
  /** The report must equal the unmutated document's (a reorder is the same snapshot). */
  sameAsOriginal?: boolean;
  /** A class name injected into the string table (as the node name of `TreeNode`'s instances). */
  injected?: string;
}

export function mutate(base: Buffer, baseText: string, r: () => number, className = 'TreeNode'): Mutant {
  const kind = pick(r, ['truncate', 'bytes', 'delete-span', 'double-span', 'header-value', 'header-kind', 'reorder', 'numbers', 'inject-name', 'inject-name']);
  switch (kind) {
    case 'truncate':
      return { kind, bytes: base.subarray(0, int(r, base.length)) };
    case 'bytes': {
      const b = Buffer.from(base);
      for (let k = 1 + int(r, 4); k > 0; k--) b[int(r, b.length)] = pick(r, BYTES);
      return { kind, bytes: b };
    }
    case 'delete-span': {
      const at = int(r, base.length);
      return { kind, bytes: Buffer.concat([base.subarray(0, at), base.subarray(Math.min(base.length, at + 1 + int(r, 4096)))]) };
    }
    case 'double-span': {
      const at = int(r, base.length);
      const span = base.subarray(at, Math.min(base.length, at + 1 + int(r, 4096)));
      return { kind, bytes: Buffer.concat([base.subarray(0, at), span, span, base.subarray(at + span.length)]) };
    }
    case 'header-value': {
      const field = pick(r, ['node_count', 'edge_count', 'trace_function_count']);
      return { kind, bytes: Buffer.from(baseText.replace(new RegExp(`"${field}":\\d+`), `"${field}":${pick(r, ABSURD)}`)) };
    }
    case 'header-kind': {
      const header = pick(r, ['null', '[]', '{}', '1', '"snapshot"', '{"meta":null,"node_count":1,"edge_count":0}', '{"meta":{"node_fields":[1],"edge_fields":[]},"node_count":1,"edge_count":0}']);
      const end = baseText.indexOf('\n"nodes":');
      return { kind, bytes: Buffer.from(`{"snapshot":${header},${baseText.slice(end + 1)}`) };
    }
    case 'reorder': {
      const s = sections(baseText);
      if (!s) return { kind: 'reorder-unavailable', bytes: base };
      for (let i = s.length - 1; i > 0; i--) { const j = int(r, i + 1); [s[i], s[j]] = [s[j], s[i]]; }
      return { kind, bytes: Buffer.from(`{${s.map((x) => x.text).join(',\n')}}`), sameAsOriginal: true };
    }
    case 'numbers': {
      const b = Buffer.from(base);
      const from = baseText.indexOf(pick(r, ['\n"nodes":[', '\n"edges":[', '\n"locations":[']));
      const to = Math.max(from + 1, baseText.indexOf('\n"', from + 2));
      for (let k = 1 + int(r, 3); k > 0; k--) {
        let at = from + 10 + int(r, Math.max(1, to - from - 10));
        while (at > 0 && b[at - 1] >= 48 && b[at - 1] <= 57) at--;
        const value = pick(r, ['4294967295', '99999999999', '0', '7']);
        // Same length where possible, so the rest of the row stays aligned: overwrite digits in place.
        for (let i = 0; i < value.length && b[at + i] >= 48 && b[at + i] <= 57; i++) b[at + i] = value.charCodeAt(i);
      }
      return { kind, bytes: b };
    }
    default: {
      // A hostile class name: the program's class name in the string table becomes it (JSON-escaped, so the document
      // stays valid). V8 writes each string once, so every instance of the class now bears it.
      const name = pick(r, HOSTILE_NAMES);
      const quoted = JSON.stringify(className);
      const at = baseText.lastIndexOf(quoted);
      if (at < 0) return { kind: 'inject-unavailable', bytes: base };
      return { kind: 'inject-name', bytes: Buffer.from(baseText.slice(0, at) + JSON.stringify(name) + baseText.slice(at + quoted.length)), injected: name };
    }
  }
}

/** Runs the campaign over the given base snapshots. */
export async function fuzzSnapshots(options: { bases: string[]; cases: number; seed: number; dir: string; onBad?: (name: string, why: string) => void }): Promise<FuzzSummary> {
  const bases = options.bases.map((file) => {
    const bytes = readFileSync(file);
    const text = bytes.toString('utf8');
    // The program's own class to ask for: the hostile program's TreeNode, the seed tree's Node.
    return { file, bytes, text, className: text.includes('"TreeNode"') ? 'TreeNode' : 'Node', original: new Map<string, string>() };
  });
  const summary: FuzzSummary = { cases: 0, reports: 0, cleanErrors: 0, bad: [], mutations: {} };
  const file = join(options.dir, 'case.heapsnapshot');
  for (let i = 0; i < options.cases; i++) {
    const r = seeded(options.seed * 1_000_003 + i);
    const base = pick(r, bases);
    const m = mutate(base.bytes, base.text, r, base.className);
    summary.mutations[m.kind] = (summary.mutations[m.kind] ?? 0) + 1;
    const json = r() < 0.3;
    const command = m.injected !== undefined || r() < 0.5
      ? ['analyze', file, '--class', m.injected ?? base.className, '--paths', '2', '--cycles', '2']
      : ['summary', file, '--limit', '15'];
    if (json) command.push('--json');
    writeFileSync(file, m.bytes);
    const result = await runCli(command);
    let v = verdictOf(result, json);
    const name = `seed ${options.seed} case ${i} (${m.kind}: ${command.filter((a) => a !== file).map((a) => a.slice(0, 40)).join(' ')})`;
    if (v.verdict === 'report' && m.sameAsOriginal) {
      const key = command.filter((a) => a !== file).join(' ');
      let original = base.original.get(key);
      if (original === undefined) {
        const o = await runCli(command.map((a) => (a === file ? base.file : a)));
        base.original.set(key, (original = `${o.code}\n${o.out}`));
      }
      if (original !== `${result.code}\n${result.out}`) v = { verdict: 'bad', why: 'the reordered document gives another report than the original' };
    }
    if (v.verdict === 'report' && json && m.injected !== undefined && command[0] === 'analyze') {
      const report = JSON.parse(result.out) as { object: { name: string } };
      if (report.object.name !== m.injected) v = { verdict: 'bad', why: '--json did not carry the exact injected name' };
    }
    summary.cases++;
    if (v.verdict === 'report') summary.reports++;
    else if (v.verdict === 'clean-error') summary.cleanErrors++;
    else {
      summary.bad.push({ name, why: v.why ?? '' });
      options.onBad?.(name, v.why ?? '');
    }
  }
  return summary;
}

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string, fallback: number) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : fallback);
  const cases = value('--cases', 2000);
  const seed = value('--seed', 1);
  const dir = mkdtempSync(join(tmpdir(), 'retention-fuzz-'));
  try {
    const { snapshotDir } = await import('../unit/snapshotPrograms');
    const snapshots = snapshotDir();
    const { ROOT } = await import('../unit/snapshotPrograms');
    try {
      const bases = [
        await snapshots.snapshot(join(ROOT, 'test/fixtures/fuzz/hostile-app.js'), { args: ['--small'] }),
        await snapshots.snapshot('seed-tree.js'),
      ];
      const t0 = Date.now();
      const s = await fuzzSnapshots({ bases, cases, seed, dir, onBad: (name, why) => console.log(`BAD ${name}: ${why}`) });
      console.log(`mutations: ${JSON.stringify(s.mutations)}`);
      console.log(`${s.cases} cases, ${s.reports} reports, ${s.cleanErrors} clean errors, ${s.bad.length} bad results (seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      process.exitCode = s.bad.length ? 1 : 0;
    } finally {
      snapshots.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void cli();
