/**
 * Heap strings are hostile: a class name, property name, string value or a target's exception message can hold ESC
 * sequences that clear or retitle a terminal, C1 controls (U+009B is a one-byte CSI), bidi overrides that reorder
 * what a line reads (`\u202E`), CR/LF that forge report lines, invisible characters, lone surrogates, or megabytes of
 * text. Every piece of such text that reaches a person goes through `displayText`, with one set of rules wherever it
 * is shown: the CLI's text output and error sentences, VS Code's notifications and quick picks, and the webview.
 *
 * - C0 and C1 controls, DEL, bidi embeddings/overrides/isolates/marks (U+202A-202E, U+2066-2069, U+200E/F, U+061C),
 *   zero-width and other invisible format characters (U+200B-200D, U+2060-206F, U+FEFF, U+00AD, ...), line and
 *   paragraph separators (U+2028/2029) and lone surrogates become visible escapes (`\u202e`, `\n`).
 * - `[text](command:...)` cannot become a link in a notification (`] (`), and `$(name)` cannot render as an icon in a
 *   quick pick (`\$(`).
 * - The text is cut to `max` characters with an ellipsis, never inside a surrogate pair or an escape.
 *
 * Markup needs nothing here: the webview inserts text only as text. Browser-safe (no Node APIs). JSON output does
 * not use this: it is data, and carries names exactly.
 */

/** Characters shown as escapes. The surrogate alternatives match only unpaired halves. */
const UNSAFE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- matching these characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Markup VS Code interprets in notifications (links) and labels (icons); the `$(` rule leaves an escaped one alone. */
const MARKUP = /\]\(|(?<!\\)\$\(/g;

/** The longest text one piece of a row, tooltip, title or notification shows. */
export const DISPLAY_MAX = 1000;

export function displayText(s: string, max = DISPLAY_MAX): string {
  if (typeof s !== 'string') s = String(s);
  // Cut before escaping too, so a huge string costs no more than what is shown (an escape is at most 6 characters).
  const over = s.length > max;
  let t = over ? s.slice(0, max) : s;
  t = t.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  t = t.replace(MARKUP, (m) => (m === '](' ? '] (' : '\\$('));
  if (over || t.length > max) {
    let cut = Math.max(0, max - 1);
    // Never leave half of a surrogate pair or of an escape at the cut.
    const tail = t.slice(Math.max(0, cut - 6), cut);
    const esc = tail.lastIndexOf('\\');
    if (esc >= 0 && /^\\(u[0-9a-f]{0,3}|\$?)$/.test(tail.slice(esc))) cut -= tail.length - esc;
    if (cut > 0 && /[\ud800-\udbff]/.test(t[cut - 1])) cut--;
    t = t.slice(0, cut) + '…';
  }
  return t;
}

/** For VS Code's own labels (quick picks): the same rules as every other text. */
export const displayLabel = displayText;

/** For VS Code's notifications: the same rules as every other text. */
export const noticeText = displayText;

