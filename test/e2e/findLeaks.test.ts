// The leak hunt, as a user walks it in the real workbench: attach to a running program that leaks a Document each
// time a document is opened and closed, then in the Retention sidebar's "Find Leaks": warm up, Take Baseline,
// Repeat an Action (`await app.openAndClose()` 12 times, typed at the input box's own prompts), Take Target, undo the
// action, Take Final, Show Leak Suspects. The comparison panel ranks Document first, through the store's `history`;
// "Why is it alive?" opens its retention tree with what to break, and the fix's link opens the program's source.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { E2EContext, giveRetentionViewRoom, quickInput, runCommand, sidebarFrame, startTarget, webviewFrameWith } from './harness';

/** Runs the action through the sidebar's button, answering the two input boxes at their own prompts. */
async function repeatAction(page: Page, sidebar: Frame, expression: string, times: number, log: (m: string) => void): Promise<void> {
  await sidebar.locator('.leak-hunt button:not([disabled])', { hasText: 'Repeat an Action…' }).click();
  const ask = page.locator('.quick-input-widget', { hasText: 'An expression to run in' });
  await ask.waitFor({ timeout: 30_000 });
  await quickInput(page).fill(expression);
  assert.equal(await quickInput(page).inputValue(), expression);
  await quickInput(page).press('Enter');
  const count = page.locator('.quick-input-widget', { hasText: 'How many times to run it' });
  await count.waitFor({ timeout: 15_000 });
  await quickInput(page).fill(String(times));
  assert.equal(await quickInput(page).inputValue(), String(times));
  await quickInput(page).press('Enter');
  await count.waitFor({ state: 'hidden', timeout: 15_000 });
  log(`running ${expression} x${times}`);
}

/** Clicks a step's button once it is enabled, and waits until the sidebar lists the snapshot it takes. */
async function takeStep(sidebar: Frame, label: string, listed: RegExp): Promise<void> {
  const button = sidebar.locator('.leak-hunt button:not([disabled])', { hasText: label });
  await button.waitFor({ timeout: 60_000 });
  await button.click();
  await sidebar.locator('.leak-hunt .done', { hasText: listed }).waitFor({ timeout: 180_000 });
}

export async function findLeaksFromTheSidebar({ page, repoRoot, log, screenshot }: E2EContext): Promise<void> {
  const app = join(repoRoot, 'test', 'fixtures', 'extension', 'documents-app.js');
  const target = await startTarget(app, [], log);
  try {
    await runCommand(page, 'Retention: Attach to Inspector Port');
    await page.locator('.quick-input-widget', { hasText: 'Address of a Node program started with --inspect' }).waitFor({ timeout: 15_000 });
    await quickInput(page).fill(target.address);
    assert.equal(await quickInput(page).inputValue(), target.address);
    await quickInput(page).press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'Address of a Node program' }).waitFor({ state: 'hidden', timeout: 15_000 });
    let sidebar = await sidebarFrame(page);
    await sidebar.locator('.leak-hunt', { hasText: 'Find Leaks' }).waitFor({ timeout: 30_000 });
    log(`attached to ${target.address}`);

    // Warm up as the sidebar advises (caches fill, code compiles): the action through the palette command.
    await runCommand(page, 'Retention: Find Leaks: Take Baseline Snapshot');
    sidebar = await sidebarFrame(page);
    await sidebar.locator('.leak-hunt .done', { hasText: /Baseline of/ }).waitFor({ timeout: 180_000 });
    await repeatAction(page, sidebar, 'await app.openAndClose()', 4, log);
    await sidebar.locator('.leak-hunt', { hasText: 'Ran `await app.openAndClose()` 4 times' }).waitFor({ timeout: 60_000 });
    await repeatAction(page, sidebar, 'app.undo()', 1, log);
    await sidebar.locator('.leak-hunt', { hasText: 'Ran `app.undo()`' }).waitFor({ timeout: 60_000 });

    // The hunt itself.
    await takeStep(sidebar, 'New Baseline', /#\d+ Baseline of/);
    await repeatAction(page, sidebar, 'await app.openAndClose()', 12, log);
    await sidebar.locator('.leak-hunt', { hasText: 'Ran `await app.openAndClose()` 12 times since the baseline.' }).waitFor({ timeout: 120_000 });
    await takeStep(sidebar, 'Take Target', /Target of/);
    await repeatAction(page, sidebar, 'app.undo()', 1, log);
    await sidebar.locator('.leak-hunt', { hasText: 'Ran `app.undo()`' }).waitFor({ timeout: 60_000 });
    await takeStep(sidebar, 'Take Final', /Final of/);
    // Every snapshot of the hunt stays listed.
    assert.ok(await sidebar.locator('.snapshot', { hasText: /Baseline of|Target of|Final of/ }).count() >= 3);
    await giveRetentionViewRoom(page);
    await screenshot('find-leaks-sidebar');

    // The suspects: Document first, 12 of them, held through the store's history.
    await sidebar.locator('.leak-hunt button:not([disabled])', { hasText: 'Show Leak Suspects' }).click();
    const panel = await webviewFrameWith(page, 'body[data-view="comparison"] .suspects', 120_000);
    const first = panel.locator('.suspect').first();
    await first.waitFor({ timeout: 30_000 });
    assert.match(await first.locator('.suspect-title').innerText(), /1\.\s*Document\s*×12/);
    assert.match(await first.locator('.signature').innerText(), /history/);
    assert.ok(await panel.locator('table.comparison tr', { hasText: 'Document' }).count() > 0, 'the class table lists Document');
    await screenshot('leak-suspects');

    // Its retention tree, with what to break, and the fix's source link.
    await first.locator('button', { hasText: 'Why is it alive?' }).click();
    const tree = await webviewFrameWith(page, '[role="tree"] [role="treeitem"]', 60_000);
    await tree.locator('[role="treeitem"]').first().filter({ hasText: /Document\s*@\d+/ }).waitFor({ timeout: 30_000 });
    const fix = tree.locator('[role="treeitem"].kind-fix').first();
    await fix.waitFor({ timeout: 30_000 });
    // The path runs through the store's history; the fix takes the Document out of that array.
    await tree.locator('[role="treeitem"]', { hasText: '.history' }).first().waitFor({ timeout: 10_000 });
    assert.match(await fix.innerText(), /Document/);
    assert.match(await fix.innerText(), /splice|delete|remove/i);
    const link = fix.locator('.link').first();
    if (await link.count()) {
      const shown = await link.innerText();
      assert.match(shown, /documents-app\.js:\d+$/);
      await link.click();
      const line = Number(/:(\d+)$/.exec(shown)![1]);
      await page.locator('.tabs-container .tab.active', { hasText: 'documents-app.js' }).waitFor({ timeout: 15_000 });
      const source = readFileSync(app, 'utf8').split('\n');
      assert.ok(line >= 1 && line <= source.length, `line ${line} of documents-app.js`);
      log(`the fix links documents-app.js:${line}: ${source[line - 1].trim()}`);
    }
    await screenshot('leak-tree');
  } finally {
    await target.kill();
  }
}
