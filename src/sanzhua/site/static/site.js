/* sanzhua site: filter and search over the tasks of assets/tasks.js.
   Plain JavaScript, no library. Text is only ever set with textContent, never as HTML. */
(function () {
  "use strict";
  var data = window.SANZHUA_TASKS;
  if (!data) { return; }
  var C = {};
  data.cols.forEach(function (name, i) { C[name] = i; });
  var rows = data.rows, L = data.labels, PAGE = 200, limit = PAGE;
  var $ = function (id) { return document.getElementById(id); };
  var q = $("q"), fLight = $("f-light"), fState = $("f-state"), fUnit = $("f-unit"), fLeader = $("f-leader");
  var body = $("rows"), summary = $("summary"), more = $("more");
  var hay = rows.map(function (r) {
    return [r[C.id], r[C.title], r[C.unit], r[C.owner], r[C.leader], r[C.category]].join("\n").toLowerCase();
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function num(x) { return x === null ? "—" : (Math.round(x * 10) / 10) + "%"; }
  function link(r, text) { var a = el("a", "", text); a.href = r[C.href]; return a; }

  function row(r) {
    var tr = el("tr");
    tr.setAttribute("data-id", r[C.id]);
    tr.setAttribute("data-light", r[C.light]);
    var td = el("td"), badge = el("span", "light l-" + r[C.light]);
    badge.appendChild(el("span", "dot"));
    badge.appendChild(document.createTextNode(r[C.light_text]));
    td.appendChild(badge); tr.appendChild(td);
    td = el("td", "id"); td.appendChild(link(r, r[C.id])); tr.appendChild(td);
    td = el("td", "title"); td.appendChild(link(r, r[C.title])); tr.appendChild(td);
    tr.appendChild(el("td", "", r[C.unit]));
    tr.appendChild(el("td", "", r[C.leader]));
    tr.appendChild(el("td", "date", r[C.due] || "—"));
    td = el("td", "", r[C.state_text]);
    if (r[C.days_overdue]) { td.appendChild(el("span", "muted", " " + r[C.days_overdue] + L.days)); }
    tr.appendChild(td);
    tr.appendChild(el("td", "n", num(r[C.percent])));
    return tr;
  }

  function matches() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var light = fLight.value, state = fState.value, unit = fUnit.value, leader = fLeader.value;
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (light && r[C.light] !== light) { continue; }
      if (state && r[C.states].indexOf(state) < 0) { continue; }
      if (unit && r[C.lead] !== unit && r[C.partners].indexOf(unit) < 0) { continue; }
      if (leader && r[C.leader] !== leader) { continue; }
      var ok = true;
      for (var j = 0; j < words.length; j++) { if (hay[i].indexOf(words[j]) < 0) { ok = false; break; } }
      if (ok) { out.push(r); }
    }
    return out;
  }

  function draw() {
    var found = matches();
    var frag = document.createDocumentFragment();
    found.slice(0, limit).forEach(function (r) { frag.appendChild(row(r)); });
    body.textContent = "";
    if (!found.length) {
      var tr = el("tr"), td = el("td", "muted", L.no_match);
      td.colSpan = 8; tr.appendChild(td); frag.appendChild(tr);
    }
    body.appendChild(frag);
    summary.textContent = L.shown + " " + Math.min(limit, found.length) + " / " + found.length +
      (found.length !== rows.length ? "（" + L.of + " " + rows.length + "）" : "");
    summary.setAttribute("data-matches", String(found.length));
    more.hidden = found.length <= limit;
    save();
  }

  function save() {
    var parts = [];
    [["q", q], ["light", fLight], ["state", fState], ["unit", fUnit], ["leader", fLeader]].forEach(function (p) {
      if (p[1].value) { parts.push(p[0] + "=" + encodeURIComponent(p[1].value)); }
    });
    var h = parts.join("&");
    if (("#" + h) !== location.hash && !(h === "" && location.hash === "")) {
      history.replaceState(null, "", h ? "#" + h : location.pathname + location.search);
    }
  }

  function load() {
    var got = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) { try { got[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* ignore */ } }
    });
    q.value = got.q || "";
    [["light", fLight], ["state", fState], ["unit", fUnit], ["leader", fLeader]].forEach(function (p) {
      var v = got[p[0]] || "";
      var ok = Array.prototype.some.call(p[1].options, function (o) { return o.value === v; });
      p[1].value = ok ? v : "";
    });
  }

  var timer = null;
  q.addEventListener("input", function () {
    clearTimeout(timer);
    limit = PAGE;
    if (rows.length <= 5000) { draw(); } else { timer = setTimeout(draw, 150); }
  });
  [fLight, fState, fUnit, fLeader].forEach(function (s) {
    s.addEventListener("change", function () { limit = PAGE; draw(); });
  });
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  $("reset").addEventListener("click", function () {
    q.value = ""; fLight.value = ""; fState.value = ""; fUnit.value = ""; fLeader.value = "";
    limit = PAGE; draw();
  });
  more.addEventListener("click", function () { limit += PAGE; draw(); });
  window.addEventListener("hashchange", function () { load(); draw(); });
  load();
  draw();
})();
