/**
 * "Copy as regression test": from a finding in the retention tree (the object's expression, where it was selected,
 * the reference to break), a ready test that fails while the leak is there, in the workspace's own test style.
 * Pure: the caller reads package.json and writes the clipboard.
 */

export type TestStyle = 'node:test' | 'jest' | 'vitest' | 'mocha';

export interface Finding {
  /** The expression the object was selected by (`doc.root`), or '' when it was picked from the heap. */
  expression: string;
  /** Its class (`TreeNode`). */
  className: string;
  /** Where it was evaluated: "frame 0 (closeDocument)", "global scope". */
  scope: string;
  /** The fix in words and the reference it is about, when the tree has one. */
  fix?: string;
  where?: string;
}

export interface PackageInfo {
  style: TestStyle;
  /** `"type": "module"`: the test uses import syntax. */
  esm: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The test style a package.json points at: its test script first, then its dependencies; node:test otherwise. */
export function packageInfo(pkg: unknown): PackageInfo {
  if (!isRecord(pkg)) return { style: 'node:test', esm: false };
  const esm = pkg.type === 'module';
  const scripts = isRecord(pkg.scripts) ? pkg.scripts : {};
  const test = typeof scripts.test === 'string' ? scripts.test : '';
  const deps = { ...(isRecord(pkg.dependencies) ? pkg.dependencies : {}), ...(isRecord(pkg.devDependencies) ? pkg.devDependencies : {}) };
  for (const style of ['vitest', 'jest', 'mocha'] as const) if (new RegExp(`\\b${style}\\b`).test(test)) return { style, esm };
  if (/node\s+(?:[^|&;]*\s)?--test\b/.test(test)) return { style: 'node:test', esm };
  for (const style of ['vitest', 'jest', 'mocha'] as const) if (style in deps) return { style, esm };
  return { style: 'node:test', esm };
}

/** A comment line cannot end the comment or run onto the next line; controls and bidi characters are dropped. */
function commentText(s: string, max = 300): string {
  // eslint-disable-next-line no-control-regex -- dropping control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, ' ').replace(/\*\//g, '* /').slice(0, max);
}

/** Only a plain member expression goes into code as it is (`doc.root`, `this.items[3]`, `cache.get("a")` does not). */
const MEMBER_EXPRESSION = /^(?:this|[A-Za-z_$][\w$]*)(?:\.[A-Za-z_$][\w$]*|\[\d+\])*$/;

/** The function the object was selected in ("frame 0 (closeDocument)" -> closeDocument), if a plain name. */
export function actionOf(scope: string): string | null {
  const m = /\(([A-Za-z_$][\w$.]*)\)\s*$/.exec(scope);
  return m && !/^(?:anonymous|<anonymous>)$/.test(m[1]) ? m[1].split('.').pop()! : null;
}

export function regressionTest(finding: Finding, pkg: PackageInfo): string {
  const expression = finding.expression.trim();
  const plain = MEMBER_EXPRESSION.test(expression);
  const rootName = plain ? /^(this|[A-Za-z_$][\w$]*)/.exec(expression)![1] : null;
  // `this` cannot be declared: the test names the owner `owner` instead.
  const variable = rootName === 'this' ? 'owner' : rootName;
  const returned = plain ? (rootName === 'this' ? expression.replace(/^this/, 'owner') : expression) : null;
  const action = actionOf(finding.scope);
  const className = commentText(finding.className || 'the object', 80);
  const label = plain ? expression : className;
  const title = `${label} is freed${action ? ` after ${action}()` : ''}`;
  const lines: string[] = [];
  lines.push(`// Regression test from Retention Explorer: ${className}${plain ? ` \`${expression}\`` : ''} stayed alive${action ? ` after ${action}()` : ''}.`);
  if (finding.where) lines.push(`// What holds it: ${commentText(finding.where)}`);
  if (finding.fix) lines.push(`// Fix: ${commentText(finding.fix)}`);
  lines.push(`// It fails while the leak is there; its message names the path and the reference to break.`);
  const imports: string[] = [];
  if (pkg.esm) {
    if (pkg.style === 'node:test') imports.push(`import { test } from 'node:test';`);
    if (pkg.style === 'vitest') imports.push(`import { test } from 'vitest';`);
    imports.push(`import { expectCollected } from 'retention-explorer/testing';`);
    imports.push(`// import { ... } from './your-module.js'; the code that creates it${action ? ` and ${action}` : ''}`);
  } else {
    if (pkg.style === 'node:test') imports.push(`const { test } = require('node:test');`);
    if (pkg.style === 'vitest') imports.push(`const { test } = require('vitest');`);
    imports.push(`const { expectCollected } = require('retention-explorer/testing');`);
    imports.push(`// const { ... } = require('./your-module'); the code that creates it${action ? ` and ${action}` : ''}`);
  }
  lines.push(...imports, '');
  const testFn = pkg.style === 'mocha' ? 'it' : 'test';
  lines.push(`${testFn}(${JSON.stringify(title)}, async () => {`);
  lines.push(`  await expectCollected(() => {`);
  if (variable) lines.push(`    const ${variable} = undefined; // TODO: create it as the program does`);
  else lines.push(`    // TODO: create the ${className} as the program does`);
  if (action) lines.push(`    ${action}(${variable ?? ''}); // the action after which it should be gone`);
  else lines.push(`    // TODO: run the action after which it should be gone`);
  lines.push(returned ? `    return ${returned};` : `    return undefined; // TODO: return the ${className}`);
  lines.push(`  }, { label: ${JSON.stringify(label)} });`);
  lines.push(`});`);
  return lines.join('\n') + '\n';
}
