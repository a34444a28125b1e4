//! The web form served (docs/form.md): login by cookie, the form in
//! English and Arabic, who may see it, drafts, a rejected submission's
//! problems beside their questions, and a submission through the form
//! stored and scored exactly as through the API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;

use common::*;
use reqwest::blocking::{Client, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

const CYCLE: &str = "uae-integration-2018";

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn form_url(e: &str) -> String {
    format!("/cycles/{CYCLE}/entities/{e}/form")
}

fn encode(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Logs in with `tok`: the cookie header value to send.
fn login(s: &Server, tok: &str) -> String {
    let r = client()
        .post(s.url("/login"))
        .header("origin", &s.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[
            ("token".into(), tok.into()),
            ("lang".into(), "en".into()),
        ]))
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    set.split(';').next().unwrap().to_string()
}

fn get(s: &Server, cookie: &str, path: &str) -> Response {
    client().get(s.url(path)).header("cookie", cookie).send().unwrap()
}

fn post(s: &Server, cookie: &str, path: &str, pairs: &[(String, String)]) -> Response {
    client()
        .post(s.url(path))
        .header("cookie", cookie)
        .header("origin", &s.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(pairs))
        .send()
        .unwrap()
}

/// An example answer set as the form's fields.
fn fields_of(answers: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(n) = answers["entity"]["name"].as_str() {
        out.push(("e:name".into(), n.into()));
    }
    if let Some(p) = answers["entity"]["profile"].as_object() {
        for (k, v) in p {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            out.push((format!("p:{k}"), v));
        }
    }
    for (k, v) in answers["answers"].as_object().unwrap() {
        match v {
            Value::Array(vs) => {
                for x in vs {
                    out.push((format!("a:{k}"), x.as_str().unwrap().into()));
                }
            }
            Value::String(x) => out.push((format!("a:{k}"), x.clone())),
            other => out.push((format!("a:{k}"), other.to_string())),
        }
    }
    out
}

fn example(e: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(examples().join(format!("{e}.json"))).unwrap()).unwrap()
}

fn with_action(mut f: Vec<(String, String)>, action: &str) -> Vec<(String, String)> {
    f.push(("action".into(), action.into()));
    f
}

/// The HTML element with id `id` (to its closing `</fieldset>`).
fn question<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"q-{id}\""))
        .unwrap_or_else(|| panic!("no q-{id}"));
    let end = html[start..].find("</fieldset>").unwrap() + start;
    &html[start..end]
}

