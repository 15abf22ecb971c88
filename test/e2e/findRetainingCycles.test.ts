// As a user would, in the real workbench: open the example, start debugging (it pauses in closeDocument), run
// "Retention: Find Retaining Cycles" from the palette, type the expression, read the tree (the parent/children cycle
// pointing back at the object), click the suggested fix's source link and land on the line that adds the leaking
// listener. Then the Run and Debug sidebar: the session, the snapshot just taken, the heap summary, and a class
// from the summary opening its tree. Screenshots of the panel and the sidebar go to the artifacts folder.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { auditWebviews } from './accessibility';
import { chooseFromContextMenu, E2EContext, giveRetentionViewRoom, openRunAndDebug, runCommand, webviewFrameWith } from './harness';

function lineOf(file: string, needle: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i + 1;
}

async function startDebuggingAndWaitForPause(page: Page, log: (m: string) => void): Promise<void> {
  // Run and Debug -> the green Start button next to the example's launch configuration ("Launch app").
  await openRunAndDebug(page);
  const start = page.locator('.part.sidebar .start-debug-action-item .codicon-debug-start, .part.sidebar [aria-label^="Start Debugging"]').first();
  await start.waitFor({ state: 'visible', timeout: 30_000 });
  await start.click();
  // The example stops at its `debugger` statement: VS Code marks the paused line in the editor.
  await page.locator('.debug-top-stack-frame-line, .debug-top-stack-frame').first().waitFor({ state: 'attached', timeout: 60_000 });
  log('paused at the debugger statement');
}

async function findRetainingCycles(page: Page, expression: string): Promise<Frame> {
  await runCommand(page, 'Retention: Find Retaining Cycles');
  const input = page.locator('.quick-input-widget input[type="text"], .quick-input-widget input.input').first();
  await page.locator('.quick-input-widget', { hasText: 'evaluated in the focused stack frame' }).waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(expression);
  await input.press('Enter');
  return webviewFrameWith(page, '[role="tree"] [role="treeitem"]', 90_000);
}

async function activeEditorLine(page: Page): Promise<number> {
  const text = await page.locator('#status\\.editor\\.selection').first().innerText();
  const m = /Ln (\d+)/.exec(text);
  assert.ok(m, `status bar selection "${text}"`);
  return Number(m[1]);
}

