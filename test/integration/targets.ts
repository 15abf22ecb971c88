/**
 * Real targets for the integration tests: Node processes started with `--inspect=127.0.0.1:0`, their inspector URL
 * read from the "Debugger listening on ws://..." line, driven over stdin. Every process started here is killed by
 * `kill()`, which each test calls in `t.after` or `finally`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';

/** The repository root (tests run from out/test/integration). */
export const ROOT = resolve(__dirname, '../../..');
export const FIXTURES = join(ROOT, 'test/fixtures');

export interface Target {
  proc: ChildProcess;
  /** "ws://127.0.0.1:PORT/UUID" */
  webSocketUrl: string;
  /** "127.0.0.1:PORT" */
  address: string;
  /** Sends one command line and waits for its "name: answer" line. */
  command(line: string, timeoutMs?: number): Promise<string>;
  /** Sends a command without waiting for its answer (for one that pauses). */
  post(line: string): void;
  /** Kills the process (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
  exited: Promise<void>;
  stderr(): string;
}

export async function startTarget(script: string, options: { nodeArgs?: string[]; args?: string[]; cwd?: string } = {}): Promise<Target> {
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), '--inspect=127.0.0.1:0', script, ...(options.args ?? [])], {
    cwd: options.cwd ?? ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  const waiters: { prefix: string; resolve: (s: string) => void }[] = [];
  const exited = once(proc, 'exit').then(() => {});
  proc.stderr.setEncoding('utf8');
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => {
    stdout += d;
    let nl;
    while ((nl = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      const i = waiters.findIndex((w) => line.startsWith(w.prefix));
      if (i >= 0) waiters.splice(i, 1)[0].resolve(line);
    }
  });
  const waitLine = (prefix: string, timeoutMs: number) => new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no "${prefix}" line from the target within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    waiters.push({ prefix, resolve: (s) => { clearTimeout(timer); res(s); } });
  });
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  };
  try {
    const ready = waitLine('ready', 15_000);
    const webSocketUrl = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`the target printed no inspector URL: ${stderr}`)), 15_000);
      proc.stderr.on('data', (d: string) => {
        stderr += d;
        const m = /Debugger listening on (ws:\/\/\S+)/.exec(stderr);
        if (m) { clearTimeout(timer); res(m[1]); }
      });
      proc.once('exit', (code) => { clearTimeout(timer); rej(new Error(`the target exited (${code}) before listening: ${stderr}`)); });
    });
    await ready;
    const address = new URL(webSocketUrl).host;
    return {
      proc,
      webSocketUrl,
      address,
      exited,
      stderr: () => stderr,
      kill,
      post: (line) => { proc.stdin.write(`${line}\n`); },
      command: (line, timeoutMs = 60_000) => {
        const name = line.split(' ')[0];
        const answer = waitLine(`${name}: `, timeoutMs);
        proc.stdin.write(`${line}\n`);
        return answer.then((s) => s.slice(name.length + 2));
      },
    };
  } catch (e) {
    await kill();
    throw e;
  }
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs the real `retention` binary (bin/retention.js over dist/cli.js) and kills it if it hangs. */
export async function runCli(args: string[], options: { timeoutMs?: number; onSpawn?: (p: ChildProcess) => void } = {}): Promise<CliResult> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/retention.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const timeoutMs = options.timeoutMs ?? 60_000;
  let hung = false;
  const timer = setTimeout(() => { hung = true; proc.kill('SIGKILL'); }, timeoutMs);
  const [code] = (await once(proc, 'exit')) as [number | null];
  clearTimeout(timer);
  if (hung) throw new Error(`retention ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`);
  return { code, stdout, stderr };
}

/** The 1-based line of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" is not in the text`);
  return i + 1;
}
