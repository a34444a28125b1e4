'use strict';
// The commands against the real `mizan`, when MIZAN_BIN names it (ci.sh sets
// it to ../../target/debug/mizan when that exists): evaluate a shipped rubric's
// example answer sets, and diff a shipped rubric whose band threshold moved.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const runner = require('../lib/run');

const bin = process.env.MIZAN_BIN;
const repo = path.join(__dirname, '..', '..', '..');
const rubric = path.join(repo, 'rules', 'uae', 'proactive-readiness', '2020.mizan');
const answers = path.join(repo, 'examples', 'uae-proactive-readiness-2020');
const skip = !bin ? 'MIZAN_BIN is not set' : !fs.existsSync(rubric) ? 'no shipped rubric' : false;

test('evaluate answers with mizan eval', { skip }, async () => {
  const { result } = await runner.evaluate(rubric, [answers], { path: bin, cwd: repo, outputFormat: 'plain' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /vaccination-reminder\s+20%/);
  assert.match(result.stdout, /population: 24% over 5 entities/);
});

test('diff against git HEAD with mizan diff', { skip }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-vscode-real-'));
  try {
    const file = path.join(tmp, '2020.mizan');
    fs.copyFileSync(rubric, file);
    const git = (...a) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...a], { cwd: tmp, stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'as shipped');
    const same = await runner.diffAgainstHead(file, { path: bin });
    assert.equal(same.result.code, 0, same.result.stdout + same.result.stderr);
    fs.writeFileSync(file, fs.readFileSync(rubric, 'utf8').replace('candidate     >= 0.2', 'candidate     >= 0.4'));
    const moved = await runner.diffAgainstHead(file, { path: bin });
    assert.equal(moved.result.code, 1, moved.result.stdout + moved.result.stderr);
    assert.match(moved.result.stdout, /candidate: >= 0\.2 → >= 0\.4/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
