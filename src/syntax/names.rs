//! Plain-words names for grammar rules, so that syntax errors never show a
//! raw rule name such as `EOI` or `kw_weight`.

use super::Rule;

/// True for the `kw_*` rules, whose pairs carry no meaning of their own.
pub(crate) fn is_keyword(rule: Rule) -> bool {
    keyword(rule).is_some()
}

/// The keyword a `kw_*` rule matches.
fn keyword(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::kw_mizan => "mizan",
        Rule::kw_rubric => "rubric",
        Rule::kw_version => "version",
        Rule::kw_title => "title",
        Rule::kw_description => "description",
        Rule::kw_precision => "precision",
        Rule::kw_missing => "missing",
        Rule::kw_levels => "levels",
        Rule::kw_profile => "profile",
        Rule::kw_scale => "scale",
        Rule::kw_bands => "bands",
        Rule::kw_let => "let",
        Rule::kw_formula => "formula",
        Rule::kw_population => "population",
        Rule::kw_weight => "weight",
        Rule::kw_aggregate => "aggregate",
        Rule::kw_score => "score",
        Rule::kw_na => "na",
        Rule::kw_applies => "applies",
        Rule::kw_when => "when",
        Rule::kw_choice => "choice",
        Rule::kw_multi => "multi",
        Rule::kw_combine => "combine",
        Rule::kw_number => "number",
        Rule::kw_yesno => "yesno",
        Rule::kw_baseline => "baseline",
        Rule::kw_target => "target",
        Rule::kw_direction => "direction",
        Rule::kw_over => "over",
        Rule::kw_normalised => "normalised",
        Rule::kw_one_of => "one of",
        Rule::kw_bool => "bool",
        Rule::kw_none => "none",
        Rule::kw_if => "if",
        Rule::kw_then => "then",
        Rule::kw_else => "else",
        Rule::kw_na_weight => "n/a",
        Rule::kw_ignore => "ignore",
        Rule::kw_repeated => "repeated",
        Rule::kw_keys => "keys",
        Rule::kw_fields => "fields",
        Rule::kw_requires => "requires",
        Rule::kw_where => "where",
        Rule::kw_rank => "rank",
        Rule::kw_renamed => "renamed",
        Rule::kw_tests => "tests",
        Rule::kw_case => "case",
        Rule::kw_answers => "answers",
        Rule::kw_answer => "answer",
        Rule::kw_entity => "entity",
        Rule::kw_expect => "expect",
        Rule::kw_error => "error",
        Rule::kw_within => "within",
        Rule::kw_band => "band",
        Rule::kw_on => "on",
        Rule::kw_instances => "instances",
        Rule::kw_template => "template",
        Rule::kw_for => "for",
        Rule::kw_constraint => "constraint",
        Rule::kw_warning => "warning",
        Rule::kw_codes => "codes",
        Rule::kw_unit => "unit",
        Rule::kw_of => "of",
        Rule::kw_headline => "headline",
        _ => return None,
    })
}

/// True when `word` is the keyword of one of `rules`.
pub(crate) fn keyword_fits(rules: &[Rule], word: &str) -> bool {
    rules.iter().any(|r| keyword(*r) == Some(word))
}

/// The keywords that start a declaration inside a node, the rubric or its
/// population block (suggested for a misspelt keyword, offered by the
/// language server's completion).
pub(crate) const DECLARATIONS: &[&str] = &[
    "version",
    "title",
    "description",
    "precision",
    "missing",
    "levels",
    "profile",
    "scale",
    "bands",
    "population",
    "weight",
    "aggregate",
    "score",
    "na",
    "applies",
    "choice",
    "multi",
    "number",
    "yesno",
    "baseline",
    "target",
    "direction",
    "repeated",
    "fields",
    "requires",
    "renamed",
    "constraint",
    "codes",
    "formula",
    "let",
    "instances",
    "template",
    "unit",
    "headline",
    "rank",
];

