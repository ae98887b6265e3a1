// portfwd dashboard. Everything from the service is inserted as text (textContent), never as
// markup; no inline code anywhere, so the Content-Security-Policy allows only this file.
'use strict';

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const REFRESH_MS = 3000;
  const SAMPLES = 30;
  const SHOWN_LINES = 2000;
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** A JSON request; POSTs carry the session's CSRF token. Rejects with the service's message. */
  async function call(method, path, body) {
    const options = { method, headers: {}, cache: 'no-store', credentials: 'same-origin' };
    if (method === 'POST') {
      options.headers['Content-Type'] = 'application/json';
      options.headers['X-CSRF-Token'] = csrf;
      options.body = JSON.stringify(body || {});
    }
    const response = await fetch(path, options);
    if (response.status === 401) {
      window.location.assign('/login');
      throw new Error('logged out');
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(answer.error || ('HTTP ' + response.status));
      error.details = answer.details;
      error.status = response.status;
      throw error;
    }
    return answer;
  }

  function banner(text) {
    const node = $('banner');
    node.textContent = text || '';
    node.hidden = !text;
  }

  // ---- forwards with live counters -------------------------------------------------------
  const samples = new Map(); // forward key -> [{t, packets, bytes}]

  function key(f) {
    return [f.externalAddress || '', f.externalPorts.first, f.externalPorts.last, f.protocol].join('|');
  }

  function portText(ports) {
    return ports.first === ports.last ? String(ports.first) : ports.first + '-' + ports.last;
  }

  function external(f) {
    const ports = portText(f.externalPorts);
    const address = f.externalAddress ? (f.externalAddress.includes(':') ? '[' + f.externalAddress + ']:' : f.externalAddress + ':') : '';
    return address + ports + '/' + f.protocol;
  }

  function backend(f) {
    const address = f.backend.includes(':') ? '[' + f.backend + ']' : f.backend;
    return address + ':' + portText(f.backendPorts);
  }

  function rates(list, field) {
    const out = [];
    for (let i = 1; i < list.length; i++) {
      const seconds = (list[i].t - list[i - 1].t) / 1000;
      const delta = list[i][field] - list[i - 1][field];
      out.push(seconds > 0 && delta >= 0 ? delta / seconds : 0);
    }
    return out;
  }

  function count(n, noun) {
    return n + ' ' + noun + (n === 1 ? '' : 's');
  }

  function human(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(1) + 'G';
    if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (n >= 1e3) return (n / 1e3).toFixed(1) + 'k';
    return n >= 10 || n === 0 ? String(Math.round(n)) : n.toFixed(1);
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function sparkline(values) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 90 24');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('aria-hidden', 'true');
    const line = document.createElementNS(SVG, 'polyline');
    const max = Math.max(1e-9, ...values);
    const step = values.length > 1 ? 90 / (SAMPLES - 1) : 0;
    const start = 90 - step * (values.length - 1);
    line.setAttribute('points', values.map((v, i) =>
      (start + i * step).toFixed(1) + ',' + (22 - (v / max) * 20).toFixed(1)).join(' '));
    svg.appendChild(line);
    return svg;
  }

  function rateCell(values, unit) {
    const td = el('td', 'number rate-cell');
    td.appendChild(sparkline(values.length ? values : [0]));
    const now = values.length ? values[values.length - 1] : 0;
    td.appendChild(el('span', 'rate', human(now) + unit));
    return td;
  }

  async function refreshForwards() {
    let answer;
    try {
      answer = await call('GET', '/api/v1/forwards');
    } catch (e) {
      $('forwards-meta').textContent = 'not reachable: ' + e.message;
      return;
    }
    const now = Date.now();
    const body = $('forwards-table').tBodies[0];
    const rows = [];
    const seen = new Set();
    for (const f of answer.forwards) {
      const k = key(f);
      seen.add(k);
      const list = samples.get(k) || [];
      list.push({ t: now, packets: f.packets, bytes: f.bytes });
      while (list.length > SAMPLES) list.shift();
      samples.set(k, list);
      const tr = el('tr');
      tr.dataset.external = external(f);
      tr.appendChild(el('td', 'external', external(f)));
      tr.appendChild(el('td', 'backend', backend(f)));
      tr.appendChild(el('td', 'description', f.description));
      tr.appendChild(rateCell(rates(list, 'packets'), '/s'));
      tr.appendChild(rateCell(rates(list, 'bytes'), 'B/s'));
      tr.appendChild(el('td', 'number packets', f.packets));
      tr.appendChild(el('td', 'number connections', f.connections === null ? '?' : f.connections));
      rows.push(tr);
    }
    for (const k of [...samples.keys()]) if (!seen.has(k)) samples.delete(k);
    if (!rows.length) {
      const tr = el('tr');
      const td = el('td', 'empty', 'No forwards installed.');
      td.colSpan = 7;
      tr.appendChild(td);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    $('forwards-meta').textContent = answer.forwards.length + ' (' + answer.backend + '), updated ' + new Date(now).toLocaleTimeString();
    $('live-table').textContent = answer.liveTable ? answer.liveTable.text : '';
    // Forwards with several backends or names: each backend as the service's checks found it.
    const health = (answer.backendHealth || []).map((b) => {
      const li = el('li', b.up ? 'up' : 'down');
      li.textContent = 'line ' + b.line + ': ' + (b.name && b.name !== b.address ? b.name + ' (' + b.address + ')' : b.address) +
        (b.up ? ' up' : ' down' + (b.lastProblem ? ': ' + b.lastProblem : ''));
      return li;
    });
    $('backend-health').replaceChildren(...health);
  }

  // ---- table editor: check as you type -----------------------------------------------------
  let checkTimer = null;
  let checkSeq = 0;

  function renderCheck(text, result) {
    const lines = text.split(/\r?\n/);
    const byLine = new Map();
    for (const d of result.diagnostics) {
      if (!byLine.has(d.line)) byLine.set(d.line, []);
      byLine.get(d.line).push(d);
    }
    const out = [];
    const all = lines.length <= SHOWN_LINES;
    lines.forEach((line, index) => {
      const number = index + 1;
      const diagnostics = byLine.get(number);
      if (!all && !diagnostics) return;
      const row = el('div', 'line' + (diagnostics ? ' bad' : ''));
      row.dataset.line = number;
      row.appendChild(el('span', 'number', number));
      row.appendChild(el('span', 'text', line));
      out.push(row);
      for (const d of diagnostics || []) {
        const node = el('div', 'diagnostic ' + d.severity);
        node.dataset.line = number;
        node.appendChild(el('span', 'caret', ' '.repeat(Math.max(0, d.column - 1)) + '^'));
        node.appendChild(el('span', 'message', d.line + ':' + d.column + ': ' + d.severity + ': ' + d.message));
        out.push(node);
      }
    });
    $('check-lines').replaceChildren(...out);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    const also = warnings ? ', ' + count(warnings, 'warning') : '';
    $('check-summary').textContent = result.valid
      ? 'Valid: ' + count(result.forwards.length, 'forward') + also + '.'
      : count(errors, 'error') + also + ': nothing can be applied until they are fixed.';
    $('check-summary').dataset.valid = result.valid;
    $('apply').disabled = !result.valid;
    $('plan').disabled = !result.valid;
  }

  async function check() {
    const text = $('table-text').value;
    const seq = ++checkSeq;
    try {
      const result = await call('POST', '/api/v1/check', { table: text });
      if (seq === checkSeq) renderCheck(text, result);
    } catch (e) {
      if (seq === checkSeq) $('check-summary').textContent = 'check failed: ' + e.message;
    }
  }

  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, 250);
  }

  // The version of the file the editor's text was loaded from; an apply sends it as its base, so
  // the service refuses (409) to overwrite an edit made since (by hand, or by another user).
  let loadedVersion = null;

  async function loadTable() {
    const answer = await call('GET', '/api/v1/table');
    $('table-path').textContent = answer.path;
    $('table-text').value = answer.text;
    loadedVersion = answer.version;
    await check();
  }

  /**
   * After this page's apply reached the file: the file's version becomes the base, but only when
   * the file holds the very text in the editor; otherwise someone else's edit came in between, and
   * the old base keeps the next apply from overwriting it.
   */
  async function adoptAppliedVersion(applied) {
    try {
      const answer = await call('GET', '/api/v1/table');
      if (answer.text === applied) loadedVersion = answer.version;
    } catch (e) {
      // The next apply answers 409 if the file moved on; nothing is lost by keeping the old base.
    }
  }

  /**
   * The table changed since it was loaded: says so and offers to reload it. The text not applied
   * stays in a box below the editor to copy from, never silently dropped.
   */
  function offerReload(status, message, unapplied) {
    const reload = el('button', null, 'Reload the table');
    reload.type = 'button';
    reload.id = 'reload-table';
    reload.addEventListener('click', async () => {
      const kept = $('unapplied-text');
      kept.value = unapplied;
      kept.hidden = false;
      $('unapplied-label').hidden = false;
      try {
        await loadTable();
        status.textContent = 'Reloaded. Your text is kept below the editor: copy what you need, then apply again.';
        status.dataset.state = 'reloaded';
      } catch (e) {
        status.textContent = 'Cannot reload the table: ' + e.message;
      }
    });
    status.replaceChildren(document.createTextNode('Not applied: ' + message + ' '), reload);
    status.dataset.state = 'stale';
  }

  function renderPlan(plan, heading) {
    const box = $('plan-result');
    const list = el('ul');
    for (const change of plan.changes) list.appendChild(el('li', change.kind, change.text));
    box.replaceChildren(el('p', 'meta', heading + ': ' + plan.summary), list);
  }

  function showErrorDetails(e) {
    if (e.details && e.details.diagnostics) renderCheck($('table-text').value, e.details);
  }

  async function plan() {
    $('apply-status').textContent = '';
    try {
      renderPlan(await call('POST', '/api/v1/plan', { table: $('table-text').value }), 'Plan (' + 'nothing changed yet)');
    } catch (e) {
      showErrorDetails(e);
      $('plan-result').replaceChildren(el('p', 'message', e.message));
    }
  }

  // ---- apply with confirm-or-rollback ------------------------------------------------------
  // After an apply the page confirms only once a fresh request reaches the service again; if the
  // new rules cut this browser off, no confirmation arrives and the service's timer rolls back.
  async function confirmWhenReachable(pending, status) {
    const deadline = Date.parse(pending.deadline);
    while (Date.now() < deadline) {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      status.textContent = 'Applied; confirming once the service answers again (rolls back in ' + left + ' s otherwise)…';
      try {
        await call('POST', '/api/v1/confirm', {});
        status.textContent = 'Applied and confirmed: the new forwards stay.';
        status.dataset.state = 'confirmed';
        return true;
      } catch (e) {
        if (e.status === 409) {
          status.textContent = 'Could not confirm: ' + e.message;
          status.dataset.state = 'failed';
          return false;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    status.textContent = 'Not confirmed in time: the service rolls the change back.';
    status.dataset.state = 'rolled-back';
    return false;
  }

  async function apply() {
    const seconds = parseInt($('confirm-seconds').value, 10);
    const status = $('apply-status');
    status.dataset.state = 'applying';
    status.textContent = 'Applying…';
    $('apply').disabled = true;
    const text = $('table-text').value;
    try {
      const answer = await call('POST', '/api/v1/apply', {
        table: text,
        base: loadedVersion,
        confirmSeconds: Number.isFinite(seconds) ? seconds : null,
      });
      renderPlan(answer, 'Applied');
      if (answer.pending) {
        // A moment for the new rules to settle before the first fresh request.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if (await confirmWhenReachable(answer.pending, status)) await adoptAppliedVersion(text);
      } else {
        await adoptAppliedVersion(text);
        status.textContent = 'Applied.';
        status.dataset.state = 'confirmed';
      }
    } catch (e) {
      showErrorDetails(e);
      if (e.status === 409 && e.details && typeof e.details.version === 'string') {
        offerReload(status, e.message, text);
      } else {
        status.textContent = 'Not applied: ' + e.message;
        status.dataset.state = 'failed';
      }
    } finally {
      $('apply').disabled = false;
      refreshForwards();
      refreshHistory();
    }
  }

  // ---- doctor ------------------------------------------------------------------------------
  async function doctor() {
    $('run-doctor').disabled = true;
    $('doctor-summary').textContent = 'Inspecting the gateway…';
    try {
      const report = await call('GET', '/api/v1/doctor');
      $('doctor-summary').textContent = report.ok
        ? 'No errors found' + (report.warnings ? ' (' + report.warnings + ' warnings).' : '.')
        : report.errors + ' errors, ' + report.warnings + ' warnings.';
      const items = report.findings.filter((f) => f.severity !== 'ok').map((f) => {
        const li = el('li');
        li.appendChild(el('span', f.severity, f.severity + ': '));
        if (f.forward) li.appendChild(el('span', 'forward', f.forward.external + '/' + f.forward.protocols + ' → ' + f.forward.backend + ' '));
        li.appendChild(el('span', 'what', f.what));
        if (f.why) li.appendChild(el('div', 'why', f.why));
        if (f.fix) {
          const fix = el('div', 'fix', 'Fix: ');
          fix.appendChild(el('code', null, f.fix));
          li.appendChild(fix);
        }
        return li;
      });
      $('doctor-findings').replaceChildren(...items);
    } catch (e) {
      $('doctor-summary').textContent = 'doctor failed: ' + e.message;
    } finally {
      $('run-doctor').disabled = false;
    }
  }

  // ---- history and rollback ----------------------------------------------------------------
  async function refreshHistory() {
    try {
      const answer = await call('GET', '/api/v1/history');
      const items = answer.states.map((s) => {
        const li = el('li', s.current ? 'current' : '');
        li.dataset.generation = s.generation;
        li.appendChild(el('span', 'state', '#' + s.generation + ' ' + new Date(s.appliedAt).toLocaleString() + ' — ' +
          count(s.forwards, 'forward') + ' from ' + s.source + ' (' + s.backend + ')' + (s.current ? ' — in force' : '')));
        if (!s.current) {
          const button = el('button', 'rollback-to', 'Roll back to this');
          button.type = 'button';
          button.disabled = Boolean(answer.pending);
          button.addEventListener('click', () => rollbackTo(s.generation));
          li.appendChild(button);
        }
        return li;
      });
      $('history-list').replaceChildren(...items);
      $('rollback').disabled = answer.states.length < 2 && !answer.pending;
    } catch (e) {
      $('rollback-status').textContent = 'history not reachable: ' + e.message;
    }
  }

  async function rollback() {
    $('rollback').disabled = true;
    try {
      const answer = await call('POST', '/api/v1/rollback', {});
      $('rollback-status').textContent = answer.message;
      $('rollback-status').dataset.state = 'rolled-back';
      await loadTable();
    } catch (e) {
      $('rollback-status').textContent = 'Rollback failed: ' + e.message;
    } finally {
      refreshHistory();
      refreshForwards();
    }
  }

  /**
   * Returns to a recorded state as a new one, with the confirmation time of an apply: the page
   * confirms once it reaches the service again, or the service's timer undoes it.
   */
  async function rollbackTo(generation) {
    const status = $('rollback-status');
    const seconds = parseInt($('confirm-seconds').value, 10);
    document.querySelectorAll('#history-list button').forEach((b) => { b.disabled = true; });
    status.dataset.state = 'applying';
    status.textContent = 'Rolling back to state #' + generation + '…';
    try {
      const answer = await call('POST', '/api/v1/rollback', {
        state: generation,
        confirmSeconds: Number.isFinite(seconds) ? seconds : null,
      });
      let kept = true;
      if (answer.pending) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        kept = await confirmWhenReachable(answer.pending, status);
      }
      if (kept) {
        status.textContent = answer.message;
        status.dataset.state = 'rolled-back-to';
        status.dataset.generation = String(generation);
      }
      await loadTable();
    } catch (e) {
      status.textContent = 'Rollback failed: ' + e.message;
      status.dataset.state = 'failed';
    } finally {
      refreshHistory();
      refreshForwards();
    }
  }

  async function logout() {
    try {
      await call('POST', '/logout', {});
    } finally {
      window.location.assign('/login');
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('table-text').addEventListener('input', scheduleCheck);
    $('plan').addEventListener('click', plan);
    $('apply').addEventListener('click', apply);
    $('run-doctor').addEventListener('click', doctor);
    $('rollback').addEventListener('click', rollback);
    $('logout').addEventListener('click', logout);
    refreshForwards();
    refreshHistory();
    loadTable().catch((e) => banner('Cannot load the table: ' + e.message));
    setInterval(refreshForwards, REFRESH_MS);
  });
})();
