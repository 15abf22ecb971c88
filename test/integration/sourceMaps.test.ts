/**
 * Source maps: a TypeScript program compiled by esbuild at test time (map beside the file, and inline), run under
 * --inspect, captured live; the report's locations point at the .ts lines. The same resolver works file-based on
 * a saved snapshot (what `retention analyze` would use).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { connect } from '../../src/cdp/connect';
import { CaptureService } from '../../src/cdp/capture';
import { captureReport } from '../../src/cdp/liveReport';
import { SourceMapResolver, applySourceMaps, findSourceMappingUrl, type MappedSourceLocation } from '../../src/node/sourceMaps';
import { HeapAnalysis } from '../../src/core/analysis';
import type { RetentionReport } from '../../src/core/report';
import { FIXTURES, lineOf, runCli, startTarget } from './targets';

const TS = join(FIXTURES, 'ts-app/app.ts');
const TS_SOURCE = readFileSync(TS, 'utf8');

async function compile(dir: string, sourcemap: 'external' | 'inline'): Promise<string> {
  const outfile = join(dir, `app-${sourcemap}.js`);
  await build({ entryPoints: [TS], outfile, sourcemap, platform: 'node', format: 'cjs', target: 'node20', bundle: false, logLevel: 'silent' });
  return outfile;
}

function allLocations(report: RetentionReport): MappedSourceLocation[] {
  const out: MappedSourceLocation[] = [];
  const add = (l: MappedSourceLocation | null | undefined) => { if (l) out.push(l); };
  add(report.object.location);
  for (const p of [...report.paths, ...report.cycles]) for (const s of p.steps) { add(s.from.location); add(s.to.location); }
  return out;
}

for (const mode of ['external', 'inline'] as const) {
  test(`a TypeScript target with a ${mode} source map: the report points at the .ts file and line`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'retention-ts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const js = await compile(dir, mode);
    if (mode === 'inline') assert.match(findSourceMappingUrl(readFileSync(js, 'utf8')) ?? '', /^data:application\/json;base64,/);
    const target = await startTarget(js);
    t.after(() => target.kill());

    const r = await runCli(['capture', '--inspect', target.address, '--expression', 'tsApp.widgets[1].subscription', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as RetentionReport;
    assert.equal(report.object.name, 'Subscription');
    const loc = report.object.location as MappedSourceLocation;
    assert.ok(loc, 'the object has a location');
    assert.ok(loc.url.endsWith('test/fixtures/ts-app/app.ts'), `location url ${loc.url}`);
    assert.equal(loc.line, lineOf(TS_SOURCE, 'constructor(readonly owner: Widget'));
    assert.ok(loc.generated && loc.generated.url.endsWith(`app-${mode}.js`), `generated ${JSON.stringify(loc.generated)}`);

    // The listener closure in a cycle (Subscription -> listeners -> closure -> this) maps to its arrow function line.
    const closureLines = allLocations(report).filter((l) => l.url.endsWith('app.ts')).map((l) => l.line);
    assert.ok(closureLines.includes(lineOf(TS_SOURCE, 'this.listeners.push((value: number)')) ||
      closureLines.includes(lineOf(TS_SOURCE, 'constructor(readonly name: string')),
      `ts lines in the report: ${closureLines.join(', ')}`);
    for (const l of allLocations(report)) {
      assert.ok(!l.url.includes(`app-${mode}.js`), `a location was left in generated code: ${l.url}:${l.line}`);
    }

    // --no-source-maps keeps the generated positions.
    const raw = await runCli(['capture', '--inspect', target.address, '--expression', 'tsApp.widgets[1].subscription', '--json', '--no-source-maps']);
    assert.equal(raw.code, 0, raw.stderr);
    assert.ok((JSON.parse(raw.stdout) as RetentionReport).object.location!.url.endsWith(`app-${mode}.js`));
  });
}

test('the file-based resolver maps a saved snapshot the same way, and leaves unmapped scripts alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-ts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const js = await compile(dir, 'external');
  const target = await startTarget(js);
  t.after(() => target.kill());
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  const service = new CaptureService(conn);
  const live = await captureReport(service, { expression: 'tsApp.widgets[0]' }, { sourceMaps: false });
  assert.equal(live.report.object.name, 'Widget');
  // A second analysis of the same snapshot, mapped with files only (no live session), as analyze would.
  const report = live.report;
  await applySourceMaps(report, new SourceMapResolver());
  const loc = report.object.location as MappedSourceLocation;
  assert.ok(loc.url.endsWith('app.ts'), loc.url);
  assert.equal(loc.line, lineOf(TS_SOURCE, 'constructor(readonly name: string'));
  // Mapping twice changes nothing (locations already mapped keep their generated position).
  await applySourceMaps(report, new SourceMapResolver());
  assert.equal((report.object.location as MappedSourceLocation).line, loc.line);
  assert.ok((report.object.location as MappedSourceLocation).generated!.url.endsWith('app-external.js'));

  // A node: internal location and a plain .js file without a map stay as they are.
  const resolver = new SourceMapResolver();
  assert.equal(await resolver.originalPosition({ url: 'node:events', line: 10, column: 1 }), null);
  assert.equal(await resolver.originalPosition({ url: join(FIXTURES, 'live-app.js'), line: 8, column: 1 }), null);
  void HeapAnalysis;
});