/// True for a word that starts a declaration (`formula`, `let`, …).
pub(crate) fn is_declaration(word: &str) -> bool {
    declaration_shape(word).is_some()
        || matches!(
            word,
            "version"
                | "title"
                | "description"
                | "precision"
                | "missing"
                | "levels"
                | "profile"
                | "scale"
                | "bands"
                | "population"
                | "weight"
                | "aggregate"
                | "score"
                | "na"
                | "applies"
                | "choice"
                | "multi"
                | "number"
                | "yesno"
                | "baseline"
                | "target"
                | "direction"
                | "repeated"
                | "fields"
                | "requires"
                | "renamed"
                | "constraint"
                | "codes"
        )
}

/// The form of the declarations most often written wrong.
pub(crate) fn declaration_shape(word: &str) -> Option<&'static str> {
    Some(match word {
        "formula" => "`formula NAME = EXPR` or `formula NAME(PARAM, …) = EXPR`",
        "let" => "`let NAME = EXPR`; a formula with parameters is `formula NAME(PARAM, …) = EXPR`",
        "instances" => "`instances LIST { ID [TEXT] [{ FIELD: VALUE, … }] … }`",
        "template" => "`template NAME for LIST { LEVEL $ { … } }`",
        _ => return None,
    })
}

/// A phrase for any rule that can appear in pest's expected set.
pub(crate) fn phrase(rule: Rule) -> String {
    if let Some(k) = keyword(rule) {
        return format!("`{k}`");
    }
    match rule {
        Rule::EOI => "end of file",
        Rule::reserved => "a keyword",
        Rule::ident => "a name",
        Rule::path => "a name or dotted id",
        Rule::lang => "a language tag such as `ar` or `en`",
        Rule::number => "a number",
        Rule::round_mode => "a rounding mode such as `half_even`",
        Rule::string => "a quoted string",
        Rule::string_inner => "string text",
        Rule::text => "a label such as `en \"Yes\"`",
        Rule::file => "a rule file",
        Rule::lang_version => "`mizan` and a language version",
        Rule::rubric => "`rubric`",
        Rule::version_decl
        | Rule::title_decl
        | Rule::description_decl
        | Rule::precision_decl
        | Rule::missing_decl
        | Rule::levels_decl
        | Rule::profile_decl
        | Rule::scale_decl
        | Rule::bands_decl
        | Rule::let_decl
        | Rule::formula_decl
        | Rule::population_decl
        | Rule::weight_decl
        | Rule::aggregate_decl
        | Rule::score_decl
        | Rule::na_decl
        | Rule::applies_decl
        | Rule::use_bands
        | Rule::choice_decl
        | Rule::multi_decl
        | Rule::number_decl
        | Rule::yesno_decl
        | Rule::baseline_decl
        | Rule::target_decl
        | Rule::direction_decl
        | Rule::repeated_decl
        | Rule::fields_decl
        | Rule::requires_decl
        | Rule::constraint_decl
        | Rule::codes_decl
        | Rule::rank_decl
        | Rule::renamed_decl
        | Rule::instances_decl
        | Rule::template_decl
        | Rule::unit_decl
        | Rule::headline_decl => "a declaration",
        Rule::params => "parameters such as `(k, n)`",
        Rule::instance_decl => "an instance such as `pop en \"Population\" { group: social }`",
        Rule::instance_fields => "`{` and instance fields",
        Rule::instance_field => "an instance field such as `group: social`",
        Rule::tpath => "a template node id such as `$` or `$.ind`",
        Rule::level_item => "a level name",
        Rule::constraint_level => "`error` or `warning`",
        Rule::code_decl => "a code such as `pending n/a en \"Data pending\"`",
        Rule::field_decl => "a profile field such as `role: one of a, b`",
        Rule::field_type => "a field type (`one of …`, `number` or `bool`)",
        Rule::enum_type => "`one of` and a list of values",
        Rule::option_list => "`{` and a list of options",
        Rule::option_decl => "an option such as `yes 1 en \"Yes\"`",
        Rule::band_decl => "a band such as `good >= 0.7`",
        Rule::node => "a node such as `criterion c1 { … }`",
        Rule::over => "`over`",
        Rule::combine => "`combine`",
        Rule::unit => "a unit such as `percent`",
        Rule::unit_word => "a unit: `percent`, `points`, `number` or `score`",
        Rule::range => "bounds such as `0..100`",
        Rule::expr => "an expression",
        Rule::op_neg => "`-`",
        Rule::op_not => "`not`",
        Rule::op_add => "`+`",
        Rule::op_sub => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::op_le => "`<=`",
        Rule::op_ge => "`>=`",
        Rule::op_ne => "`!=`",
        Rule::op_eq => "`==`",
        Rule::op_lt => "`<`",
        Rule::op_gt => "`>`",
        Rule::op_and => "`and`",
        Rule::op_or => "`or`",
        Rule::op_in => "`in`",
        Rule::paren => "`(`",
        Rule::if_expr => "`if`",
        Rule::call => "a function call",
        Rule::arg => "an argument",
        Rule::tests => "`tests`",
        Rule::case_decl => "`case`",
        Rule::answers_decl | Rule::entity_decl | Rule::profile_set | Rule::answer_set | Rule::expect_decl => {
            "a test declaration"
        }
        Rule::test_value => "a value (an option id, a number, `n/a` or `[a, b]`)",
        Rule::value_list => "`[` and option ids",
        Rule::expect_error | Rule::expect_band | Rule::expect_value => "an expectation",
        Rule::code => "a diagnostic code such as `M0406`",
        Rule::expected => "an expected value",
        Rule::amount => "a number, a percentage (`70.5%`) or a fraction (`5/6`)",
        Rule::instance_rule => "an instance rule (`mean` or `best`)",
        Rule::list => "`[`",
        _ => "something else",
    }
    .to_string()
}

