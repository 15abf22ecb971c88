/**
 * The fault campaign's offline half (issue 12): mutated and truncated real snapshots through the real CLI, hostile
 * names from a real program's heap in its text and JSON output, and saves that are whole or nothing. Seeded and
 * reproducible; the larger run is `npm run fuzz -- --cases 5000 --seed N` (test/fuzz/snapshotFuzz.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFileWriter, SaveError, saveFailure, writeFileAtomic } from '../../src/node/atomicFile';
import { parseSnapshotFile } from '../../src/node/snapshotFile';
import { displayText } from '../../src/shared/displayText';
import { checkSentence, checkText, fuzzSnapshots, runCli, seeded } from '../fuzz/snapshotFuzz';
import { ROOT, snapshotDir, type SnapshotDir } from './snapshotPrograms';

const HOSTILE_APP = join(ROOT, 'test/fixtures/fuzz/hostile-app.js');

let snapshots: SnapshotDir;
let hostileFile: string;
let seedFile: string;
let work: string;

before(async () => {
  snapshots = snapshotDir();
  work = mkdtempSync(join(tmpdir(), 'retention-faults-'));
  hostileFile = await snapshots.snapshot(HOSTILE_APP, { name: 'hostile', args: ['--small'] });
  seedFile = await snapshots.snapshot('seed-tree.js', { name: 'seed' });
});
after(() => {
  snapshots?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('mutated and truncated real snapshots: a report or a clean sentence, nothing else', () => {
  test('200 seeded cases through analyze and summary (text and --json)', async () => {
    const seed = 12;
    const s = await fuzzSnapshots({ bases: [hostileFile, seedFile], cases: 200, seed, dir: work });
    assert.deepEqual(s.bad, [], `reproduce with: node out/test/fuzz/snapshotFuzz.js --cases 200 --seed ${seed}`);
    assert.equal(s.cases, 200);
    // Both verdicts were met, and the mutations that must give a report (a reordered document, a hostile name) ran.
    assert.ok(s.reports > 10 && s.cleanErrors > 10, JSON.stringify(s));
    assert.ok((s.mutations.reorder ?? 0) > 5 && (s.mutations['inject-name'] ?? 0) > 5, JSON.stringify(s.mutations));
  });

  test('the documents the issue names get the parser\'s own sentence with the byte offset', async () => {
    const cases: [string, RegExp][] = [
      ['{"snapshot":null}', /^The "snapshot" header is null, not an object, so this is not a V8 heap snapshot at byte 16\.\n$/],
      [readFileSync(seedFile, 'utf8').replace(/"node_count":\d+/, '"node_count":1e308'), /^The "snapshot" header's node_count is 1e\+308, more than a heap snapshot can hold \(at most 4294967294\) at byte \d+\.\n$/],
      ['', /^The snapshot is empty: the file or stream is truncated\. Take the snapshot again\.\n$/],
    ];
    for (const [doc, expected] of cases) {
      const file = join(work, 'named.heapsnapshot');
      writeFileSync(file, doc);
      const r = await runCli(['summary', file]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, expected);
    }
  });

  test('a valid snapshot with "edges" before "nodes" (and the header last) gives the same report as V8\'s order', async () => {
    const text = readFileSync(hostileFile, 'utf8');
    const cut = (key: string) => text.indexOf(`\n"${key}":`);
    const header = text.slice(1, cut('nodes')).replace(/,\s*$/, '');
    const nodes = text.slice(cut('nodes') + 1, cut('edges')).replace(/,\s*$/, '');
    const rest = text.slice(cut('edges') + 1, text.lastIndexOf('}'));
    const edgesFirst = `{${rest.replace(/,\s*$/, '')},\n${nodes},\n${header}}`;
    const file = join(work, 'edges-first.heapsnapshot');
    writeFileSync(file, edgesFirst);
    const original = await runCli(['analyze', hostileFile, '--class', 'TreeNode']);
    const reordered = await runCli(['analyze', file, '--class', 'TreeNode']);
    assert.equal(original.code, 0, original.err);
    assert.equal(reordered.code, 0, reordered.err);
    assert.equal(reordered.out, original.out);
  });
});

describe('hostile names from a real program reach the terminal escaped, and --json exact', () => {
  let names: string[];
  before(async () => {
    // The names as V8 stored them in this heap (it writes some characters its own way), read back by the parser.
    const snapshot = await parseSnapshotFile(hostileFile);
    names = snapshot.strings.filter((s) => /^(Esc\u001b|Csi\u009b|Bidi\u202e|Nul[^l]|Cr\r|Lone|<script>|\[Open a terminal|Zw\u200b|Del\u007f)/.test(s) && s.length < 80);
    assert.ok(names.length >= 10, `the hostile names are in the heap: ${JSON.stringify(names)}`);
  });

  test('summary: the class table holds each name escaped on one line; --json holds it exactly', async () => {
    const text = await runCli(['summary', hostileFile]);
    assert.equal(text.code, 0, text.err);
    assert.equal(checkText(text.out), null);
    const lines = text.out.split('\n');
    for (const name of names.filter((n) => !n.startsWith('Lone'))) {
      assert.ok(lines.some((l) => l.includes(displayText(name, 200))), `${JSON.stringify(name)} is a class row`);
    }
    const json = await runCli(['summary', hostileFile, '--json']);
    const classes = (JSON.parse(json.out) as { classes: { name: string }[] }).classes.map((c) => c.name);
    for (const name of names.filter((n) => !n.startsWith('Lone'))) assert.ok(classes.includes(name), `--json carries ${JSON.stringify(name)} exactly`);
  });

  test('analyze --class with each hostile name: heading, path steps and sentences escaped; --json exact', async () => {
    for (const name of names) {
      const text = await runCli(['analyze', hostileFile, '--class', name]);
      if (text.code === 1) {
        // Only a name V8 could not keep (a lone surrogate it wrote as '?') may be missing; the sentence is clean.
        assert.equal(checkSentence(text.err), null, text.err);
        assert.ok(name.includes('?'), `${JSON.stringify(name)}: ${text.err}`);
        continue;
      }
      assert.equal(text.code, 0, text.err);
      assert.equal(checkText(text.out), null, JSON.stringify(name));
      assert.ok(text.out.split('\n')[0].startsWith(`${displayText(name, 200)} @`), `heading of ${JSON.stringify(name)}: ${text.out.split('\n')[0]}`);
      const json = await runCli(['analyze', hostileFile, '--class', name, '--json']);
      assert.equal((JSON.parse(json.out) as { object: { name: string } }).object.name, name);
    }
  });

  test('a hostile --class argument and a hostile file name come back escaped in one line', async () => {
    const missing = await runCli(['analyze', hostileFile, '--class', 'No\u001b[2J\u202Ehere\r\nForged: line\ud800']);
    assert.equal(missing.code, 1);
    assert.equal(checkSentence(missing.err), null, missing.err);
    assert.match(missing.err, /^No object of class No\\u001b\[2J\\u202ehere\\r\\nForged: line\\ud800 is in this snapshot\./);
    const file = join(work, 'evil\u001b]0;title\u0007\nname\u202E.heapsnapshot');
    const gone = await runCli(['summary', file]);
    assert.equal(gone.code, 1);
    assert.equal(checkSentence(gone.err), null, gone.err);
    assert.match(gone.err, /^There is no file at .*evil\\u001b\]0;title\\u0007\\nname\\u202e\.heapsnapshot\.\n$/);
  });

  test('a 1 MB class name gives a report of kilobytes, not megabytes; --json still carries all of it', async () => {
    const huge = `Huge\u202E${'A'.repeat(1 << 20)}`;
    const text = readFileSync(hostileFile, 'utf8');
    const at = text.lastIndexOf('"TreeNode"');
    const file = join(work, 'huge-name.heapsnapshot');
    writeFileSync(file, text.slice(0, at) + JSON.stringify(huge) + text.slice(at + 10));
    const report = await runCli(['analyze', file, '--class', huge]);
    assert.equal(report.code, 0, report.err.slice(0, 300));
    assert.equal(checkText(report.out), null);
    assert.ok(report.out.length < 64 * 1024, `${report.out.length} characters`);
    const summary = await runCli(['summary', file]);
    assert.ok(summary.out.length < 64 * 1024 && checkText(summary.out) === null);
    const json = await runCli(['analyze', file, '--class', huge, '--json']);
    assert.equal((JSON.parse(json.out) as { object: { name: string } }).object.name, huge);
  });
});

describe('saves are whole or nothing, and every failure is a sentence', () => {
  test('a missing folder and an unwritable place: a sentence before any work, nothing left behind', () => {
    const target = join(work, 'no-such-folder', 'S.heapsnapshot');
    assert.throws(() => AtomicFileWriter.open(target), (e: unknown) => {
      assert.ok(e instanceof SaveError);
      assert.equal(e.message, `Cannot save to ${target}: the folder ${join(work, 'no-such-folder')} does not exist; nothing was saved. Choose another path and retry.`);
      return true;
    });
    // /proc refuses new files even to root: a real refusal from the kernel.
    assert.throws(() => AtomicFileWriter.open('/proc/S.heapsnapshot'), (e: unknown) => {
      assert.ok(e instanceof SaveError);
      assert.match(e.message, /^Cannot save to \/proc\/S\.heapsnapshot: .*; nothing was saved\./);
      assert.doesNotMatch(e.message, /E[A-Z]+:|open '/);
      return true;
    });
  });

  test('a full disk (a real ENOSPC from /dev/full) is a sentence that says how much was written', () => {
    const fd = openSync('/dev/full', 'w');
    let error: unknown;
    try { writeSync(fd, Buffer.alloc(4096)); } catch (e) { error = e; } finally { closeSync(fd); }
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    const e = saveFailure('/data/S.heapsnapshot', error, 3 * 1024 * 1024);
    assert.equal(e.message, 'Cannot save to /data/S.heapsnapshot: the disk is full after 3.0 MB; nothing was saved. Free some space or choose another path, and retry.');
  });

  test('five writers to one path, chunks interleaved, commits in any order: the file is one writer\'s whole content', () => {
    const target = join(work, 'S.heapsnapshot');
    const random = seeded(5);
    for (let round = 0; round < 10; round++) {
      const writers = [0, 1, 2, 3, 4].map(() => AtomicFileWriter.open(target));
      assert.equal(new Set(writers.map((w) => w.temporaryName)).size, 5, 'each writer has a file of its own');
      const contents = writers.map((_, i) => `{"writer":${i},"data":"${String(i).repeat(1000 + Math.floor(random() * 5000))}"}`);
      for (let offset = 0; offset < 7000; offset += 512) {
        writers.forEach((w, i) => { if (offset < contents[i].length) w.write(contents[i].slice(offset, offset + 512)); });
      }
      const order = [0, 1, 2, 3, 4].sort(() => random() - 0.5);
      const aborted = order.pop()!;
      writers[aborted].abort();
      for (const i of order) writers[i].commit();
      assert.equal(readFileSync(target, 'utf8'), contents[order[order.length - 1]]);
      assert.deepEqual(readdirSync(work).filter((f) => f.endsWith('.part')), []);
    }
    writeFileAtomic(target, 'whole');
    assert.equal(readFileSync(target, 'utf8'), 'whole');
    assert.ok(existsSync(target));
  });
});