#[test]
fn login_pages_and_who_sees_which_form() {
    let s = Server::start();
    let moe = s.token(&["--role", "submitter", "--entity", "moe"]);
    let rev = s.token(&["--role", "reviewer"]);
    let admin = s.token(&["--role", "admin"]);

    // The login page, in both languages.
    let r = client().get(s.url("/login")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"));
    let t = r.text().unwrap();
    assert!(t.contains("<html lang=\"en\" dir=\"ltr\">") && t.contains("name=\"token\""));
    let t = client()
        .get(s.url("/login?lang=ar"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(t.contains("<html lang=\"ar\" dir=\"rtl\">") && t.contains("رمز الدخول"));

    // Login: CSRF, a wrong token, then the right one.
    let body = encode(&[("token".into(), moe.clone())]);
    let r = client()
        .post(s.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(r.status(), 403, "no Origin nor Referer");
    let r = client()
        .post(s.url("/login"))
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().unwrap()["error"]["code"], "cross_site");
    let r = client()
        .post(s.url("/login"))
        .header("referer", format!("{}/login?lang=ar", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[
            ("token".into(), "mzn_00".into()),
            ("lang".into(), "ar".into()),
        ]))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    let t = r.text().unwrap();
    assert!(
        t.contains("هذا الرمز غير صالح") && t.contains("dir=\"rtl\""),
        "{t}"
    );
    let cookie = login(&s, &moe);
    // A submitter of one entity lands on its form.
    let r = client()
        .post(s.url("/login"))
        .header("origin", &s.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[
            ("token".into(), moe.clone()),
            ("lang".into(), "ar".into()),
        ]))
        .send()
        .unwrap();
    assert_eq!(r.headers()["location"], format!("{}?lang=ar", form_url("moe")));
    // `next` is followed, only to a path of this server.
    for (next, to) in [
        ("/login?lang=en", "/login?lang=en"),
        ("//evil.example/x", "/cycles/"),
    ] {
        let r = client()
            .post(s.url("/login"))
            .header("origin", &s.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&[
                ("token".into(), moe.clone()),
                ("next".into(), next.into()),
            ]))
            .send()
            .unwrap();
        assert!(
            r.headers()["location"].to_str().unwrap().starts_with(to),
            "{next}"
        );
    }
    // Logged in, the login page lists the caller's forms.
    let t = get(&s, &cookie, "/login").text().unwrap();
    assert!(
        t.contains(&format!("href=\"{}?lang=en\"", form_url("moe"))),
        "{t}"
    );

    // No login: to the login page, and back after.
    let r = client().get(s.url(&form_url("moe"))).send().unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/login?lang=en&next=%2Fcycles%2F"), "{to}");

    // The form, in English and Arabic.
    let r = get(&s, &cookie, &form_url("moe"));
    assert_eq!(r.status(), 200);
    let t = r.text().unwrap();
    assert!(t.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(t.contains("id=\"q-fednet.1.1\"") && t.contains("Save draft") && t.contains("id=\"logout\""));
    assert!(
        // The script posts the form's own fields back here (action=check).
        t.contains("data-evaluate=\"&#x2f;cycles&#x2f;uae-integration-2018&#x2f;entities&#x2f;moe&#x2f;form?lang=en\"")
    );
    assert!(
        !t.contains("http://") && !t.contains("https://"),
        "nothing from outside"
    );
    let t = get(&s, &cookie, &format!("{}?lang=ar", form_url("moe")))
        .text()
        .unwrap();
    assert!(t.contains("<html lang=\"ar\" dir=\"rtl\">") && t.contains("حفظ كمسودة"));

    // Another entity's form, a cycle that does not exist, a reviewer: 404.
    for (who, path) in [
        (cookie.clone(), form_url("fahr")),
        (cookie.clone(), "/cycles/none/entities/moe/form".to_string()),
        (login(&s, &rev), form_url("moe")),
    ] {
        assert_eq!(get(&s, &who, &path).status(), 404, "{path}");
        let r = post(
            &s,
            &who,
            &path,
            &with_action(fields_of(&example("moe")), "submit"),
        );
        assert_eq!(r.status(), 404, "{path}");
    }
    // By bearer token as well; an admin sees every entity's form.
    assert_eq!(s.get(&moe, &form_url("fahr")).status(), 404);
    assert_eq!(s.get(&moe, &form_url("moe")).status(), 200);
    assert_eq!(get(&s, &login(&s, &admin), &form_url("fahr")).status(), 200);

    // A cookie-authenticated post from elsewhere, or from nowhere: 403.
    let f = with_action(fields_of(&example("moe")), "save");
    let r = client()
        .post(s.url(&form_url("moe")))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&f))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = client()
        .post(s.url(&form_url("moe")))
        .header("cookie", &cookie)
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&f))
        .send()
        .unwrap();
    // The cookie is not taken from another site: not logged in.
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login?"));
    // The live check: /evaluate by cookie from the page, not from elsewhere.
    let ex = std::fs::read_to_string(examples().join("moe.json")).unwrap();
    let eval = |origin: &str, site: &str| {
        client()
            .post(s.url("/rubrics/uae.integration/2018/evaluate"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .header("sec-fetch-site", site)
            .header("content-type", "application/json")
            .body(ex.clone())
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(eval(&s.base, "same-origin"), 200);
    assert_eq!(eval("http://evil.example", "cross-site"), 401);
    assert_eq!(eval(&s.base, "cross-site"), 401);

    // The live check's messages are in the page's language.
    let bad = std::fs::read_to_string(examples().join("zz-invalid.json")).unwrap();
    for (lang, word) in [("en", "no answer"), ("ar", "لا توجد إجابة")] {
        let r = client()
            .post(s.url(&format!("/rubrics/uae.integration/2018/evaluate?lang={lang}")))
            .header("cookie", &cookie)
            .header("origin", &s.base)
            .header("content-type", "application/json")
            .body(bad.clone())
            .send()
            .unwrap();
        assert_eq!(r.status(), 422);
        let v: Value = r.json().unwrap();
        let ps = v["error"]["problems"].as_array().unwrap();
        assert!(
            ps.iter().any(|p| p["message"].as_str().unwrap().contains(word)),
            "{lang}: {v}"
        );
        assert!(ps
            .iter()
            .all(|p| p["pointer"].as_str().unwrap().starts_with("/answers/")));
    }

    // Log out: the cookie is cleared.
    let r = post(&s, &cookie, "/logout", &[("lang".into(), "ar".into())]);
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?lang=ar");
    let set = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set.starts_with("mizan_token=;") && set.contains("Max-Age=0"),
        "{set}"
    );
}

#[test]
fn drafts_rejections_and_a_submission_through_the_form() {
    let s = Server::start();
    let tok = s.token(&["--role", "submitter", "--entity", "moe"]);
    let admin = s.token(&["--role", "admin"]);
    let cookie = login(&s, &tok);
    let ex = example("moe");
    let full = fields_of(&ex);

    // A draft of half the answers: stored, not a submission, pre-filled.
    let half: Vec<_> = full.iter().take(full.len() / 2).cloned().collect();
    let r = post(
        &s,
        &cookie,
        &format!("{}?lang=en", form_url("moe")),
        &with_action(half, "save"),
    );
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{}?lang=en&notice=saved", form_url("moe")));
    let t = get(&s, &cookie, &to).text().unwrap();
    assert!(t.contains("Draft saved."));
    assert!(question(&t, "fednet.1.1").contains("value=\"partial\" checked"));
    assert!(!question(&t, "smart_data.3.5").contains("checked"));
    // Incomplete: no score to show.
    assert!(t.contains("id=\"score\" class=\"score\" aria-labelledby=\"score-h\" hidden"));
    assert_eq!(
        s.get(&admin, &format!("/cycles/{CYCLE}/entities/moe")).status(),
        404
    );
    // Overwritten by the next save (`action=draft`, the library's button,
    // is a save too); complete, the cycle shows its live score.
    let r = post(&s, &cookie, &form_url("moe"), &with_action(full.clone(), "draft"));
    assert_eq!(r.status(), 303);
    let t = get(&s, &cookie, &format!("{}?lang=ar&notice=saved", form_url("moe")))
        .text()
        .unwrap();
    assert!(
        t.contains("حُفظت المسودة") && t.contains("نتيجة الإجابات المحفوظة"),
        "live score"
    );
    assert!(question(&t, "smart_data.3.5").contains("value=\"not_implemented\" checked"));
    assert_eq!(
        s.get(&admin, &format!("/cycles/{CYCLE}/entities/moe")).status(),
        404
    );

    // Submit with a bad answer and a missing one: 422, the form again, each
    // problem beside its question in the reader's language; nothing stored.
    let mut bad: Vec<_> = full.iter().filter(|(k, _)| k != "a:gsb.1.2").cloned().collect();
    for (k, v) in &mut bad {
        if k == "a:fednet.1.1" {
            *v = "bogus".into();
        }
    }
    let bad = with_action(bad, "submit");
    for (lang, unknown, missing) in [
        ("en", "bogus", "no answer"),
        ("ar", "الخيار «bogus» ليس من خيارات هذا المعيار", "لا توجد إجابة"),
    ] {
        let r = post(&s, &cookie, &format!("{}?lang={lang}", form_url("moe")), &bad);
        assert_eq!(r.status(), 422);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let t = r.text().unwrap();
        let q = question(&t, "fednet.1.1");
        assert!(q.contains("has-problem") || t.contains("has-problem\" id=\"q-fednet.1.1\""));
        assert!(q.contains(unknown), "{lang}: {q}");
        assert!(question(&t, "gsb.1.2").to_lowercase().contains(missing), "{lang}");
        // The rest of what was posted stays filled in.
        assert!(question(&t, "smart_data.3.5").contains("value=\"not_implemented\" checked"));
    }
    assert_eq!(
        s.get(&admin, &format!("/cycles/{CYCLE}/entities/moe")).status(),
        404
    );

    // The whole example: stored as a submission, the confirmation with the
    // score; the draft is gone.
    let r = post(
        &s,
        &cookie,
        &format!("{}?lang=en", form_url("moe")),
        &with_action(full.clone(), "submit"),
    );
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{}?lang=en&notice=submitted", form_url("moe")));
    let page = get(&s, &cookie, &to).text().unwrap();
    assert!(page.contains("Submitted.") && page.contains("Overall score"));
    assert!(page.contains("Score of the submitted answers"));

    // Scored exactly as the example through the API.
    let stored: Value = s
        .get(&admin, &format!("/cycles/{CYCLE}/entities/moe"))
        .json()
        .unwrap();
    let direct: Value = s
        .send(
            "POST",
            &admin,
            "/rubrics/uae.integration/2018/evaluate",
            &std::fs::read_to_string(examples().join("moe.json")).unwrap(),
        )
        .json()
        .unwrap();
    let mut want = direct["entities"][0].clone();
    let mut got = stored["result"].clone();
    for v in [&mut want, &mut got] {
        v.as_object_mut().unwrap().remove("source");
    }
    assert_eq!(got, want);
    let score = want["score"].to_string();
    assert!(!score.is_empty() && score != "null");
    // The revision: author, sha256 of the stored body, the rubric's sha256.
    let revs = stored["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 1);
    let rev = &revs[0];
    assert_eq!(rev["revision"], 1);
    assert_eq!(rev["author"], mizan_server::auth::hash(&tok)[..12]);
    assert_eq!(
        rev["rubric_sha256"],
        "dfe709f4803aef795beafb80c6ef8937868985c5537ffc972784e91d3a9c96a7"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(mizan_server::store::Store::connect(&s.db)).unwrap();
    assert!(rt.block_on(store.draft(CYCLE, "moe")).unwrap().is_none());
    let (_, body) = rt.block_on(store.history(CYCLE, "moe")).unwrap();
    let body = body.unwrap();
    let sha: String = Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(rev["sha256"], sha);
    let stored_answers: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stored_answers["answers"], ex["answers"]);
    // Every write audited.
    let log: Vec<String> = rt
        .block_on(store.audit_log())
        .unwrap()
        .into_iter()
        .filter(|(_, _, _, e)| e.as_deref() == Some("moe"))
        .map(|(a, _, _, _)| a)
        .collect();
    assert_eq!(
        log,
        [
            "token.create",
            "draft.save",
            "draft.save",
            "submission.put",
            "draft.drop"
        ]
    );
    rt.block_on(store.close());
    // The form now shows the submission.
    let t = get(&s, &cookie, &form_url("moe")).text().unwrap();
    assert!(question(&t, "gsb.1.2").contains("value=\"non_specialist_team\" checked"));
    // Submit pressed again with the same answers: the confirmation again,
    // no second revision.
    let r = post(
        &s,
        &cookie,
        &format!("{}?lang=en", form_url("moe")),
        &with_action(full, "submit"),
    );
    assert_eq!(r.status(), 303);
    let again: Value = s
        .get(&admin, &format!("/cycles/{CYCLE}/entities/moe"))
        .json()
        .unwrap();
    assert_eq!(again["revisions"].as_array().unwrap().len(), 1);
}

#[test]
fn a_cycle_without_live_score_shows_no_score_after_a_save() {
    let s = Server::start();
    let admin = s.token(&["--role", "admin"]);
    let r = s.send(
        "POST",
        &admin,
        "/cycles",
        r#"{"id": "quiet", "rubric": "uae.integration", "version": "2018"}"#,
    );
    assert_eq!(r.status(), 201);
    let cookie = login(&s, &s.token(&["--role", "submitter", "--entity", "moe"]));
    let path = "/cycles/quiet/entities/moe/form";
    let r = post(
        &s,
        &cookie,
        path,
        &with_action(fields_of(&example("moe")), "save"),
    );
    assert_eq!(r.status(), 303);
    let t = get(&s, &cookie, &format!("{path}?lang=en&notice=saved"))
        .text()
        .unwrap();
    assert!(t.contains("Draft saved."));
    assert!(!t.contains("Overall score"));
    // The same draft in the cycle whose file says `live_score = true`.
    let r = post(
        &s,
        &cookie,
        &form_url("moe"),
        &with_action(fields_of(&example("moe")), "save"),
    );
    assert_eq!(r.status(), 303);
    let t = get(&s, &cookie, &format!("{}?lang=en&notice=saved", form_url("moe")))
        .text()
        .unwrap();
    assert!(t.contains("Overall score"));
    // A post without `action`, or of another content type.
    assert_eq!(post(&s, &cookie, path, &fields_of(&example("moe"))).status(), 400);
    let r = client()
        .post(s.url(path))
        .header("cookie", &cookie)
        .header("origin", &s.base)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(r.status(), 415);
}

/// A rules tree with the instances demo (examples/instances/services.mizan)
/// and a cycle for it, `services`, that shows the score after a save.
fn rules_with_services() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(root().join("examples/instances/services.mizan")).unwrap();
    write(t.path(), "demo/services/1.mizan", &src);
    write(
        t.path(),
        "cycles/services.toml",
        "rubric = \"demo.services\"\nversion = \"1\"\nlive_score = true\n",
    );
    t
}

/// The fields of one service instance at `p` (`le/0/svc/1/`) with one URL.
fn service(
    p: &str,
    key: &str,
    ty: &str,
    level: &str,
    proactive: bool,
    url: [&str; 4],
) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        (format!("{p}key"), key.into()),
        (format!("{p}p:type"), ty.into()),
        (format!("{p}p:level"), level.into()),
        (format!("{p}p:applicable"), "true".into()),
        (format!("{p}p:proactive"), proactive.to_string()),
        (format!("{p}url/0/key"), String::new()),
    ];
    for (q, a) in ["q1", "q2", "login", "eid"].iter().zip(url) {
        f.push((format!("{p}url/0/a:{q}"), a.into()));
    }
    f
}

