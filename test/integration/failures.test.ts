/**
 * What a user meets when the other side is wrong: nothing listening, an HTTP server that is not an inspector,
 * something that is not HTTP, an endpoint that never answers, a stale ws:// URL, and the target killed while its
 * snapshot streams. Each ends in one sentence within seconds, a non-zero exit, and no hang.
 *
 * The servers here are real sockets on 127.0.0.1 that the test opens; the "silent proxy" is a real WebSocket server
 * that accepts and never answers, standing in for a js-debug proxy that hangs (a fault we cannot cause in js-debug).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/cdp/connect';
import { CaptureService } from '../../src/cdp/capture';
import { CaptureError } from '../../src/cdp/errors';
import { FIXTURES, runCli, startTarget } from './targets';

const APP = join(FIXTURES, 'live-app.js');

const openSockets = new WeakMap<net.Server, Set<net.Socket>>();

function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  openSockets.set(server, sockets);
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** Stops listening and drops every connection (a half-closed one would keep `close` waiting). */
function close(server: net.Server): Promise<void> {
  for (const s of openSockets.get(server) ?? []) s.destroy();
  server.close();
  return new Promise((resolve) => setImmediate(resolve));
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await close(s);
  return port;
}

async function expectCaptureError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CaptureError, `expected a CaptureError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('a refused port: one sentence, exit 1', async () => {
  const port = await freePort();
  const r = await runCli(['capture', '--inspect', `127.0.0.1:${port}`, '--expression', 'x'], { timeoutMs: 15_000 });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `Nothing is listening at 127.0.0.1:${port} (connection refused); start the program with --inspect=127.0.0.1:${port} or check the port.`);
  assert.equal(r.stdout, '');
  await expectCaptureError(connect({ kind: 'inspector', address: `ws://127.0.0.1:${port}/abc` }), 'refused', /Nothing is listening at 127\.0\.0\.1:\d+/);
});

test('an HTTP server that is not an inspector: one sentence, exit 1', async (t) => {
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/json/list' ? 404 : 200, { 'content-type': 'text/html' });
    res.end('<h1>my web app</h1>');
  });
  const port = await listen(server);
  t.after(() => close(server));
  const r = await runCli(['capture', '--inspect', `127.0.0.1:${port}`, '--expression', 'x'], { timeoutMs: 15_000 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^127\\.0\\.0\\.1:${port} is not a Node inspector \\(GET /json/list answered HTTP 404\\); check the port that node --inspect printed`));
  assert.equal(r.stderr.trim().split('\n').length, 1);

  // The same server answering 200 with HTML, and a ws:// URL pointed at it.
  const html = http.createServer((_req, res) => { res.end('<!doctype html><p>hello</p>'); });
  const htmlPort = await listen(html);
  t.after(() => close(html));
  await expectCaptureError(connect({ kind: 'inspector', address: `127.0.0.1:${htmlPort}` }), 'not-inspector', /GET \/json\/list did not answer JSON/);
  await expectCaptureError(connect({ kind: 'inspector', address: `ws://127.0.0.1:${htmlPort}/1234` }), 'not-inspector', /has no debug target at ws:\/\/.*\(HTTP 200\)/);
});

