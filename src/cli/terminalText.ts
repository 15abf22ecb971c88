/** What the CLI writes to stderr: one sentence, its hostile parts escaped and its length bounded. */
import { displayText } from '../shared/displayText';

/** One sentence for stderr: hostile text inside it escaped (a line break in a file name too), its length bounded. */
export function sentence(text: string): string {
  return `${displayText(text, 4000)}\n`;
}
