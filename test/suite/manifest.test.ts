/**
 * package.json and the code agree: every command of the map in src/extension/commands.ts is contributed with its
 * title, category and `when` clause, the context menus are the ones the code expects, and every command is
 * registered in the running extension host.
 */
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CATEGORY, COMMANDS, MENUS, type CommandSpec } from '../../src/extension/commands';
import { activate, extensionRoot } from './debugHelpers';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string; icon?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    views: Record<string, { id: string; type?: string; name: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
  };
}

function manifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(extensionRoot(), 'package.json'), 'utf8')) as Manifest;
}

const specs = Object.entries(COMMANDS) as [string, CommandSpec][];

suite('package.json and the command map', () => {
  test('commands in package json match the command map', () => {
    const m = manifest();
    const contributed = new Map(m.contributes.commands.map((c) => [c.command, c]));
    const publicIds = specs.filter(([, s]) => !s.internal).map(([id]) => id).sort();
    assert.deepEqual([...contributed.keys()].sort(), publicIds, 'contributes.commands must list exactly the public commands of the map');
    for (const [id, spec] of specs) {
      if (spec.internal) continue;
      const c = contributed.get(id)!;
      assert.equal(c.title, spec.title, `title of ${id}`);
      assert.equal(c.category, CATEGORY, `category of ${id}`);
      assert.equal(c.icon, spec.icon, `icon of ${id}`);
    }
    const palette = new Map(m.contributes.menus.commandPalette.map((e) => [e.command, e.when]));
    for (const [id, spec] of specs) {
      if (spec.internal) continue;
      assert.equal(palette.get(id), spec.palette === false ? 'false' : spec.palette, `commandPalette when clause of ${id}`);
    }
  });

  test('context menus match the code', () => {
    const m = manifest();
    for (const [menu, entries] of Object.entries(MENUS)) {
      assert.deepEqual(m.contributes.menus[menu], entries, `menu ${menu}`);
    }
    const ids = new Set(specs.map(([id]) => id));
    for (const [menu, entries] of Object.entries(m.contributes.menus)) {
      for (const e of entries) assert.ok(ids.has(e.command), `${menu} names ${e.command}, which the code does not register`);
    }
  });

  test('sidebar view lives in run and debug', () => {
    const m = manifest();
    const view = m.contributes.views.debug?.find((v) => v.id === 'retentionExplorer.sidebar');
    assert.ok(view, 'the sidebar view is contributed to the debug view container');
    assert.equal(view.type, 'webview');
    const welcome = m.contributes.viewsWelcome.find((w) => w.view === 'debug');
    assert.ok(welcome && welcome.contents.includes('command:retentionExplorer.attachToInspector') && welcome.contents.includes('command:retentionExplorer.openSnapshotFile'));
    assert.ok(m.activationEvents.includes('onDebug'));
  });

  test('every command is registered', async () => {
    await activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const [id] of specs) assert.ok(registered.has(id), `${id} is not registered`);
  });
});
