/**
 * What a live session can add to a snapshot's source locations: URLs for script ids the snapshot does not name,
 * and script sources for source maps that live only in the target (an inline map of an eval'd script).
 *
 * js-debug's proxy does not replay `Debugger.scriptParsed`, so nothing here depends on having seen it: scripts the
 * connection did see are used first, then `Debugger.getScriptSource` (a read, no evaluation in the target) for a
 * `//# sourceURL=` comment.
 */
import type { CdpConnection } from './connect';
import { SourceMapResolver } from '../node/sourceMaps';

const SOURCE_URL = /\/\/[#@][ \t]*sourceURL=[ \t]*(\S+)[ \t]*$/m;

/** URLs for the given script ids, from what the session saw and from the scripts' own `sourceURL` comments. */
export async function learnScriptUrls(conn: CdpConnection, scriptIds: number[], options: { max?: number } = {}): Promise<Map<number, string>> {
  const urls = new Map<number, string>();
  const rest: number[] = [];
  for (const id of scriptIds) {
    const seen = conn.scripts.get(String(id));
    if (seen?.url) urls.set(id, seen.url);
    else rest.push(id);
  }
  for (const id of rest.slice(0, options.max ?? 200)) {
    if (conn.closed) break;
    const source = await scriptSource(conn, id);
    const m = source ? tailMatch(source, SOURCE_URL) : null;
    if (m) urls.set(id, m);
  }
  return urls;
}

/** A source map resolver that can also read scripts from the live target and knows their reported map URLs. */
export function liveSourceMapResolver(conn: CdpConnection): SourceMapResolver {
  return new SourceMapResolver({
    scriptSource: (id) => scriptSource(conn, id),
    sourceMapUrlFor: (url) => {
      for (const s of conn.scripts.values()) if (s.url === url && s.sourceMapURL) return s.sourceMapURL;
      return undefined;
    },
  });
}

async function scriptSource(conn: CdpConnection, scriptId: number): Promise<string | null> {
  if (conn.closed) return null;
  try {
    const r = await conn.send('Debugger.getScriptSource', { scriptId: String(scriptId) }, { timeoutMs: 5000 });
    return r.scriptSource ?? null;
  } catch {
    return null; // a script V8 no longer has, or a target that went away: the location keeps its script id
  }
}

/** Matches only in the last few lines, where these comments live; a large script is not scanned whole. */
function tailMatch(source: string, re: RegExp): string | null {
  const tail = source.length > 4096 ? source.slice(source.length - 4096) : source;
  const m = re.exec(tail);
  return m ? m[1] : null;
}