export async function paletteToTreeToSourceLine({ page, workspace, log, screenshot }: E2EContext): Promise<void> {
  const appJs = join(workspace, 'app.js');
  const listenerLine = lineOf(appJs, "settings.on('theme'");
  await startDebuggingAndWaitForPause(page, log);

  let tree = await findRetainingCycles(page, 'doc.root');
  // The selected object at the top.
  const top = tree.locator('[role="treeitem"]').first();
  await top.waitFor();
  assert.match(await top.innerText(), /TreeNode\s*@\d+/);
  assert.equal(await tree.locator('[role="tree"]').getAttribute('aria-label'), 'Retention tree');
  // The cycle: a row marked as pointing back at the object rather than expanding.
  const cycle = tree.locator('[role="treeitem"].is-cycle').first();
  await cycle.waitFor({ timeout: 30_000 });
  assert.match(await cycle.innerText(), /cycle: back to TreeNode @\d+/);
  assert.equal(await cycle.getAttribute('aria-expanded'), null, 'a cycle row is not expandable');
  assert.ok(await tree.locator('[role="treeitem"]', { hasText: '.parent' }).count() > 0, 'the .parent back-reference is shown');
  await tree.locator('[role="treeitem"].kind-fix', { hasText: /listener/i }).first().waitFor();
  await screenshot('retention-panel');

  // Any object row expands into its own retainers, fetched from the worker on demand.
  const lazy = tree.locator('[role="treeitem"].kind-retainer[aria-expanded="false"]').first();
  const lazyLevel = Number(await lazy.getAttribute('aria-level'));
  const lazyKey = await lazy.getAttribute('data-key');
  await lazy.locator('.twistie').click();
  // Its first child once the page has arrived (before that, the only child is the "Loading retainers…" row).
  const child = tree.locator(`[role="treeitem"][data-key^="${lazyKey}/"][aria-level="${lazyLevel + 1}"]:not([data-key$="/loading"])`).first();
  await child.waitFor({ timeout: 30_000 });
  assert.equal(await tree.locator(`[data-key="${lazyKey}"]`).getAttribute('aria-expanded'), 'true');
  assert.match(await child.innerText(), /@\d+/, 'a retainer row names its object');

  // Hidden and shown again (the page is rebuilt without retainContextWhenHidden): the expansion is kept.
  await runCommand(page, 'File: New Untitled Text File');
  await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 10_000 });
  await page.locator('.tabs-container .tab', { hasText: 'Retention:' }).first().click();
  tree = await webviewFrameWith(page, `[role="treeitem"][data-key="${lazyKey}"][aria-expanded="true"]`, 30_000);
  await tree.locator(`[role="treeitem"][data-key^="${lazyKey}/"][aria-level="${lazyLevel + 1}"]:not([data-key$="/loading"])`).first().waitFor({ timeout: 10_000 });

  // Keyboard: Home goes to the object, Down to the next row, Right expands, Left collapses.
  const first = tree.locator('[role="treeitem"]').first();
  await first.click();
  await first.press('End');
  await first.press('Home');
  assert.equal(await tree.locator('[role="treeitem"][aria-selected="true"]').getAttribute('aria-level'), '1');
  await tree.locator('[role="treeitem"][aria-selected="true"]').press('ArrowDown');
  assert.match(await tree.locator('[role="treeitem"][aria-selected="true"]').innerText(), /Why it is alive/);
  await tree.locator('[role="treeitem"][aria-selected="true"]').press('ArrowLeft');
  assert.equal(await tree.locator('[role="treeitem"][aria-selected="true"]').getAttribute('aria-expanded'), 'false');
  await tree.locator('[role="treeitem"][aria-selected="true"]').press('ArrowRight');
  assert.equal(await tree.locator('[role="treeitem"][aria-selected="true"]').getAttribute('aria-expanded'), 'true');

  // Keyboard: Enter on the cycle row moves the focus to the row it points back to.
  const cycleRow = tree.locator('[role="treeitem"].is-cycle').first();
  await cycleRow.click();
  await cycleRow.press('Enter');
  const focusedText = await tree.locator('[role="treeitem"][aria-selected="true"]').innerText();
  assert.match(focusedText, /TreeNode\s*@\d+/);
  assert.equal(await tree.locator('[role="treeitem"][aria-selected="true"]').getAttribute('aria-level'), '1', 'focus went back to the object at the top');

  // A row without a source location says so where it was clicked; so does a link into Node's own code.
  await tree.locator('.loc.unknown').first().click();
  await tree.locator('.banner', { hasText: 'V8 recorded no source location' }).waitFor({ timeout: 10_000 });
  const nodeLink = tree.locator('.loc.link', { hasText: /^node:/ }).first();
  if (await nodeLink.count()) {
    await nodeLink.click();
    await tree.locator('.banner', { hasText: 'inside Node.js itself' }).waitFor({ timeout: 10_000 });
  }

  // The fix's source link opens app.js at the line that adds the listener.
  const link = tree.locator('[role="treeitem"].kind-fix', { hasText: /listener/i }).first().locator('.link');
  assert.match(await link.innerText(), new RegExp(`app\\.js:${listenerLine}$`));
  await link.click();
  for (let i = 0; i < 50 && (await activeEditorLine(page).catch(() => 0)) !== listenerLine; i++) await page.waitForTimeout(200);
  assert.equal(await activeEditorLine(page), listenerLine);
  const activeTab = await page.locator('.tabs-container .tab.active').first().innerText();
  assert.match(activeTab.replace(/\s+/g, ''), /app\.js/);
  await screenshot('source-line');

  // The sidebar: attached session, the snapshot the capture took, the heap summary.
  await openRunAndDebug(page);
  const header = page.locator('.part.sidebar .pane-header', { hasText: /^\s*Retention\b/i }).first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  const sidebar = await webviewFrameWith(page, 'body[data-view="sidebar"] .summary', 60_000);
  await sidebar.locator('.summary .item').first().waitFor({ timeout: 60_000 });
  assert.ok(await sidebar.locator('.target .label', { hasText: /app\.js/ }).count() > 0, 'the attached session is named');
  assert.ok(await sidebar.locator('button', { hasText: 'Take Snapshot' }).count() > 0);
  assert.ok(await sidebar.locator('.snapshot').count() >= 1, 'the snapshot taken for the tree is listed');
  // The example's own classes lead the class list, each with where it is constructed.
  const firstClasses = (await sidebar.locator('.summary .list').first().locator('.item .label').allInnerTexts()).slice(0, 2).sort();
  assert.deepEqual(firstClasses, ['Document', 'TreeNode'], `the program's own classes come first: ${firstClasses.join(', ')}`);
  assert.match(await sidebar.locator('.summary .item', { hasText: 'TreeNode' }).first().innerText(), /app\.js:\d+/);
  await giveRetentionViewRoom(page);
  await screenshot('sidebar');

  // A class from the summary is a way into the tree.
  await sidebar.locator('.summary .item', { hasText: 'TreeNode' }).first().click();
  const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
  await pick.waitFor({ timeout: 15_000 });
  assert.match(await pick.innerText(), /TreeNode @\d+/);
  await page.keyboard.press('Enter');
  const again = await webviewFrameWith(page, '[role="tree"] [role="treeitem"]');
  await again.locator('.header', { hasText: /TreeNode @\d+/ }).waitFor({ timeout: 30_000 });
  // Back returns to the object examined before.
  await again.locator('.header button.back', { hasText: 'doc.root' }).click();
  await again.locator('.header .expr', { hasText: 'doc.root' }).waitFor({ timeout: 15_000 });

  // Both webviews as they are now (a tree and a filled sidebar), audited in a light, a dark and a high-contrast theme.
  await auditWebviews(page, log);

  // The Variables view: right-click `doc` -> Find Retaining Cycles.
  await openRunAndDebug(page);
  const variablesHeader = page.locator('.part.sidebar .pane-header', { hasText: /^\s*Variables\b/i }).first();
  if ((await variablesHeader.getAttribute('aria-expanded')) === 'false') await variablesHeader.click();
  const docVariable = page.locator('.part.sidebar .debug-variables .monaco-list-row', { hasText: /^\s*doc\b/ }).first();
  await docVariable.waitFor({ timeout: 15_000 });
  await chooseFromContextMenu(page, docVariable, 'Find Retaining Cycles');
  const fromVariables = await webviewFrameWith(page, '.header .expr');
  await fromVariables.locator('.header .expr', { hasText: /^doc$/ }).waitFor({ timeout: 60_000 });
  assert.match(await fromVariables.locator('[role="treeitem"]').first().innerText(), /Document\s*@\d+/);

  await page.keyboard.press('Shift+F5');
}
