/**
 * "Copy as Regression Test" on a finding in the retention tree: a ready test for the object's expression and the
 * action it was selected in, in the style the workspace's package.json points at (node:test, Jest, Vitest, Mocha),
 * put on the clipboard. The text comes from src/core/regressionTest.ts.
 */
import * as vscode from 'vscode';
import { packageInfo, regressionTest } from '../core/regressionTest';
import { noticeText } from '../shared/displayText';
import { parseFindingArgument } from './commands';

async function workspacePackageJson(): Promise<unknown> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'package.json'));
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    } catch {
      // No package.json (or not JSON) in this folder: try the next one, then fall back to node:test.
    }
  }
  return null;
}

export async function copyAsRegressionTest(arg: unknown): Promise<string> {
  let finding;
  try {
    finding = parseFindingArgument(arg);
  } catch (e) {
    void vscode.window.showErrorMessage(noticeText((e as Error).message));
    return '';
  }
  const pkg = packageInfo(await workspacePackageJson());
  const text = regressionTest(finding, pkg);
  await vscode.env.clipboard.writeText(text);
  const what = finding.expression || finding.className || 'the object';
  void vscode.window.showInformationMessage(noticeText(`Copied a ${pkg.style} regression test for ${what}: paste it into a test file and fill in the TODOs.`));
  return text;
}
