/**
 * One label for one thing, for every layer: the command line, the extension (quick picks, titles), the webviews and
 * the fix sentences the core writes. Browser-safe: no Node, no VS Code, no core. Plain strings; callers that show
 * them pass them through displayText (webview, notifications) as before.
 */

/** What a label needs of a node: the `ReportNode` fields, or the same read off the graph. */
export interface Labelled {
  type: string;
  name: string;
}

/** What a distance label needs of a node. */
export interface Held {
  distance?: number | null;
  heldBy?: 'program' | 'system' | 'debugger' | null;
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);
const STRING_MAX = 60;

/** How DevTools would name the node: `TreeNode`, `onTick()`, `"a string"`, `(anonymous function)`, `(closure scope)`. */
export function nodeLabel(n: Labelled): string {
  const name = n.name || '';
  if (n.type === 'closure') return name ? `${name}()` : '(anonymous function)';
  if (STRING_TYPES.has(n.type)) return JSON.stringify(name.length > STRING_MAX ? `${name.slice(0, STRING_MAX)}…` : name);
  if (name === 'system / Context') return '(closure scope)';
  if (n.type === 'array' && name === '') return '(internal array)';
  return name || `(${n.type})`;
}

/** A source location as little as can be read: `app.js:12` (the file name, or a short form of the URL, and the line). */
export function locationLabel(loc: Location | null | undefined): string {
  if (!loc) return '';
  const url = loc.url || `script ${loc.scriptId ?? '?'}`;
  const slash = url.lastIndexOf('/');
  const file = slash >= 0 ? url.slice(slash + 1) : url;
  return `${file || url}:${loc.line}`;
}

/** A source location in full: `/home/me/app.js:12:5` (a file URL as its path; `(script 42)` when V8 gave no URL). */
export function fullLocationLabel(loc: Location | null | undefined): string {
  if (!loc) return '';
  const url = loc.url ? loc.url.replace(/^file:\/\//, '') : `(script ${loc.scriptId ?? '?'})`;
  return `${url}:${loc.line}:${loc.column}`;
}

/** True for a script of the runtime itself (`node:fs`, `node:internal/...`, old Nodes' `internal/...`), not the program's. */
export function isRuntimeInternal(url: string): boolean {
  return /^node:/.test(url) || /^internal[\\/:]/.test(url);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/**
 * The distance in words: `4` from the program's roots; `4 from engine handles` or `4 from the debugger` when only
 * those hold it; `unreachable` when nothing does.
 */
export function distanceLabel(n: Held): string {
  if (n.distance === null || n.distance === undefined) return 'unreachable';
  if (n.heldBy === 'system') return `${n.distance} from engine handles`;
  if (n.heldBy === 'debugger') return `${n.distance} from the debugger`;
  return String(n.distance);
}

/** The distance in a narrow column: `4`, `sys`, `dbg`, or `–`. */
export function distanceShort(n: Held): string {
  if (n.distance === null || n.distance === undefined) return '–';
  if (n.heldBy === 'system') return 'sys';
  if (n.heldBy === 'debugger') return 'dbg';
  return String(n.distance);
}

interface Location {
  url: string;
  line: number;
  column: number;
  scriptId?: number;
}
