/**
 * Opening a report location in an editor: the (already source-mapped) file at the line. Files outside the workspace
 * open read-only; a location that names no file says why instead of doing nothing.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { noticeText } from '../shared/displayText';
import { toFilePath } from '../node/filePaths';
import { isRuntimeInternal } from '../shared/labels';

export interface OpenedLocation {
  opened: boolean;
  /** The file opened, when one was. */
  path?: string;
  line?: number;
  readOnly?: boolean;
  /** The sentence shown when nothing could be opened. */
  message?: string;
}

export interface LinkLocation {
  url: string;
  line: number;
  column: number;
}

export function describeUnopenable(loc: LinkLocation): string {
  if (!loc.url) {
    return 'V8 did not record which script this comes from, so there is no file to open (the object may have been created by native code).';
  }
  if (isRuntimeInternal(loc.url)) {
    return `${loc.url}:${loc.line} is inside Node.js itself, not a file of your program; look one step up the tree for your own code.`;
  }
  if (/^(evalmachine|VM\d+)/.test(loc.url) || !loc.url.includes('/')) {
    return `${loc.url}:${loc.line} is code that was evaluated at run time (eval, new Function, vm), which has no file to open.`;
  }
  return `${loc.url} is not a file on this machine, so it cannot be opened.`;
}

export async function openLocation(loc: LinkLocation): Promise<OpenedLocation> {
  const path = toFilePath(loc.url);
  if (!path) {
    const message = describeUnopenable(loc);
    void vscode.window.showInformationMessage(noticeText(message));
    return { opened: false, message };
  }
  if (!fs.existsSync(path)) {
    const message = `${path} no longer exists on disk, so line ${loc.line} cannot be shown.`;
    void vscode.window.showWarningMessage(noticeText(message));
    return { opened: false, message };
  }
  const uri = vscode.Uri.file(path);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  const position = new vscode.Position(Math.max(0, loc.line - 1), Math.max(0, loc.column - 1));
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document, {
    viewColumn: vscode.ViewColumn.One,
    preview: false,
    selection: new vscode.Range(position, position),
  });
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  if (!inWorkspace) {
    // Node's own sources and dependencies outside the workspace are for reading, not editing by accident.
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
  }
  return { opened: true, path, line: loc.line, readOnly: !inWorkspace };
}
