// The accessibility audit of both webviews: axe-core (the engine behind the common browser audits) runs inside the
// retention tree and the sidebar as the real workbench shows them, in a light, a dark and a high-contrast theme.
// Serious and critical violations fail the test; every finding is written to the test's log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { openCommandPalette, webviewFrameWith } from './harness';

/** VS Code's built-in themes, by the label its theme picker shows, and the class the workbench then carries. */
export const THEMES = [
  { label: 'Light Modern', workbench: 'vs' },
  { label: 'Dark Modern', workbench: 'vs-dark' },
  { label: 'Dark High Contrast', workbench: 'hc-black' },
] as const;

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Switches the color theme through the command palette, as a user would, and waits until the workbench has it. */
export async function setColorTheme(page: Page, label: string, workbenchClass: string): Promise<void> {
  const input = await openCommandPalette(page);
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
  const pick = page.locator('.quick-input-widget input[type="text"], .quick-input-widget input.input').first();
  await pick.fill(label);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.monaco-workbench.${workbenchClass}`).waitFor({ timeout: 20_000 });
}

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe's violations in one webview page. */
export async function axeFindings(frame: Frame): Promise<Finding[]> {
  await frame.evaluate(AXE);
  return frame.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  })))`);
}

/**
 * Audits the tree (a page showing `[role="tree"]`) and the sidebar in every theme of THEMES; returns to the first.
 * Fails on serious or critical findings, naming the theme, the page, the rule and the elements.
 */
export async function auditWebviews(page: Page, log: (m: string) => void): Promise<void> {
  const failures: string[] = [];
  for (const theme of THEMES) {
    await setColorTheme(page, theme.label, theme.workbench);
    const bodyClass = theme.workbench === 'vs' ? 'vscode-light' : theme.workbench === 'vs-dark' ? 'vscode-dark' : 'vscode-high-contrast';
    const pages = [
      { name: 'retention tree', frame: await webviewFrameWith(page, `body.${bodyClass} [role="tree"] [role="treeitem"]`, 30_000) },
      { name: 'sidebar', frame: await webviewFrameWith(page, `body.${bodyClass}[data-view="sidebar"] .summary`, 30_000) },
    ];
    for (const p of pages) {
      const findings = await axeFindings(p.frame);
      for (const f of findings) {
        const line = `${theme.label} / ${p.name}: ${f.id} (${f.impact ?? 'unknown'}) ${f.help} at ${f.targets.join('; ')}`;
        log(`axe: ${line}`);
        if (f.impact === 'serious' || f.impact === 'critical') failures.push(line);
      }
      log(`axe: ${theme.label} / ${p.name}: ${findings.length} finding(s)`);
    }
  }
  await setColorTheme(page, THEMES[1].label, THEMES[1].workbench);
  assert.deepEqual(failures, [], 'no serious or critical accessibility violations in either webview, in any theme');
}
