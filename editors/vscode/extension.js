'use strict';
// The Mizan extension: starts `mizan lsp` (diagnostics, hover, completion,
// navigation, rename, formatting), and adds two commands that run the CLI:
// "Mizan: evaluate answers" and "Mizan: diff against git HEAD".
// Plain CommonJS, no build step. What the commands run lives in lib/run.js.
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const runner = require('./lib/run');

let client;
let serverOutput;
let commandOutput;

function settings() {
  const c = vscode.workspace.getConfiguration('mizan');
  return {
    path: c.get('path') || 'mizan',
    lspArgs: c.get('lspArgs') || [],
    lang: c.get('lang') || 'en',
    outputFormat: c.get('outputFormat') || 'human',
    answerSetFiles: c.get('answerSetFiles') || [],
  };
}

function documentSelector(s) {
  const selector = [
    { scheme: 'file', language: 'mizan' },
    { scheme: 'file', language: 'mizan-test' },
    { scheme: 'untitled', language: 'mizan' },
    { scheme: 'untitled', language: 'mizan-test' },
  ];
  for (const pattern of s.answerSetFiles) selector.push({ scheme: 'file', pattern });
  return selector;
}

async function startServer(context) {
  const s = settings();
  const { command, args } = runner.serverCommand(s);
  const executable = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    'mizan',
    'Mizan language server',
    { run: executable, debug: executable },
    {
      documentSelector: documentSelector(s),
      outputChannel: serverOutput,
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{mizan,json,jsonl,lock}'),
      },
    },
  );
  try {
    await client.start();
  } catch (err) {
    const choice = await vscode.window.showErrorMessage(
      `Mizan: could not start \`${runner.showCommand(command, args)}\` (${err && err.message ? err.message : err}). ` +
        'Install mizan or set `mizan.path` to the program.',
      'Open settings',
    );
    if (choice === 'Open settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'mizan.path');
    }
  }
  context.subscriptions.push({ dispose: () => stopServer() });
}

// Stop the server if it runs; a server that never started has nothing to stop.
async function stopServer() {
  const running = client;
  client = undefined;
  if (!running) return;
  try {
    await running.stop();
  } catch (_) {
    // it failed to start, or is already stopped
  }
}

async function restartServer(context) {
  await stopServer();
  await startServer(context);
}

// The rule file of the active editor, saved (the CLI reads the file on disk).
async function activeRuleFile(action) {
  const editor = vscode.window.activeTextEditor;
  const doc = editor && editor.document;
  if (!doc || doc.uri.scheme !== 'file' || !runner.isRuleFile(doc.uri.fsPath)) {
    vscode.window.showWarningMessage(`Mizan: open a rule file (\`.mizan\`, not \`.test.mizan\`) to ${action}.`);
    return undefined;
  }
  if (doc.isDirty && !(await doc.save())) {
    vscode.window.showWarningMessage('Mizan: the file could not be saved.');
    return undefined;
  }
  return doc.uri.fsPath;
}

function show(header, result, describe) {
  commandOutput.clear();
  commandOutput.appendLine(`$ ${header}`);
  commandOutput.appendLine('');
  if (result.code === null) {
    commandOutput.appendLine(`could not run the program: ${result.error && result.error.message}`);
    commandOutput.appendLine('Set `mizan.path` to the mizan program.');
  } else {
    if (result.stdout) commandOutput.append(result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`);
    if (result.stderr) commandOutput.append(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`);
    commandOutput.appendLine('');
    commandOutput.appendLine(`exit ${result.code}: ${describe(result.code)}`);
  }
  commandOutput.show(true);
}

async function evaluateAnswers(context) {
  const rules = await activeRuleFile('evaluate answers');
  if (!rules) return;
  const last = context.workspaceState.get('mizan.lastAnswers');
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(rules));
  const picked = await vscode.window.showOpenDialog({
    title: 'Answer sets to evaluate (.json, .jsonl, or a directory of them)',
    openLabel: 'Evaluate',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: true,
    defaultUri: last ? vscode.Uri.file(last) : folder ? folder.uri : vscode.Uri.file(path.dirname(rules)),
    filters: { 'Answer sets': ['json', 'jsonl'] },
  });
  if (!picked || picked.length === 0) return;
  const answers = picked.map((u) => u.fsPath);
  await context.workspaceState.update('mizan.lastAnswers', answers[0]);
  const s = settings();
  const cwd = folder ? folder.uri.fsPath : path.dirname(rules);
  const { args, result } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'mizan eval' },
    () => runner.evaluate(rules, answers, { ...s, cwd }),
  );
  show(runner.showCommand(s.path, args), result, runner.describeEvalExit);
}

async function diffAgainstHead() {
  const file = await activeRuleFile('diff it against git HEAD');
  if (!file) return;
  const s = settings();
  const out = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'mizan diff' },
    () => runner.diffAgainstHead(file, s),
  );
  if (out.error) {
    vscode.window.showWarningMessage(`Mizan: ${out.error}`);
    return;
  }
  const header = `git show HEAD:./${path.basename(file)} > ${out.headFile}\n$ ${runner.showCommand(s.path, out.args)}`;
  show(header, out.result, runner.describeDiffExit);
}

async function activate(context) {
  serverOutput = vscode.window.createOutputChannel('Mizan language server');
  commandOutput = vscode.window.createOutputChannel('Mizan');
  context.subscriptions.push(
    serverOutput,
    commandOutput,
    vscode.commands.registerCommand('mizan.evaluateAnswers', () => evaluateAnswers(context)),
    vscode.commands.registerCommand('mizan.diffAgainstHead', () => diffAgainstHead()),
    vscode.commands.registerCommand('mizan.restartServer', () => restartServer(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['mizan.path', 'mizan.lspArgs', 'mizan.answerSetFiles'].some((k) => e.affectsConfiguration(k))) {
        restartServer(context);
      }
    }),
  );
  await startServer(context);
}

async function deactivate() {
  await stopServer();
}

module.exports = { activate, deactivate, documentSelector, settings };