/// "a, b or c" from pest's expected rules, plus a help line when the list
/// had to be condensed.
pub(crate) fn expected(rules: &[Rule], found: Option<&str>) -> (String, Option<String>) {
    let mut phrases: Vec<String> = Vec::new();
    let mut keywords: Vec<String> = Vec::new();
    for r in rules {
        let p = phrase(*r);
        let bucket = if keyword(*r).is_some() {
            &mut keywords
        } else {
            &mut phrases
        };
        if !bucket.contains(&p) {
            bucket.push(p);
        }
    }
    let mut help = None;
    if keywords.len() > 3 {
        help = Some(best_keywords(&keywords, found));
        if !phrases.iter().any(|p| p == "a declaration") {
            phrases.insert(0, "a declaration".to_string());
        }
    } else {
        phrases.splice(0..0, keywords);
    }
    if phrases.iter().any(|p| p == "a declaration") && rules.contains(&Rule::node) {
        phrases.retain(|p| !p.starts_with("a node"));
        if let Some(p) = phrases.iter_mut().find(|p| *p == "a declaration") {
            *p = "a declaration or a child node".to_string();
        }
    }
    let text = match phrases.split_last() {
        None => "something else".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    };
    (text, help)
}

/// Most keywords a help line names; the others are counted.
const SHOWN_KEYWORDS: usize = 5;

/// Keywords by how often rule files use them, most common first: when many
/// declarations fit, these are the ones named.
const COMMON: &[&str] = &[
    "title",
    "weight",
    "score",
    "choice",
    "yesno",
    "number",
    "multi",
    "aggregate",
    "applies",
    "na",
    "missing",
    "description",
    "version",
    "levels",
    "scale",
    "bands",
    "let",
    "formula",
    "profile",
];

