'use strict';
// Loads syntaxes/mizan.tmLanguage.json with vscode-textmate and the Oniguruma
// regex engine VS Code itself uses (shared by the node tests and the token dump).
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const GRAMMAR = path.join(__dirname, '..', 'syntaxes', 'mizan.tmLanguage.json');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.mizan') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR);
    },
  });
  return registry.loadGrammar('source.mizan');
}

// Every line of `text` as a list of {text, scopes} tokens.
function tokenize(grammar, text) {
  let state = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({
      text: line.slice(t.startIndex, t.endIndex),
      scopes: t.scopes.slice(1),
    }));
  });
}

module.exports = { GRAMMAR, loadGrammar, tokenize };

// `node test/grammar-load.js FILE`: print each line's tokens (to write fixtures).
if (require.main === module) {
  loadGrammar().then((g) => {
    const lines = tokenize(g, fs.readFileSync(process.argv[2], 'utf8'));
    lines.forEach((toks, i) => {
      console.log(`${i + 1}:`);
      for (const t of toks) if (/[^ \t]/.test(t.text)) console.log(`   ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`);
    });
  });
}