#[test]
fn instances_through_the_form_without_javascript() {
    let rules = rules_with_services();
    let s = Server::start_with(rules.path().to_path_buf());
    let admin = s.token(&["--role", "admin"]);
    let cookie = login(&s, &s.token(&["--role", "submitter", "--entity", "alpha"]));
    let path = "/cycles/services/entities/alpha/form";
    let page = |lang: &str| {
        let r = get(&s, &cookie, &format!("{path}?lang={lang}"));
        assert_eq!(r.status(), 200);
        r.text().unwrap()
    };
    let t = page("en");
    assert!(t.contains(
        "<button type=\"submit\" name=\"add\" value=\"le\" formnovalidate>Add Life events</button>"
    ));
    assert!(page("ar").contains("إضافة أحداث الحياة"));
    // Each Add button saves the draft and comes back at the new instance.
    let mut f: Vec<(String, String)> = vec![("e:name".into(), "Alpha".into())];
    let add = |f: &[(String, String)], list: &str| -> String {
        let mut pairs = f.to_vec();
        pairs.push(("add".into(), list.into()));
        let r = post(&s, &cookie, &format!("{path}?lang=en"), &pairs);
        assert_eq!(r.status(), 303, "{list}");
        r.headers()["location"].to_str().unwrap().to_string()
    };
    assert_eq!(add(&f, "le"), format!("{path}?lang=en&notice=saved#i-le/0"));
    f.push(("le/0/key".into(), "family|2022".into()));
    f.push(("le/0/p:year".into(), "2022".into()));
    assert!(add(&f, "le/0/svc").ends_with("#i-le/0/svc/0"));
    f.push(("le/0/svc/0/key".into(), String::new()));
    assert!(add(&f, "le/0/svc").ends_with("#i-le/0/svc/1"));
    f.push(("le/0/svc/1/key".into(), String::new()));
    // Both empty services are on the page, with their inputs.
    let t = page("en");
    for i in 0..2 {
        assert!(t.contains(&format!("id=\"i-le&#x2f;0&#x2f;svc&#x2f;{i}\"")));
        assert!(t.contains(&format!("name=\"le&#x2f;0&#x2f;svc&#x2f;{i}&#x2f;p:type\"")));
    }
    assert!(t.contains("value=\"family|2022\""));
    // Two services filled in, then a third added with the button.
    f.retain(|(k, _)| !k.starts_with("le/0/svc/"));
    f.extend(service(
        "le/0/svc/0/",
        "S1",
        "transactional",
        "central",
        false,
        ["yes", "no", "yes", "no"],
    ));
    f.extend(service(
        "le/0/svc/1/",
        "S2",
        "transactional",
        "local",
        false,
        ["yes", "yes", "yes", "yes"],
    ));
    assert!(add(&f, "le/0/svc").ends_with("#i-le/0/svc/2"));
    let t = page("ar");
    assert!(t.contains("id=\"i-le&#x2f;0&#x2f;svc&#x2f;2\""));
    assert!(t.contains("name=\"le&#x2f;0&#x2f;svc&#x2f;1&#x2f;key\" value=\"S2\""));
    assert!(t.contains("name=\"le&#x2f;0&#x2f;svc&#x2f;1&#x2f;url&#x2f;0&#x2f;a:eid\" value=\"yes\" checked"));
    f.extend(service(
        "le/0/svc/2/",
        "S3",
        "informational",
        "central",
        false,
        ["no", "yes", "no", "nr"],
    ));
    // The script's live check: the fields as the server maps them.
    let mut check = f.clone();
    check.push(("action".into(), "check".into()));
    let r = post(&s, &cookie, &format!("{path}?lang=en"), &check);
    assert_eq!(r.status(), 200);
    let live: Value = r.json().unwrap();
    assert!(live["entities"][0]["score"].is_number(), "{live}");
    let mut bad = check.clone();
    bad.retain(|(k, _)| k != "le/0/svc/2/url/0/a:q1");
    bad.push(("le/0/svc/2/url/0/a:q1".into(), "maybe".into()));
    let r = post(&s, &cookie, &format!("{path}?lang=ar"), &bad);
    assert_eq!(r.status(), 422);
    let body = r.text().unwrap();
    assert!(
        body.contains("/instances/le/0/instances/svc/2/instances/url/0/answers/q1"),
        "{body}"
    );
    assert!(
        body.contains("الخيار «maybe» ليس من خيارات هذا المعيار."),
        "{body}"
    );
    // S1 removed, then submitted.
    f.push(("le/0/svc/0/remove".into(), "1".into()));
    let r = post(
        &s,
        &cookie,
        &format!("{path}?lang=en"),
        &with_action(f.clone(), "submit"),
    );
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("notice=submitted"));
    // Stored and scored exactly as the answer set it stands for.
    let expected = serde_json::json!({
        "rubric": "demo.services", "version": "1",
        "entity": {"id": "alpha", "name": "Alpha"},
        "answers": {},
        "instances": {"le": [{
            "key": "family|2022", "profile": {"year": 2022}, "answers": {},
            "instances": {"svc": [
                {"key": "S2", "profile": {"type": "transactional", "level": "local", "applicable": true, "proactive": false},
                 "answers": {}, "instances": {"url": [{"answers": {"q1": "yes", "q2": "yes", "login": "yes", "eid": "yes"}}]}},
                {"key": "S3", "profile": {"type": "informational", "level": "central", "applicable": true, "proactive": false},
                 "answers": {}, "instances": {"url": [{"answers": {"q1": "no", "q2": "yes", "login": "no", "eid": "nr"}}]}}
            ]}
        }]}
    });
    let stored: Value = s.get(&admin, "/cycles/services/entities/alpha").json().unwrap();
    let direct: Value = s
        .send(
            "POST",
            &admin,
            "/rubrics/demo.services/1/evaluate",
            &expected.to_string(),
        )
        .json()
        .unwrap();
    let mut want = direct["entities"][0].clone();
    let mut got = stored["result"].clone();
    for v in [&mut want, &mut got] {
        v.as_object_mut().unwrap().remove("source");
    }
    assert_eq!(got, want);
    assert!(want["score"].is_number(), "{want}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(mizan_server::store::Store::connect(&s.db)).unwrap();
    let (_, body) = rt.block_on(store.history("services", "alpha")).unwrap();
    let body: Value = serde_json::from_str(&body.unwrap()).unwrap();
    assert_eq!(body["instances"], expected["instances"]);
    rt.block_on(store.close());
}