/// "did you mean `weight`? declarations that fit here include …": at most
/// [`SHOWN_KEYWORDS`] of `keywords` (each written `` `kw` ``), the one
/// closest to the word found first, then the most common; the rest counted.
fn best_keywords(keywords: &[String], found: Option<&str>) -> String {
    let bare = |k: &str| k.trim_matches('`').to_string();
    let guess = found
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .and_then(|w| {
            let words: Vec<String> = keywords.iter().map(|k| bare(k)).collect();
            crate::diag::did_you_mean(w, words.iter().map(String::as_str))
        });
    let rank = |k: &String| COMMON.iter().position(|c| *c == bare(k)).unwrap_or(COMMON.len());
    let mut ranked: Vec<&String> = keywords.iter().collect();
    ranked.sort_by_key(|k| rank(k));
    let shown: Vec<&str> = ranked.iter().take(SHOWN_KEYWORDS).map(|k| k.as_str()).collect();
    let more = keywords.len().saturating_sub(shown.len());
    let list = if more > 0 {
        format!(
            "declarations that fit here include {} and {more} more (docs/language.md lists them all)",
            shown.join(", ")
        )
    } else {
        format!("declarations that fit here: {}", shown.join(", "))
    };
    match guess {
        Some(g) => format!("{g} {list}"),
        None => list,
    }
}

/// A mistake that pest's expected set does not explain, in plain words.
pub(crate) struct Hint {
    /// The message, in place of "unexpected …".
    pub message: String,
    /// The label.
    pub label: String,
    /// How to fix it.
    pub help: String,
    /// The bytes the label covers.
    pub span: std::ops::Range<usize>,
}

/// A percentage or a decimal comma in a number, a node without its level
/// word, a misspelt keyword read as a level word. `found` is the token at
/// byte `pos`.
pub(crate) fn hint(text: &str, pos: usize, found: Option<&str>, rules: &[Rule]) -> Option<Hint> {
    let before = text.get(..pos).unwrap_or_default();
    let digits_before = before.len()
        - before
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .len();
    let number_at = before.len() - digits_before;
    let number = before.get(number_at..).unwrap_or_default();
    // The word just before `pos`.
    let word_before = || {
        let w = before.trim_end();
        let from = w
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        (from, w.get(from..).unwrap_or_default())
    };
    // Inside `one of { … }`: the last `{` before `pos` is that of `one of`,
    // and no `}` closes it.
    let in_values = || {
        let open = before.rfind('{')?;
        let head = before.get(..open)?.trim_end().strip_suffix("of")?.trim_end();
        (head.ends_with("one") && !before.get(open..)?.contains('}')).then_some(open)
    };
    // `role: one of a en "A", b`: a label in the list form (the field's own
    // label ends the field), where `one of { … }` was meant.
    let labelled_list = || {
        let line = before.get(before.rfind('\n').map_or(0, |i| i + 1)..)?;
        let after = line.get(line.find("one of ")? + 7..)?;
        (!after.trim_start().starts_with('{') && after.contains('"')).then_some(())
    };
    match found {
        Some(",") if number.is_empty() && in_values().is_none() && labelled_list().is_some() => Some(Hint {
            message: "a value of `one of a, b` cannot have a label: the label after it ends the field".into(),
            label: "the field ended before this".into(),
            help: "give each value its labels in braces, without commas: `role: one of { provider en \"Provider\"  consumer en \"Consumer\" } en \"Role\"`".into(),
            span: pos..pos + 1,
        }),
        Some(",") if number.is_empty() && in_values().is_some() => Some(Hint {
            message: "the values of `one of { … }` are not separated by commas".into(),
            label: "no comma here".into(),
            help: "write each value with its labels and no comma, one a line: `data_provider ar \"…\" en \"…\"`; the list form `one of a, b, c` takes commas but no labels".into(),
            span: pos..pos + 1,
        }),
        Some("}") if in_values().is_some_and(|open| before.get(open + 1..).is_some_and(|b| b.trim().is_empty())) => {
            let open = in_values()?;
            Some(Hint {
                message: "`one of { }` lists no value".into(),
                label: "a value is missing here".into(),
                help: "list one value or more, each with its labels: `one of { small en \"Small\"  large en \"Large\" }`".into(),
                span: open..pos + 1,
            })
        }
        Some("%") if !number.is_empty() => {
            let fraction = rust_decimal::Decimal::from_str_exact(number)
                .ok()
                .and_then(|d| d.checked_div(rust_decimal::Decimal::ONE_HUNDRED))
                .map(|d| d.normalize().to_string())?;
            Some(Hint {
                message: format!("`{number}%` is a percentage: write `{fraction}`"),
                label: format!("write `{fraction}`"),
                help: "rule files write shares, weights and thresholds as decimals (60% is 0.6); a percentage is written only in the expected scores of test files".into(),
                span: number_at..pos + 1,
            })
        }
        Some(",") if !number.is_empty() => {
            let after: String = text
                .get(pos + 1..)
                .unwrap_or_default()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            (!after.is_empty()).then(|| Hint {
                message: format!("`{number},{after}` has a decimal comma: write `{number}.{after}`"),
                label: format!("write `{number}.{after}`"),
                help: "the decimal separator is a dot, not a comma".into(),
                span: number_at..pos + 1 + after.len(),
            })
        }
        Some(_) if rules.contains(&Rule::path) && found != Some("{") => {
            // `wieght 2`: a word that is no keyword reads as a node's level.
            let (from, word) = word_before();
            let guess = crate::diag::did_you_mean(word, DECLARATIONS.iter().copied())?;
            Some(Hint {
                message: format!("`{word}` is not a keyword: {guess}"),
                label: "not a keyword".into(),
                help: format!(
                    "a word that is not a keyword starts a node (`criterion c1 {{ … }}`), so `{word}` is read as the level word of one"
                ),
                span: from..from + word.len(),
            })
        }
        Some("{") if rules.contains(&Rule::path) => {
            let (from, id) = word_before();
            let levels = declared_levels(text);
            let example = levels.last().map_or("criterion", String::as_str);
            let declared = if levels.is_empty() {
                String::new()
            } else {
                format!(" (the levels declared: {})", levels.join(", "))
            };
            Some(Hint {
                message: format!("node `{id}` has no level word: write `{example} {id} {{`"),
                label: "a level word is missing before this id".into(),
                help: format!("a node starts with its level word, then its id{declared}"),
                span: from..from + id.len(),
            })
        }
        _ => None,
    }
}

