// The dashboard in a real browser: Debian's chromium driven by playwright-core, against a portfwd
// service that DashboardBrowserIT started in a test namespace. Run inside the client namespace, so
// the page reaches the gateway over the test's "internet" and the traffic it sends goes through a
// forward. Exits 0 when every step passed; screenshots go to $SCREENSHOTS.
//
// Besides the page's own steps it checks what the browser itself enforces against the real
// service: five wrong passwords make the sixth attempt wait (429), a page of another port of the
// gateway (same site, another origin) cannot POST a change with the session's cookie (403), and
// after logout every API path answers 401. An apply after the file changed on disk is refused,
// and the page reloads the table while keeping the text not applied.
//
// Environment: DASHBOARD (base URL), PASSWORD, SCREENSHOTS (a directory), FORWARD_HOST and
// FORWARD_PORT (a forward to send traffic through), NEW_PORT (the port the test adds; the next one
// is added by an apply whose confirmation never arrives, the one after by the last apply before a
// rollback two steps back to a state chosen in the history).
'use strict';

const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const base = process.env.DASHBOARD;
const password = process.env.PASSWORD;
const shots = process.env.SCREENSHOTS;
const forwardHost = process.env.FORWARD_HOST;
const forwardPort = Number(process.env.FORWARD_PORT);
const newPort = Number(process.env.NEW_PORT);
const cutOffPort = newPort + 1;
const laterPort = newPort + 2;
const XSS = '<script>alert(1)</script>';
// Another port of the gateway: the same site as the dashboard (SameSite=Strict sends its cookie),
// another origin. Nothing listens there; the browser is handed the page by page.route.
const otherOrigin = base.replace(/:(\d+)$/, (m, port) => ':' + (Number(port) + 1));
const API_GETS = ['/api/v1/forwards', '/api/v1/table', '/api/v1/doctor', '/api/v1/history'];
const API_POSTS = ['/api/v1/check', '/api/v1/plan', '/api/v1/apply', '/api/v1/confirm', '/api/v1/rollback'];

let step = 0;
let currentPage = null;
function say(text) {
  console.log('browser: ' + text);
}

async function shot(page, name) {
  step += 1;
  const file = path.join(shots, String(step).padStart(2, '0') + '-' + name + '.png');
  await page.screenshot({ path: file, fullPage: true });
}

function expect(condition, message) {
  if (!condition) throw new Error('expected: ' + message);
}

/** Opens `count` TCP connections through the forward, each sending a line and reading the answer. */
async function traffic(count) {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      const socket = net.connect({ host: forwardHost, port: forwardPort, timeout: 5000 });
      socket.on('connect', () => socket.end('hello from the browser test ' + i + '\n'));
      socket.on('data', () => {});
      socket.on('end', resolve);
      socket.on('close', resolve);
      socket.on('timeout', () => { socket.destroy(); reject(new Error('traffic timed out')); });
      socket.on('error', reject);
    });
  }
}