/// An admin's login page lists, per cycle, every entity with a submission
/// or a draft (a link to its form), in both languages; a submitter's, its
/// own form only; a reviewer's, none.
#[test]
fn an_admins_login_page_lists_the_forms_with_answers() {
    let s = Server::start();
    let admin = s.token(&["--role", "admin"]);
    let moe = s.token(&["--role", "submitter", "--entity", "moe"]);
    let rev = s.token(&["--role", "reviewer"]);
    let cookie = login(&s, &admin);
    let t = get(&s, &cookie, "/login").text().unwrap();
    assert!(!t.contains("id=\"forms\""), "no form has answers yet: {t}");
    // fahr submits through the API, moe saves a draft in the form.
    assert_eq!(s.put_example(&admin, "fahr").status(), 201);
    let moe_cookie = login(&s, &moe);
    let draft = with_action(fields_of(&example("moe")), "save");
    assert_eq!(post(&s, &moe_cookie, &form_url("moe"), &draft).status(), 303);
    let t = get(&s, &cookie, "/login").text().unwrap();
    assert!(t.contains("Questionnaires with a submission or a draft"), "{t}");
    let hrefs: Vec<String> = t
        .match_indices("<li><a href=\"")
        .map(|(i, m)| {
            let rest = &t[i + m.len()..];
            rest[..rest.find('"').unwrap()]
                .replace("&#x2f;", "/")
                .replace("&amp;", "&")
        })
        .collect();
    assert_eq!(
        hrefs,
        [
            "/cycles/uae-integration-2018/entities/fahr/form?lang=en",
            "/cycles/uae-integration-2018/entities/moe/form?lang=en",
        ]
    );
    assert_eq!(get(&s, &cookie, &hrefs[1]).status(), 200);
    let t_ar = get(&s, &cookie, "/login?lang=ar").text().unwrap();
    assert!(
        t_ar.contains("الاستبيانات التي لها إجابات مرسلة أو مسودة"),
        "{t_ar}"
    );
    // A submitter sees its own form only; a reviewer, none.
    let t = get(&s, &moe_cookie, "/login").text().unwrap();
    assert!(t.contains("Your questionnaires") && t.contains("entities/moe/form") && !t.contains("fahr"));
    let t = get(&s, &login(&s, &rev), "/login").text().unwrap();
    assert!(!t.contains("id=\"forms\""));
}
