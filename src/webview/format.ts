/** Display helpers of the panel and the sidebar that only pages need (plain strings; the caller inserts them as text). Labels of nodes, locations and distances are in src/shared/labels.ts. */
import { formatBytes as bytes } from '../shared/labels';

/** "1.4 KB", or nothing for a size the report does not have. */
export function formatBytes(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '' : bytes(n);
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

export function timeOf(epochMs: number): string {
  const d = new Date(epochMs);
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
