/**
 * One CDP connection to a Node target: either a plain `node --inspect` endpoint or js-debug's CDP proxy (which shares
 * the debugger's own session: we subscribe to the events we need and never disable a domain on it).
 *
 * Every failure ends in a CaptureError whose message is one sentence a user can act on, within seconds: nothing
 * listening, something that is not an inspector, an endpoint that does not answer, a target that exits.
 */
import CDP from 'chrome-remote-interface';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping';
import type Protocol from 'devtools-protocol';
import * as http from 'node:http';
import type { Disposable } from '../shared/disposables';
import { CaptureError } from './errors';

/** Where to connect. */
export type Endpoint =
  /** A `node --inspect` endpoint: "HOST:PORT", "PORT", or the "ws://..." URL it printed. */
  | { kind: 'inspector'; address: string }
  /** What `extension.js-debug.requestCDPProxy` returned for a debug session. */
  | { kind: 'proxy'; host: string; port: number; path: string };

export interface ConnectOptions {
  /** How long the endpoint may take to answer each step of connecting. Default 5000 ms. */
  timeoutMs?: number;
  /** Extra events to subscribe to through js-debug's proxy (HeapProfiler and Debugger pause events always are). */
  events?: string[];
}

export interface TargetInfo {
  /** `process.version` of the target ("v20.20.2"), or null when it could not be read. */
  nodeVersion: string | null;
  /** V8 version of the target, or null. */
  v8Version: string | null;
  /** A sentence worth showing when the target's Node takes heap snapshots slowly; null otherwise. */
  warning: string | null;
  /** The WebSocket URL connected to. */
  webSocketUrl: string;
  /** What /json/list called the target (its script path), when known. */
  title?: string;
}

export interface ScriptInfo {
  url: string;
  sourceMapURL?: string;
}

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;
export type CommandName = keyof Commands;
export type CommandParams<M extends CommandName> = Commands[M]['paramsType'][0];
export type CommandResult<M extends CommandName> = Commands[M]['returnType'];
export type EventName = keyof Events;
export type EventParams<E extends EventName> = Events[E] extends [infer P] ? P : undefined;

export interface SendOptions {
  /** Fail with a timeout sentence if no answer comes within this many ms (default: wait as long as it takes). */
  timeoutMs?: number;
}

/** The events the capture layer needs; js-debug's proxy forwards nothing it was not asked for. */
const PROXY_EVENTS = [
  'HeapProfiler.*',
  'Debugger.paused',
  'Debugger.resumed',
  'Debugger.scriptParsed',
];

const DEFAULT_TIMEOUT_MS = 5000;

/** Node majors whose V8 builds heap snapshots far more slowly on programs that load large scripts. */
const SLOW_SNAPSHOT_BELOW_MAJOR = 22;

export class CdpConnection {
  /** The debuggee's pause state as this connection saw it (replayed by `Debugger.enable`), or null when running. */
  paused: Protocol.Debugger.PausedEvent | null = null;
  /** Scripts this connection was told about (`Debugger.scriptParsed`); a proxy does not replay them, so may be partial. */
  readonly scripts = new Map<string, ScriptInfo>();
  target: TargetInfo;

  /** When the target last said anything (an event or an answer), in ms since the epoch; for stall detection. */
  lastHeard = Date.now();
  /** Commands sent and not yet answered. */
  inFlight = 0;

  private isClosed = false;
  private closedByUs = false;
  private readonly closeHandlers = new Set<() => void>();

