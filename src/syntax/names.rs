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
pub(crate) fn expected(rules: &[Rule]) -> (String, Option<String>) {
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
        help = Some(format!("declarations that fit here: {}", keywords.join(", ")));
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
