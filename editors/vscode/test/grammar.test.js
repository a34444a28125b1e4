'use strict';
// The grammar compiles with the regex engine VS Code uses (Oniguruma), colours
// every keyword of grammar/mizan.pest, and tokenizes every shipped rule file.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const oniguruma = require('vscode-oniguruma');
const { GRAMMAR, loadGrammar, tokenize } = require('./grammar-load');

const repo = path.join(__dirname, '..', '..', '..');
const raw = JSON.parse(fs.readFileSync(GRAMMAR, 'utf8'));
let grammar;

test.before(async () => {
  grammar = await loadGrammar();
});

// Every `match`, `begin` and `end` of the grammar, with where it is.
function regexes(node, where, out = []) {
  if (Array.isArray(node)) {
    node.forEach((n, i) => regexes(n, `${where}[${i}]`, out));
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (['match', 'begin', 'end', 'while'].includes(k) && typeof v === 'string') out.push([`${where}.${k}`, v]);
      else regexes(v, `${where}.${k}`, out);
    }
  }
  return out;
}

test('every pattern compiles with Oniguruma', () => {
  const all = regexes(raw, '$');
  assert.ok(all.length > 30);
  for (const [where, re] of all) {
    assert.doesNotThrow(() => new oniguruma.OnigScanner([re]).dispose(), `${where}: ${re}`);
  }
});

test('every include names a repository entry', () => {
  const text = JSON.stringify(raw);
  for (const [, name] of text.matchAll(/"include":"#([^"]+)"/g)) {
    assert.ok(raw.repository[name], `#${name}`);
  }
});

// The keywords of the language, from the pest grammar (`kw_x = @{ "x" ~ !idc }`,
// the operator words, the rounding modes).
function pestKeywords() {
  const pest = fs.readFileSync(path.join(repo, 'grammar', 'mizan.pest'), 'utf8');
  const words = new Set();
  for (const line of pest.split('\n')) {
    const m = line.match(/^(kw_\w+|op_(?:and|or|not|in)|round_mode|reserved_expr)\s*=\s*[_@$]?\{(.*)\}\s*$/);
    if (!m || m[1] === 'kw_one_of') continue;
    for (const [, w] of m[2].matchAll(/"([^"]+)"/g)) words.add(w);
  }
  if (pest.includes('kw_one_of')) words.add('one of');
  return [...words];
}

function scopesOf(line) {
  return tokenize(grammar, line)[0].filter((t) => /[^ \t]/.test(t.text));
}

test('every keyword of grammar/mizan.pest is coloured as a keyword', () => {
  const words = pestKeywords();
  assert.ok(words.length >= 60, `found ${words.length} keywords`);
  for (const word of words) {
    const toks = scopesOf(`  ${word}`);
    const scopes = toks.map((t) => t.scopes.join(' ')).join(' | ');
    assert.match(
      scopes,
      /^(keyword\.|storage\.type\.|constant\.language\.)/,
      `\`${word}\` is coloured ${scopes}`,
    );
  }
});

test('Arabic and English labels, a label in another language', () => {
  const toks = scopesOf('    yes 1 ar "نعم" en "Yes" fr "Oui"');
  const find = (text) => toks.find((t) => t.text === text);
  assert.ok(find('ar').scopes.includes('entity.other.attribute-name.lang.ar.mizan'));
  assert.ok(find('نعم').scopes.includes('string.quoted.double.label.ar.mizan'));
  assert.ok(find('Yes').scopes.includes('string.quoted.double.label.en.mizan'));
  assert.ok(find('Oui').scopes.includes('string.quoted.double.label.mizan'));
  assert.ok(find('yes').scopes.includes('variable.other.enummember.option.mizan'));
});

test('an unterminated string stops at the end of its line', () => {
  const lines = tokenize(grammar, 'title en "Unterminated\n  weight 2');
  const weight = lines[1].find((t) => t.text === 'weight');
  assert.deepEqual(weight.scopes, ['keyword.other.weight.mizan']);
});

function shipped(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) shipped(p, out);
    else if (e.name.endsWith('.mizan')) out.push(p);
  }
  return out;
}

test('every shipped rule and test file tokenizes, with no invalid token and every string closed', () => {
  const files = ['rules', 'examples'].flatMap((d) =>
    fs.existsSync(path.join(repo, d)) ? shipped(path.join(repo, d)) : [],
  );
  assert.ok(files.length > 5, `found ${files.length} files`);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const start = Date.now();
    const lines = tokenize(grammar, text);
    lines.forEach((toks, i) => {
      for (const t of toks) {
        const where = `${path.relative(repo, file)}:${i + 1} ${JSON.stringify(t.text)}`;
        assert.ok(!t.scopes.some((s) => s.startsWith('invalid')), `${where}: ${t.scopes}`);
      }
      const last = toks[toks.length - 1];
      if (last && last.scopes.some((s) => s.startsWith('string'))) {
        assert.ok(
          last.scopes.includes('punctuation.definition.string.end.mizan') || last.text.trim() === '',
          `${path.relative(repo, file)}:${i + 1}: a string runs to the end of the line`,
        );
      }
    });
    assert.ok(Date.now() - start < 5000, `${file} took ${Date.now() - start} ms`);
  }
});

test('invisible characters: outside strings they are errors, bidi controls are flagged everywhere', () => {
  const toks = scopesOf('    yes\u200F 1 ar "نعم\u202E" en "Yes" # \u2067x');
  const rlm = toks.find((t) => t.text === '\u200F');
  assert.ok(rlm && rlm.scopes.includes('invalid.illegal.invisible.mizan'), JSON.stringify(toks));
  assert.ok(toks.find((t) => t.text === 'yes'));
  const inLabel = toks.find((t) => t.text === '\u202E');
  assert.deepEqual(inLabel.scopes, ['string.quoted.double.label.ar.mizan', 'invalid.deprecated.bidi-control.mizan']);
  const inComment = toks.find((t) => t.text === '\u2067');
  assert.deepEqual(inComment.scopes, ['comment.line.number-sign.mizan', 'invalid.deprecated.bidi-control.mizan']);
  const nbsp = scopesOf('  weight\u00A02').find((t) => t.text === '\u00A0');
  assert.deepEqual(nbsp.scopes, ['invalid.illegal.invisible.mizan']);
});