  private constructor(
    private readonly client: CDP.Client,
    readonly endpoint: Endpoint,
    /** "127.0.0.1:9229" or "js-debug's CDP proxy at 127.0.0.1:41234", for sentences. */
    readonly description: string,
    webSocketUrl: string,
    title: string | undefined,
  ) {
    this.target = { nodeVersion: null, v8Version: null, warning: null, webSocketUrl, title };
    client.on('disconnect', () => this.markClosed());
    client.on('event', () => { this.lastHeard = Date.now(); });
    const on = client.on.bind(client) as unknown as (event: string, handler: (p: never) => void) => void;
    on('Debugger.paused', (p: Protocol.Debugger.PausedEvent) => { this.paused = p; });
    on('Debugger.resumed', () => { this.paused = null; });
    on('Debugger.scriptParsed', (p: Protocol.Debugger.ScriptParsedEvent) => {
      if (p.url) this.scripts.set(p.scriptId, { url: p.url, sourceMapURL: p.sourceMapURL || undefined });
    });
  }

  /** True when connected through js-debug's proxy (a session shared with the debugger). */
  get viaProxy(): boolean {
    return this.endpoint.kind === 'proxy';
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The sentence for "the other side went away", worded for the kind of endpoint. */
  get goneSentence(): string {
    return this.viaProxy ? 'The debug session ended' : 'The target process exited';
  }

  /** Sends a typed CDP command. Errors are CaptureErrors that name the method. */
  send<M extends CommandName>(method: M, params?: CommandParams<M>, options?: SendOptions): Promise<CommandResult<M>> {
    return this.sendRaw(method, params, options) as Promise<CommandResult<M>>;
  }

  /** Sends a command the protocol typings do not know (js-debug's `JsDebug.*`). */
  sendRaw(method: string, params?: object, options?: SendOptions): Promise<unknown> {
    // The caller's stack, taken now (as js-debug's connection does): an error made later, in a socket callback or a
    // timer, would otherwise point at the socket, not at the code that sent the command.
    const caller: { stack?: string } = {};
    // eslint-disable-next-line @typescript-eslint/unbound-method -- only the function's identity is used, to cut the stack there
    Error.captureStackTrace(caller, CdpConnection.prototype.sendRaw);
    const withCallerStack = <E>(e: E): E => {
      if (e instanceof Error && caller.stack) e.stack = `${e.name}: ${e.message}${caller.stack.slice(caller.stack.indexOf('\n'))}`;
      return e;
    };
    if (this.isClosed) {
      return Promise.reject(withCallerStack(new CaptureError('target-exited', `${this.goneSentence} before ${method} could be sent.`, { method })));
    }
    if (this.inFlight++ === 0) this.lastHeard = Date.now();
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const offClose = this.onClose(() => finish(new CaptureError('target-exited', `${this.goneSentence} while waiting for ${method}.`, { method })));
      const finish = (err: Error | undefined, value?: unknown) => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        this.lastHeard = Date.now();
        offClose.dispose();
        if (timer) clearTimeout(timer);
        if (err) reject(withCallerStack(err));
        else resolve(value);
      };
      if (options?.timeoutMs !== undefined) {
        timer = setTimeout(() => finish(new CaptureError('timeout',
          `${capitalise(this.description)} did not answer ${method} within ${seconds(options.timeoutMs!)}.${this.viaProxy ? ''
            : ' The program is busy (another tool taking a heap snapshot, or a long synchronous task) or stopped; retry when it is free.'}`,
          { method })), options.timeoutMs);
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: the typings' overloads take only known method names
      (this.client.send as (m: string, p?: object) => Promise<unknown>)(method, params).then(
        (value) => finish(undefined, value),
        (e: unknown) => finish(this.translate(method, e)),
      );
    });
  }

  /** Subscribes to a typed event until disposed. */
  on<E extends EventName>(event: E, handler: (params: EventParams<E>) => void): Disposable {
    const listener = handler as (...args: unknown[]) => void;
    const emitter = this.client as unknown as NodeJS.EventEmitter;
    emitter.on(event, listener);
    return { dispose: () => { emitter.removeListener(event, listener); } };
  }

  /** Called once when the connection closes for any reason (the target exited, or `close()`). */
  onClose(handler: () => void): Disposable {
    if (this.isClosed) {
      queueMicrotask(handler);
      return { dispose: () => {} };
    }
    this.closeHandlers.add(handler);
    return { dispose: () => { this.closeHandlers.delete(handler); } };
  }

  /** True when the close was ours (`close()`), not the target's. */
  get closedByCaller(): boolean {
    return this.closedByUs;
  }

  /** Detaches. The target keeps running; nothing of ours stays in it (object groups are released by their owners). */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.closedByUs = true;
    let closed = false;
    try {
      await withTimeout(this.client.close().then(() => { closed = true; }), 2000);
    } catch {
      // The socket is gone either way.
    }
    // A stopped target never answers the close handshake; the socket would hold the process for ws's 30 s.
    if (!closed) (this.client as unknown as { _ws?: { terminate?: () => void } })._ws?.terminate?.();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const h of [...this.closeHandlers]) {
      try { h(); } catch { /* a handler's failure must not stop the others */ }
    }
    this.closeHandlers.clear();
  }

  private translate(method: string, e: unknown): CaptureError {
    if (e instanceof CaptureError) return e;
    const err = e as { message?: string; response?: { message?: string; data?: string; code?: number } };
    // The target is exiting: its context is gone before its socket closes.
    if (err?.response?.message && /^(Cannot find context with specified id|Execution context was destroyed|Cannot find default execution context|Inspected target navigated or closed)/.test(err.response.message)) {
      return new CaptureError('target-exited', `${this.goneSentence} while waiting for ${method}.`, { method, cause: e });
    }
    if (err && err.response && typeof err.response.message === 'string') {
      const detail = err.response.data ? `${err.response.message} (${err.response.data})` : err.response.message;
      return new CaptureError('protocol', `${method} failed: ${detail}.`, { method, cause: e });
    }
    if (this.isClosed || /WebSocket (connection )?(is )?(not open|closed)/i.test(err?.message ?? '')) {
      return new CaptureError('target-exited', `${this.goneSentence} while waiting for ${method}.`, { method, cause: e });
    }
    return new CaptureError('protocol', `${method} failed: ${err?.message ?? String(e)}.`, { method, cause: e });
  }

  /** Internal: the connect sequence after the socket is open. */
  static async open(endpoint: Endpoint, options: ConnectOptions = {}): Promise<CdpConnection> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let webSocketUrl: string;
    let description: string;
    let title: string | undefined;
    if (endpoint.kind === 'proxy') {
      const path = endpoint.path.startsWith('/') ? endpoint.path : `/${endpoint.path}`;
      webSocketUrl = `ws://${hostForUrl(endpoint.host)}:${endpoint.port}${path}`;
      description = `js-debug's CDP proxy at ${endpoint.host}:${endpoint.port}`;
    } else {
      const address = parseInspectAddress(endpoint.address);
      if ('webSocketUrl' in address) {
        webSocketUrl = address.webSocketUrl;
        description = address.display;
      } else {
        description = `${address.host}:${address.port}`;
        const found = await discoverTarget(address.host, address.port, timeoutMs);
        webSocketUrl = found.webSocketUrl;
        title = found.title;
      }
    }

    const client = await openSocket(webSocketUrl, description, endpoint.kind === 'proxy', timeoutMs);
    const conn = new CdpConnection(client, endpoint, description, webSocketUrl, title);
    try {
      if (endpoint.kind === 'proxy') {
        await conn.sendRaw('JsDebug.subscribe', { events: [...PROXY_EVENTS, ...(options.events ?? [])] }, { timeoutMs });
      }
      await conn.readTargetVersion(timeoutMs);
      // Debugger.enable replays the current pause (call frames) and, on a plain inspector, every parsed script.
      // Through the proxy the domain is already enabled by js-debug; enabling again is harmless, disabling never is.
      await conn.send('Debugger.enable', {}, { timeoutMs: Math.max(timeoutMs, 30_000) });
      if (endpoint.kind === 'inspector') {
        // Our own session must not make `debugger;` statements stop the program while we are attached.
        await conn.send('Debugger.setSkipAllPauses', { skip: true }, { timeoutMs });
      }
      await conn.send('HeapProfiler.enable', undefined, { timeoutMs });
    } catch (e) {
      await conn.close();
      throw e;
    }
    return conn;
  }

  private async readTargetVersion(timeoutMs: number): Promise<void> {
    // A side-effect-free read, returned by value so no handle stays behind.
    const r = await this.send('Runtime.evaluate', {
      expression: "typeof process === 'object' && process && process.versions ? [process.version, process.versions.v8] : null",
      returnByValue: true,
      silent: true,
      includeCommandLineAPI: false,
    }, { timeoutMs });
    const value = r.result?.value as [string, string] | null | undefined;
    if (Array.isArray(value)) {
      this.target.nodeVersion = String(value[0]);
      this.target.v8Version = String(value[1]);
      this.target.warning = slowSnapshotWarning(this.target.nodeVersion, this.target.v8Version);
    }
  }
}

