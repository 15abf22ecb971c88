/** Display helpers shared by the panel and the sidebar (plain strings; the caller inserts them as text). */
import { formatBytes as bytes } from '../core/format';
import type { ReportNode, SourceLocation } from '../core/report';

/** The core's "1.4 KB", or nothing for a size the report does not have. */
export function formatBytes(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '' : bytes(n);
}

/** The file name (or a short form of a URL) and the line: `app.js:12`. */
export function formatLocation(loc: SourceLocation | null | undefined): string {
  if (!loc) return '';
  const url = loc.url || `script ${loc.scriptId ?? '?'}`;
  const slash = url.lastIndexOf('/');
  const file = slash >= 0 ? url.slice(slash + 1) : url;
  return `${file || url}:${loc.line}`;
}

export function fullLocation(loc: SourceLocation): string {
  const url = loc.url ? loc.url.replace(/^file:\/\//, '') : `(script ${loc.scriptId ?? '?'}, no URL known)`;
  return `${url}:${loc.line}:${loc.column}`;
}

/** How DevTools would name the node: `TreeNode`, `onTick()`, `"a string"`, `(anonymous)`. */
export function nodeName(n: ReportNode): string {
  const name = n.name || '';
  switch (n.type) {
    case 'closure':
      return `${name || '(anonymous)'}()`;
    case 'string':
    case 'concatenated string':
    case 'sliced string': {
      const s = name.length > 60 ? `${name.slice(0, 57)}…` : name;
      return JSON.stringify(s);
    }
    default:
      return name || `(${n.type})`;
  }
}

const TYPE_ICONS: Record<string, string> = {
  object: 'symbol-class',
  closure: 'symbol-method',
  array: 'symbol-array',
  string: 'symbol-string',
  'concatenated string': 'symbol-string',
  'sliced string': 'symbol-string',
  number: 'symbol-numeric',
  'heap number': 'symbol-numeric',
  bigint: 'symbol-numeric',
  regexp: 'regex',
  code: 'file-binary',
  hidden: 'eye-closed',
  synthetic: 'globe',
  native: 'circuit-board',
  symbol: 'symbol-key',
  'object shape': 'symbol-structure',
};

export function typeIcon(type: string): string {
  return TYPE_ICONS[type] ?? 'symbol-misc';
}

/** The edge as a reader sees it: the core's label, else `.name` / `[3]`. */
export function edgeText(edge: { type: string; name: string }, label?: string): string {
  if (label) return label;
  if (edge.type === 'element' || edge.type === 'hidden') return `[${edge.name}]`;
  if (edge.type === 'context') return `closure variable ${edge.name}`;
  return `.${edge.name}`;
}

/** The distance column: DevTools' distance, `sys` when only engine or debugger handles hold it, `–` when nothing does. */
export function distanceText(n: ReportNode): string {
  return n.distance === null || n.distance === undefined ? '–' : n.distance >= 100_000_000 ? 'sys' : String(n.distance);
}

export function timeOf(epochMs: number): string {
  const d = new Date(epochMs);
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
