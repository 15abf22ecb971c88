/**
 * The creation-site finder on real library source text (files of npm packages this repository installs): the
 * expected line is found in the text by what it says, never written down as a number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findReferenceSites, ScriptIndex, type ReferenceQuery, type ScriptPosition } from '../../src/core/referenceSites';
import { mapSentenceLocations } from '../../src/core/reportSites';
import type { RetentionReport, SourceLocation } from '../../src/core/report';
import { ROOT } from './snapshotPrograms';

function library(path: string): string {
  return readFileSync(join(ROOT, 'node_modules', path), 'utf8');
}

/** 1-based line of the first line containing `needle` (after line `after`). */
function lineOf(text: string, needle: string, after = 0): number {
  const i = text.split('\n').findIndex((l, k) => k >= after && l.includes(needle));
  assert.ok(i >= 0, `"${needle}" is in the text`);
  return i + 1;
}

/** Where V8 places a function: the start of its parameter list (the `(` right after `needle`). */
function functionAt(text: string, needle: string): ScriptPosition {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `"${needle}" is in the text`);
  const paren = text.indexOf('(', offset + needle.length - 1);
  const before = text.slice(0, paren);
  return { line: before.split('\n').length, column: paren - before.lastIndexOf('\n') };
}

/** 1-based position of the start of `needle` (an arrow function's parameter list, where V8 places it). */
function positionOf(text: string, needle: string): ScriptPosition {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `"${needle}" is in the text`);
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

function lines(source: string, q: ReferenceQuery): number[] {
  return findReferenceSites(source, q).map((s) => s.line);
}

test('an EventEmitter listener in ws: the socket.on call that registers it, not the other events\' calls', () => {
  const src = library('ws/lib/websocket.js');
  const close = lines(src, { kind: 'listener', api: 'emitter', event: 'close', listenerName: 'socketOnClose', listenerAt: functionAt(src, 'function socketOnClose(') });
  assert.equal(close[0], lineOf(src, "socket.on('close', socketOnClose)"));
  const data = lines(src, { kind: 'listener', api: 'emitter', event: 'data', listenerName: 'socketOnData', listenerAt: functionAt(src, 'function socketOnData(') });
  assert.equal(data[0], lineOf(src, "socket.on('data', socketOnData)"));
  assert.ok(!data.includes(close[0]), 'the close registration is not offered for the data listener');
  // Without the definition (the listener lives in another script), the name still finds it.
  assert.equal(lines(src, { kind: 'listener', api: 'emitter', event: 'end', listenerName: 'socketOnEnd' })[0], lineOf(src, "socket.on('end', socketOnEnd)"));
});

test('a listener written inline in an assignment inside the call (this repository\'s example/app.js)', () => {
  const src = readFileSync(join(ROOT, 'example/app.js'), 'utf8');
  const at = positionOf(src, '(theme) => this.restyle(theme)');
  const sites = findReferenceSites(src, { kind: 'listener', api: 'emitter', event: 'theme', listenerName: 'onTheme', listenerAt: at });
  assert.equal(sites[0]?.line, lineOf(src, "settings.on('theme', this.onTheme = "));
});

