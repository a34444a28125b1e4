// Mizan web form: checks the answers as they change (progressive
// enhancement; the form works without this script). Posts the answer set
// as JSON to the form's data-evaluate URL, same origin only, and shows the
// problems beside their questions and the score. No external resource.
(function () {
  "use strict";
  var form = document.getElementById("mizan-form");
  if (!form || !window.fetch || !window.AbortController) return;
  var url = form.getAttribute("data-evaluate");
  if (!url) return;
  var NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
  var status = document.getElementById("status");
  var timer = null;
  var pending = null;

  // The answer set as JSON text; numbers are written as typed (exact).
  function encode(v) {
    if (v !== null && typeof v === "object" && "num" in v) return v.num;
    if (Array.isArray(v)) return "[" + v.map(encode).join(",") + "]";
    if (v !== null && typeof v === "object") {
      return "{" + Object.keys(v).map(function (k) {
        return JSON.stringify(k) + ":" + encode(v[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(v);
  }

  function collect() {
    var entity = { id: form.getAttribute("data-entity") };
    var profile = {};
    var answers = {};
    var multi = {};
    var instances = null;
    var els = form.elements;
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (!el.name || el.disabled || el.type === "submit") continue;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      var v = el.value;
      if (v === "") continue;
      var at = el.name.indexOf(":");
      var kind = el.name.slice(0, at);
      var key = el.name.slice(at + 1);
      if (kind === "e" && key === "name") {
        entity.name = v;
      } else if (kind === "p") {
        var ty = el.getAttribute("data-type");
        if (ty === "bool") profile[key] = v === "true";
        else if (ty === "number") profile[key] = NUMBER.test(v.trim()) ? { num: v.trim() } : v;
        else profile[key] = v;
      } else if (kind === "a") {
        var q = document.getElementById("q-" + key);
        var qk = q ? q.getAttribute("data-kind") : "";
        if (qk === "multi") {
          (multi[key] = multi[key] || []).push(v);
          answers[key] = multi[key];
        } else if (qk === "number") {
          answers[key] = NUMBER.test(v.trim()) ? { num: v.trim() } : v;
        } else {
          answers[key] = v;
        }
      } else if (kind === "c") {
        answers[key] = v;
      } else if (kind === "j" && key === "instances") {
        try { instances = JSON.parse(v); } catch (e) { instances = null; }
      }
    }
    Object.keys(multi).forEach(function (k) {
      var vs = multi[k];
      if (vs.length === 1 && vs[0] === "-") answers[k] = [];
      else if (vs.length === 1 && vs[0] === "na") answers[k] = "na";
      else answers[k] = vs.filter(function (x) { return x !== "-"; });
    });
    var doc = {
      rubric: form.getAttribute("data-rubric"),
      version: form.getAttribute("data-version"),
      entity: entity,
      answers: answers
    };
    if (Object.keys(profile).length || form.querySelector("[name^='p:']")) entity.profile = profile;
    if (instances !== null) doc.instances = instances;
    return encode(doc);
  }

  function anchorOf(pointer) {
    var m = /^\/(answers|entity\/profile)\/([^/]*)/.exec(pointer || "");
    if (!m) return null;
    var id = m[2].replace(/~1/g, "/").replace(/~0/g, "~");
    var el = document.getElementById((m[1] === "answers" ? "q-" : "p-") + id);
    return el && !el.hidden ? el : null;
  }

  function clear() {
    var lists = form.querySelectorAll(".problems");
    for (var i = 0; i < lists.length; i++) lists[i].textContent = "";
    var marked = document.querySelectorAll(".has-problem");
    for (var j = 0; j < marked.length; j++) marked[j].classList.remove("has-problem");
    document.getElementById("summary-list").textContent = "";
  }

  function show(problems) {
    clear();
    var summary = document.getElementById("summary");
    var list = document.getElementById("summary-list");
    var sep = form.getAttribute("data-sep");
    problems.forEach(function (p) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.dir = "ltr";
      code.textContent = p.code || "";
      var el = anchorOf(p.pointer);
      var item = document.createElement("li");
      if (el) {
        var ul = document.getElementById(el.id + "-problems");
        if (ul) {
          li.appendChild(code.cloneNode(true));
          li.appendChild(document.createTextNode(" " + (p.message || "")));
          ul.appendChild(li);
        }
        el.classList.add("has-problem");
        var a = document.createElement("a");
        a.href = "#" + el.id;
        var legend = el.querySelector("legend bdi, label, .label");
        a.textContent = legend ? legend.textContent : el.id;
        item.appendChild(a);
        item.appendChild(document.createTextNode(sep));
      } else if (p.pointer) {
        var c = document.createElement("code");
        c.dir = "ltr";
        c.textContent = p.pointer;
        item.appendChild(c);
        item.appendChild(document.createTextNode(sep));
      }
      item.appendChild(document.createTextNode((p.message || "") + " "));
      item.appendChild(code);
      list.appendChild(item);
    });
    document.getElementById("summary-n").textContent = String(problems.length);
    summary.hidden = problems.length === 0;
  }

  function showScore(score) {
    var box = document.getElementById("score");
    var value = document.getElementById("score-value");
    if (!box || !value) return;
    if (score === null || score === undefined) {
      value.textContent = "N/A";
    } else if (form.getAttribute("data-percent") === "true") {
      var places = parseInt(form.getAttribute("data-precision"), 10) || 0;
      value.textContent = (Number(score) * 100).toFixed(places) + "%";
    } else {
      value.textContent = String(score);
    }
    box.hidden = false;
  }

  function check() {
    if (pending) pending.abort();
    pending = new AbortController();
    status.textContent = form.getAttribute("data-checking");
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
      body: collect(),
      credentials: "same-origin",
      signal: pending.signal
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (r) {
      var body = r.body || {};
      if (r.ok) {
        var e = (body.entities || [])[0] || {};
        show(body.warnings || []);
        showScore(e.score);
        status.textContent = form.getAttribute("data-ok");
      } else {
        show(body.errors || body.problems || (body.error && body.error.problems) || []);
        status.textContent = "";
      }
    }).catch(function (err) {
      if (err && err.name === "AbortError") return;
      status.textContent = "";
    });
  }

  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, 300);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", function (e) {
    if (e.target && (e.target.type === "number" || e.target.type === "text")) later();
  });
})();
