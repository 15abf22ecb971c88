/**
 * The line that creates the reference, on real programs under --inspect: each object in test/fixtures/sites is held
 * by one reference (an EventEmitter listener, a Map entry, an array push, an interval, an AbortSignal listener, a
 * plain-object registry, a process listener, a back-reference), and the report's fix must link the line that makes it, in the JSON (`site`, `sites`) and in the
 * text (`made at: file:line`). The TypeScript variant is compiled with tsc and a source map: the site, and the
 * locations inside the why/fix sentences, are its .ts lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RetentionReport, SourceLocation, Suggestion } from '../../src/core/report';
import { FIXTURES, ROOT, lineOf, runCli, startTarget, type Target } from './targets';

const JS = join(FIXTURES, 'sites/sites-app.js');
const JS_SOURCE = readFileSync(JS, 'utf8');
const TS = join(FIXTURES, 'sites/sites-app.ts');
const TS_SOURCE = readFileSync(TS, 'utf8');

async function report(target: Target, expression: string): Promise<RetentionReport> {
  const r = await runCli(['capture', '--inspect', target.address, '--expression', expression, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as RetentionReport;
}

function assertSite(s: Suggestion | null | undefined, file: string, line: number, what: string): SourceLocation {
  assert.ok(s, `${what}: a fix`);
  assert.ok(s.site, `${what}: the fix links a site (${s.kind}: ${s.fix})`);
  assert.ok(s.site.url.endsWith(file), `${what}: site in ${file}, not ${s.site.url}`);
  assert.equal(s.site.line, line, `${what}: the line that creates the reference`);
  assert.deepEqual(s.sites?.[0], s.site, `${what}: site is the first of sites`);
  return s.site;
}

test('a JavaScript program: each fix links the line that creates its reference', async (t) => {
  const target = await startTarget(JS);
  t.after(() => target.kill());
  const cases: [string, string, string][] = [
    ['EventEmitter listener', 'sites.leaked.req.deref()', "socket.on('close', onSocketClose);"],
    ['Map entry', 'sites.leaked.session.deref()', 'this.entries.set(key, session);'],
    ['array push', 'sites.leaked.job.deref()', 'this.instances.push(job);'],
    ['interval', 'sites.leaked.poller.deref()', 'const timer = setInterval(function pollOnce()'],
    ['AbortSignal listener', 'sites.leaked.up.deref()', "signal.addEventListener('abort', function onAbort()"],
    ['array push of a tree child', 'sites.leaked.mid.deref()', 'if (parent) parent.children.push(this);'],
    ['plain object used as a registry', 'sites.leaked.cron.deref()', 'scheduledJobs[name] = job;'],
    ['process listener', 'sites.leaked.conn.deref()', "process.on('SIGUSR2', function closeConnection()"],
  ];
  for (const [what, expression, code] of cases) {
    const r = await report(target, expression);
    assertSite(r.fix, 'sites/sites-app.js', lineOf(JS_SOURCE, code), what);
  }
  // The back-reference in the tree's cycles: `this.parent = parent`.
  const tree = await report(target, 'sites.leaked.leaf.deref()');
  const parentFix = tree.cycles.map((c) => c.suggestion).find((s) => s?.kind === 'weak-ref');
  assertSite(parentFix, 'sites/sites-app.js', lineOf(JS_SOURCE, 'this.parent = parent;'), 'back-reference');

  // What a user reads in the text report.
  const text = await runCli(['capture', '--inspect', target.address, '--expression', 'sites.leaked.session.deref()']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`made at: \\S*sites/sites-app\\.js:${lineOf(JS_SOURCE, 'this.entries.set(key, session);')}:\\d+`));
});

test('a TypeScript program compiled by tsc with a source map: the site and the sentences name .ts lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-sites-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--sourceMap', '--target', 'es2022', '--module', 'commonjs',
    '--skipLibCheck', '--rootDir', join(FIXTURES, 'sites'), '--outDir', dir, TS], { cwd: ROOT });
  const target = await startTarget(join(dir, 'sites-app.js'));
  t.after(() => target.kill());

  const listener = await report(target, 'sites.leaked.req.deref()');
  const site = assertSite(listener.fix, 'sites/sites-app.ts', lineOf(TS_SOURCE, "socket.on('close', onSocketClose);"), 'listener (TypeScript)');
  assert.equal(site.origin, 'site');
  // The reason names the listener's own line: the .ts one its link opens, never the generated .js line.
  assert.match(listener.fix!.reason, new RegExp(`sites/sites-app\\.ts:${lineOf(TS_SOURCE, 'const onSocketClose = ')}\\b`));
  const entry = await report(target, 'sites.leaked.session.deref()');
  assertSite(entry.fix, 'sites/sites-app.ts', lineOf(TS_SOURCE, 'this.entries.set(key, session);'), 'Map entry (TypeScript)');
  const tree = await report(target, 'sites.leaked.mid.deref()');
  assertSite(tree.cycles.map((c) => c.suggestion).find((s) => s?.kind === 'weak-ref'), 'sites/sites-app.ts', lineOf(TS_SOURCE, 'this.parent = parent;'), 'back-reference (TypeScript)');
  for (const r of [listener, entry, tree]) {
    for (const s of [r.fix, ...r.paths.map((p) => p.suggestion), ...r.cycles.map((c) => c.suggestion)]) {
      if (!s) continue;
      assert.doesNotMatch(`${s.reason} ${s.fix}`, /sites-app\.js:\d/, 'no generated location is left in a sentence');
      for (const l of s.sites ?? []) assert.ok(!l.url.endsWith('.js'), `a site left in generated code: ${l.url}:${l.line}`);
    }
  }
});
