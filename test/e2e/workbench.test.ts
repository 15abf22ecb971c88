// Browser-level smoke test: the workbench opens the workspace with the extension loaded from the development path,
// the Run and Debug side bar has the "Retention" view, and the palette offers "Retention: Find Retaining Cycles".
import * as assert from 'node:assert/strict';
import { basename } from 'node:path';
import { closeQuickInput, E2EContext, openRunAndDebug, waitForPaletteEntry } from './harness';

export async function runAndDebugHasRetentionView({ page, workspace, screenshot }: E2EContext): Promise<void> {
  // The explorer shows the opened folder by name.
  const title = await page.title();
  assert.match(title, new RegExp(basename(workspace).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'), `window title "${title}" does not name the workspace`);

  const sidebar = await openRunAndDebug(page);
  const header = sidebar.locator('.pane-header', { hasText: /^\s*Retention\b/i });
  await header.first().waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await header.count(), 1, 'exactly one "Retention" view in the Run and Debug side bar');
  await screenshot('run-and-debug-sidebar');
}

export async function paletteListsFindRetainingCycles({ page, screenshot }: E2EContext): Promise<void> {
  const row = await waitForPaletteEntry(page, 'Retention: Find Retaining Cycles');
  assert.equal(await row.isVisible(), true);
  await screenshot('palette');
  await closeQuickInput(page);
}
