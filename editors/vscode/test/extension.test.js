'use strict';
// extension.js activated against a stand-in `vscode` module: it registers the
// commands package.json contributes and starts `mizan lsp` over stdio for both
// languages.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { stub, requireWith } = require('./vscode-stub');

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));

test('activate registers every contributed command and starts `mizan lsp`', async () => {
  const s = stub({ path: '/opt/bin/mizan', lspArgs: ['--rules', 'rules'], answerSetFiles: ['**/answers/**/*.json'] });
  const extension = requireWith(path.join(__dirname, '..', 'extension.js'), s);
  await extension.activate({ subscriptions: [], workspaceState: { get() {}, update: async () => {} } });
  assert.deepEqual(s.state.registered.sort(), pkg.contributes.commands.map((c) => c.command).sort());
  assert.equal(s.state.clients.length, 1);
  const [client] = s.state.clients;
  assert.ok(client.started);
  assert.deepEqual(client.serverOptions.run, {
    command: '/opt/bin/mizan',
    args: ['lsp', '--rules', 'rules'],
    transport: 0,
  });
  const languages = client.clientOptions.documentSelector.map((x) => x.language).filter(Boolean);
  for (const l of pkg.contributes.languages) assert.ok(languages.includes(l.id), l.id);
  assert.ok(client.clientOptions.documentSelector.some((x) => x.pattern === '**/answers/**/*.json'));
  await extension.deactivate();
  assert.ok(!client.started);
});
