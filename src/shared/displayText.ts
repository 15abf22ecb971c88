/**
 * Heap strings are hostile: a property name, class name or string value can hold bidi overrides that reorder what a
 * row reads (`\u202E`), invisible or control characters, or megabytes of text. Every string the extension shows
 * (webview text and tooltips, the panel's title, quick picks) goes through `displayText`: such characters become
 * visible escapes (`\u202e`) and the text is cut to a length a row can show. Markup needs nothing here: the webview
 * inserts text only as text.
 */

/** C0/C1 controls, bidi embeddings/overrides/isolates and marks, zero-width and other invisible format characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The longest text one piece of a row, tooltip or title shows. */
export const DISPLAY_MAX = 1000;

export function displayText(s: string, max = DISPLAY_MAX): string {
  // Cut before escaping too, so a huge string costs no more than what is shown.
  let t = s.length > max ? s.slice(0, max) : s;
  t = t.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (t.length > max || s.length > max) {
    t = t.slice(0, max - 1);
    // Never leave half of a surrogate pair at the cut.
    if (/[\ud800-\udbff]$/.test(t)) t = t.slice(0, -1);
    t += '…';
  }
  return t;
}

/** For VS Code's own labels (quick picks), where `$(name)` would render as an icon: shown as typed instead. */
export function displayLabel(s: string, max = DISPLAY_MAX): string {
  return displayText(s, max).replace(/\$\(/g, '\\$(');
}

/**
 * For VS Code's notifications, which turn `[text](https:|command:|file:...)` into a link: a heap string inside an
 * error must not become a clickable command. The link syntax is broken with a space (`] (`), the rest as displayText.
 */
export function noticeText(s: string, max = DISPLAY_MAX): string {
  return displayText(s, max).replace(/\]\(/g, '] (');
}
