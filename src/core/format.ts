/** Plain-text renderings of core results, for the command line and golden tests. */
import type { HeapSummary, ReportNode, RetentionReport, SourceLocation, Step, Suggestion } from './report';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function formatLocation(loc: SourceLocation | null | undefined): string {
  if (!loc) return '';
  const url = loc.url ? loc.url.replace(/^file:\/\//, '') : `(script ${loc.scriptId ?? '?'})`;
  return `${url}:${loc.line}:${loc.column}`;
}

export function formatNode(n: ReportNode): string {
  const name = n.type === 'closure' ? `${n.name || '(anonymous)'}()` : n.type === 'string' ? JSON.stringify(n.name.slice(0, 40)) : n.name || `(${n.type})`;
  return `${name} @${n.id}`;
}

function stepLine(step: Step): string {
  const loc = formatLocation(step.to.location);
  return `${step.label ?? step.edge.name} -> ${formatNode(step.to)}${loc ? `  ${loc}` : ''}`;
}

function suggestionLines(s: Suggestion | null | undefined, steps: Step[], indent: string): string[] {
  if (!s) return [];
  const step = steps[s.step];
  const where = step ? `${formatNode(step.from)} ${step.label ?? step.edge.name}` : '';
  const lines = [`${indent}break: ${where}  [${s.kind}]`, `${indent}  why: ${s.reason}`, `${indent}  fix: ${s.fix}`];
  if (s.site) lines.push(`${indent}  made at: ${formatLocation(s.site)}`);
  for (const other of s.sites?.slice(1) ?? []) lines.push(`${indent}    or at: ${formatLocation(other)}`);
  return lines;
}

export function formatReport(r: RetentionReport): string {
  const o = r.object;
  const lines: string[] = [];
  const loc = formatLocation(o.location);
  lines.push(`${formatNode(o)} (${o.type})${loc ? `  ${loc}` : ''}`);
  lines.push(`  self ${formatBytes(o.selfSize)}, retained ${formatBytes(o.retainedSize)}, distance ${o.distance ?? 'unreachable'}`);
  if (o.allocationStack?.length) {
    lines.push('  allocated at:');
    for (const frame of o.allocationStack) lines.push(`    ${formatLocation(frame)}`);
  }
  for (const note of r.notes) lines.push(`  note: ${note}`);
  lines.push('');
  lines.push(
    r.paths.length
      ? `Why it is alive (${r.paths.length} shortest path${r.paths.length === 1 ? '' : 's'} from GC roots):`
      : o.distance === null
        ? 'Why it is alive: no path from a GC root.'
        : 'Why it is alive: paths not listed.',
  );
  r.paths.forEach((p, i) => {
    const head = p.steps[0] ? formatNode(p.steps[0].from) : formatNode(o);
    lines.push(`  ${i + 1}. ${head}${p.system ? '  (system root)' : ''}`);
    for (const s of p.steps) lines.push(`       ${stepLine(s)}`);
  });
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
    for (const s of c.steps) lines.push(`       ${stepLine(s)}`);
    lines.push(...suggestionLines(c.suggestion, c.steps, '     '));
  });
  return lines.join('\n') + '\n';
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
    lines.push(`  ${String(c.count).padStart(8)}  ${formatBytes(c.selfSize).padStart(10)}  ${formatBytes(c.retainedSize).padStart(10)}  ${c.name}  ${c.topIds.map((id) => '@' + id).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}
