/**
 * Script text and source maps for finding the line that creates a reference (core/reportSites.ts): over a live
 * session with `Debugger.getScriptSource`, and from the files on disk for a saved snapshot (or a script the session
 * no longer has). Each script's text is read once per finder.
 */
import { readFile, stat } from 'node:fs/promises';
import { toFilePath } from '../node/filePaths';
import { ReferenceSiteFinder, type ScriptSources } from '../core/reportSites';
import type { CdpConnection } from './connect';
import type { SourceMapResolver } from '../node/sourceMaps';

/** Larger scripts are not read (a bundle of many megabytes is not parsed for sites either). */
const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

/**
 * Sources for a session (`connection`, null for a saved snapshot) and the resolver its report was mapped with.
 * With `sourceMaps` false, sites keep their generated (JavaScript) positions, as the report does.
 */
export function scriptSources(connection: CdpConnection | null, resolver: SourceMapResolver | null): ScriptSources {
  return {
    async source(loc) {
      if (connection && !connection.closed) {
        const id = loc.scriptId ?? scriptIdOf(connection, loc.url);
        if (id !== undefined) {
          const text = await liveSource(connection, id);
          if (text !== null) return text;
        }
      }
      const file = loc.url ? toFilePath(loc.url) : null;
      return file ? readSmallFile(file) : null;
    },
    async original(loc) {
      return resolver ? resolver.originalPosition(loc) : null;
    },
  };
}

/** A finder for one snapshot's reports: parses each script once across them. */
export function siteFinder(connection: CdpConnection | null, resolver: SourceMapResolver | null): ReferenceSiteFinder {
  return new ReferenceSiteFinder(scriptSources(connection, resolver));
}

function scriptIdOf(connection: CdpConnection, url: string): number | undefined {
  if (!url) return undefined;
  for (const [id, s] of connection.scripts) if (s.url === url) return Number(id);
  return undefined;
}

async function liveSource(connection: CdpConnection, scriptId: number): Promise<string | null> {
  try {
    const r = await connection.send('Debugger.getScriptSource', { scriptId: String(scriptId) }, { timeoutMs: 5000 });
    return r.scriptSource ?? null;
  } catch {
    return null; // a script V8 no longer has, or a target that went away: the file on disk may still do
  }
}

async function readSmallFile(file: string): Promise<string | null> {
  try {
    const s = await stat(file);
    if (!s.isFile() || s.size > MAX_SCRIPT_BYTES) return null;
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}
