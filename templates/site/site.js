/* 事项目录检索 — search and filters of site/index.html.
 *
 * The catalog's data is in shards (data/NN.js, each a script that puts its
 * part into window.YIMA_SHARDS), loaded by <script> elements before this one,
 * because browsers refuse to let a page opened from file:// read another
 * local file, and the site must work that way, with no network. The page
 * embeds the manifest (<script id="data">): each shard's name, file and row
 * count; a shard missing or of another size is an error shown on the page,
 * never a catalog shown short. Each shard lists its own repeated values;
 * they are merged here into one catalog. Only the visible page of results is drawn, so a
 * catalog of 100 000 entries stays quick. Every value is put into the page
 * as text (textContent), never as markup.
 *
 * A search word finds an entry by its name, sub-item or codes, its agency,
 * its city or county, a material it asks for, the result it gives, or one
 * of its topics; several words must all be found. Agencies, divisions,
 * materials, results and topics are lists in the data that rows refer to by
 * index, so each word is matched against each distinct text once.
 *
 * The search and filters are read from and written to the URL
 * (?q=婚姻&category=行政许可&level=市级&agency=…&division=…&citizen=婚姻登记
 * &business=设立变更&page=2), so a search can be bookmarked and linked to.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 50;
  var DATA_VERSION = 3;
  // The fields of a row, in the order src/publish/site/data.rs writes them;
  // the last four are absent from the end when empty.
  var NAME = 0, SUB = 1, BASIC = 2, IMPL = 3, CATEGORY = 4, LEVEL = 5,
    AGENCY = 6, DIVISION = 7, HANDLING = 8, DIVISION_CODE = 9, MATERIALS = 10,
    RESULT = 11, CITIZEN = 12, BUSINESS = 13;
  var NONE = [];
  var FILTERS = ["category", "level", "agency", "division", "citizen", "business"];
  // At most this many matched materials, results or topics are named under
  // an entry's name.
  var MAX_HITS = 3;
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
      division: indexOf(data.divisions.map(function (d) { return d[0]; })),
      citizen: indexOf(data.citizen_topics),
      business: indexOf(data.business_topics)
    };
    // The lists a word is also looked for in, folded once.
    this.folded = {
      agencies: data.agencies.map(function (a) { return fold(a[1]); }),
      divisions: data.divisions.map(function (d) { return fold(d[1]); }),
      texts: data.texts.map(fold),
      citizen: data.citizen_topics.map(fold),
      business: data.business_topics.map(fold)
    };
  }

  // Which items of a folded list contain the word.
  function hits(list, word) {
    var out = new Uint8Array(list.length);
    for (var i = 0; i < list.length; i++) {
      if (list[i].indexOf(word) !== -1) out[i] = 1;
    }
    return out;
  }

  // Whether any index of `indexes` is marked in `marked`.
  function any(indexes, marked) {
    for (var i = 0; i < indexes.length; i++) {
      if (marked[indexes[i]]) return true;
    }
    return false;
  }

  function field(r, i) {
    return r.length > i && r[i] !== null ? r[i] : NONE;
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

  // For each word, the agencies, divisions, texts and topics holding it.
  Catalog.prototype.wordHits = function (words) {
    var f = this.folded;
    return words.map(function (w) {
      return {
        word: w,
        agencies: hits(f.agencies, w),
        divisions: hits(f.divisions, w),
        texts: hits(f.texts, w),
        citizen: hits(f.citizen, w),
        business: hits(f.business, w)
      };
    });
  };

  // Whether the row holds the word anywhere a search looks.
  Catalog.prototype.holds = function (i, h) {
    var r = this.rows[i];
    if (this.searchText(i).indexOf(h.word) !== -1) return true;
    if (h.agencies[r[AGENCY]] || h.divisions[r[DIVISION]]) return true;
    if (r.length <= MATERIALS) return false;
    var result = field(r, RESULT);
    return any(field(r, MATERIALS), h.texts) ||
      (typeof result === "number" && h.texts[result] === 1) ||
      any(field(r, CITIZEN), h.citizen) ||
      any(field(r, BUSINESS), h.business);
  };

  // The indexes of the rows matching the state, in catalog order.
  Catalog.prototype.filter = function (state) {
    var words = this.wordHits(terms(state.q));
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
      if ("citizen" in want && field(r, CITIZEN).indexOf(want.citizen) === -1) continue;
      if ("business" in want && field(r, BUSINESS).indexOf(want.business) === -1) continue;
      var ok = true;
      for (var w = 0; w < words.length && ok; w++) ok = this.holds(i, words[w]);
      if (ok) out.push(i);
    }
    return out;
  };

  // The materials, result and topics of a row that hold a search word, as
  // [kind, text] pairs, at most MAX_HITS.
  Catalog.prototype.rowHits = function (r, words) {
    var d = this.data;
    var f = this.folded;
    var out = [];
    function add(kind, text, folded) {
      if (out.length >= MAX_HITS) return;
      for (var w = 0; w < words.length; w++) {
        if (folded.indexOf(words[w]) !== -1) {
          out.push([kind, text]);
          return;
        }
      }
    }
    if (!words.length) return out;
    field(r, MATERIALS).forEach(function (t) { add("材料", d.texts[t], f.texts[t]); });
    var result = field(r, RESULT);
    if (typeof result === "number") add("结果", d.texts[result], f.texts[result]);
    field(r, CITIZEN).forEach(function (t) { add("主题", d.citizen_topics[t], f.citizen[t]); });
    field(r, BUSINESS).forEach(function (t) { add("主题", d.business_topics[t], f.business[t]); });
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
    var found = this.rowHits(r, words);
    if (found.length) {
      var why = el("span", "hits");
      found.forEach(function (h) {
        var hit = el("span", "hit");
        hit.appendChild(el("i", "", h[0]));
        appendMarked(hit, h[1], words);
        why.appendChild(hit);
      });
      name.appendChild(why);
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
    appendMarked(cell("agency", "实施主体"), d.agencies[r[AGENCY]][1], words);
    var div = cell("div", "行政区划");
    appendMarked(div, d.divisions[r[DIVISION]][1], words);
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

  // One list of distinct values, each added once; returns its index.
  function Distinct(list, keyOf) {
    var seen = new Map();
    return function (value) {
      var key = keyOf ? keyOf(value) : value;
      var i = seen.get(key);
      if (i === undefined) {
        i = list.length;
        list.push(value);
        seen.set(key, i);
      }
      return i;
    };
  }

  // The shards the manifest lists, merged into one catalog: each shard's
  // indexes are mapped into the merged lists, rows in 实施编码 order.
  function merge(manifest, loaded) {
    var data = {
      version: DATA_VERSION, categories: [], levels: [], agencies: [], divisions: [],
      handling: [], texts: [], citizen_topics: [], business_topics: [], rows: []
    };
    var first = function (pair) { return pair[0]; };
    var add = {
      categories: Distinct(data.categories),
      levels: Distinct(data.levels),
      agencies: Distinct(data.agencies, first),
      divisions: Distinct(data.divisions, first),
      handling: Distinct(data.handling),
      texts: Distinct(data.texts),
      citizen_topics: Distinct(data.citizen_topics),
      business_topics: Distinct(data.business_topics)
    };
    manifest.shards.forEach(function (ref) {
      var shard = loaded[ref.name];
      if (!shard) {
        throw new Error("目录数据 " + ref.file + " 未能载入（shard missing）");
      }
      if (shard.version !== DATA_VERSION || shard.rows.length !== ref.rows) {
        throw new Error("目录数据 " + ref.file + " 与本页不符（shard does not match the page）");
      }
      var map = {};
      Object.keys(add).forEach(function (list) { map[list] = shard[list].map(add[list]); });
      var many = function (list, indexes) {
        return indexes.map(function (i) { return map[list][i]; });
      };
      shard.rows.forEach(function (r) {
        var row = r.slice();
        row[CATEGORY] = map.categories[r[CATEGORY]];
        row[LEVEL] = map.levels[r[LEVEL]];
        row[AGENCY] = map.agencies[r[AGENCY]];
        row[DIVISION] = map.divisions[r[DIVISION]];
        row[HANDLING] = map.handling[r[HANDLING]];
        if (r.length > MATERIALS) row[MATERIALS] = many("texts", r[MATERIALS]);
        if (r.length > RESULT && r[RESULT] !== null) row[RESULT] = map.texts[r[RESULT]];
        if (r.length > CITIZEN) row[CITIZEN] = many("citizen_topics", r[CITIZEN]);
        if (r.length > BUSINESS) row[BUSINESS] = many("business_topics", r[BUSINESS]);
        data.rows.push(row);
      });
    });
    data.rows.sort(function (a, b) { return a[IMPL] < b[IMPL] ? -1 : a[IMPL] > b[IMPL] ? 1 : 0; });
    return data;
  }

  function main() {
    var source = document.getElementById("data");
    var manifest = JSON.parse(source.textContent);
    if (manifest.version !== DATA_VERSION) {
      throw new Error("数据格式版本 " + manifest.version + " 与页面脚本不符（expected " + DATA_VERSION + "）");
    }
    var catalog = new Catalog(merge(manifest, window.YIMA_SHARDS || {}));
    var form = document.getElementById("search");
    var input = document.getElementById("q");
    var selects = {};
    // A filter without choices (a catalog with no topics) has no element.
    var filters = FILTERS.filter(function (f) {
      selects[f] = document.getElementById("filter-" + f);
      return selects[f] !== null;
    });
    var body = document.getElementById("rows");
    var count = document.getElementById("result-count");
    var pageInfo = document.getElementById("page-info");
    var empty = document.getElementById("empty");
    var pager = document.getElementById("pager");
    var pagerStatus = document.getElementById("pager-status");

    var state = readState(location.search);
    input.value = state.q;
    filters.forEach(function (f) {
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
    filters.forEach(function (f) {
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
        state = { q: "", page: 1 };
        FILTERS.forEach(function (f) { state[f] = ""; });
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
