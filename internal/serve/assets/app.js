// potash serve: the what-if page. Plain JavaScript, no build step, no
// network access beyond this server.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    meta: null,        // /api/scenarios
    scenario: null,    // current scenario info with controls
    upload: null,      // {name, text} when an uploaded file is in use
    values: {},        // control id -> value the user chose (differs from default)
    both: {},          // event control id -> true: it changes the counterfactual too
    draws: null,
    seed: null,
    controller: null,  // AbortController of the run in flight
    timer: 0,
    lastRun: null,
    pinned: null,      // {res, upload}: the result pinned for comparison
    pinQuery: "",      // the pinned settings the URL asks for, until restored
    compareSeq: 0,     // the comparison in flight
  };
  // The sensitivity view ("What moves this result?").
  const sens = {
    controller: null,  // AbortController of the analysis in flight
    res: null,         // the analysis shown
    sent: "",          // its query, to tell when the settings moved on
    auto: false,       // run it after the first run (the URL asks for it)
  };

  function setState(s) { document.body.dataset.state = s; }

  function showError(msg, diagnostics, field) {
    const box = $("error");
    box.textContent = "";
    const p = document.createElement("p");
    p.textContent = msg;
    box.appendChild(p);
    if (diagnostics && diagnostics.length) {
      const ul = document.createElement("ul");
      for (const d of diagnostics) {
        const li = document.createElement("li");
        li.textContent = (d.line ? "line " + d.line + ", column " + d.col + ": " : "") + (d.field ? d.field + ": " : "") + d.msg;
        ul.appendChild(li);
      }
      box.appendChild(ul);
    }
    box.hidden = false;
    document.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    if (field) {
      const el = $("c-" + field) || $(field);
      if (el) el.setAttribute("aria-invalid", "true");
    }
  }
  function clearError() {
    $("error").hidden = true;
    document.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }

  async function getJSON(url, opts) {
    const r = await fetch(url, opts);
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      // A request aborted while its answer was read is aborted: not an
      // empty answer (the page would show a run of nothing).
      if (e.name === "AbortError") throw e;
      body = null;
    }
    if (r.ok && body === null) throw new Error("the server's answer could not be read (HTTP " + r.status + "); try again");
    if (!r.ok) {
      const err = new Error((body && body.error) || ("HTTP " + r.status));
      err.status = r.status;
      err.diagnostics = body && body.diagnostics;
      err.field = body && body.field;
      throw err;
    }
    return body;
  }

  function fmtRange(c) {
    if (c.kind === "number") return "(" + c.unit + ", " + c.min + "–" + c.max + ")";
    const range = c.min_month && c.max_month ? c.min_month + " to " + c.max_month : "YYYY-MM";
    return "(" + c.unit + ", " + range + (c.kind === "optmonth" ? ", or never" : "") + ")";
  }

  // buildControls draws the what-if controls for the current scenario.
  function buildControls() {
    const host = $("controls");
    host.textContent = "";
    for (const c of state.scenario.controls) {
      const div = document.createElement("div");
      div.className = "control";
      div.dataset.id = c.id;
      const help = document.createElement("p");
      help.className = "help";
      help.id = "h-" + c.id;
      const label = document.createElement("label");
      label.htmlFor = "c-" + c.id;
      label.innerHTML = "";
      label.append(c.label + " ");
      const unit = document.createElement("span");
      unit.className = "unit";
      unit.textContent = fmtRange(c);
      label.appendChild(unit);
      div.appendChild(label);
      const row = document.createElement("div");
      row.className = "pair";
      const current = c.id in state.values ? state.values[c.id] : c.value;
      if (c.kind === "number") {
        const range = document.createElement("input");
        range.type = "range";
        range.id = "r-" + c.id;
        range.min = c.min; range.max = c.max; range.step = c.step;
        range.setAttribute("aria-label", c.label + " (slider, " + c.unit + ")");
        range.setAttribute("aria-describedby", help.id);
        const num = document.createElement("input");
        num.type = "number";
        num.id = "c-" + c.id;
        num.min = c.min; num.max = c.max; num.step = "any";
        num.setAttribute("aria-describedby", help.id);
        num.value = current; range.value = current;
        range.addEventListener("input", () => { num.value = range.value; choose(c, range.value, 150); });
        num.addEventListener("change", () => { if (num.value !== "") { range.value = num.value; choose(c, num.value, 0); } });
        row.append(range, num);
        if (!c.available) { range.disabled = true; num.disabled = true; }
      } else {
        const month = document.createElement("input");
        month.type = "month";
        month.id = "c-" + c.id;
        month.min = c.min_month || ""; month.max = c.max_month || "";
        month.placeholder = "YYYY-MM";
        month.pattern = "[0-9]{4}-[0-9]{2}";
        month.setAttribute("aria-describedby", help.id);
        row.appendChild(month);
        let never = null;
        if (c.kind === "optmonth") {
          const wrap = document.createElement("label");
          wrap.className = "check";
          never = document.createElement("input");
          never.type = "checkbox";
          never.id = "n-" + c.id;
          wrap.append(never, " " + (c.never || "Never"));
          row.appendChild(wrap);
          never.addEventListener("change", () => {
            month.disabled = never.checked || !c.available;
            if (never.checked) choose(c, "never", 0);
            else {
              if (!month.value) month.value = defaultMonth(c);
              choose(c, month.value, 0);
            }
          });
        }
        if (current === "never") {
          if (never) never.checked = true;
          month.disabled = true;
        } else {
          month.value = current || "";
        }
        month.addEventListener("change", () => { if (/^\d{4}-\d{2}$/.test(month.value)) choose(c, month.value, 0); });
        if (!c.available) { month.disabled = true; if (never) never.disabled = true; }
      }
      div.appendChild(row);
      if (c.available) div.appendChild(runsLine(c));
      const path = document.createElement("code");
      path.id = "p-" + c.id;
      path.textContent = setPath(c);
      help.append(c.help + " ");
      if (c.available) {
        help.append("Scenario value: " + c.value_text + ". ");
        if (c.note) help.append(c.note + ". ");
      } else {
        help.append("Not in this scenario: " + c.note + ". ");
      }
      help.append("Sets ", path, ".");
      div.appendChild(help);
      if (!c.available) div.classList.add("unavailable");
      host.appendChild(div);
    }
  }

  // runsOf says which runs control c changes now: "scenario" or "both".
  function runsOf(c) {
    if (c.runs === "both") return "both";
    return state.both[c.id] ? "both" : "scenario";
  }

  function setPath(c) {
    return (runsOf(c) === "scenario" ? "scenario." : "") + c.path;
  }

  function cfName() {
    return (state.scenario && state.scenario.counterfactual) || "the counterfactual";
  }

  // runsLine says in words which runs control c changes, with the choice
  // where the counterfactual holds the same event.
  function runsLine(c) {
    const p = document.createElement("p");
    p.className = "runs";
    p.id = "runs-" + c.id;
    const badge = document.createElement("span");
    badge.className = "badge " + runsOf(c);
    badge.textContent = runsOf(c) === "both" ? "Both runs" : "Scenario only";
    p.append(badge, " ");
    const text = document.createElement("span");
    const say = () => {
      badge.className = "badge " + runsOf(c);
      badge.textContent = runsOf(c) === "both" ? "Both runs" : "Scenario only";
      const cf = cfName();
      if (!c.event) {
        text.textContent = "A market parameter: " + cf + " uses the same value.";
      } else if (runsOf(c) === "both") {
        text.textContent = cf + " gets the same value.";
      } else if (!c.counterfactual_value) {
        text.textContent = cf + " has no such event.";
      } else if (!c.can_both) {
        text.textContent = cf + " has its own version of it: " + c.counterfactual_value_text + ".";
      } else {
        text.textContent = cf + " keeps " + c.counterfactual_value_text + ".";
      }
      const code = $("p-" + c.id);
      if (code) code.textContent = setPath(c);
    };
    say();
    p.appendChild(text);
    if (c.event && c.can_both) {
      const wrap = document.createElement("label");
      wrap.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = "b-" + c.id;
      box.checked = !!state.both[c.id];
      wrap.append(box, " Change it in " + cfName() + " too (both runs)");
      box.addEventListener("change", () => {
        if (box.checked) state.both[c.id] = true;
        else delete state.both[c.id];
        say();
        if (c.id in state.values) schedule(0);
        else updateURL();
      });
      p.append(" ", wrap);
    }
    return p;
  }

  function defaultMonth(c) {
    // a sensible month to start from when "never" is unticked
    if (c.max_month && c.max_month > "2026-06" && c.min_month <= "2026-06") return "2026-06";
    return c.max_month || "2026-06";
  }

  function choose(c, v, delay) {
    if (String(v) === String(c.value)) delete state.values[c.id];
    else state.values[c.id] = String(v);
    schedule(delay);
  }

  function schedule(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(run, delay || 0);
  }

  // query returns the settings as URL parameters (only changed values).
  function query(forPage) {
    const q = new URLSearchParams();
    if (!state.upload) q.set("scenario", state.scenario.name);
    else if (!forPage) q.set("file", state.upload.name);
    const ids = state.scenario.controls.map((c) => c.id);
    for (const id of ids) if (id in state.values) q.set(id, state.values[id]);
    const both = ids.filter((id) => state.both[id] && (id in state.values || forPage));
    if (both.length) q.set("both", both.join(","));
    q.set("draws", String(state.draws));
    q.set("seed", String(state.seed));
    return q;
  }

  // updateURL records the settings in the page's URL, with the pinned
  // result's (a built-in's: an uploaded file is not in the URL) and the
  // sensitivity view's result, so that the link shows the same page.
  function updateURL() {
    const q = query(true);
    if (sens.res) q.set("tornado", sens.res.metric);
    const pinned = state.pinned && !state.pinned.upload ? state.pinned.res.query : state.pinQuery;
    if (pinned) q.set("pin", pinned);
    history.replaceState(null, "", "?" + q.toString());
  }

  async function run() {
    clearTimeout(state.timer);
    if (!state.scenario) return;
    readUncertainty();
    updateURL();
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    setState("loading");
    $("status").textContent = "Running…";
    const q = query(false);
    const opts = { signal: controller.signal };
    if (state.upload) {
      opts.method = "POST";
      opts.headers = { "Content-Type": "application/x-yaml" };
      opts.body = state.upload.text;
    }
    const t0 = performance.now();
    let res;
    try {
      res = await getJSON("/api/run?" + q.toString(), opts);
    } catch (e) {
      if (e.name === "AbortError") return;
      if (controller !== state.controller) return;
      setState("error");
      $("status").textContent = "Not updated: see the message above.";
      showError(e.message, e.diagnostics, e.field);
      return;
    }
    await showRun(res, controller);
    if (controller !== state.controller) return;
    const ms = Math.round(performance.now() - t0);
    let s = "Updated in " + ms + " ms";
    s += res.draws ? " · " + res.draws + " draws (" + res.converged + " converged) · seed " + res.seed : " · central run, no draws";
    if (res.cached) s += " · from cache";
    $("status").textContent = s;
    document.body.dataset.runId = res.id;
    document.body.dataset.runMs = String(ms);
    state.lastRun = res;
    setState("ready");
    if (state.pinQuery) await restorePin();
    if (state.pinned) updateCompare();
    if (sens.auto) {
      sens.auto = false;
      runSensitivity();
    }
  }

  function loadImage(src) {
    return new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => resolve(null);
      img.src = src;
    });
  }

  async function showRun(res, controller) {
    // Fetch the new main charts before swapping, so the page never
    // flickers; the others are drawn by the server when they scroll into
    // view.
    const imgs = await Promise.all(res.charts.map((c) => (c.main ? loadImage(c.png) : Promise.resolve(null))));
    if (controller !== state.controller) return;
    clearError();
    const sc = res.scenario;
    $("window").textContent = "· " + sc.report_from + " to " + sc.end;
    $("what").textContent = (sc.title || sc.name) + " — compared with " + (sc.counterfactual || "the counterfactual") + ". Changes are scenario minus counterfactual: prices are means over the window, revenues are cumulative over it. " + res.headline_note + (res.conduct ? " " + res.conduct + "." : "");
    fillTable($("headline").tBodies[0], res.headline, res.draws > 0);
    fillTable($("all-metrics").querySelector("tbody"), res.metrics, res.draws > 0);
    $("all-metrics-count").textContent = String(res.metrics.length);
    fillYears(res.exports_by_year);
    $("band-head").textContent = res.draws > 0 ? "5–95% of " + res.converged + " draws" : "5–95% of draws (none)";
    const notes = $("notes");
    notes.textContent = "";
    for (const n of res.notes || []) {
      const li = document.createElement("li");
      li.textContent = n;
      notes.appendChild(li);
    }
    const host = $("charts"), more = $("more-charts");
    host.textContent = "";
    more.textContent = "";
    $("more-section").hidden = !res.charts.some((c) => !c.main);
    res.charts.forEach((c, k) => {
      const fig = chartFigure(c, imgs[k], c.title + " — " + (sc.title || sc.name), true);
      (c.main ? host : more).appendChild(fig);
    });
    $("dl-csv").href = res.csv;
    for (const [id, href] of [["dl-bands", res.bands], ["dl-draws", res.draws_csv]]) {
      $(id).hidden = !href;
      $(id).href = href || "#";
    }
    $("dl-png").href = res.zip_png;
    $("dl-svg").href = res.zip_svg;
    $("command").value = res.command;
    $("upload-note").hidden = !state.upload;
    fillSensMetrics(res);
    markSensStale();
  }

  // sensQuery is the settings of the sensitivity view: the run's but the
  // draws and seed (an analysis has none), and the result to explain.
  function sensQuery() {
    const q = query(false);
    q.delete("draws");
    q.delete("seed");
    q.set("metric", $("sens-metric").value);
    return q;
  }

  // fillSensMetrics lists the run's results in the sensitivity view's
  // menu, the headline first, keeping the choice; and says how many
  // parameters the scenario varies.
  function fillSensMetrics(res) {
    const sel = $("sens-metric");
    const want = sel.value || sens.wantMetric || "revenue_change.Belarus";
    sel.textContent = "";
    const seen = {};
    for (const [name, rows] of [["Headline", res.headline], ["Every result", res.metrics]]) {
      const g = document.createElement("optgroup");
      g.label = name;
      for (const r of rows) {
        if (seen[r.metric]) continue;
        seen[r.metric] = true;
        const o = document.createElement("option");
        o.value = r.metric;
        o.textContent = r.label;
        g.appendChild(o);
      }
      if (g.children.length) sel.appendChild(g);
    }
    sel.value = seen[want] ? want : (seen["revenue_change.Belarus"] ? "revenue_change.Belarus" : (res.headline[0] || {}).metric || "");
    const n = (res.scenario.uncertain || []).length;
    $("sens-count").textContent = n ? String(n) + " uncertain" : "uncertain";
    $("sens-run").disabled = n === 0;
    if (n === 0) {
      $("sens-status").textContent = "This scenario has no uncertainty section, so it has no uncertain parameters to rank.";
    } else if (!sens.res && document.body.dataset.sens !== "loading") {
      $("sens-status").textContent = "Pick a result and press the button: " + (2 * n + 1) + " runs, usually a few seconds.";
    }
  }

  // markSensStale marks the analysis shown when the settings have moved
  // on from it.
  function markSensStale() {
    if (!sens.res) return;
    const stale = sensQuery().toString() !== sens.sent;
    if (stale) {
      $("sens").dataset.stale = "true";
      $("sens-status").textContent = "The ranking below is for earlier settings: press the button to rank the parameters again.";
      $("sens-run").textContent = "Rank again with these settings";
    } else if ($("sens").dataset.stale) {
      delete $("sens").dataset.stale;
      $("sens-status").textContent = sens.done;
      $("sens-run").textContent = "Rank the uncertain parameters";
    }
  }

  // clearSens forgets the analysis shown (another scenario).
  function clearSens() {
    if (sens.controller) sens.controller.abort();
    sens.controller = null;
    sens.res = null;
    sens.sent = "";
    $("sens-out").hidden = true;
    $("sens-error").hidden = true;
    $("sens-status").textContent = "";
    delete $("sens").dataset.stale;
    delete document.body.dataset.sens;
    $("sens-run").textContent = "Rank the uncertain parameters";
  }

  // runSensitivity asks the server for the tornado of the chosen result
  // with the current settings (/api/sensitivity, as potash sensitivity).
  async function runSensitivity() {
    if (!state.scenario || $("sens-run").disabled) return;
    if (sens.controller) sens.controller.abort();
    const controller = new AbortController();
    sens.controller = controller;
    const q = sensQuery();
    const opts = { signal: controller.signal };
    if (state.upload) {
      opts.method = "POST";
      opts.headers = { "Content-Type": "application/x-yaml" };
      opts.body = state.upload.text;
    }
    const n = (state.scenario.uncertain || []).length;
    document.body.dataset.sens = "loading";
    $("sens-metric").removeAttribute("aria-invalid");
    $("sens-error").hidden = true;
    $("sens-status").textContent = "Ranking " + (n || "the") + " parameters (" + (n ? 2 * n + 1 + " runs" : "two runs each") + ")…";
    let res;
    try {
      res = await getJSON("/api/sensitivity?" + q.toString(), opts);
    } catch (e) {
      if (e.name === "AbortError" || controller !== sens.controller) return;
      document.body.dataset.sens = "error";
      $("sens-status").textContent = "Not ranked: see the message below.";
      const box = $("sens-error");
      box.textContent = e.message;
      box.hidden = false;
      if (e.field === "metric") $("sens-metric").setAttribute("aria-invalid", "true");
      return;
    }
    const img = await loadImage(res.chart.png);
    if (controller !== sens.controller) return;
    sens.controller = null;
    sens.res = res;
    sens.sent = q.toString();
    showSensitivity(res, img);
    updateURL();
  }

  function showSensitivity(res, loaded) {
    const sc = res.scenario;
    const host = $("sens-chart");
    host.textContent = "";
    const c = res.chart;
    host.appendChild(chartFigure(c, loaded, c.title + " — " + (sc.title || sc.name) + ": the parameters ranked by the swing they cause, as in the table below.", false));

    const unit = res.unit_text;
    $("sens-caption").textContent = res.label + " (" + unit + ", " + (sc.file || sc.name) + " against " + sc.counterfactual + ", " + sc.report_from + " to " + sc.end +
      ") with each parameter at its low (5th percentile) and high (95th percentile) end; at central values " + res.base_text + " " + unit +
      ". Settings: " + (res.settings || "the scenario's values") + ".";
    $("sens-head-low").textContent = "Result at low (" + unit + ")";
    $("sens-head-high").textContent = "Result at high (" + unit + ")";
    $("sens-head-swing").textContent = "Swing (" + unit + ")";
    const tbody = $("sens-table").tBodies[0];
    tbody.textContent = "";
    const notes = (res.notes || []).slice();
    for (const b of res.bars) {
      const tr = document.createElement("tr");
      tr.dataset.param = b.param;
      tr.dataset.atLow = String(b.at_low);
      tr.dataset.atHigh = String(b.at_high);
      tr.dataset.swing = String(b.swing);
      const rank = document.createElement("td");
      rank.className = "num";
      rank.textContent = String(b.rank);
      const th = document.createElement("th");
      th.scope = "row";
      const path = document.createElement("code");
      path.textContent = b.param;
      th.append(b.label, path);
      th.className = "param";
      const range = document.createElement("td");
      range.className = "num";
      const pu = b.param_unit && b.param_unit !== "1" ? " " + b.param_unit : "";
      range.textContent = b.low_text + " – " + b.high_text + pu + (b.cut ? " *" : "");
      if (b.cut) notes.push("* " + b.label + ": " + b.cut + ".");
      const cells = [b.at_low_text, b.at_high_text, b.swing_text].map((t, k) => {
        const td = document.createElement("td");
        td.className = "num" + (k < 2 ? " value " + signClass(t) : "");
        td.textContent = t;
        return td;
      });
      tr.append(rank, th, range, ...cells);
      tbody.appendChild(tr);
    }
    const ul = $("sens-notes");
    ul.textContent = "";
    for (const n of notes) {
      const li = document.createElement("li");
      li.textContent = n;
      ul.appendChild(li);
    }
    $("sens-csv").href = res.csv;
    $("sens-command").value = res.command;
    $("sens-out").hidden = false;
    sens.done = "Ranked " + res.bars.length + " parameters in " + res.runs + " runs" + (res.cached ? " (from cache)" : "") + ".";
    $("sens-status").textContent = sens.done;
    delete $("sens").dataset.stale;
    $("sens-run").textContent = "Rank the uncertain parameters";
    document.body.dataset.sens = "ready";
    document.body.dataset.sensId = res.id;
  }

  // chartFigure is the figure of chart c: its image (loaded, when the page
  // has it already, else a new one, loaded lazily when lazy), described by
  // alt, and a caption with the chart's title and its PNG and SVG downloads.
  function chartFigure(c, loaded, alt, lazy) {
    const fig = document.createElement("figure");
    fig.className = "chart";
    fig.dataset.name = c.name;
    const img = loaded || new Image();
    img.alt = alt;
    img.width = c.width;
    img.height = c.height;
    if (!loaded) {
      if (lazy) img.loading = "lazy";
      img.src = c.png;
    }
    const cap = document.createElement("figcaption");
    const title = document.createElement("span");
    title.textContent = c.title;
    const png = link(c.png + "?download=1", "PNG", c.title + " as PNG");
    const svg = link(c.svg + "?download=1", "SVG", c.title + " as SVG");
    cap.append(title, " ", png, " ", svg);
    fig.append(img, cap);
    return fig;
  }

  function link(href, text, label) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.className = "button small";
    a.setAttribute("download", "");
    a.setAttribute("aria-label", "Download " + label);
    return a;
  }

  function fillTable(tbody, rows, bands) {
    tbody.textContent = "";
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.dataset.metric = r.metric;
      tr.dataset.value = String(r.value);
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = r.label;
      if (r.doc) th.title = r.doc;
      const v = document.createElement("td");
      // colour by the sign shown, so a change that rounds to zero is neutral
      v.className = "num value " + signClass(r.text);
      v.textContent = r.text;
      const b = document.createElement("td");
      b.className = "num band";
      b.textContent = bands && r.has_band ? r.band : "—";
      tr.append(th, v, b);
      tbody.appendChild(tr);
    }
  }

  // fillYears shows the exports by year, the table of summary.md (the
  // server sends it made: report.ExportsByYearTable), or hides it.
  function fillYears(t) {
    $("years").hidden = !t;
    const table = $("years-table");
    table.tHead.textContent = "";
    table.tBodies[0].textContent = "";
    if (!t) return;
    $("years-note").textContent = t.note;
    const hr = document.createElement("tr");
    t.head.forEach((h, c) => {
      const th = document.createElement("th");
      th.scope = "col";
      if (c > 0) th.className = "num";
      th.textContent = h;
      hr.appendChild(th);
    });
    table.tHead.appendChild(hr);
    for (const row of t.rows) {
      const tr = document.createElement("tr");
      row.forEach((cell, c) => {
        const td = document.createElement(c === 0 ? "th" : "td");
        if (c === 0) td.scope = "row";
        else td.className = "num value " + signClass(cell);
        td.textContent = cell;
        tr.appendChild(td);
      });
      table.tBodies[0].appendChild(tr);
    }
  }

  function readUncertainty() {
    const lim = state.meta.limits;
    let d = parseInt($("draws").value, 10);
    if (isNaN(d)) d = lim.default_draws;
    state.draws = d;
    // The seed as typed (the server says what is wrong with one that is
    // not a whole number), 1 when empty.
    state.seed = $("seed").value.trim() || "1";
  }

  async function selectScenario(name, fromURL) {
    state.upload = null;
    $("upload").value = "";
    $("upload-status").textContent = "";
    let info;
    try {
      info = await getJSON("/api/scenario?scenario=" + encodeURIComponent(name));
    } catch (e) {
      setState("error");
      showError(e.message, e.diagnostics, e.field);
      $("status").textContent = "Could not load the scenario.";
      return false;
    }
    state.scenario = info;
    if (!fromURL) { state.values = {}; state.both = {}; clearSens(); }
    describeScenario(info);
    buildControls();
    return true;
  }

  function describeScenario(info) {
    const d = $("scenario-desc");
    d.textContent = (info.title ? info.title + ". " : "") + "Horizon " + info.start + " to " + info.end + "; compared with " + (info.counterfactual || "the counterfactual") + ".";
    $("cf-name").textContent = info.counterfactual || "the counterfactual";
    showCorrelations(info.correlations || []);
  }

  // fmtCorr writes a correlation to 3 decimals at most, with a true
  // minus sign.
  function fmtCorr(v) {
    const r = Math.round(v * 1000) / 1000;
    return (r < 0 ? "\u2212" : "") + String(Math.abs(r));
  }

  // showCorrelations shows the scenario's correlation groups in the
  // uncertainty section: each group's parameters, numbered, and its
  // matrix with rows and columns by those numbers (each cell names its
  // pair in its title).
  function showCorrelations(groups) {
    const box = $("corr-groups");
    box.textContent = "";
    $("correlations").hidden = groups.length === 0;
    let n = 0;
    for (const g of groups) n += g.params.length;
    $("corr-count").textContent = "(" + (groups.length === 1 ? "1 group" : groups.length + " groups") + ", " + n + " parameters)";
    groups.forEach((g, k) => {
      const h = document.createElement("h3");
      h.textContent = "Group " + (k + 1) + ": " + g.params.length + " parameters";
      box.appendChild(h);
      const ol = document.createElement("ol");
      ol.className = "corr-members";
      for (const p of g.params) {
        const li = document.createElement("li");
        const c = document.createElement("code");
        c.textContent = p;
        li.appendChild(c);
        ol.appendChild(li);
      }
      box.appendChild(ol);
      const wrap = document.createElement("div");
      wrap.className = "corr-wrap";
      // A wide matrix scrolls: from the keyboard too.
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Correlations of group " + (k + 1) + " (scrolls sideways)");
      const table = document.createElement("table");
      table.className = "corr-matrix";
      const cap = document.createElement("caption");
      cap.textContent = "Correlations of group " + (k + 1);
      table.appendChild(cap);
      const hr = document.createElement("tr");
      hr.appendChild(document.createElement("td"));
      g.params.forEach((p, j) => {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = String(j + 1);
        th.title = p;
        hr.appendChild(th);
      });
      table.createTHead().appendChild(hr);
      const tb = table.createTBody();
      g.matrix.forEach((row, i) => {
        const tr = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = String(i + 1);
        th.title = g.params[i];
        tr.appendChild(th);
        row.forEach((v, j) => {
          const td = document.createElement("td");
          td.textContent = fmtCorr(v);
          td.title = g.params[i] + " with " + g.params[j] + ": " + td.textContent;
          if (i === j) td.className = "diag";
          else if (Math.abs(v) >= 0.5) td.className = "strong";
          tr.appendChild(td);
        });
        tb.appendChild(tr);
      });
      wrap.appendChild(table);
      box.appendChild(wrap);
    });
  }

  async function onUpload() {
    const f = $("upload").files[0];
    if (!f) return;
    const status = $("upload-status");
    const max = state.meta.limits.max_upload_bytes;
    if (f.size > max) {
      status.textContent = f.name + " is larger than the limit of " + Math.round(max / 1024) + " KiB.";
      return;
    }
    const text = await f.text();
    status.textContent = "Checking " + f.name + "…";
    let res;
    try {
      res = await getJSON("/api/validate?file=" + encodeURIComponent(f.name), {
        method: "POST", headers: { "Content-Type": "application/x-yaml" }, body: text,
      });
    } catch (e) {
      status.textContent = "";
      showError(f.name + ": " + e.message, e.diagnostics, e.field);
      return;
    }
    status.textContent = "";
    if (!res.valid) {
      const errs = res.diagnostics.filter((d) => d.severity === "error");
      showError(f.name + " is not a valid scenario (" + errs.length + " error" + (errs.length === 1 ? "" : "s") + "):", res.diagnostics);
      const p = document.createElement("p");
      p.textContent = f.name + ": not valid, see the messages on the right.";
      status.appendChild(p);
      return;
    }
    clearError();
    clearSens();
    state.upload = { name: f.name, text: text };
    state.scenario = res.scenario;
    state.values = {};
    state.both = {};
    const sel = $("scenario");
    let opt = sel.querySelector("option[data-upload]");
    if (!opt) {
      opt = document.createElement("option");
      opt.dataset.upload = "1";
      sel.appendChild(opt);
    }
    opt.value = "";
    opt.textContent = "Uploaded: " + f.name;
    sel.value = "";
    status.textContent = f.name + " is valid" + (res.diagnostics.length ? " (" + res.diagnostics.length + " warning" + (res.diagnostics.length === 1 ? "" : "s") + ": " + res.diagnostics.map((d) => d.text).join("; ") + ")" : "") + ".";
    describeScenario(res.scenario);
    buildControls();
    run();
  }

  async function init() {
    try {
      state.meta = await getJSON("/api/scenarios");
    } catch (e) {
      setState("error");
      showError(e.message);
      return;
    }
    const m = state.meta;
    $("version").textContent = "model " + m.version;
    const sel = $("scenario");
    for (const b of m.builtins) {
      const o = document.createElement("option");
      o.value = b.name;
      o.textContent = b.name + (b.title ? " — " + b.title : "");
      sel.appendChild(o);
    }
    $("draws").max = m.limits.max_draws;
    $("draws-range").textContent = "(0–" + m.limits.max_draws + ")";
    const q = new URLSearchParams(location.search);
    const name = q.get("scenario") || m.default;
    state.values = {};
    for (const c of m.controls) if (q.has(c.id)) state.values[c.id] = q.get(c.id);
    state.both = {};
    for (const id of (q.get("both") || "").split(",")) if (id) state.both[id] = true;
    $("draws").value = q.has("draws") ? q.get("draws") : m.limits.default_draws;
    $("seed").value = q.has("seed") ? q.get("seed") : "1";
    if (q.get("tornado")) { sens.auto = true; sens.wantMetric = q.get("tornado"); }
    state.pinQuery = q.get("pin") || "";
    sel.value = name;
    if (!(await selectScenario(name, true))) return;
    sel.addEventListener("change", async () => {
      if (sel.value === "") return;
      const o = sel.querySelector("option[data-upload]");
      if (o) o.remove();
      if (await selectScenario(sel.value, false)) run();
    });
    $("upload").addEventListener("change", onUpload);
    $("draws").addEventListener("change", () => schedule(0));
    $("seed").addEventListener("change", () => schedule(0));
    $("form").addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
    $("reset").addEventListener("click", () => {
      state.values = {};
      state.both = {};
      buildControls();
      run();
    });
    $("pin").addEventListener("click", pin);
    $("unpin").addEventListener("click", unpin);
    $("copy-command").addEventListener("click", () => copy($("command").value, $("copy-command")));
    $("copy-link").addEventListener("click", () => copy(location.href, $("copy-link")));
    $("sens-run").addEventListener("click", runSensitivity);
    $("sens-metric").addEventListener("change", markSensStale);
    $("sens-copy").addEventListener("click", () => copy($("sens-command").value, $("sens-copy")));
    run();
  }

  // pin keeps the current result for comparison with the next ones.
  function pin() {
    if (!state.lastRun) return;
    showPinned({ res: state.lastRun, upload: state.upload });
    $("compare").scrollIntoView({ block: "nearest" });
  }

  function showPinned(p) {
    state.pinned = p;
    state.pinQuery = "";
    $("compare").hidden = false;
    $("pin").textContent = "Pin this result instead";
    updateURL();
    updateCompare();
  }

  // restorePin pins the result the page's URL names (pin=settings), run
  // again for it: the same settings give the same result.
  async function restorePin() {
    const pq = state.pinQuery;
    let res;
    try {
      res = await getJSON("/api/run?" + pq);
    } catch (e) {
      state.pinQuery = "";
      $("compare").hidden = false;
      $("cmp-status").textContent = "Could not show the pinned result of the link: " + e.message;
      $("cmp-table").hidden = true;
      document.body.dataset.compare = "error";
      updateURL();
      return;
    }
    if (state.pinQuery !== pq) return; // pinned or unpinned meanwhile
    state.pinned = { res: res, upload: null };
    state.pinQuery = "";
    $("compare").hidden = false;
    $("pin").textContent = "Pin this result instead";
    updateURL();
  }

  function unpin() {
    state.pinned = null;
    state.pinQuery = "";
    updateURL();
    state.compareSeq++;
    $("compare").hidden = true;
    $("pin").textContent = "Pin this result";
    delete document.body.dataset.compare;
    $("pin").focus();
  }

  // rerunPinned brings the pinned run back into the server's cache (it
  // keeps a few recent runs only): the same settings give the same id.
  async function rerunPinned() {
    const p = state.pinned;
    const opts = {};
    if (p.upload) {
      opts.method = "POST";
      opts.headers = { "Content-Type": "application/x-yaml" };
      opts.body = p.upload.text;
    }
    p.res = await getJSON("/api/run?" + p.res.query, opts);
  }

  // updateCompare shows the pinned and the current result side by side.
  async function updateCompare() {
    const p = state.pinned, cur = state.lastRun;
    if (!p || !cur) return;
    const seq = ++state.compareSeq;
    document.body.dataset.compare = "loading";
    $("cmp-a").textContent = describeSettings(p.res);
    $("cmp-b").textContent = describeSettings(cur);
    if (p.res.id === cur.id) {
      $("cmp-status").textContent = "The current settings are the pinned ones: change a control to compare.";
      $("cmp-table").hidden = true;
      $("cmp-charts").textContent = "";
      $("cmp-notes").textContent = "";
      document.body.dataset.compare = "same";
      return;
    }
    $("cmp-status").textContent = "Comparing…";
    let c;
    for (let attempt = 0; ; attempt++) {
      try {
        c = await getJSON("/api/compare/" + p.res.id + "/" + cur.id);
        break;
      } catch (e) {
        if (seq !== state.compareSeq) return;
        let err = e;
        if (e.status === 404 && attempt === 0) {
          try {
            await rerunPinned();
            err = null;
          } catch (e2) {
            err = e2;
          }
          if (seq !== state.compareSeq) return;
          if (!err) continue;
        }
        $("cmp-status").textContent = "Could not compare: " + err.message;
        document.body.dataset.compare = "error";
        return;
      }
    }
    const imgs = await Promise.all(c.charts.map((ch) => loadImage(ch.png)));
    if (seq !== state.compareSeq) return;
    $("cmp-status").textContent = "";
    $("cmp-table").hidden = false;
    const tbody = $("cmp-table").tBodies[0];
    tbody.textContent = "";
    for (const r of c.rows) {
      const tr = document.createElement("tr");
      tr.dataset.metric = r.metric;
      tr.dataset.a = String(r.a);
      tr.dataset.b = String(r.b);
      tr.dataset.diff = String(r.diff);
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = r.label;
      const cells = [r.a_text, r.b_text, r.diff_text].map((t, k) => {
        const td = document.createElement("td");
        td.className = "num" + (k === 2 ? " value " + signClass(t) : "");
        td.textContent = t;
        return td;
      });
      tr.append(th, ...cells);
      tbody.appendChild(tr);
    }
    const notes = $("cmp-notes");
    notes.textContent = "";
    for (const n of c.notes) {
      const li = document.createElement("li");
      li.textContent = n;
      notes.appendChild(li);
    }
    const host = $("cmp-charts");
    host.textContent = "";
    c.charts.forEach((ch, k) => {
      host.appendChild(chartFigure(ch, imgs[k], ch.title + ": " + c.a.label + " and " + c.b.label, false));
    });
    document.body.dataset.compare = "ready";
    document.body.dataset.compareIds = c.a.id + "/" + c.b.id;
  }

  function describeSettings(res) {
    const sc = res.scenario;
    let s = (sc.file || sc.name) + " against " + sc.counterfactual + ": " + (res.settings || "the scenario's values");
    s += res.draws ? " · " + res.draws + " draws, seed " + res.seed : " · central run, seed " + res.seed;
    return s;
  }

  function signClass(t) {
    return t.startsWith("+") ? "pos" : t.startsWith("−") ? "neg" : "";
  }

  async function copy(text, button) {
    const old = button.textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch (e) {
      button.textContent = "Select and copy by hand";
    }
    setTimeout(() => { button.textContent = old; }, 1500);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
