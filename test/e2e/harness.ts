// What a browser-level test receives, and helpers for driving the real workbench (code-server in Debian's Chromium).
//
// A test file is out/test/e2e/<name>.test.js (compiled from test/e2e/<name>.test.ts): every exported async function is
// one test, named by its export, called with an E2EContext. scripts/vscode-tests.mjs gives each test a fresh
// code-server (isolated user data, the extension loaded from the development path, the workspace opened) and a fresh
// browser context, with the workbench already loaded. A screenshot is saved when a test fails.
import { spawn } from 'node:child_process';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';

export interface E2EContext {
  page: Page;
  /** http://127.0.0.1:PORT of this test's code-server. */
  baseUrl: string;
  /** Absolute path of the opened workspace folder (example/ or a temporary stand-in). */
  workspace: string;
  /** Folder for this test's screenshots and logs (test-artifacts/e2e/<file>.<test>/). */
  artifactsDir: string;
  /** Saves a full-page screenshot as <artifactsDir>/<name>.png and returns its path. */
  screenshot: (name: string) => Promise<string>;
  /** Writes a line into this test's log (test-artifacts/e2e/<file>.<test>/test.log). */
  log: (message: string) => void;
  /** The repository root (where package.json is). */
  repoRoot: string;
}

export type E2ETest = (ctx: E2EContext) => Promise<void>;

/** Waits until the workbench has rendered its parts and the extension host is up. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.activitybar, .part.sidebar').first().waitFor({ state: 'visible', timeout: timeoutMs });
  // The status bar's remote indicator is drawn once the connection to the server (and its extension host) is made.
  await page.locator('#status\\.host').or(page.locator('.statusbar')).first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Opens the command palette (with the leading ">") and returns its input. */
export async function openCommandPalette(page: Page): Promise<Locator> {
  const input = page.locator('.quick-input-widget input[type="text"], .quick-input-widget input.input').first();
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => undefined);
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      const value = await input.inputValue();
      if (!value.startsWith('>')) await input.fill('>');
      return input;
    } catch {
      // The workbench may still be taking focus; try again.
    }
  }
  throw new Error('the command palette did not open (F1)');
}

/** The visible labels of the command palette's entries for `query` (e.g. "Retention: Find"). */
export async function paletteEntries(page: Page, query: string): Promise<string[]> {
  const input = await openCommandPalette(page);
  await input.fill(`>${query}`);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
  const labels = await rows.locator('.label-name').allTextContents();
  return labels.map((l) => l.replace(/\s+/g, ' ').trim());
}

/**
 * Waits until the palette offers `label` (an extension's commands appear only once the extension host has registered
 * it, a few seconds after the workbench draws) and leaves the palette open with that entry listed. Returns the row.
 */
export async function waitForPaletteEntry(page: Page, label: string, timeoutMs = 60_000): Promise<Locator> {
  const end = Date.now() + timeoutMs;
  let seen: string[];
  for (;;) {
    seen = await paletteEntries(page, label);
    if (seen.includes(label)) {
      return page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
    }
    if (Date.now() > end) break;
    await closeQuickInput(page);
    await page.waitForTimeout(1_000);
  }
  throw new Error(`the command palette does not offer "${label}" after ${timeoutMs / 1000} s; it shows ${JSON.stringify(seen)}`);
}

/** Runs a command by its palette label, e.g. "Retention: Find Retaining Cycles". */
export async function runCommand(page: Page, label: string): Promise<void> {
  const row = await waitForPaletteEntry(page, label);
  await row.click();
}

/**
 * Right-clicks `target` and chooses `item` from the context menu it opens, as a person does.
 *
 * VS Code's menu listens for the mouse button's release only from 100 ms after it is drawn (a RunOnceScheduler in
 * its MenuActionViewItem), so that releasing the right button never triggers the item under the pointer. A person's
 * click lands well after that; an automated one can land inside it, and is then ignored: the item is highlighted and
 * the menu stays open. So a click that leaves the menu open is clicked again, up to a few times, each time waiting
 * for what a person would see: the menu closing.
 */