test('an inline AbortSignal listener in glob (an ES module): the addEventListener call whose function is at the heap\'s position', () => {
  const src = library('glob/dist/esm/walker.js');
  const at = functionAt(src, "this.signal.addEventListener('abort', ");
  const sites = findReferenceSites(src, { kind: 'listener', api: 'event-target', event: 'abort', listenerName: '', listenerAt: at });
  assert.equal(sites[0]?.line, lineOf(src, "this.signal.addEventListener('abort'"));
  assert.match(sites[0].text, /addEventListener\('abort'/);
});

test('a Set entry in ws\'s server: this.clients.add inside WebSocketServer', () => {
  const src = library('ws/lib/websocket-server.js');
  assert.equal(lines(src, { kind: 'entry', collection: 'set', holderName: 'clients', ownerClass: 'WebSocketServer' })[0], lineOf(src, 'this.clients.add(ws)'));
  // A Map's .set is not a Set's .add.
  assert.ok(!lines(src, { kind: 'entry', collection: 'map', holderName: 'clients' }).includes(lineOf(src, 'this.clients.add(ws)')));
});

test('a plain object used as a registry in chrome-remote-interface: this._callbacks[id] = callback', () => {
  const src = library('chrome-remote-interface/lib/chrome.js');
  assert.equal(lines(src, { kind: 'property', name: '17', holderName: '_callbacks' })[0], lineOf(src, 'this._callbacks[id] = callback'));
});

test('a back-reference in commander: the cmd.parent = this assignments, not the constructor\'s parent = null', () => {
  const src = library('commander/lib/command.js');
  const found = lines(src, { kind: 'property', name: 'parent', ownerClass: 'Command' });
  const first = lineOf(src, 'cmd.parent = this;');
  assert.deepEqual(found.slice(0, 2).sort((a, b) => a - b), [first, lineOf(src, 'cmd.parent = this;', first)]);
  assert.ok(!found.includes(lineOf(src, 'this.parent = null;')), 'clearing a reference does not create it');
});

test('a timer in lru-cache (an ES module): the setTimeout whose callback is the heap\'s function', () => {
  const src = library('path-scurry/node_modules/lru-cache/dist/esm/node/index.js');
  const sites = findReferenceSites(src, { kind: 'timer', callbackName: '', callbackAt: positionOf(src, '() => (cachedNow = 0)') });
  assert.equal(sites[0].line, lineOf(src, 'setTimeout(() => (cachedNow = 0)'));
  assert.ok(sites[0].score > (sites[1]?.score ?? 0), 'the matching timer ranks above the others');
});

test('scripts, ES modules and hashbang files parse; a syntax error or TypeScript gives no sites and no exception', () => {
  assert.ok(ScriptIndex.parse(library('js-yaml/bin/js-yaml.mjs')), 'a hashbang ES module');
  assert.ok(ScriptIndex.parse(library('acorn/bin/acorn')), 'a hashbang script');
  assert.ok(ScriptIndex.parse('return module.exports;'), 'a CommonJS body with a top-level return');
  assert.equal(ScriptIndex.parse('class A { x: number = 1 }'), null);
  assert.deepEqual(findReferenceSites('socket.on("close", f', { kind: 'listener', api: 'emitter', listenerName: 'f' }), []);
});

test('sentences name the mapped line: whole `file:line` tokens only, hostile URLs taken literally', () => {
  const mapped = (url: string, line: number, generated: { url: string; line: number; column: number }) =>
    ({ url, line, column: 1, generated }) as SourceLocation;
  const listener = { id: 2, type: 'closure', name: 'onTick', location: mapped('/app/src/widget.ts', 12, { url: '/app/out/widget.js', line: 14, column: 3 }) };
  const hostile = { id: 3, type: 'object', name: 'X', location: mapped('/app/src/(a|b).ts', 5, { url: '/app/out/(a|b).js', line: 9, column: 1 }) };
  const emitter = { id: 1, type: 'object', name: 'EventEmitter', location: null };
  const report = {
    object: { ...listener, selfSize: 1, retainedSize: 1, distance: 3, heldBy: 'program' as const },
    paths: [{ steps: [{ from: emitter, edge: { type: 'property', name: 'tick' }, to: listener }, { from: listener, edge: { type: 'context', name: 'x' }, to: hostile }],
      suggestion: { step: 0, kind: 'remove-listener' as const, fix: 'see out/widget.js:14 and out/widget.js:140', reason: 'onTick() (out/widget.js:14) and X (out/(a|b).js:9); not xout/widget.js:14' } }],
    cycles: [], componentSize: 1, hiddenCycles: 0, heldOnlyBySystem: false, notes: [],
  } as RetentionReport;
  mapSentenceLocations(report);
  const s = report.paths[0].suggestion!;
  assert.equal(s.reason, 'onTick() (src/widget.ts:12) and X (src/(a|b).ts:5); not xout/widget.js:14');
  assert.equal(s.fix, 'see src/widget.ts:12 and out/widget.js:140');
});
