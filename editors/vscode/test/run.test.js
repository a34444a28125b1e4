'use strict';
// The commands' work without VS Code: a stand-in `mizan` that prints its
// arguments and the files it was given, in a throwaway git repository.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const runner = require('../lib/run');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-vscode-test-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// `mizan` that prints {args, files: {arg: first line}} as JSON and exits 3.
const fake = path.join(tmp, 'fake-mizan');
fs.writeFileSync(
  fake,
  `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
const files = {};
for (const a of args) if (a.endsWith('.mizan') && fs.existsSync(a)) files[a] = fs.readFileSync(a, 'utf8').split('\\n')[0];
console.log(JSON.stringify({ args, files, cwd: process.cwd() }));
process.exit(3);
`,
);
fs.chmodSync(fake, 0o755);

const repo = path.join(tmp, 'repo');
const rules = path.join(repo, 'rules', 'uae', 'integration');
function git(...args) {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo, stdio: 'pipe' });
}

test.before(() => {
  fs.mkdirSync(rules, { recursive: true });
  git('init', '-q');
  fs.writeFileSync(path.join(rules, '2018.mizan'), '# at HEAD: وزن\nmizan 1\n');
  git('add', '-A');
  git('commit', '-qm', 'first');
  fs.writeFileSync(path.join(rules, '2018.mizan'), '# working copy\nmizan 1\n');
  fs.writeFileSync(path.join(rules, 'new.mizan'), '# never committed\n');
});

test('diff against HEAD: the committed version, into a temporary file of the same name', async () => {
  const file = path.join(rules, '2018.mizan');
  const out = await runner.diffAgainstHead(file, { path: fake, lang: 'ar', outputFormat: 'plain' });
  assert.equal(out.error, undefined);
  assert.equal(out.result.code, 3);
  const seen = JSON.parse(out.result.stdout);
  assert.deepEqual(seen.args, ['diff', '--lang', 'ar', '--format', 'plain', out.headFile, file]);
  assert.equal(path.basename(out.headFile), '2018.mizan');
  assert.equal(seen.files[out.headFile], '# at HEAD: وزن');
  assert.equal(seen.files[file], '# working copy');
  assert.equal(fs.realpathSync(seen.cwd), fs.realpathSync(rules));
  assert.ok(!fs.existsSync(out.headFile), 'the temporary copy is removed');
  assert.match(runner.describeDiffExit(3), /wording only/);
});

test('diff against HEAD: a file never committed, a file outside git', async () => {
  const fresh = await runner.diffAgainstHead(path.join(rules, 'new.mizan'), { path: fake });
  assert.match(fresh.error, /new\.mizan has no version at HEAD/);
  const outside = path.join(tmp, 'outside.mizan');
  fs.writeFileSync(outside, 'mizan 1\n');
  const none = await runner.diffAgainstHead(outside, { path: fake });
  assert.match(none.error, /is not in a git repository/);
});

test('evaluate: `mizan eval --lang --format RULES ANSWERS…`', async () => {
  const file = path.join(rules, '2018.mizan');
  const { args, result } = await runner.evaluate(file, ['/answers/a.json', '/answers/dir'], {
    path: fake,
    cwd: repo,
  });
  assert.deepEqual(args, ['eval', '--lang', 'en', '--format', 'human', file, '/answers/a.json', '/answers/dir']);
  assert.deepEqual(JSON.parse(result.stdout).args, args);
  assert.equal(fs.realpathSync(JSON.parse(result.stdout).cwd), fs.realpathSync(repo));
  assert.match(runner.describeEvalExit(2), /rejected/);
});

test('a program that cannot be started is reported, not thrown', async () => {
  const r = await runner.run(path.join(tmp, 'no-such-mizan'), ['eval']);
  assert.equal(r.code, null);
  assert.ok(r.error);
});

test('the language server command: `mizan lsp` and the extra arguments', () => {
  assert.deepEqual(runner.serverCommand({}), { command: 'mizan', args: ['lsp'] });
  assert.deepEqual(runner.serverCommand({ path: '/opt/mizan', lspArgs: ['--rules', 'rules'] }), {
    command: '/opt/mizan',
    args: ['lsp', '--rules', 'rules'],
  });
});

test('rule files, not test files, are evaluated and diffed', () => {
  assert.ok(runner.isRuleFile('/r/uae/integration/2018.mizan'));
  assert.ok(!runner.isRuleFile('/r/uae/integration/2018.test.mizan'));
  assert.ok(!runner.isRuleFile('/r/answers.json'));
  assert.equal(runner.showCommand('mizan', ['eval', 'a b.mizan']), "mizan eval 'a b.mizan'");
});
