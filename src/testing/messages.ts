/**
 * The words of a failed check: the failure message is the retention report, in the same engine's words as the
 * extension and the CLI (core/format), plus what a test author needs to act on it. Pure: strings in, string out.
 */
import { formatBytes, formatLocation, formatNode, formatReport } from '../core/format';
import type { Growth } from '../core/growth';
import type { RetainingPath, RetentionReport, Step, Suggestion } from '../core/report';
import { displayText } from '../shared/displayText';

export interface LeakedObject {
  label: string;
  className: string;
  site: string | null;
  report: RetentionReport | null;
}

/** A heap string in a CI log: control characters (ESC sequences), bidi overrides and the like become escapes. */
export function safe(text: string): string {
  return text.split('\n').map((line) => displayText(line, 4000)).join('\n');
}

/** Is a location inside this library (its bundle or its compiled folder)? */
export type ToolLocation = (url: string) => boolean;

/**
 * The report as a test author needs it. The snapshot is taken in the test's own process, where "no path from the
 * global object" is normal (module scopes, timers and sockets hang off the stack and native handles), so the
 * core's "not a leak in your code" note does not apply; notes about cycles through engine internals are noise here.
 */
export function forTest(r: RetentionReport, isTool: ToolLocation): RetentionReport {
  const notes = r.notes.filter((n) => !n.startsWith('Only engine or debugger handles hold this object') && !/more cycles? through engine internals|not part of any cycle/.test(n));
  if (r.heldOnlyBySystem) notes.unshift('No path from the global object: it is held from the stack, a pending promise or a native handle (a timer, a socket, a module scope) of this process.');
  const paths = r.paths.map((p) => foldAwaitChain(p, isTool));
  let fix = r.fix ?? null;
  if (fix) {
    const cut = r.paths[fix.path].steps.length - paths[fix.path].steps.length;
    fix = fix.step >= cut ? { ...fix, step: fix.step - cut } : null;
  }
  return { ...r, paths, fix, notes, object: { ...r.object, distance: r.heldOnlyBySystem ? null : r.object.distance } };
}

const AWAIT_MACHINERY = /^(?:Promise|system \/ PromiseReaction|Generator|AsyncGenerator|AsyncFunctionObject|\(Stack roots\)|)$/;

/**
 * A path from the stack that runs through the check's own awaiting async functions (and the promises between them)
 * to the test's async function that awaits the check starts there: the chain before it is the check itself.
 */
export function foldAwaitChain(p: RetainingPath, isTool: ToolLocation): RetainingPath {
  const tool = (n: Step['from']) => !!n.location?.url && isTool(n.location.url);
  let sawTool = false;
  for (let i = 0; i < p.steps.length; i++) {
    const to = p.steps[i].to;
    if (tool(p.steps[i].from) || tool(to)) sawTool = true;
    const generator = /^(?:Generator|AsyncGenerator|AsyncFunctionObject)$/.test(to.name);
    if (generator && !tool(to)) {
      if (!sawTool || i === p.steps.length - 1) return p;
      const cut = i + 1;
      const shift = (s: Suggestion | null | undefined) => (s && s.step >= cut ? { ...s, step: s.step - cut } : null);
      return { ...p, steps: p.steps.slice(cut), root: `the async function awaiting the check${to.location ? ` (${formatLocation(to.location)})` : ''}`, suggestion: shift(p.suggestion) };
    }
    if (!tool(to) && !AWAIT_MACHINERY.test(to.name) && !(to.type === 'closure' && !to.location)) return p;
  }
  return p;
}

/** A suspended async function or generator of the test (not of this library) whose registers hold the object's path. */
export function suspendedFrame(path: RetainingPath, isTool: ToolLocation): Step['from'] | null {
  for (const s of path.steps) {
    if (/^(?:system \/ )?(?:Generator|AsyncGenerator|AsyncFunctionObject)$/.test(s.from.name) && /parameters_and_registers|register/.test(s.edge.name) &&
      !(s.from.location?.url && isTool(s.from.location.url))) return s.from;
  }
  return null;
}

export function suspendedFrameNote(frame: Step['from']): string {
  const at = formatLocation(frame.location);
  return `It is held by a suspended async function${at ? ` (${at})` : ''}: one of its local variables or parameters still names it while it waits at \`await\`. ` +
    'Set that variable to null before awaiting the check, or create the object inside the function you pass to expectCollected(() => ...), so no frame of yours keeps it.';
}

function what(o: LeakedObject): string {
  const site = o.site ? ` (tracked at ${o.site})` : '';
  return `${o.className}${o.label ? ` "${o.label}"` : ''}${site}`;
}