export async function chooseFromContextMenu(page: Page, target: Locator, item: string): Promise<void> {
  await target.click({ button: 'right' });
  const entry = page.getByRole('menuitem', { name: item, exact: true });
  await entry.waitFor({ state: 'visible', timeout: 15_000 });
  for (let attempt = 1; ; attempt++) {
    if (await entry.getAttribute('aria-disabled') === 'true') throw new Error(`the context menu's "${item}" is disabled`);
    await entry.click();
    try {
      await entry.waitFor({ state: 'hidden', timeout: 2_000 });
      return;
    } catch {
      if (attempt >= 5) throw new Error(`the context menu stayed open after ${attempt} clicks on "${item}"`);
    }
  }
}

/** Closes whatever quick input is open. */
export async function closeQuickInput(page: Page): Promise<void> {
  if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
}

/**
 * The content of a webview (editor panel or sidebar view). Webviews are nested iframes: the outer
 * `iframe.webview` hosts `#active-frame` with the extension's page. `index` picks among several.
 */
export function webviewContent(page: Page, index = 0): FrameLocator {
  return page.frameLocator('iframe.webview').nth(index).frameLocator('#active-frame');
}

/** The Frame of a webview whose page contains `selector` (for evaluate()); waits until one appears. */
export async function webviewFrameWith(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (f.name() === 'active-frame' || /fake\.html|index\.html/.test(f.url())) {
        if (await f.locator(selector).count().catch(() => 0)) return f;
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview contains ${selector} after ${timeoutMs} ms`);
}

/** Opens the Run and Debug view container in the side bar. */
export async function openRunAndDebug(page: Page): Promise<Locator> {
  const sidebar = page.locator('.part.sidebar');
  // As a person does: the Run and Debug icon in the activity bar (clicking it while its view shows would close it).
  // The palette's list can keep re-rendering while commands' context keys change (an attach, a capture), so the
  // icon is the steadier way in.
  const showing = sidebar.locator('.composite.title', { hasText: /Run and Debug|Run And Debug/i });
  if (!(await showing.isVisible().catch(() => false))) {
    const icon = page.locator('.part.activitybar .action-item a[aria-label^="Run and Debug"]').first();
    if (await icon.count()) await icon.click();
    else await runCommand(page, 'View: Show Run and Debug');
  }
  await showing.waitFor({ state: 'visible', timeout: 15_000 });
  return sidebar;
}

/** Starts `node --inspect=127.0.0.1:0 script ...args` (it prints "ready" once it runs); kill() ends it. */
export async function startTarget(script: string, args: string[], log: (m: string) => void): Promise<{ address: string; kill(): Promise<void> }> {
  const child = spawn('node', ['--inspect=127.0.0.1:0', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d: Buffer) => log(`target: ${String(d).trim()}`));
  child.once('exit', (code, signal) => log(`target exited (${code ?? signal})`));
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let addr = '';
      const timer = setTimeout(() => reject(new Error('the target did not start within 30 s')), 30_000);
      child.stderr.on('data', (d: Buffer) => { addr ||= /ws:\/\/(127\.0\.0\.1:\d+)\//.exec(String(d))?.[1] ?? ''; });
      child.stdout.on('data', (d: Buffer) => {
        if (String(d).includes('ready') && addr) { clearTimeout(timer); resolve(addr); }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the target exited (${code})`)); });
    });
    return { address, kill };
  } catch (e) {
    await kill();
    throw e;
  }
}

export function quickInput(page: Page) {
  return page.locator('.quick-input-widget input[type="text"], .quick-input-widget input.input').first();
}

export async function sidebarFrame(page: Page): Promise<Frame> {
  await openRunAndDebug(page);
  const header = page.locator('.part.sidebar .pane-header', { hasText: /^\s*Retention\b/i }).first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return webviewFrameWith(page, 'body[data-view="sidebar"] .targets', 30_000);
}

/** Collapses the other Run and Debug views so the Retention view has room (for a readable screenshot). */
export async function giveRetentionViewRoom(page: Page): Promise<void> {
  const headers = page.locator('.part.sidebar .pane-header[aria-expanded="true"]');
  for (let i = (await headers.count()) - 1; i >= 0; i--) {
    const h = headers.nth(i);
    if (!/^\s*Retention\b/i.test(await h.innerText())) await h.click();
  }
}