async function packetsOf(page, external) {
  const cell = page.locator('#forwards-table tr[data-external="' + external + '"] td.packets');
  return Number(await cell.textContent());
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'portfwd-chromium-'));
  // A persistent context in a new, empty profile: playwright passes it as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
  });
  const dialogs = [];
  const problems = [];
  try {
    const page = context.pages()[0] || (await context.newPage());
    currentPage = page;
    page.setDefaultTimeout(20000);
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
    page.on('console', (message) => {
      // A CSP violation or a script error shows here: the page must have none.
      if (message.type() === 'error' && !/401|Failed to load resource/.test(message.text())) {
        problems.push(message.text());
      }
    });
    page.on('pageerror', (error) => problems.push(String(error)));

    // Five wrong passwords: the next attempt, even with the right one, must wait.
    const first = await page.goto(base + '/');
    expect(first.status() === 401, 'the page without a session answers 401, not ' + first.status());
    for (let i = 1; i <= 5; i++) {
      await page.locator('#password').fill('wrong password ' + i);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url() === base + '/login' && r.request().method() === 'POST'),
        page.locator('#login').click(),
      ]);
      expect(answer.status() === 401, 'wrong password ' + i + ' answers 401, not ' + answer.status());
      await page.locator('#login-message', { hasText: 'Wrong password.' }).waitFor();
    }
    await page.locator('#password').fill(password);
    const [slowed] = await Promise.all([
      page.waitForResponse((r) => r.url() === base + '/login' && r.request().method() === 'POST'),
      page.locator('#login').click(),
    ]);
    expect(slowed.status() === 429, 'the sixth attempt answers 429, not ' + slowed.status());
    const retryAfter = Number(slowed.headers()['retry-after']);
    expect(retryAfter >= 1, 'a Retry-After: ' + slowed.headers()['retry-after']);
    await page.locator('#login-message', { hasText: 'Too many wrong passwords' }).waitFor();
    await shot(page, 'login-slowed');
    say('five wrong passwords, then: ' + (await page.locator('#login-message').textContent()));
    await page.waitForTimeout(retryAfter * 1000 + 500);

    // Log in.
    await page.locator('#password').fill(password);
    await shot(page, 'login');
    await Promise.all([page.waitForURL(base + '/'), page.locator('#login').click()]);
    say('logged in');

    // See the forwards; the description from the table is text, not markup.
    const row = page.locator('#forwards-table tr[data-external="' + forwardPort + '/tcp"]');
    await row.waitFor();
    const description = await row.locator('td.description').textContent();
    expect(description.includes(XSS), 'the description shown as text: ' + description);
    expect(await page.locator('#forwards-table script').count() === 0, 'no script element in the table');
    await shot(page, 'forwards');
    say('forwards shown, description as text: ' + description);

    // A page of another port of the gateway POSTs a change with the session's cookie: refused.
    const evil = await context.newPage();
    await evil.route(otherOrigin + '/**', (route) => route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><form method="post" enctype="text/plain" action="' + base + '/api/v1/apply">'
        + '<input name=\'{"table":"' + cutOffPort + ' 192.0.2.2 80 tcp","x":"\' value=\'"}\'></form>'
        + '<script>document.forms[0].submit()</script>',
    }));
    const [forged] = await Promise.all([
      evil.waitForResponse((r) => r.url() === base + '/api/v1/apply'),
      evil.goto(otherOrigin + '/forged.html'),
    ]);
    const forgedRequest = await forged.request().allHeaders();
    expect(/portfwd_session=/.test(forgedRequest.cookie || ''),
      'the same-site page sent the session cookie (else the check proves nothing)');
    expect(forged.status() === 403, 'the same-site, cross-origin POST answers 403, not ' + forged.status());
    const forgedBody = await forged.text();
    expect(forgedBody.includes('cross-site request refused'), 'refused as cross-site: ' + forgedBody);
    await evil.close();
    say('a change POSTed from ' + otherOrigin + ' with the session cookie: ' + forged.status() + ' ' + forgedBody);

    // Type an error: its diagnostic appears right under its line.
    const editor = page.locator('#table-text');
    await page.waitForFunction(() => document.getElementById('table-text').value.length > 0);
    const original = await editor.inputValue();
    const lineCount = original.replace(/\n$/, '').split('\n').length;
    const badLine = lineCount + 1;
    await editor.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type((original.endsWith('\n') ? '' : '\n') + newPort + ' 192.0.2.2 80 tpc # added from the browser\n');
    const diagnostic = page.locator('.diagnostic.error[data-line="' + badLine + '"]');
    await diagnostic.waitFor();
    const message = await diagnostic.textContent();
    expect(message.includes("unknown protocol 'tpc'"), 'the diagnostic names the protocol: ' + message);
    const above = await diagnostic.evaluate((node) => node.previousElementSibling.dataset.line);
    expect(above === String(badLine), 'the diagnostic sits under line ' + badLine + ', not ' + above);
    expect(await page.locator('#apply').isDisabled(), 'apply is off while the table has errors');
    await shot(page, 'diagnostic-under-line');
    say('diagnostic under line ' + badLine + ': ' + message.trim());

    // Fix it.
    const fixed = (await editor.inputValue()).replace(' tpc ', ' tcp ');
    await editor.fill(fixed);
    await page.waitForFunction(() => document.getElementById('check-summary').dataset.valid === 'true');
    expect(await page.locator('.diagnostic').count() === 0, 'no diagnostics once fixed');
    say('fixed: ' + (await page.locator('#check-summary').textContent()));

    // The file changes while the editor holds text not applied (a hand edit): the apply is
    // refused (409), and the page offers to reload, keeping the text not applied to copy.
    const unapplied = await editor.inputValue();
    fs.appendFileSync(await page.locator('#table-path').textContent(), '# a hand edit meanwhile\n');
    await page.locator('#apply').click();
    await page.waitForFunction(() => document.getElementById('apply-status').dataset.state === 'stale');
    const staleMessage = await page.locator('#apply-status').textContent();
    expect(staleMessage.includes('the table changed since it was loaded'), 'says why: ' + staleMessage);
    await page.locator('#reload-table').click();
    await page.waitForFunction(() => document.getElementById('apply-status').dataset.state === 'reloaded');
    expect((await page.locator('#unapplied-text').inputValue()) === unapplied, 'the text not applied is kept');
    const reloaded = await editor.inputValue();
    expect(reloaded.includes('# a hand edit meanwhile'), 'the editor holds the file as edited: ' + reloaded);
    await shot(page, 'stale-apply-reloaded');
    say('stale apply refused: ' + staleMessage);
    await editor.fill(reloaded + newPort + ' 192.0.2.2 80 tcp # added from the browser\n');
    await page.waitForFunction(() => document.getElementById('check-summary').dataset.valid === 'true');

    // Plan.
    await page.locator('#plan').click();
    const added = page.locator('.plan li.add', { hasText: newPort + '/tcp' });
    await added.waitFor();
    await shot(page, 'plan');
    say('plan: ' + (await added.textContent()));

    // Apply with confirm: the page confirms once it reaches the service again.
    await page.locator('#confirm-seconds').fill('30');
    await page.locator('#apply').click();
    await page.waitForFunction(
      () => document.getElementById('apply-status').dataset.state === 'confirmed', null, { timeout: 45000 });
    await page.locator('#forwards-table tr[data-external="' + newPort + '/tcp"]').waitFor();
    await shot(page, 'applied-confirmed');
    say('applied and confirmed: ' + (await page.locator('#apply-status').textContent()));

    // Traffic: the counters move on the page without a reload.
    const before = await packetsOf(page, forwardPort + '/tcp');
    await traffic(5);
    await page.waitForFunction(
      ([external, was]) => {
        const cell = document.querySelector('#forwards-table tr[data-external="' + external + '"] td.packets');
        return cell && Number(cell.textContent) > was;
      },
      [forwardPort + '/tcp', before],
      { timeout: 30000 });
    const after = await packetsOf(page, forwardPort + '/tcp');
    // And the connections conntrack holds for the forward (closing ones count until they expire).
    await page.waitForFunction((external) => {
      const cell = document.querySelector('#forwards-table tr[data-external="' + external + '"] td.connections');
      return cell && Number(cell.textContent) > 0;
    }, forwardPort + '/tcp', { timeout: 30000 });
    const connections = await row.locator('td.connections').textContent();
    expect(await row.locator('svg.spark polyline').count() === 2, 'two sparklines on the row');
    await page.waitForTimeout(3500); // one more refresh draws the rate
    await shot(page, 'counters-moved');
    say('packets ' + before + ' -> ' + after + ', connections ' + connections);

    // Phone-sized screen: nothing wider than it (wide tables scroll inside their own box).
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width <= 390, 'the page fits a 390 px wide phone, not ' + width + ' px');
    await shot(page, 'phone');
    await page.setViewportSize({ width: 1200, height: 900 });

    // Doctor.
    await page.locator('#run-doctor').click();
    await page.waitForFunction(() => {
      const text = document.getElementById('doctor-summary').textContent;
      return text && !text.startsWith('Inspecting');
    }, null, { timeout: 60000 });
    say('doctor: ' + (await page.locator('#doctor-summary').textContent()));
    // The test switched strict reverse-path filtering on in the gateway: a warning with its fix.
    const finding = page.locator('#doctor-findings li', { hasText: 'rp_filter=1' });
    await finding.waitFor();
    const fix = await finding.locator('.fix code').textContent();
    expect(/^sysctl -w net\.ipv4\.conf\.\S+\.rp_filter=2/.test(fix), 'the finding shows its fix: ' + fix);
    await shot(page, 'doctor');
    say('doctor finding with its fix: ' + fix);

    // An apply that cuts this browser off: its confirmations never reach the service (dropped
    // here, as a firewall rule would), so the service's timer rolls it back on its own.
    const keep = await editor.inputValue();
    await editor.fill(keep + cutOffPort + ' 192.0.2.2 80 tcp # cuts the browser off\n');
    await page.waitForFunction(() => document.getElementById('check-summary').dataset.valid === 'true');
    await page.route('**/api/v1/confirm', (route) => route.abort('connectionrefused'));
    await page.locator('#confirm-seconds').fill('8');
    await page.locator('#apply').click();
    const cutOffRow = page.locator('#forwards-table tr[data-external="' + cutOffPort + '/tcp"]');
    await cutOffRow.waitFor({ timeout: 8000 }); // applied: the page's next refresh shows it
    await page.waitForFunction(
      () => document.getElementById('apply-status').dataset.state === 'rolled-back', null, { timeout: 30000 });
    await page.unroute('**/api/v1/confirm');
    await cutOffRow.waitFor({ state: 'detached', timeout: 30000 });
    await shot(page, 'timer-rolled-back');
    say('unconfirmed apply rolled back by the timer: ' + (await page.locator('#apply-status').textContent()));
    await editor.fill(keep);

    // Roll back from the history.
    await page.locator('#history-list li.current').waitFor();
    await page.locator('#rollback').click();
    await page.waitForFunction(() => document.getElementById('rollback-status').dataset.state === 'rolled-back');
    await page.locator('#forwards-table tr[data-external="' + newPort + '/tcp"]').waitFor({ state: 'detached', timeout: 20000 });
    await page.waitForFunction((port) => !document.getElementById('table-text').value.includes(port + ' '), String(newPort));
    await shot(page, 'rolled-back');
    say('rolled back: ' + (await page.locator('#rollback-status').textContent()));

    // Two more applies, then back two steps at once to the state chosen in the history.
    const chosen = await page.locator('#history-list li.current').getAttribute('data-generation');
    const base1 = await editor.inputValue();
    for (const port of [newPort, laterPort]) {
      const text = (await editor.inputValue()) + port + ' 192.0.2.2 80 tcp # step ' + port + '\n';
      await editor.fill(text);
      await page.waitForFunction(() => document.getElementById('check-summary').dataset.valid === 'true');
      await page.locator('#confirm-seconds').fill('30');
      await page.locator('#apply').click();
      await page.waitForFunction(
        () => document.getElementById('apply-status').dataset.state === 'confirmed', null, { timeout: 45000 });
      await page.locator('#forwards-table tr[data-external="' + port + '/tcp"]').waitFor();
    }
    say('applied ' + newPort + ' and ' + laterPort + '; rolling back to state #' + chosen);
    await page.locator('#history-list li[data-generation="' + chosen + '"] button.rollback-to').waitFor();
    await shot(page, 'history-before-rollback-to');
    const newest = await page.locator('#history-list li.current').getAttribute('data-generation');
    await page.locator('#history-list li[data-generation="' + chosen + '"] button.rollback-to').click();
    await page.waitForFunction(
      () => document.getElementById('rollback-status').dataset.state === 'rolled-back-to', null, { timeout: 45000 });
    for (const port of [newPort, laterPort]) {
      await page.locator('#forwards-table tr[data-external="' + port + '/tcp"]').waitFor({ state: 'detached', timeout: 20000 });
    }
    await page.waitForFunction((port) => !document.getElementById('table-text').value.includes(port + ' '), String(newPort));
    const rolledBack = await page.locator('#rollback-status').textContent();
    expect(rolledBack.startsWith('rolled back to state ' + chosen), 'the message names the state: ' + rolledBack);
    const top = page.locator('#history-list li.current');
    await page.waitForFunction(
      (g) => Number(document.querySelector('#history-list li.current').dataset.generation) > Number(g), newest);
    expect((await top.textContent()).includes('1 forward from'), 'recorded as a new state: ' + (await top.textContent()));
    expect(base1.includes(forwardPort + ' '), 'the chosen state had the first forward');
    await shot(page, 'rolled-back-to-chosen');
    say('rolled back two steps: ' + rolledBack);

    // Log out: the session is gone.
    await Promise.all([page.waitForURL(base + '/login'), page.locator('#logout').click()]);
    const again = await page.goto(base + '/');
    expect(again.status() === 401, 'after logout the page answers 401, not ' + again.status());
    const statuses = await page.evaluate(async ([gets, posts]) => {
      const answers = {};
      for (const path of gets) answers['GET ' + path] = (await fetch(path)).status;
      for (const path of posts) {
        answers['POST ' + path] = (await fetch(path, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"table": ""}',
        })).status;
      }
      return answers;
    }, [API_GETS, API_POSTS]);
    const not401 = Object.entries(statuses).filter(([, status]) => status !== 401);
    expect(not401.length === 0, 'after logout every API path answers 401: ' + JSON.stringify(statuses));
    await shot(page, 'logged-out');
    say('logged out');

    expect(dialogs.length === 0, 'no dialog opened (a script from the table ran): ' + dialogs.join(', '));
    expect(problems.length === 0, 'no script errors or CSP violations: ' + problems.join(' | '));
  } catch (error) {
    if (currentPage) await shot(currentPage, 'failure').catch(() => {});
    throw error;
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  () => { say('all steps passed'); process.exit(0); },
  (error) => { console.error('browser: FAILED at step ' + step + ': ' + (error && error.stack || error)); process.exit(1); });
