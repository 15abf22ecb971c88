/**
 * Plain-text renderings of core results, for the command line and golden tests (labels from src/shared/labels.ts).
 * Every name in them comes from the heap and is hostile: each goes through `displayText`, and each finished line
 * through it again (the sentences embed names too), so the text holds no raw control or bidi character, no line is
 * split or forged, and none is unbounded.
 */
import { displayText } from '../shared/displayText';
import { distanceLabel, formatBytes, fullLocationLabel, nodeLabel } from '../shared/labels';
import type { HeapSummary, ReportNode, RetentionReport, SourceLocation, Step, Suggestion } from './report';

export { formatBytes };

/** The longest name (a class, a property, a URL) one piece of a text line shows. */
const NAME_MAX = 200;
/** The longest line (a why/fix sentence with the names it quotes). */
const LINE_MAX = 4000;

/** Each line escaped on its own, so a line break inside a quoted name shows as `\n` and never forges a line. */
function textLines(lines: string[]): string {
  return lines.map((l) => displayText(l, LINE_MAX)).join('\n') + '\n';
}

export function formatLocation(loc: SourceLocation | null | undefined): string {
  return loc ? displayText(fullLocationLabel(loc), NAME_MAX) : '';
}

export function formatNode(n: ReportNode): string {
  return `${displayText(nodeLabel(n), NAME_MAX)} @${n.id}`;
}

function stepLine(step: Step): string {
  const loc = formatLocation(step.to.location);
  return `${displayText(step.label ?? step.edge.name, NAME_MAX)} -> ${formatNode(step.to)}${loc ? `  ${loc}` : ''}`;
}

export interface FormatOptions {
  /** List every step a folded row stands for ("280 x WeakCell .next"), indented under it. */
  unfold?: boolean;
}

/** A path's or cycle's steps, a folded run as one line (and its steps under it with `unfold`). */
function stepLines(steps: Step[], indent: string, options: FormatOptions): string[] {
  const lines: string[] = [];
  for (const s of steps) {
    lines.push(`${indent}${stepLine(s)}`);
    if (s.folded && options.unfold) for (const f of s.folded) lines.push(`${indent}    ${stepLine(f)}`);
  }
  return lines;
}

function suggestionLines(s: Suggestion | null | undefined, steps: Step[], indent: string): string[] {
  if (!s) return [];
  const step = steps[s.step];
  const where = step ? `${formatNode(step.from)} ${displayText(step.label ?? step.edge.name, NAME_MAX)}` : '';
  const lines = [`${indent}break: ${where}  [${s.kind}]`, `${indent}  why: ${s.reason}`, `${indent}  fix: ${s.fix}`];
  const listener = s.target?.listener;
  if (listener?.location && s.target?.holder !== 'promise-reaction') lines.push(`${indent}  ${s.kind === 'clear-timer' ? 'callback' : 'listener'}: ${formatNode(listener)}  ${formatLocation(listener.location)}`);
  if (s.site) lines.push(`${indent}  made at: ${formatLocation(s.site)}`);
  for (const other of s.sites?.slice(1) ?? []) lines.push(`${indent}    or at: ${formatLocation(other)}`);
  return lines;
}

export function formatReport(r: RetentionReport, options: FormatOptions = {}): string {
  const o = r.object;
  const lines: string[] = [];
  const loc = formatLocation(o.location);
  lines.push(`${formatNode(o)} (${o.type})${loc ? `  ${loc}` : ''}`);
  lines.push(`  self ${formatBytes(o.selfSize)}, retained ${formatBytes(o.retainedSize)}, distance ${distanceLabel(o)}`);
  if (o.allocationStack?.length) {
    lines.push('  allocated at:');
    for (const frame of o.allocationStack) lines.push(`    ${formatLocation(frame)}`);
  }
  for (const note of r.notes) lines.push(`  note: ${note}`);
  lines.push('');
  lines.push(
    r.paths.length
      ? `Why it is alive (${r.paths.length} shortest path${r.paths.length === 1 ? '' : 's'} from GC roots):`
      : r.heldOnlyByDebugger
        ? 'Why it is alive: only the debugger holds it (below); not a leak in your code.'
        : o.distance === null
        ? 'Why it is alive: no path from a GC root.'
        : 'Why it is alive: paths not listed.',
  );
  r.paths.forEach((p, i) => {
    const head = p.steps[0] ? formatNode(p.steps[0].from) : formatNode(o);
    lines.push(`  ${i + 1}. ${head}${p.system ? '  (system root)' : ''}`);
    lines.push(...stepLines(p.steps, '       ', options));
  });
  if (r.debuggerPaths?.length) {
    lines.push('');
    lines.push('Held by the debugger while paused (released when you resume):');
    r.debuggerPaths.forEach((p, i) => {
      lines.push(`  ${i + 1}. ${p.steps[0] ? formatNode(p.steps[0].from) : formatNode(o)}`);
      lines.push(...stepLines(p.steps, '       ', options));
    });
  }
  if (r.fix) {
    lines.push('');
    lines.push('What to break:');
    lines.push(...suggestionLines(r.fix, r.paths[r.fix.path]?.steps ?? [], '  '));
  } else if (r.paths.length > 1) {
    lines.push('');
    lines.push('What to break: no single reference frees it; each path is held separately:');
    r.paths.forEach((p, i) => {
      if (p.suggestion) lines.push(...suggestionLines(p.suggestion, p.steps, `  ${i + 1}. `));
    });
  }
  lines.push('');
  lines.push(r.cycles.length ? `Cycles through it (${r.cycles.length}; component of ${r.componentSize} objects):` : 'Cycles through it: none of your own references.');
  r.cycles.forEach((c, i) => {
    lines.push(`  ${i + 1}. ${formatNode(o)}`);
    lines.push(...stepLines(c.steps, '       ', options));
    lines.push(...suggestionLines(c.suggestion, c.steps, '     '));
  });
  return textLines(lines);
}

export function formatSummary(s: HeapSummary): string {
  const lines: string[] = [];
  lines.push(`${s.nodeCount} objects, ${s.edgeCount} references, ${formatBytes(s.totalSize)}`);
  lines.push('');
  lines.push('Largest retainers:');
  for (const n of s.largestRetainers) {
    const loc = formatLocation(n.location);
    lines.push(`  ${formatBytes(n.retainedSize ?? 0).padStart(10)}  ${formatNode(n)}${loc ? `  ${loc}` : ''}`);
  }
  lines.push('');
  lines.push('Classes (count, shallow, retained; ids of the largest instances):');
  for (const c of s.classes) {
    lines.push(`  ${String(c.count).padStart(8)}  ${formatBytes(c.selfSize).padStart(10)}  ${formatBytes(c.retainedSize).padStart(10)}  ${displayText(c.name, NAME_MAX)}  ${c.topIds.map((id) => '@' + id).join(' ')}`);
  }
  return textLines(lines);
}
