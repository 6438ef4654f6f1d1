/* 事项目录检索 — search and filters of site/index.html.
 *
 * The catalog is embedded in the page as JSON (<script id="data">), because
 * browsers refuse to let a page opened from file:// read another local file,
 * and the site must work that way, with no network. Only the visible page of results is drawn, so a
 * catalog of 100 000 entries stays quick. Every value is put into the page
 * as text (textContent), never as markup.
 *
 * The search and filters are read from and written to the URL
 * (?q=婚姻&category=行政许可&level=市级&agency=…&division=…&page=2), so a
 * search can be bookmarked and linked to.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 50;
  var DATA_VERSION = 1;
  // The fields of a row, in the order src/publish/site/data.rs writes them.
  var NAME = 0, SUB = 1, BASIC = 2, IMPL = 3, CATEGORY = 4, LEVEL = 5,
    AGENCY = 6, DIVISION = 7, HANDLING = 8, DIVISION_CODE = 9;
  var FILTERS = ["category", "level", "agency", "division"];
  var SAFE_CODE = /^[0-9A-Z]+$/;

  function report(error) {
    var message = error && error.message ? error.message : String(error);
    if (window.yimaReportError) {
      window.yimaReportError(message);
    } else {
      throw error;
    }
  }

  // NFKC folds full-width letters and digits, so "ＡＢ１" finds "AB1".
  function fold(text) {
    var s = String(text);
    return (s.normalize ? s.normalize("NFKC") : s).toLowerCase();
  }

  function terms(query) {
    return fold(query).split(/\s+/).filter(function (t) { return t.length > 0; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Appends `text` to `parent` with the parts matching a search term marked.
  function appendMarked(parent, text, words) {
    var lower = fold(text);
    if (!words.length || lower.length !== text.length) {
      parent.appendChild(document.createTextNode(text));
      return;
    }
    var marks = [];
    words.forEach(function (w) {
      var at = lower.indexOf(w);
      while (at !== -1) {
        marks.push([at, at + w.length]);
        at = lower.indexOf(w, at + w.length);
      }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) return;
      if (m[0] > pos) parent.appendChild(document.createTextNode(text.slice(pos, m[0])));
      parent.appendChild(el("mark", "", text.slice(m[0], m[1])));
      pos = m[1];
    });
    if (pos < text.length) parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  function Catalog(data) {
    this.data = data;
    this.rows = data.rows;
    this.haystack = null;
    // Filter values (names and codes, as in the URL) to list indexes.
    this.lookup = {
      category: indexOf(data.categories),
      level: indexOf(data.levels),
      agency: indexOf(data.agencies.map(function (a) { return a[0]; })),
      division: indexOf(data.divisions.map(function (d) { return d[0]; }))
    };
  }

  function indexOf(list) {
    var map = Object.create(null);
    list.forEach(function (v, i) { map[v] = i; });
    return map;
  }

  // The text a search looks in, folded once, on the first search.
  Catalog.prototype.searchText = function (i) {
    if (!this.haystack) {
      this.haystack = this.rows.map(function (r) {
        return fold(r[NAME] + "\n" + r[SUB] + "\n" + r[BASIC] + "\n" + r[IMPL]);
      });
    }
    return this.haystack[i];
  };

  // The indexes of the rows matching the state, in catalog order.
  Catalog.prototype.filter = function (state) {
    var words = terms(state.q);
    var want = {};
    var self = this;
    FILTERS.forEach(function (f) {
      if (state[f] !== "") {
        var i = self.lookup[f][state[f]];
        want[f] = i === undefined ? -1 : i;
      }
    });
    var out = [];
    for (var i = 0; i < this.rows.length; i++) {
      var r = this.rows[i];
      if ("category" in want && r[CATEGORY] !== want.category) continue;
      if ("level" in want && r[LEVEL] !== want.level) continue;
      if ("agency" in want && r[AGENCY] !== want.agency) continue;
      if ("division" in want && r[DIVISION] !== want.division) continue;
      if (words.length) {
        var text = this.searchText(i);
        var ok = true;
        for (var w = 0; w < words.length && ok; w++) ok = text.indexOf(words[w]) !== -1;
        if (!ok) continue;
      }
      out.push(i);
    }
    return out;
  };

  Catalog.prototype.renderRow = function (i, number, words) {
    var r = this.rows[i];
    var d = this.data;
    var tr = el("tr");
    tr.setAttribute("data-code", r[IMPL]);
    function cell(className, label) {
      var td = el("td", className);
      if (label) td.setAttribute("data-label", label);
      tr.appendChild(td);
      return td;
    }
    cell("no").textContent = String(number);

    var name = cell("name", "事项名称");
    var target = name;
    if (SAFE_CODE.test(r[IMPL])) {
      target = el("a", "guide-link");
      target.href = "../guides/" + r[IMPL] + ".html";
      target.title = "查看办事指南";
      name.appendChild(target);
    }
    appendMarked(target, r[NAME], words);
    if (r[SUB]) {
      var sub = el("span", "sub");
      appendMarked(sub, r[SUB], words);
      name.appendChild(sub);
    }

    var codes = cell("codes", "编码");
    [["基本", r[BASIC]], ["实施", r[IMPL]]].forEach(function (c) {
      var line = el("span");
      line.appendChild(el("i", "", c[0]));
      appendMarked(line, c[1], words);
      codes.appendChild(line);
    });

    cell("cat", "事项类型").textContent = d.categories[r[CATEGORY]];
    cell("level", "行使层级").textContent = d.levels[r[LEVEL]];
    cell("agency", "实施主体").textContent = d.agencies[r[AGENCY]][1];
    var div = cell("div", "行政区划");
    div.appendChild(document.createTextNode(d.divisions[r[DIVISION]][1]));
    if (r[DIVISION_CODE] !== d.divisions[r[DIVISION]][0]) {
      div.appendChild(el("small", "", r[DIVISION_CODE]));
    }
    var handling = d.handling[r[HANDLING]];
    var type = cell("type", "办件类型");
    if (handling) {
      type.appendChild(el("span", handling === "即办件" ? "tag tag-instant" : "tag", handling));
    }
    return tr;
  };

  function readState(search) {
    var params = new URLSearchParams(search);
    var state = { q: params.get("q") || "", page: parseInt(params.get("page") || "1", 10) || 1 };
    FILTERS.forEach(function (f) { state[f] = params.get(f) || ""; });
    return state;
  }

  function writeState(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    FILTERS.forEach(function (f) { if (state[f]) params.set(f, state[f]); });
    if (state.page > 1) params.set("page", String(state.page));
    var query = params.toString();
    try {
      history.replaceState(null, "", query ? "?" + query : location.pathname);
    } catch (e) {
      // Some browsers refuse to change the URL of a file:// page; the
      // search still works, it only cannot be bookmarked there.
    }
  }

  function main() {
    var source = document.getElementById("data");
    var data = JSON.parse(source.textContent);
    if (data.version !== DATA_VERSION) {
      throw new Error("数据格式版本 " + data.version + " 与页面脚本不符（expected " + DATA_VERSION + "）");
    }
    var catalog = new Catalog(data);
    var form = document.getElementById("search");
    var input = document.getElementById("q");
    var selects = {};
    FILTERS.forEach(function (f) { selects[f] = document.getElementById("filter-" + f); });
    var body = document.getElementById("rows");
    var count = document.getElementById("result-count");
    var pageInfo = document.getElementById("page-info");
    var empty = document.getElementById("empty");
    var pager = document.getElementById("pager");
    var pagerStatus = document.getElementById("pager-status");

    var state = readState(location.search);
    input.value = state.q;
    FILTERS.forEach(function (f) {
      var s = selects[f];
      s.value = state[f];
      // A value no option has (an old link) still filters, and says so.
      if (state[f] && s.value !== state[f]) {
        var o = el("option", "", state[f] + "（无此项）");
        o.value = state[f];
        s.appendChild(o);
        s.value = state[f];
      }
    });

    var matches = [];
    function search() {
      matches = catalog.filter(state);
      draw();
    }

    function draw() {
      var pages = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
      state.page = Math.min(Math.max(1, state.page), pages);
      var start = (state.page - 1) * PAGE_SIZE;
      var words = terms(state.q);
      var rows = document.createDocumentFragment();
      matches.slice(start, start + PAGE_SIZE).forEach(function (i, k) {
        rows.appendChild(catalog.renderRow(i, start + k + 1, words));
      });
      body.textContent = "";
      body.appendChild(rows);

      count.textContent = "";
      count.appendChild(document.createTextNode("共 "));
      count.appendChild(el("strong", "", String(matches.length)));
      count.appendChild(document.createTextNode(" 项"));
      var filtered = matches.length !== catalog.rows.length;
      pageInfo.textContent = matches.length === 0 ? "" :
        "第 " + (start + 1) + "–" + Math.min(start + PAGE_SIZE, matches.length) + " 项" +
        (filtered ? "，目录共 " + catalog.rows.length + " 项" : "");
      empty.hidden = matches.length !== 0;
      pager.hidden = pages <= 1;
      pagerStatus.textContent = "第 " + state.page + " / " + pages + " 页";
      pager.querySelector('[data-page="first"]').disabled = state.page <= 1;
      pager.querySelector('[data-page="prev"]').disabled = state.page <= 1;
      pager.querySelector('[data-page="next"]').disabled = state.page >= pages;
      pager.querySelector('[data-page="last"]').disabled = state.page >= pages;
      writeState(state);
    }

    // Typing in a large catalog waits for a pause; a small one answers at once.
    var delay = catalog.rows.length > 20000 ? 150 : 0;
    var timer = null;
    input.addEventListener("input", function () {
      state.q = input.value;
      state.page = 1;
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        guard(search);
      }, delay);
    });
    FILTERS.forEach(function (f) {
      selects[f].addEventListener("change", function () {
        state[f] = selects[f].value;
        state.page = 1;
        guard(search);
      });
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () {
      // After the browser has cleared the fields.
      setTimeout(function () {
        state = { q: "", page: 1, category: "", level: "", agency: "", division: "" };
        guard(search);
      }, 0);
    });
    pager.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-page]");
      if (!button) return;
      var to = button.getAttribute("data-page");
      var pages = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
      state.page = to === "first" ? 1 : to === "prev" ? state.page - 1 :
        to === "next" ? state.page + 1 : pages;
      guard(draw);
      document.getElementById("catalog").scrollIntoView({ block: "start" });
    });

    search();
  }

  function guard(fn) {
    try {
      fn();
    } catch (e) {
      report(e);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { guard(main); });
  } else {
    guard(main);
  }
})();
