import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The local file a V8 script URL names (a file:// URL or an absolute path), or null for anything that is not a file
 * on this machine: node: and internal scripts, eval, http(s) and other scheme URLs, protocol-relative `//host/...`.
 */
export function toFilePath(url: string): string | null {
  if (url.startsWith('file:')) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  if (isAbsolute(url) && !url.startsWith('//') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  return null;
}