/** Connects to a Node target. Throws a CaptureError with a one-sentence message on any failure. */
export function connect(endpoint: Endpoint, options?: ConnectOptions): Promise<CdpConnection> {
  return CdpConnection.open(endpoint, options);
}

/** A sentence when the target's Node version is known to snapshot slowly, else null. */
export function slowSnapshotWarning(nodeVersion: string, v8Version?: string | null): string | null {
  const m = /^v?(\d+)\./.exec(nodeVersion);
  if (!m) return null;
  const major = Number(m[1]);
  if (major >= SLOW_SNAPSHOT_BELOW_MAJOR) return null;
  const v8 = v8Version ? ` (V8 ${v8Version.split('.').slice(0, 2).join('.')})` : '';
  return `The target runs Node ${nodeVersion}${v8}, whose heap snapshots of programs that load large scripts can take ` +
    `minutes; Node ${SLOW_SNAPSHOT_BELOW_MAJOR} or later takes them many times faster.`;
}

export type InspectAddress =
  | { host: string; port: number }
  | { webSocketUrl: string; display: string };

/** Parses "HOST:PORT", "PORT", "[::1]:PORT" or a ws:// URL. Throws a usage CaptureError otherwise. */
export function parseInspectAddress(input: string): InspectAddress {
  const s = input.trim();
  if (/^wss?:\/\//i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new CaptureError('usage', `"${input}" is not a valid WebSocket URL; give HOST:PORT or the ws://... URL that node --inspect printed.`);
    }
    return { webSocketUrl: s, display: url.host };
  }
  let host = '127.0.0.1';
  let portText = s;
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (bracket) {
    host = bracket[1];
    portText = bracket[2];
  } else if (s.includes(':')) {
    const i = s.lastIndexOf(':');
    host = s.slice(0, i) || host;
    portText = s.slice(i + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new CaptureError('usage', `"${input}" is not an inspector address; give HOST:PORT (as in --inspect=127.0.0.1:9229) or a ws:// URL.`);
  }
  return { host, port };
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

interface DiscoveredTarget { webSocketUrl: string; title?: string }

/** GET /json/list on the inspector's HTTP port, with sentences for everything that is not a Node inspector. */
function discoverTarget(host: string, port: number, timeoutMs: number): Promise<DiscoveredTarget> {
  const where = `${host}:${port}`;
  const notInspector = (why: string) => new CaptureError('not-inspector',
    `${where} is not a Node inspector (${why}); check the port that node --inspect printed ("Debugger listening on ws://...").`);
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (e: CaptureError) => { if (!done) { done = true; req.destroy(); reject(e); } };
    const req = http.get({ host, port, path: '/json/list', timeout: timeoutMs, headers: { host: 'localhost' } }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > 1 << 20) fail(notInspector('its answer to GET /json/list is far too large'));
        else parts.push(d);
      });
      res.on('error', () => fail(notInspector('it dropped the connection')));
      res.on('end', () => {
        if (done) return;
        if (res.statusCode !== 200) return fail(notInspector(`GET /json/list answered HTTP ${res.statusCode}`));
        let list: unknown;
        try {
          list = JSON.parse(Buffer.concat(parts).toString('utf8'));
        } catch {
          return fail(notInspector('GET /json/list did not answer JSON'));
        }
        if (!Array.isArray(list)) return fail(notInspector('GET /json/list did not answer a list of targets'));
        const targets = list.filter((t): t is { webSocketDebuggerUrl: string; type?: string; title?: string } =>
          !!t && typeof t === 'object' && typeof (t as { webSocketDebuggerUrl?: unknown }).webSocketDebuggerUrl === 'string');
        if (targets.length === 0) {
          return fail(new CaptureError('not-inspector', list.length === 0
            ? `The inspector at ${where} lists no target to attach to; the program may be exiting.`
            : `The inspector at ${where} lists no target that accepts a debugger connection (another debugger may hold it).`));
        }
        const t = targets.find((x) => x.type === 'node') ?? targets[0];
        // Connect where the user pointed, even if the target reports another interface (0.0.0.0, a container name).
        let ws = t.webSocketDebuggerUrl;
        try {
          const u = new URL(ws);
          u.hostname = host.includes(':') ? `[${host}]` : host;
          u.port = String(port);
          ws = u.toString();
        } catch {
          return fail(notInspector('its target list has an invalid WebSocket URL'));
        }
        done = true;
        resolve({ webSocketUrl: ws, title: typeof t.title === 'string' ? t.title : undefined });
      });
    });
    req.on('timeout', () => fail(new CaptureError('timeout',
      `${where} accepted the connection but did not answer GET /json/list within ${seconds(timeoutMs)}; is it a Node inspector?`)));
    req.on('error', (e: NodeJS.ErrnoException) => fail(socketError(e, where, 'GET /json/list')));
  });
}

