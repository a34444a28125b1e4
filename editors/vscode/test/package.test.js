'use strict';
// The extension's manifest contributes what the editor needs: the two
// languages, the grammar, the settings and the commands.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

test('the languages: mizan for .mizan, mizan-test for .test.mizan', () => {
  const byId = Object.fromEntries(contributes.languages.map((l) => [l.id, l]));
  assert.deepEqual(Object.keys(byId).sort(), ['mizan', 'mizan-test']);
  assert.deepEqual(byId.mizan.extensions, ['.mizan']);
  assert.deepEqual(byId['mizan-test'].extensions, ['.test.mizan']);
  for (const lang of contributes.languages) {
    const conf = JSON.parse(fs.readFileSync(path.join(root, lang.configuration), 'utf8'));
    assert.equal(conf.comments.lineComment, '#');
    assert.ok(conf.brackets.some(([open, close]) => open === '{' && close === '}'));
    assert.ok(conf.autoClosingPairs.some((p) => p.open === '"'));
    for (const key of ['increaseIndentPattern', 'decreaseIndentPattern']) {
      assert.doesNotThrow(() => new RegExp(conf.indentationRules[key]), key);
    }
    assert.doesNotThrow(() => new RegExp(conf.wordPattern));
  }
});

test('indentation: a line that opens a block indents, `}` outdents', () => {
  const conf = JSON.parse(fs.readFileSync(path.join(root, 'language-configuration.json'), 'utf8'));
  const inc = new RegExp(conf.indentationRules.increaseIndentPattern);
  const dec = new RegExp(conf.indentationRules.decreaseIndentPattern);
  assert.ok(inc.test('  criterion gsb.3.1 {'));
  assert.ok(inc.test('  scale met ar "تحقق المعيار" en "Criterion met" {'));
  assert.ok(inc.test('  part criteria {  # the five criteria'));
  assert.ok(!inc.test('    criterion fednet.2 { number 0..100 }'));
  assert.ok(!inc.test('  title ar "{" en "a brace in a string"'));
  assert.ok(!inc.test('  # a comment {'));
  assert.ok(dec.test('  }'));
  assert.ok(!dec.test('  weight 2'));
});

test('the grammar: one file, scope source.mizan, for both languages', () => {
  const ids = contributes.grammars.map((g) => g.language).sort();
  assert.deepEqual(ids, ['mizan', 'mizan-test']);
  for (const g of contributes.grammars) {
    assert.equal(g.path, './syntaxes/mizan.tmLanguage.json');
    assert.equal(g.scopeName, 'source.mizan');
    const grammar = JSON.parse(fs.readFileSync(path.join(root, g.path), 'utf8'));
    assert.equal(grammar.scopeName, g.scopeName);
  }
});

test('the commands: evaluate answers, diff against git HEAD', () => {
  const byId = Object.fromEntries(contributes.commands.map((c) => [c.command, c]));
  assert.equal(byId['mizan.evaluateAnswers'].title, 'Evaluate answers');
  assert.equal(byId['mizan.diffAgainstHead'].title, 'Diff against git HEAD');
  for (const c of contributes.commands) assert.equal(c.category, 'Mizan');
});

test('the settings: mizan.path (default `mizan`) and mizan.lspArgs', () => {
  const props = contributes.configuration.properties;
  assert.equal(props['mizan.path'].type, 'string');
  assert.equal(props['mizan.path'].default, 'mizan');
  assert.equal(props['mizan.lspArgs'].type, 'array');
  assert.deepEqual(props['mizan.lspArgs'].default, []);
  assert.deepEqual(props['mizan.lang'].enum, ['en', 'ar']);
});

test('activation and entry point', () => {
  assert.ok(pkg.activationEvents.includes('onLanguage:mizan'));
  assert.ok(pkg.activationEvents.includes('onLanguage:mizan-test'));
  assert.ok(fs.existsSync(path.join(root, pkg.main)));
  assert.ok(pkg.dependencies['vscode-languageclient']);
  assert.ok(pkg.publisher, 'vsce needs a publisher');
  assert.ok(fs.existsSync(path.join(root, 'LICENSE')), 'vsce asks for a LICENSE');
});

test('an untrusted workspace cannot choose the program that is run', () => {
  const trust = pkg.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.deepEqual(trust.restrictedConfigurations.sort(), ['mizan.lspArgs', 'mizan.path']);
});