/** formatReport without its two header lines, which a test message replaces with its own. */
function reportBody(r: RetentionReport): string[] {
  const lines = formatReport(r).trimEnd().split('\n');
  const whyAt = lines.findIndex((l) => l.startsWith('Why it is alive'));
  return whyAt < 0 ? lines : lines.slice(whyAt);
}

function explain(raw: RetentionReport, isTool: ToolLocation, indent: string): string[] {
  const r = forTest(raw, isTool);
  const lines: string[] = [];
  const o = r.object;
  const loc = formatLocation(o.location);
  lines.push(`${formatNode(o)}${loc ? `  ${loc}` : ''}, retains ${formatBytes(o.retainedSize)}`);
  const fix = mainSuggestion(r);
  if (fix) {
    lines.push(`Break this reference: ${fix.where}${fix.at ? `  (${fix.at})` : ''}`);
    lines.push(`  ${fix.suggestion.fix}`);
  }
  const frame = r.paths.map((p) => suspendedFrame(p, isTool)).find((f) => f);
  if (frame) lines.push(`Note: ${suspendedFrameNote(frame)}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push('');
  lines.push(...reportBody(r));
  return lines.map((l) => (l ? indent + l : l));
}

export function collectedFailure(api: string, checked: number, leaked: LeakedObject[], isTool: ToolLocation): string {
  const lines: string[] = [];
  const n = leaked.length;
  lines.push(`${api}: ${n} of ${checked} tracked object${checked === 1 ? ' is' : 's are'} still alive after garbage collection${n === 1 ? `: ${what(leaked[0])}` : ''}.`);
  if (n > 1) for (const o of leaked) lines.push(`  - ${what(o)}`);
  for (const o of leaked) {
    lines.push('');
    if (n > 1) lines.push(`── ${what(o)}`);
    if (!o.report) {
      lines.push('It was alive after the collection, but the snapshot taken to explain why no longer had it: it was freed by a later collection (a finalizer or a pending task held it briefly). Run the check again after that work.');
      continue;
    }
    lines.push(...explain(o.report, isTool, ''));
  }
  return safe(lines.join('\n'));
}

/** The report's fix, or the first path's, with where the reference is made. */
function mainSuggestion(r: RetentionReport): { suggestion: Suggestion; where: string; at: string } | null {
  const path = r.fix ? r.paths[r.fix.path] : r.paths.find((p) => p.suggestion);
  const suggestion = r.fix ?? path?.suggestion;
  if (!path || !suggestion) return null;
  const step = path.steps[suggestion.step];
  if (!step) return null;
  // Where the reference is made: the holder's own location (a closure's function, an object's constructor).
  const at = formatLocation(step.from.location) || formatLocation(step.to.location);
  return { suggestion, where: `${formatNode(step.from)} ${step.label ?? step.edge.name} -> ${formatNode(step.to)}`, at };
}

export interface GrowthSuspect {
  name: string;
  /** Suspects of this class grouped by the shape of the path that holds them, largest group first. */
  groups: { signature: string; count: number; example: RetentionReport }[];
}

export function growthFailure(growth: Growth[], repeat: number, warmup: number, suspects: GrowthSuspect[], isTool: ToolLocation): string {
  const lines: string[] = [];
  const windows = growth[0]?.counts.length - 1;
  lines.push(`expectNoGrowth: instances of ${growth.length === 1 ? 'a class' : `${growth.length} classes`} of your program keep growing with each run of the action ` +
    `(${warmup} warm-up run${warmup === 1 ? '' : 's'}, then ${windows} window${windows === 1 ? '' : 's'} of ${repeat} runs, each adding at least one per run):`);
  const width = Math.max(5, ...growth.map((g) => g.name.length));
  lines.push(`  ${'class'.padEnd(width)}  ${'counts after each window'.padEnd(26)}  per run  constructed at`);
  for (const g of growth) {
    const added = g.counts[g.counts.length - 1] - g.counts[0];
    const perRun = (added / (repeat * windows)).toFixed(1);
    lines.push(`  ${g.name.padEnd(width)}  ${g.counts.join(' -> ').padEnd(26)}  +${perRun.padEnd(6)}  ${formatLocation(g.location)}`);
  }
  for (const s of suspects) {
    lines.push('');
    const total = s.groups.reduce((a, g) => a + g.count, 0);
    lines.push(`New ${s.name} instances, grouped by the path that holds them (${total} examined):`);
    s.groups.forEach((g, i) => {
      lines.push(`  ${i + 1}. ${g.count} × ${g.signature}`);
      lines.push(`     For example:`);
      lines.push(...explain({ ...g.example, cycles: [] }, isTool, '       ').filter((l) => !l.trim().startsWith('Cycles through it')));
    });
  }
  return safe(lines.join('\n'));
}
