'use strict';
// A stand-in for the `vscode` module (and, optionally, vscode-languageclient's
// LanguageClient) so that extension.js can be loaded and activated by node.
const Module = require('node:module');

// Any name the real vscode-languageclient reads at load time (classes it
// extends, enums): a function that can be called, constructed and extended.
function anything() {
  const target = function () {};
  return new Proxy(target, {
    get: (t, k) => (typeof k === 'symbol' || k === 'then' ? undefined : k in t ? t[k] : anything()),
    construct: () => ({}),
    apply: () => anything(),
  });
}

function withAnything(api) {
  return new Proxy(api, {
    get: (t, k) => (k in t ? t[k] : typeof k === 'symbol' || k === 'then' ? undefined : anything()),
  });
}

function stub(config) {
  const state = { registered: [], clients: [], config };
  const vscode = {
    workspace: {
      getConfiguration: () => ({ get: (k) => state.config[k] }),
      createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
      onDidChangeConfiguration: () => ({ dispose() {} }),
    },
    window: {
      createOutputChannel: (name) => ({ name, dispose() {}, appendLine() {}, append() {}, clear() {}, show() {} }),
      showErrorMessage: async () => undefined,
    },
    commands: {
      registerCommand: (id) => {
        state.registered.push(id);
        return { dispose() {} };
      },
    },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false });
      state.clients.push(this);
    }
    async start() {
      this.started = true;
    }
    async stop() {
      this.started = false;
    }
  }
  return { state, vscode, languageclient: { LanguageClient, TransportKind: { stdio: 0 } } };
}

// require(file) with `vscode` answered by the stub; vscode-languageclient too
// unless `realClient` (then the extension's own copy is loaded, as in VS Code).
function requireWith(file, s, realClient = false) {
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return realClient ? withAnything(s.vscode) : s.vscode;
    if (!realClient && request === 'vscode-languageclient/node') return s.languageclient;
    return load.call(this, request, ...rest);
  };
  try {
    return require(file);
  } finally {
    Module._load = load;
  }
}

module.exports = { stub, requireWith };
