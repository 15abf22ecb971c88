/**
 * Plain-text rendering of a snapshot comparison, for `retention diff`. Heap strings (class names, property names,
 * URLs) go through displayText: a terminal must not receive their escape sequences or bidi overrides.
 */
import type { SnapshotComparison } from '../core/comparison';
import { formatBytes, formatLocation } from '../core/format';
import type { Suggestion } from '../core/report';
import { signatureText } from '../core/suspects';
import { displayText } from '../shared/displayText';

const t = (s: string) => displayText(s, 300);

export interface FormatComparisonOptions {
  /** The file the suspects' ids belong to (the last snapshot), for the `retention analyze` hint. */
  lastFile?: string;
  /** What to break, per group index (the representative's report), when known. */
  fixes?: Map<number, { where: string; fix: Suggestion } | null>;
}

export function formatComparison(c: SnapshotComparison, options: FormatComparisonOptions = {}): string {
  const lines: string[] = [];
  const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
  const signBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : n < 0 ? `-${formatBytes(-n)}` : '0 B');
  lines.push(`Compared ${c.snapshots.map((s) => `${t(s.label)} (${s.objectCount} objects, ${formatBytes(s.totalSize)})`).join(' -> ')}`);
  lines.push(c.method === 'three'
    ? '  suspects: new since the baseline, in the target, and still alive in the final snapshot'
    : '  suspects: new since the baseline and alive in the target');
  lines.push('');
  const s = c.suspects;
  if (s.groups.length === 0) {
    lines.push('Leak suspects: none.');
  } else {
    lines.push(`Leak suspects (${s.groupCount} group${s.groupCount === 1 ? '' : 's'}, ${s.count} object${s.count === 1 ? '' : 's'}, ${formatBytes(s.retainedSize)} retained), largest first:`);
    s.groups.forEach((g, i) => {
      const loc = t(formatLocation(g.representative.location));
      lines.push(`  ${i + 1}. ${t(g.className)}  x${g.count}  ${formatBytes(g.retainedSize)}${loc ? `  ${loc}` : ''}`);
      lines.push(`       ${displayText(signatureText(g.signature), 2000)}`);
      const fix = options.fixes?.get(i);
      if (fix) {
        lines.push(`       break: ${t(fix.where)}  [${fix.fix.kind}]`);
        lines.push(`         fix: ${displayText(fix.fix.fix, 2000)}`);
      }
      lines.push(`       e.g. @${g.representative.id}${options.lastFile ? `: retention analyze ${options.lastFile} --id ${g.representative.id}` : ''}`);
    });
  }
  lines.push('');
  const heads = c.snapshots.map((x) => x.label);
  lines.push(`Classes that changed (count ${heads.length === 3 ? 'base / target / final' : 'base / target'}; new and alive at the end, with what they retain; freed since the base):`);
  for (const k of c.classes) {
    const loc = t(formatLocation(k.location));
    lines.push(`  ${t(k.name)}  ${k.counts.join(' / ')} (${sign(k.countDelta)}, ${signBytes(k.sizeDelta)})  new ${k.newCount} (${formatBytes(k.newRetainedSize)})  freed ${k.freedCount}${loc ? `  ${loc}` : ''}`);
  }
  if (c.classCount > c.classes.length) lines.push(`  ... and ${c.classCount - c.classes.length} more`);
  for (const note of c.notes) lines.push(`note: ${t(note)}`);
  return lines.join('\n') + '\n';
}
