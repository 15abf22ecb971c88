/**
 * The capture layer's pure parts: inspector addresses, the slow-Node note, the streaming size estimate, and finding
 * a script's source map reference. (Everything that talks to a target is in test/integration.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInspectAddress, slowSnapshotWarning } from '../../src/cdp/connect';
import { estimateSnapshotBytes } from '../../src/cdp/capture';
import { CaptureError } from '../../src/cdp/errors';
import { findSourceMappingUrl } from '../../src/node/sourceMaps';
import { toFilePath } from '../../src/node/filePaths';

test('inspector addresses: HOST:PORT, PORT, [v6]:PORT and ws:// URLs; anything else is a usage sentence', () => {
  assert.deepEqual(parseInspectAddress('127.0.0.1:9229'), { host: '127.0.0.1', port: 9229 });
  assert.deepEqual(parseInspectAddress('9230'), { host: '127.0.0.1', port: 9230 });
  assert.deepEqual(parseInspectAddress(' localhost:1 '), { host: 'localhost', port: 1 });
  assert.deepEqual(parseInspectAddress('[::1]:9229'), { host: '::1', port: 9229 });
  assert.deepEqual(parseInspectAddress('ws://127.0.0.1:9229/0f2c'), { webSocketUrl: 'ws://127.0.0.1:9229/0f2c', display: '127.0.0.1:9229' });
  for (const bad of ['', 'host:', 'host:0', 'host:70000', 'host:12ab', 'ws://', 'http//x']) {
    assert.throws(() => parseInspectAddress(bad), (e: unknown) => e instanceof CaptureError && e.code === 'usage' && /inspector address|WebSocket URL/.test(e.message), bad);
  }
});

test('the slow-snapshot note names the Node version and appears only below Node 22', () => {
  assert.match(slowSnapshotWarning('v20.20.2', '11.3.244.8') ?? '', /^The target runs Node v20\.20\.2 \(V8 11\.3\), whose heap snapshots .* Node 22 or later/);
  assert.match(slowSnapshotWarning('v18.0.0') ?? '', /Node v18\.0\.0/);
  assert.equal(slowSnapshotWarning('v22.23.0', '12.4'), null);
  assert.equal(slowSnapshotWarning('v24.21.0'), null);
  assert.equal(slowSnapshotWarning('not a version'), null);
});

test('the streaming size estimate comes from the header counts', () => {
  // Header counts and size of a real Node 20 snapshot of the benchmark's tree (1,041,607 nodes, 109,059,574 bytes).
  const header = '{"snapshot":{"meta":{"node_fields":["type"]},"node_count":1041607,"edge_count":5012934,"trace_function_count":0},"nodes":[';
  const estimate = estimateSnapshotBytes(header);
  assert.ok(Math.abs(estimate - 109059574) / 109059574 < 0.05, `${estimate}`);
  assert.equal(estimateSnapshotBytes('{"snapshot":{"meta":'), 0);
});

test('source map references: the last comment wins, data: URLs and paths, none when absent', () => {
  assert.equal(findSourceMappingUrl('x\n//# sourceMappingURL=app.js.map\n'), 'app.js.map');
  assert.equal(findSourceMappingUrl('x\n//# sourceMappingURL=old.map\ny\n//# sourceMappingURL=new.map'), 'new.map');
  assert.equal(findSourceMappingUrl('x\n/*# sourceMappingURL=style.css.map */'), 'style.css.map');
  assert.equal(findSourceMappingUrl('x\n//@ sourceMappingURL=data:application/json;base64,e30='), 'data:application/json;base64,e30=');
  assert.equal(findSourceMappingUrl('const s = "no map here";'), null);
  assert.equal(toFilePath('file:///tmp/a.js'), '/tmp/a.js');
  assert.equal(toFilePath('/tmp/a.js'), '/tmp/a.js');
  assert.equal(toFilePath('node:internal/timers'), null);
  assert.equal(toFilePath('//server/share/a.js'), null);
  assert.equal(toFilePath('https://example.test/a.js'), null);
});