/// The level words of the file's `levels { … }` block, outermost first.
fn declared_levels(text: &str) -> Vec<String> {
    let Some(start) = text.find("levels {").or_else(|| text.find("levels{")) else {
        return Vec::new();
    };
    let body = text.get(start + 6..).unwrap_or_default();
    let body = body
        .get(body.find('{').map_or(0, |i| i + 1)..)
        .unwrap_or_default();
    // Words, and strings as `"`; a word followed by a string is a
    // language tag.
    let mut tokens: Vec<&str> = Vec::new();
    let mut rest = body;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else { break };
        if c == '}' {
            break;
        }
        if c == '"' {
            let end = rest
                .get(1..)
                .and_then(|r| r.find('"'))
                .map_or(rest.len(), |i| i + 2);
            tokens.push("\"");
            rest = rest.get(end..).unwrap_or_default();
        } else if c == '#' {
            rest = rest
                .get(rest.find('\n').unwrap_or(rest.len())..)
                .unwrap_or_default();
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len())
                .max(c.len_utf8());
            tokens.push(rest.get(..end).unwrap_or_default());
            rest = rest.get(end..).unwrap_or_default();
        }
    }
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let is_word = t
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if is_word && tokens.get(i + 1) != Some(&"\"") {
            out.push((*t).to_string());
        }
    }
    out
}

/// The token at byte `pos` of `text`, for "unexpected `x`".
pub(crate) fn found_at(text: &str, pos: usize) -> Option<&str> {
    let rest = text.get(pos..)?;
    let first = rest.chars().next()?;
    let end = if first.is_ascii_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len())
    } else if first.is_alphabetic() {
        rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    rest.get(..end)
}
