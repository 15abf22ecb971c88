/**
 * Hostile heap strings as the extension shows them: bidi overrides, invisible and control characters become visible
 * escapes, huge strings are cut, quick-pick labels cannot render `$(icon)`; and the webview never parses HTML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DISPLAY_MAX, displayLabel, displayText, noticeText } from '../../src/shared/displayText';
import { ROOT } from './snapshotPrograms';

test('displayText: bidi overrides, isolates, zero-width and control characters show as escapes', () => {
  // "evil\u202Egnp.js" would read as "eviljs.png" in a row.
  assert.equal(displayText('evil\u202Egnp.js'), 'evil\\u202egnp.js');
  assert.equal(displayText('a\u2066b\u2069c\u200Bd\u200Fe\uFEFF'), 'a\\u2066b\\u2069c\\u200bd\\u200fe\\ufeff');
  assert.equal(displayText('line1\nline2\t\u0000\u001b[31m\u0085'), 'line1\\nline2\\t\\u0000\\u001b[31m\\u0085');
  const out = displayText('x\u202A\u202B\u202C\u202D\u202E\u2028\u2029\u061C\u200E');
  assert.doesNotMatch(out, /[\u202a-\u202e\u2028\u2029\u061c\u200e]/);
});

test('displayText: markup stays the characters it is; ordinary text, emoji and CJK are unchanged', () => {
  assert.equal(displayText('<script>alert(1)</script>'), '<script>alert(1)</script>');
  assert.equal(displayText('TreeNode 🌳 樹 Ümlaut'), 'TreeNode 🌳 樹 Ümlaut');
});

test('displayText: a huge string is cut with an ellipsis, never inside a surrogate pair', () => {
  const huge = 'A'.repeat(5_000_000);
  const shown = displayText(huge);
  assert.equal(shown.length, DISPLAY_MAX);
  assert.ok(shown.endsWith('…'));
  const emoji = displayText('🌳'.repeat(100), 10);
  assert.doesNotMatch(emoji, /[\ud800-\udbff]…$/);
  // Escapes count towards the length too.
  assert.ok(displayText('\u202E'.repeat(1000), 50).length <= 50);
});

test('displayLabel: `$(name)` in a heap string does not render as an icon in a quick pick', () => {
  assert.equal(displayLabel('$(alert) Widget'), '\\$(alert) Widget');
});

test('the webview builds DOM from text only: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
  const dir = join(ROOT, 'src/webview');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const source = readFileSync(join(dir, f), 'utf8');
    assert.doesNotMatch(source, /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write/, f);
  }
});

test('noticeText: a heap string in a notification cannot become a link or a command', () => {
  const hostile = 'No object of class [Open a terminal](command:workbench.action.terminal.new) \u202Eevil';
  const shown = noticeText(hostile);
  assert.doesNotMatch(shown, /\]\(/, shown);
  assert.match(shown, /\[Open a terminal\] \(command:workbench\.action\.terminal\.new\)/);
  assert.match(shown, /\\u202e/);
});

test('every notification the extension shows goes through noticeText', () => {
  const dir = join(ROOT, 'src/extension');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    for (const m of source.matchAll(/show(?:Error|Warning|Information)Message\(\s*([^\s][^,)]{0,12})/g)) {
      assert.match(m[1], /^noticeText\(/, `${file}: ${m[0]}`);
    }
  }
});

test('one set of rules everywhere: C1 (U+009B), DEL, lone surrogates and separators escaped; pairs, emoji and CJK kept', () => {
  assert.equal(displayText('a\u009b31mb\u007fc'), 'a\\u009b31mb\\u007fc');
  assert.equal(displayText('x\ud800y\udc00z'), 'x\\ud800y\\udc00z');
  assert.equal(displayText('\udc00\ud800'), '\\udc00\\ud800');
  assert.equal(displayText('🌳\ud83c'), '🌳\\ud83c');
  assert.equal(displayText('a\u2028b\u2029c\u200cd\u061ce'), 'a\\u2028b\\u2029c\\u200cd\\u061ce');
  // Notifications, quick picks, the CLI and the webview all get the same text: noticeText and displayLabel are it.
  assert.equal(noticeText('[x](command:y) $(alert)'), displayText('[x](command:y) $(alert)'));
  assert.equal(displayLabel('[x](command:y) $(alert)'), '[x] (command:y) \\$(alert)');
});

test('escaping twice changes nothing, and a cut never splits an escape', () => {
  const hostile = 'E\u001b[2J \u202E $(x) [a](b) \ud800 \n';
  assert.equal(displayText(displayText(hostile)), displayText(hostile));
  for (let max = 2; max < 40; max++) {
    const shown = displayText('ab\u202Ecd\u0007ef\ud800gh'.repeat(4), max);
    assert.ok(shown.length <= max, `${max}: ${shown}`);
    // What precedes the ellipsis is whole escapes only.
    assert.doesNotMatch(shown, /\\(u[0-9a-f]{0,3})?…$/, `${max}: ${shown}`);
  }
});
