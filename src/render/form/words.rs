//! The fixed words of the form and the messages of answer-set problems,
//! in both languages.

use indexmap::IndexMap;

use crate::answers::AnswerError;
use crate::render::Lang;

/// Every fixed word of the page, in `lang`.
pub(super) fn labels(lang: Lang) -> IndexMap<&'static str, &'static str> {
    let mut t = IndexMap::new();
    let mut add = |k: &'static str, en: &'static str, ar: &'static str| {
        t.insert(k, lang.t(en, ar));
    };
    add("form", "Questionnaire", "الاستبيان");
    add("rubric", "Rubric", "القاعدة");
    add("version", "Version", "الإصدار");
    add("entity", "Entity", "الجهة");
    add("name", "Entity name", "اسم الجهة");
    add("profile", "Entity profile", "الملف التعريفي للجهة");
    add(
        "profile_intro",
        "Some questions apply only to some entities: save after changing the profile to see the questions that apply.",
        "بعض الأسئلة لا تنطبق إلا على بعض الجهات: احفظ بعد تغيير الملف التعريفي لتظهر الأسئلة المنطبقة.",
    );
    add("unset", "(not set)", "(غير محدد)");
    add("problems", "Problems to correct", "مشكلات يجب تصحيحها");
    add("score", "Score of the saved answers", "نتيجة الإجابات المحفوظة");
    add(
        "score_submitted",
        "Score of the submitted answers",
        "نتيجة الإجابات المرسلة",
    );
    add("live", "Score of the current answers", "نتيجة الإجابات الحالية");
    add("draft", "Save draft", "حفظ كمسودة");
    add("submit", "Submit", "إرسال");
    add("number", "Number", "رقم");
    add("or", "or", "أو");
    add("a_number", "a number (below)", "رقم (أدناه)");
    add("between", "between", "بين");
    add("and", "and", "و");
    add("at_least", "at least", "لا يقل عن");
    add("at_most", "at most", "لا يزيد على");
    add("choose_many", "Choose all that apply.", "اختر كل ما ينطبق.");
    add(
        "ruled_out",
        "does not apply to this entity's profile; not asked.",
        "لا ينطبق على الملف التعريفي لهذه الجهة؛ لا يُسأل عنه.",
    );
    add(
        "repeated",
        "Answered once per instance (each service, event or site): fill in each instance below, add one with the button under the list, remove one with its box (on save).",
        "يُجاب عن هذا الجزء مرة لكل نسخة (كل خدمة أو حدث أو موقع): املأ كل نسخة أدناه، وأضف نسخة بالزر أسفل القائمة، واحذف نسخة بمربعها (عند الحفظ).",
    );
    add(
        "repeated_keys",
        "Answered once per instance; the rubric lists the instances, so each one below is asked and none can be added or removed.",
        "يُجاب عن هذا الجزء مرة لكل نسخة؛ تحدد القاعدة النسخ، فكل نسخة أدناه مطلوبة ولا يمكن إضافة نسخ أو حذفها.",
    );
    add("no_instances", "No instance yet.", "لا توجد نسخ بعد.");
    add(
        "remove",
        "Remove this instance (on save)",
        "احذف هذه النسخة (عند الحفظ)",
    );
    add(
        "instance_ruled_out",
        "This instance's fields rule its questions out; they are not asked.",
        "تستبعد حقول هذه النسخة أسئلتها؛ لا يُسأل عنها.",
    );
    add("fixed", "(given by the rubric's list)", "(تحدده قائمة القاعدة)");
    add("checking", "Checking…", "جارٍ التحقق…");
    add("no_problems", "No problem found.", "لا توجد مشكلات.");
    add("sep", ": ", ": ");
    t
}

/// The message of an answer-set problem in `lang`: in Arabic for the
/// problems an entity filling the form can meet, else the library's
/// English message.
pub fn message(lang: Lang, e: &AnswerError) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        AnswerError::Missing { .. } => "لا توجد إجابة، والإجابة عن هذا المعيار إلزامية.".into(),
        AnswerError::NaNotAllowed { .. } => "لا تُقبل الإجابة «لا ينطبق» لهذا المعيار؛ اختر أحد خياراته.".into(),
        AnswerError::UnknownOption { option, .. } => {
            format!("الخيار «{option}» ليس من خيارات هذا المعيار.")
        }
        AnswerError::WrongKind { expected, .. } => {
            let want = match expected.as_str() {
                "a number" => "رقماً",
                "one option id" => "خياراً واحداً",
                "a list of option ids" => "قائمة خيارات",
                _ => "إجابة من نوع آخر",
            };
            format!("نوع الإجابة غير صحيح: يتطلب هذا المعيار {want}.")
        }
        AnswerError::OutOfBounds { value, bounds, .. } => {
            format!("الإجابة {value} خارج الحدود المسموح بها ({bounds}).")
        }
        AnswerError::InexactNumber { value, .. } => {
            format!("الرقم {value} يتجاوز حدود الأرقام العشرية الدقيقة.")
        }
        AnswerError::DuplicateOption { option, .. } => {
            format!("الخيار «{option}» مختار مرتين.")
        }
        AnswerError::UnknownCode { code, .. } => format!("الرمز «{code}» ليس من رموز هذا المعيار."),
        AnswerError::MissingField { .. } => "حقل الملف التعريفي هذا مطلوب.".into(),
        AnswerError::UnknownValue { value, allowed, .. } => {
            format!("القيمة «{value}» غير مقبولة؛ القيم المسموح بها: {allowed}.")
        }
        AnswerError::MissingInstance { id, key, list, .. } => {
            format!("النسخة «{key}» من «{id}» مفقودة: تتطلبها القائمة «{list}».")
        }
        AnswerError::UnknownInstance { id, key, list, .. } => {
            format!("النسخة «{key}» من «{id}» لا تطابق القائمة «{list}» التي تحدد النسخ.")
        }
        AnswerError::NotApplicable { .. } => "هذا المعيار لا ينطبق على هذه الجهة؛ تُتجاهل إجابته.".into(),
        AnswerError::Constraint { labels, message, .. }
        | AnswerError::ConstraintWarning { labels, message, .. } => {
            let m = labels
                .iter()
                .find(|(l, _)| l == "ar")
                .map_or(message.as_str(), |(_, m)| m.as_str());
            format!("شرط غير مستوفى: {m}")
        }
        _ => e.to_string(),
    }
}
