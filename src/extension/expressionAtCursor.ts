/**
 * What to prefill the expression box with: the selection when it is one short line, else the member expression
 * under the cursor (`this.children`, `doc.root`), cut at the cursor's segment (so the cursor on `doc` in
 * `doc.root.children` gives `doc`). Keywords are not expressions worth offering, except `this`.
 * Pure (no vscode), so it is unit-tested.
 */

const KEYWORDS = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'export',
  'extends', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'let', 'new', 'return', 'super',
  'switch', 'throw', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'async', 'await', 'of', 'static',
  'true', 'false', 'null', 'undefined',
]);

const IDENTIFIER = /[A-Za-z_$][\w$]*/y;

/** `column` is 0-based, as in `vscode.Position.character`. */
export function expressionAt(line: string, column: number): string {
  // Find the identifier the cursor is in (or right after).
  let start = column;
  while (start > 0 && /[\w$]/.test(line[start - 1])) start--;
  let end = column;
  while (end < line.length && /[\w$]/.test(line[end])) end++;
  if (start === end) return '';
  IDENTIFIER.lastIndex = start;
  if (!IDENTIFIER.test(line) || IDENTIFIER.lastIndex !== end) return '';
  // Extend left over `a.b.` member accesses (not over calls or indexing, whose results may differ on re-evaluation).
  let from = start;
  for (;;) {
    if (line[from - 1] !== '.' || line[from - 2] === '.') break;
    let s = from - 1;
    while (s > 0 && /[\w$]/.test(line[s - 1])) s--;
    IDENTIFIER.lastIndex = s;
    if (s === from - 1 || !IDENTIFIER.test(line) || IDENTIFIER.lastIndex !== from - 1) break;
    from = s;
  }
  const expression = line.slice(from, end);
  const first = expression.split('.')[0];
  if (KEYWORDS.has(first) && first !== 'this') return '';
  if (expression !== first && KEYWORDS.has(expression.slice(expression.lastIndexOf('.') + 1))) return expression.slice(0, expression.lastIndexOf('.'));
  return expression;
}

export function selectionExpression(text: string): string {
  const t = text.trim();
  return t.length > 0 && t.length <= 200 && !t.includes('\n') ? t : '';
}
