/**
 * The layers hold because a test says so, not by convention. Every import in src/ is read (static imports and
 * exports, `import()` and `require()`), and each folder's forbidden ones fail the test with the file and the line:
 * - src/core: pure analysis: no Node built-ins, no vscode, no sockets, nothing from the layers above it;
 * - src/shared: browser-safe types and labels: no Node built-ins, no vscode, no core;
 * - src/cdp: the protocol layer: no vscode, no extension or webview code;
 * - src/node (file parsing, file paths, file-based source maps) and src/worker: Node, but no vscode;
 * - src/webview: browser code: no Node, no vscode, and nothing of the core at run time (types only).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { ROOT } from './snapshotPrograms';

interface ImportUse {
  specifier: string;
  line: number;
  typeOnly: boolean;
}

/**
 * Every module a TypeScript source names, with whether the import is erased at run time (`import type`). Read with
 * TypeScript's own parser, so an import written inside a string (generated code) is not one.
 */
export function importsOf(source: string): ImportUse[] {
  const out: ImportUse[] = [];
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true);
  const lineOf = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      let typeOnly: boolean;
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        // `import type {A}`, or `import { type A, type B }` with nothing else: erased.
        typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings)
          && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      } else {
        typeOnly = node.isTypeOnly;
      }
      out.push({ specifier: node.moduleSpecifier.text, line: lineOf(node), typeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      out.push({ specifier: node.arguments[0].text, line: lineOf(node), typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (s: string) => s.startsWith('node:') || NODE_BUILTINS.has(s.split('/')[0]);
const SOCKETS = new Set(['chrome-remote-interface', 'ws', 'undici']);

/** The folder a relative import from `src/<layer>/...` lands in, or null for a package. */
function targetLayer(fromLayer: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  if (specifier.startsWith('./')) return fromLayer;
  const m = /^\.\.\/([^/]+)/.exec(specifier);
  return m ? m[1] : null;
}

interface Rule {
  layer: string;
  /** A sentence when the import is forbidden, else null. */
  forbid(use: ImportUse, target: string | null): string | null;
}

const RULES: Rule[] = [
  {
    layer: 'core',
    forbid: (u, t) =>
      isNodeBuiltin(u.specifier) ? 'a Node built-in (the core does no I/O)'
        : u.specifier === 'vscode' ? 'vscode'
          : SOCKETS.has(u.specifier) ? 'a socket library'
            : t !== null && t !== 'core' && t !== 'shared' ? `src/${t} (a layer above the core)` : null,
  },
  {
    layer: 'shared',
    forbid: (u, t) =>
      isNodeBuiltin(u.specifier) ? 'a Node built-in (shared code runs in the webview too)'
        : u.specifier === 'vscode' ? 'vscode'
          : t !== null && t !== 'shared' ? `src/${t}` : null,
  },
  {
    layer: 'cdp',
    forbid: (u, t) =>
      u.specifier === 'vscode' ? 'vscode (the protocol layer knows nothing of VS Code)'
        : t === 'extension' || t === 'webview' ? `src/${t}` : null,
  },
  {
    layer: 'node',
    forbid: (u, t) =>
      u.specifier === 'vscode' ? 'vscode (Node adapters serve the CLI and the worker too)'
        : t === 'extension' || t === 'webview' || t === 'cdp' ? `src/${t}` : null,
  },
  {
    layer: 'worker',
    forbid: (u, t) => (u.specifier === 'vscode' ? 'vscode (the worker thread has no VS Code API)' : t === 'extension' || t === 'webview' ? `src/${t}` : null),
  },
  {
    layer: 'webview',
    forbid: (u, t) =>
      isNodeBuiltin(u.specifier) ? 'a Node built-in (browser code)'
        : u.specifier === 'vscode' ? 'vscode'
          : t === 'core' && !u.typeOnly ? 'src/core at run time (the page gets plain results by postMessage)'
            : t !== null && t !== 'webview' && t !== 'shared' && t !== 'core' ? `src/${t}` : null,
  },
];

function sourcesOf(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourcesOf(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function violations(rule: Rule, files: { path: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const u of importsOf(f.source)) {
      const why = rule.forbid(u, targetLayer(rule.layer, u.specifier));
      if (why) out.push(`${f.path}:${u.line} imports '${u.specifier}': ${why}`);
    }
  }
  return out;
}

describe('layers', () => {
  for (const rule of RULES) {
    test(`src/${rule.layer} imports only what its layer may`, () => {
      const dir = join(ROOT, 'src', rule.layer);
      const files = sourcesOf(dir).map((p) => ({ path: relative(ROOT, p), source: readFileSync(p, 'utf8') }));
      assert.ok(files.length > 0, `no sources under ${dir}`);
      assert.deepEqual(violations(rule, files), []);
    });
  }

  test('the check catches what it must (so the tests above can fail)', () => {
    const rule = (layer: string) => RULES.find((r) => r.layer === layer)!;
    const one = (layer: string, source: string) => violations(rule(layer), [{ path: `src/${layer}/x.ts`, source }]);
    assert.equal(one('core', "import { readFile } from 'node:fs';").length, 1);
    assert.equal(one('core', "import * as path from 'path';").length, 1);
    assert.equal(one('core', "const fs = await import('node:fs');").length, 1);
    assert.equal(one('core', "import CDP from 'chrome-remote-interface';").length, 1);
    assert.equal(one('core', "import * as vscode from 'vscode';").length, 1);
    assert.equal(one('core', "import { connect } from '../cdp/connect';").length, 1);
    assert.equal(one('cdp', "import * as vscode from 'vscode';").length, 1);
    assert.equal(one('cdp', "import { x } from '../extension/y';").length, 1);
    assert.equal(one('webview', "import { formatBytes } from '../core/format';").length, 1);
    assert.equal(one('webview', "import { type A, formatBytes } from '../core/format';").length, 1);
    assert.equal(one('shared', "import { HeapAnalysis } from '../core/analysis';").length, 1);
    // Allowed: type-only imports of core types in the webview, shared code from anywhere, packages in cdp.
    assert.deepEqual(one('webview', "import type { ReportNode } from '../core/report';"), []);
    assert.deepEqual(one('webview', "import { type ReportNode, type Step } from '../core/report';"), []);
    assert.deepEqual(one('core', "import { nodeLabel } from '../shared/labels';"), []);
    assert.deepEqual(one('cdp', "import CDP from 'chrome-remote-interface';\nimport * as http from 'node:http';"), []);
  });
});
