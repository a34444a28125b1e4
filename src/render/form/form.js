// Mizan web form: checks the answers as they change (progressive
// enhancement; the form works without this script). Posts the form's own
// fields with action=check to the form's data-evaluate URL, same origin
// only (the server maps them to the answer set, as on save), and shows
// the problems beside their questions and the score. No external resource.
(function () {
  "use strict";
  var form = document.getElementById("mizan-form");
  if (!form || !window.fetch || !window.AbortController) return;
  var url = form.getAttribute("data-evaluate");
  if (!url) return;
  var status = document.getElementById("status");
  var timer = null;
  var pending = null;

  // The form's own fields, as a post would send them, with action=check:
  // the server maps them to the answer set (one mapping: the server's).
  function collect() {
    var body = new URLSearchParams();
    var els = form.elements;
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (!el.name || el.disabled || el.type === "submit" || el.tagName === "BUTTON") continue;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      body.append(el.name, el.value);
    }
    body.append("action", "check");
    return body.toString();
  }

  // A problem's JSON pointer to the element it is shown beside: the
  // field-name scheme's paths (docs/form.md), as the page writes them.
  function anchorOf(pointer) {
    var t = (pointer || "").split("/").slice(1).map(function (x) {
      return x.replace(/~1/g, "/").replace(/~0/g, "~");
    });
    var path = "";
    var k = 0;
    var inInstance = false;
    var id = null;
    while (t[k] === "instances" && t[k + 1] !== undefined) {
      if (t[k + 2] === undefined) { id = "q-" + path + t[k + 1]; break; }
      path += t[k + 1] + "/" + t[k + 2] + "/";
      inInstance = true;
      k += 3;
    }
    if (id === null) {
      if (t[k] === "answers" && t[k + 1] !== undefined) id = "q-" + path + t[k + 1];
      else if (!inInstance && t[k] === "entity" && t[k + 1] === "profile" && t[k + 2] !== undefined) id = "p-" + t[k + 2];
      else if (inInstance && t[k] === "profile" && t[k + 1] !== undefined) id = "p-" + path + t[k + 1];
      else if (inInstance && t[k] === "key") id = "k-" + path.replace(/\/$/, "");
      else if (inInstance) id = "i-" + path.replace(/\/$/, "");
    }
    var el = id && document.getElementById(id);
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
        var block = el.parentElement && el.parentElement.closest("fieldset.instance");
        if (block && block !== el) {
          var bl = block.querySelector("legend bdi");
          if (bl) a.appendChild(document.createTextNode(bl.textContent + " › "));
        }
        a.appendChild(document.createTextNode(legend ? legend.textContent : el.id));
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
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": document.documentElement.lang },
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