function socketError(e: NodeJS.ErrnoException, where: string, what: string): CaptureError {
  switch (e.code) {
    case 'ECONNREFUSED':
      return new CaptureError('refused',
        `Nothing is listening at ${where} (connection refused); start the program with --inspect=${where} or check the port.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CaptureError('refused', `The host in ${where} could not be found; use 127.0.0.1 and the inspector's port.`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new CaptureError('not-inspector', `${where} closed the connection during ${what}; it is not a Node inspector, or the program is exiting.`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new CaptureError('timeout', `${where} cannot be reached (${e.code}); check the address.`);
    default:
      if (e.code && e.code.startsWith('HPE_')) {
        return new CaptureError('not-inspector', `${where} does not speak HTTP, so it is not a Node inspector; check the port that node --inspect printed.`);
      }
      return new CaptureError('protocol', `${what} to ${where} failed: ${e.message}.`);
  }
}

/** Opens the WebSocket with chrome-remote-interface, bounded by a timeout, with sentences for each failure. */
async function openSocket(url: string, description: string, viaProxy: boolean, timeoutMs: number): Promise<CDP.Client> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const pending = CDP({ target: url, local: true });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new CaptureError('timeout', `${capitalise(description)} did not accept a WebSocket connection within ${seconds(timeoutMs)}.`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    const err = e as NodeJS.ErrnoException;
    const status = /Unexpected server response: (\d+)/.exec(err.message ?? '');
    if (status) {
      throw new CaptureError('not-inspector', viaProxy
        ? `${capitalise(description)} refused the WebSocket connection (HTTP ${status[1]}); the debug session may have ended.`
        : `${capitalise(description)} has no debug target at ${url} (HTTP ${status[1]}); the URL changes each time the program starts, so use HOST:PORT or the URL it printed last.`);
    }
    if (err.code) throw socketError(err, description, 'the WebSocket connection');
    throw new CaptureError('not-inspector', `${capitalise(description)} did not accept a DevTools connection: ${err.message}.`);
  } finally {
    if (timer) clearTimeout(timer);
    if (timedOut) pending.then((c) => c.close()).catch(() => {});
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(String(e))); });
  });
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
