'use strict';
// `node test/vsix-check.js mizan.vsix`: the packaged extension has its
// manifest, grammar and client, and extension.js loads from the package with
// the vscode-languageclient it ships (no test files, no dev dependencies).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const yauzl = require('yauzl');
const { stub, requireWith } = require('./vscode-stub');

function unzip(file, dest) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names = [];
      zip.on('entry', (entry) => {
        names.push(entry.fileName);
        const out = path.join(dest, entry.fileName);
        if (!out.startsWith(dest + path.sep)) return reject(new Error(`bad entry ${entry.fileName}`));
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        fs.mkdirSync(path.dirname(out), { recursive: true });
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          stream.pipe(fs.createWriteStream(out)).on('finish', () => zip.readEntry());
        });
      });
      zip.on('end', () => resolve(names));
      zip.readEntry();
    });
  });
}

async function main() {
  const vsix = path.resolve(process.argv[2] || 'mizan.vsix');
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-vsix-'));
  try {
    const names = await unzip(vsix, dest);
    for (const f of [
      'extension/package.json',
      'extension/extension.js',
      'extension/lib/run.js',
      'extension/language-configuration.json',
      'extension/syntaxes/mizan.tmLanguage.json',
      'extension/node_modules/vscode-languageclient/node.js',
    ]) {
      assert.ok(names.includes(f), `${f} is in the .vsix`);
    }
    assert.ok(!names.some((n) => n.startsWith('extension/test/')), 'no test files in the .vsix');
    assert.ok(!names.some((n) => n.includes('node_modules/@vscode/vsce')), 'no dev dependencies in the .vsix');
    const s = stub({ path: 'mizan', lspArgs: [] });
    const ext = requireWith(path.join(dest, 'extension', 'extension.js'), s, true);
    assert.equal(typeof ext.activate, 'function');
    const resolved = require.resolve('vscode-languageclient/node', { paths: [path.join(dest, 'extension')] });
    assert.ok(resolved.startsWith(dest), `the client comes from the .vsix (${resolved})`);
    console.log(`${path.basename(vsix)}: ${names.length} files, extension.js loads with its own vscode-languageclient`);
  } finally {
    fs.rmSync(dest, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