test('a port that does not speak HTTP, and one that never answers: a sentence within seconds', async (t) => {
  const garbage = net.createServer((socket) => { socket.end('SSH-2.0-OpenSSH_9.2\r\n'); });
  const garbagePort = await listen(garbage);
  t.after(() => close(garbage));
  await expectCaptureError(connect({ kind: 'inspector', address: `127.0.0.1:${garbagePort}` }), 'not-inspector',
    /is not a Node inspector|does not speak HTTP|closed the connection/);

  const silent = net.createServer(() => { /* accepts, never answers */ });
  const silentPort = await listen(silent);
  t.after(() => close(silent));
  const started = Date.now();
  const r = await runCli(['capture', '--inspect', `127.0.0.1:${silentPort}`, '--expression', 'x', '--timeout', '1000'], { timeoutMs: 15_000 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${silentPort} accepted the connection but did not answer GET /json/list within 1 s; is it a Node inspector\\?`));
  assert.ok(Date.now() - started < 10_000);
});

test('a CDP proxy that accepts the WebSocket but never answers: a timeout sentence naming the method', async (t) => {
  // ws ships with chrome-remote-interface; a real WebSocket server that never replies.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ws has no types of its own here
  const { Server } = require('ws') as { Server: new (o: { port: number; host: string }) => { on(e: string, f: (...a: unknown[]) => void): void; close(cb: () => void): void; clients: Set<{ terminate(): void }> } };
  const port = await freePort();
  const wss = new Server({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.on('listening', () => resolve()));
  t.after(() => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()); }));
  const started = Date.now();
  await expectCaptureError(connect({ kind: 'proxy', host: '127.0.0.1', port, path: '/session-1' }, { timeoutMs: 1500 }),
    'timeout', new RegExp(`^Js-debug's CDP proxy at 127\\.0\\.0\\.1:${port} did not answer JsDebug\\.subscribe within 1\\.5 s\\.$`));
  assert.ok(Date.now() - started < 5000);
});

test('a stale ws:// URL of a running inspector: a sentence that says why', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const stale = target.webSocketUrl.replace(/[0-9a-f-]{36}$/, '00000000-0000-0000-0000-000000000000');
  const r = await runCli(['capture', '--inspect', stale, '--expression', 'app'], { timeoutMs: 15_000 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /has no debug target at ws:\/\/127\.0\.0\.1:\d+\/0{8}-.*; the URL changes each time the program starts/);
});

test('the target killed while its snapshot streams: the CLI ends with a sentence and exit 1, leaving no file', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  await target.command('grow 60');
  const dir = mkdtempSync(join(tmpdir(), 'retention-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.heapsnapshot');
  // The CLI writes a temporary file of its own beside the target (app.heapsnapshot.<pid>-<random>.part).
  const partials = () => readdirSync(dir).filter((f) => f.endsWith('.part')).map((f) => join(dir, f));
  // Kill the target as soon as the CLI has started writing the streamed snapshot.
  let killed = false;
  const poll = setInterval(() => {
    const partial = partials()[0];
    if (!killed && partial && existsSync(partial) && statSync(partial).size > 0) {
      killed = true;
      void target.kill();
    }
  }, 5);
  try {
    const r = await runCli(['capture', '--inspect', target.address, '--expression', 'app.root', '--save', file], { timeoutMs: 120_000 });
    assert.ok(killed, `the snapshot was not caught streaming; stderr: ${r.stderr}`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The target process exited while the snapshot was being taken \(\d+(\.\d)? [KM]B received\)\. Start it again and retry\./);
    assert.equal(existsSync(file), false, 'no snapshot file is claimed');
    assert.deepEqual(partials(), [], 'the partial file is removed');
  } finally {
    clearInterval(poll);
  }
});

test('the target killed mid-stream through the API: a target-exited sentence, and later calls fail fast', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  await target.command('grow 40');
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  const service = new CaptureService(conn);
  let killing = false;
  await expectCaptureError(service.takeSnapshot({
    onProgress: (p) => {
      if (p.phase === 'streaming' && !killing) { killing = true; void target.kill(); }
    },
  }), 'target-exited', /^The target process exited while the snapshot was being taken \(.+ received\)\. Start it again and retry\.$/);
  await expectCaptureError(service.takeSnapshot(), 'target-exited', /^The target process exited; start it again with --inspect and attach to capture\.$/);
  await service.dispose();
});

test('a failed CDP command rejects with the stack of the code that sent it, not of the socket', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  const conn = await connect({ kind: 'inspector', address: target.address });
  t.after(() => conn.close());
  // A real protocol error: V8 answers that no such object exists.
  async function askForAnObjectThatIsNotThere(): Promise<unknown> {
    return conn.send('Runtime.getProperties', { objectId: '{"injectedScriptId":999,"id":999}' });
  }
  const error = await askForAnObjectThatIsNotThere().then(() => null, (e: unknown) => e);
  assert.ok(error instanceof CaptureError, `a CaptureError, not ${String(error)}`);
  assert.match(error.message, /^Runtime\.getProperties failed: /);
  assert.match(error.stack ?? '', /askForAnObjectThatIsNotThere/, `the stack names the caller:\n${error.stack}`);
  assert.doesNotMatch(error.stack ?? '', /node_modules[\\/](ws|chrome-remote-interface)/, 'and not the socket');
});

test('Ctrl-C while the snapshot streams: exit 130 at once, no file left, the target keeps running', async (t) => {
  const target = await startTarget(APP);
  t.after(() => target.kill());
  await target.command('grow 30');
  const dir = mkdtempSync(join(tmpdir(), 'retention-int-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.heapsnapshot');
  const partials = () => readdirSync(dir).filter((f) => f.endsWith('.part')).map((f) => join(dir, f));
  let cli: ChildProcess | undefined;
  let interrupted = false;
  const poll = setInterval(() => {
    const partial = partials()[0];
    if (!interrupted && cli && partial && existsSync(partial) && statSync(partial).size > 0) {
      interrupted = true;
      cli.kill('SIGINT');
    }
  }, 5);
  try {
    const r = await runCli(['capture', '--inspect', target.address, '--expression', 'app.root', '--save', file], {
      timeoutMs: 120_000, onSpawn: (p) => { cli = p; },
    });
    assert.ok(interrupted, `the snapshot was not caught streaming; stderr: ${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /Interrupted; the target is unchanged\./);
    assert.equal(existsSync(file), false);
    assert.deepEqual(partials(), []);
  } finally {
    clearInterval(poll);
  }
  // The target finished its snapshot into the closed session and runs on; a new capture works.
  assert.match(await target.command('gc'), /gc/);
  const again = await runCli(['capture', '--inspect', target.address, '--expression', 'app.sessions', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { object: { name: string } }).object.name, 'Map');
});

test('usage errors exit 2 with the usage', async () => {
  const cases: [string[], RegExp][] = [
    [['capture', '--expression', 'x'], /Say where the program listens: --inspect HOST:PORT/],
    [['capture', '--inspect', '127.0.0.1:9229'], /Say which object to examine: --expression EXPR/],
    [['capture', '--inspect', 'localhost:notaport', '--expression', 'x'], /"localhost:notaport" is not an inspector address/],
    [['capture', '--inspect', '127.0.0.1:9229', '--expression', 'x', '--frame', '-1'], /--frame must be a whole number/],
    [['capture', '--inspect', '127.0.0.1:9229', '--expression', 'x', '--bogus'], /Unknown option --bogus/],
  ];
  // A --save path that cannot be written fails before attaching (exit 1, nothing listens at that port anyway).
  const unwritable = await runCli(['capture', '--inspect', '127.0.0.1:9', '--expression', 'x', '--save', '/nonexistent-dir/x.heapsnapshot'], { timeoutMs: 15_000 });
  assert.equal(unwritable.code, 1);
  assert.equal(unwritable.stderr.trim(), 'Cannot save to /nonexistent-dir/x.heapsnapshot: the folder /nonexistent-dir does not exist; nothing was saved. Choose another path and retry.');
  for (const [args, message] of cases) {
    const r = await runCli(args, { timeoutMs: 15_000 });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: retention capture/);
  }
});
