// Without a debug session, as a user would: "Find Retaining Cycles" offers to attach to an --inspect port; after
// attaching, the expression is evaluated globally and the tree renders a heap whose class and property names are
// HTML (`<img onerror>`, `<script>`) as plain text, with nothing executed. Then a snapshot of a larger heap is
// cancelled from the progress notification, and the next one succeeds on the same connection.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { E2EContext, giveRetentionViewRoom, quickInput, runCommand, sidebarFrame, startTarget, webviewFrameWith } from './harness';

const EVIL_CLASS = '<img src=x onerror="document.body.dataset.pwned=1">';
const EVIL_PROPERTY = '<script>document.body.dataset.pwned=2</script>';

export async function attachHostileStringsAndCancel({ page, repoRoot, log, screenshot }: E2EContext): Promise<void> {
  const target = await startTarget(join(repoRoot, 'test', 'fixtures', 'extension', 'hostile.js'), ['100'], log);
  try {
    // No debug session: the command offers to attach.
    await runCommand(page, 'Retention: Find Retaining Cycles');
    const offer = page.locator('.quick-input-widget', { hasText: 'No Node program is being debugged' });
    await offer.waitFor({ timeout: 30_000 });
    await offer.locator('.monaco-list-row', { hasText: 'Attach to Inspector Port' }).click();
    await page.locator('.quick-input-widget', { hasText: '--inspect' }).waitFor({ timeout: 15_000 });
    await quickInput(page).fill(target.address);
    await quickInput(page).press('Enter');
    log(`attached to ${target.address}`);

    // The program is running, so the expression is evaluated globally.
    await page.locator('.quick-input-widget', { hasText: 'evaluated in the global scope' }).waitFor({ timeout: 30_000 });
    // The Evil instance sits one level down, under a property whose name holds a bidi override.
    await quickInput(page).fill(`Object.values(keep[${JSON.stringify(EVIL_PROPERTY)}])[0]`);
    await quickInput(page).press('Enter');
    const tree = await webviewFrameWith(page, '[role="tree"] [role="treeitem"]', 120_000);
    log('tree shown');
    const top = tree.locator('[role="treeitem"]').first();
    await top.waitFor();
    assert.ok((await top.innerText()).includes(EVIL_CLASS), `the class name is shown as text: ${await top.innerText()}`);
    await tree.locator('[role="treeitem"]', { hasText: EVIL_PROPERTY }).first().waitFor({ timeout: 10_000 });
    // The bidi override in the property name is shown escaped, not obeyed.
    await tree.locator('[role="treeitem"]', { hasText: 'evil\\u202egnp.js' }).first().waitFor({ timeout: 10_000 });
    // Nothing was parsed as HTML or run: no <img> element, no <script> carrying the heap's text, the marker never set.
    assert.equal(await tree.locator('img').count(), 0);
    assert.equal(await tree.locator('script', { hasText: 'pwned' }).count(), 0);
    assert.equal(await tree.evaluate(() => (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset.pwned ?? null), null);
    await screenshot('hostile-strings');

    // The object's source link opens the program's file, which is outside the workspace: read-only.
    const link = top.locator('.loc.link');
    assert.equal(await link.innerText(), 'hostile.js:6');
    await link.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'hostile.js' }).waitFor({ timeout: 15_000 });
    for (let i = 0; i < 50 && !/Ln 6,/.test(await page.locator('#status\\.editor\\.selection').first().innerText().catch(() => '')); i++) await page.waitForTimeout(200);
    assert.match(await page.locator('#status\\.editor\\.selection').first().innerText(), /Ln 6,/);
    await page.keyboard.type('oops');
    // VS Code answers a keystroke in a read-only editor with a message over the cursor ("Editor is read-only because
    // the file was set read-only in this session", or "Cannot edit in read-only editor").
    await page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i }).first().waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.tabs-container .tab.active.dirty').count(), 0, 'typing does not change a file outside the workspace');
    log('opened hostile.js:6 read-only');

    // A snapshot of this ~100 MB heap takes seconds: cancel it from the progress notification.
    const sidebar = await sidebarFrame(page);
    const before = await sidebar.locator('.snapshot').count();
    await runCommand(page, 'Retention: Take Heap Snapshot');
    // With the smoke-test driver (which loads the extension under test) VS Code shows no toasts, so the progress
    // notification is reached in the notification center, where its Cancel button is the same.
    await runCommand(page, 'Notifications: Show Notifications');
    const progress = page.locator('.notifications-center .notification-list-item', { hasText: 'Taking a heap snapshot' });
    await progress.waitFor({ timeout: 15_000 });
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await progress.waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('.statusbar', { hasText: 'Retention: cancelled' }).waitFor({ timeout: 10_000 });
    assert.equal(await sidebar.locator('.snapshot').count(), before, 'a cancelled snapshot is not listed');
    log('cancelled');

    // The connection and the program are healthy: the next snapshot completes and is listed with its size.
    await runCommand(page, 'Retention: Take Heap Snapshot');
    const sidebarAgain = await sidebarFrame(page);
    // V8 first finishes the cancelled snapshot (it cannot stop one), then builds this one: on a loaded 2-core machine
    // the two together take minutes.
    await sidebarAgain.locator('.snapshot').nth(before).waitFor({ timeout: 240_000 });
    assert.match(await sidebarAgain.locator('.snapshot').first().innerText(), /MB/);
    await sidebarAgain.locator('.summary .item').first().waitFor({ timeout: 60_000 });
    await giveRetentionViewRoom(page);
    await screenshot('sidebar-attached');
  } finally {
    await target.kill();
  }
}
