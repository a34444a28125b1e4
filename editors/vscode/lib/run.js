'use strict';
// What the extension's commands run, without VS Code: building the `mizan`
// command lines, fetching a file's HEAD version from git, and reading the exit
// codes. test/run.test.js drives these with a stand-in `mizan`.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Run `command args` without a shell; never rejects: {code, stdout, stderr, error}.
// `code` is null when the program could not be started (error says why).
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: '1', ...(options.env || {}) },
        maxBuffer: 64 * 1024 * 1024,
        encoding: options.encoding || 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr, error: code === null ? error : undefined });
      },
    );
  });
}

// `mizan lsp [ARGS…]`: how the language server is started.
function serverCommand(settings) {
  return {
    command: settings.path || 'mizan',
    args: ['lsp', ...(settings.lspArgs || [])],
  };
}

// `mizan eval --lang L --format F RULES ANSWERS…`
function evalArgs(rules, answers, settings = {}) {
  return [
    'eval',
    '--lang', settings.lang || 'en',
    '--format', settings.outputFormat || 'human',
    rules,
    ...answers,
  ];
}

// `mizan diff --lang L --format F OLD NEW`
function diffArgs(oldFile, newFile, settings = {}) {
  return [
    'diff',
    '--lang', settings.lang || 'en',
    '--format', settings.outputFormat || 'human',
    oldFile,
    newFile,
  ];
}

// What `mizan eval`'s exit code means (README: Exit codes).
function describeEvalExit(code) {
  switch (code) {
    case 0: return 'clean: every answer set was evaluated';
    case 1: return 'the rules have errors, or a file cannot be read';
    case 2: return 'some answer sets were rejected; the others were evaluated';
    case 64: return 'usage error';
    default: return `exit code ${code}`;
  }
}

// What `mizan diff`'s exit code means (`mizan diff --help`).
function describeDiffExit(code) {
  switch (code) {
    case 0: return 'no change';
    case 1: return 'changes of meaning: a score, band, rank or validity may change';
    case 2: return 'a version does not check, or an input cannot be read';
    case 3: return 'wording only: titles, descriptions or labels changed, no score can move';
    case 64: return 'usage error';
    default: return `exit code ${code}`;
  }
}

// The file as committed at HEAD, written to a new temporary directory under
// its own name (so that messages name it as people know it). Returns
// {file, dir} or {error} (not in a git repository, not committed yet, …).
async function headVersion(file, options = {}) {
  const git = options.git || 'git';
  const dir = path.dirname(file);
  const top = await run(git, ['rev-parse', '--show-toplevel'], { cwd: dir });
  if (top.code !== 0) {
    return { error: `${file} is not in a git repository${top.stderr ? `: ${top.stderr.trim()}` : ''}` };
  }
  // `HEAD:./NAME` is NAME relative to the working directory (git 1.7.6+).
  const shown = await run(git, ['show', `HEAD:./${path.basename(file)}`], { cwd: dir, encoding: 'buffer' });
  if (shown.code !== 0) {
    const why = shown.stderr ? shown.stderr.toString('utf8').trim() : String(shown.error || '');
    return { error: `${path.basename(file)} has no version at HEAD (is it committed?): ${why}` };
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-head-'));
  const old = path.join(tmp, path.basename(file));
  fs.writeFileSync(old, shown.stdout);
  return { file: old, dir: tmp };
}

// `mizan diff HEAD-version working-file`: {args, result, headFile} or {error}.
async function diffAgainstHead(file, settings = {}) {
  const head = await headVersion(file, settings);
  if (head.error) return { error: head.error };
  try {
    const args = diffArgs(head.file, file, settings);
    const result = await run(settings.path || 'mizan', args, { cwd: path.dirname(file) });
    return { args, result, headFile: head.file };
  } finally {
    fs.rmSync(head.dir, { recursive: true, force: true });
  }
}

// `mizan eval RULES ANSWERS…`: {args, result}.
async function evaluate(rules, answers, settings = {}) {
  const args = evalArgs(rules, answers, settings);
  const result = await run(settings.path || 'mizan', args, { cwd: settings.cwd || path.dirname(rules) });
  return { args, result };
}

// A command line as people would type it (for the output channel's header).
function showCommand(command, args) {
  const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  return [command, ...args].map(quote).join(' ');
}

// Rule files, not test files (`NAME.test.mizan`), can be evaluated or diffed.
function isRuleFile(file) {
  return file.endsWith('.mizan') && !file.endsWith('.test.mizan');
}

module.exports = {
  run,
  serverCommand,
  evalArgs,
  diffArgs,
  describeEvalExit,
  describeDiffExit,
  headVersion,
  diffAgainstHead,
  evaluate,
  showCommand,
  isRuleFile,
};
