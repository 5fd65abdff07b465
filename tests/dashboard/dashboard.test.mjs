// SPDX-License-Identifier: GPL-2.0-only
/*
 * The web dashboard in headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core; no browser is downloaded), against a real
 * wpserver started by tests/dashboard/run.  One administrator's session:
 * log in, dashboard statistics and activity feed, an image with its file,
 * applications, a policy set (first refused by the server, its message
 * shown next to the field), a template, a group, a user in that group, a
 * device enrolled with an enrolment token from the user's view, a wipe
 * queued from the device view and seen in the commands view and the
 * activity feed, an edit and deletes, log-out.  Also: every form control
 * has a label, the skip link works from the keyboard, no console errors.
 * A PNG of every view goes to $WP_SHOTS.  Prints TAP.
 *
 *   WP_URL=http://127.0.0.1:PORT WP_SHOTS=DIR node dashboard.test.mjs
 *
 * Copyright (C) 2026 The Workphone Authors
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const URL = process.env.WP_URL;
const SHOTS = process.env.WP_SHOTS || 'shots';
const CHROMIUM = process.env.WP_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = process.env.WP_PASSWORD || 'admin-password';

let n = 0;
let failed = 0;

async function test(name, fn) {
	try {
		await fn();
		console.log(`ok ${++n} - ${name}`);
	} catch (e) {
		failed++;
		console.log(`not ok ${++n} - ${name}`);
		for (const line of String(e && e.stack || e).split('\n').slice(0, 12))
			console.log(`#   ${line}`);
	}
}

/* Poll @fn until it returns a truthy value (or throws the last error). */
async function until(fn, what, ms = 5000) {
	const end = Date.now() + ms;
	let last;

	for (;;) {
		try {
			const v = await fn();
			if (v)
				return v;
			last = new Error(`timed out waiting for ${what}`);
		} catch (e) {
			last = e;
		}
		if (Date.now() > end)
			throw last;
		await new Promise((r) => setTimeout(r, 100));
	}
}

/* The admin API directly, for set-up checks the browser does not show. */
let token = null;

async function apiCall(method, path, body, bearer = token) {
	const res = await fetch(URL + path, {
		method,
		headers: { 'Content-Type': 'application/json',
			   ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null };
}

mkdirSync(SHOTS, { recursive: true });
const browser = await chromium.launch({
	executablePath: CHROMIUM, headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const consoleErrors = [];
const unlabelled = new Set();
page.setDefaultTimeout(8000);

/*
 * Chromium logs every 4xx answer of fetch() as "Failed to load resource".
 * The refusals this test provokes on purpose (401 for the wrong password
 * and the revoked session, 400 and 409 from the API) are expected;
 * anything else - a script error, a CSP violation, a missing file,
 * another 401 - is a failure.
 */
let revoked = false;	/* set while the test revokes the session on purpose */

function expected(m) {
	const status = /Failed to load resource: the server responded with a status of (\d+)/
		.exec(m.text());
	const path = m.location().url ? new globalThis.URL(m.location().url).pathname : '';

	return status && ((status[1] === '401' && (path === '/api/v1/login' || revoked)) ||
			  (['400', '409'].includes(status[1]) && path.startsWith('/api/v1/')));
}
page.on('console', (m) => {
	if (m.type() !== 'error' || expected(m))
		return;
	consoleErrors.push(`${m.text()} (${m.location().url})`);
});
page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));

const view = () => page.locator('#view');
const title = () => page.locator('#view-title');
const status = () => page.locator('#status');
const byLabel = (text) => page.getByLabel(text, { exact: true });

/* Wait for the view's heading, then record unlabelled controls. */
async function shown(heading) {
	await until(async () => (await title().textContent()) === heading &&
		    !(await view().getAttribute('aria-busy')), `the view "${heading}"`);
	const bad = await page.evaluate(() => [...document.querySelectorAll(
		'input:not([type=hidden]), select, textarea, button')]
		.filter((el) => el.tagName === 'BUTTON' ? !el.textContent.trim() &&
			!el.getAttribute('aria-label') :
			!el.labels.length && !el.getAttribute('aria-label') &&
			!el.getAttribute('aria-labelledby'))
		.map((el) => `${document.title}: ${el.outerHTML.slice(0, 80)}`));
	bad.forEach((b) => unlabelled.add(b));
}

async function nav(link, heading) {
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true })
		.click();
	await shown(heading);
}

async function shot(name) {
	await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/* Wait for the live status; on failure, say what the page showed instead. */
async function statusSays(text) {
	try {
		await until(async () => (await status().textContent()).includes(text),
			    `the status to say "${text}"`);
	} catch (e) {
		const shownErrors = await page.evaluate(() => [...document.querySelectorAll(
			'#alert, .form-error')].filter((el) => !el.hidden).map((el) => el.textContent));
		throw new Error(`${e.message}; status "${await status().textContent()}", ` +
				`errors ${JSON.stringify(shownErrors)}`);
	}
}

/* The row of a table that contains @text. */
const row = (text, scope = page) => scope.locator('tbody tr', { hasText: text });

const image = randomBytes(96 * 1024);
const imageSha = createHash('sha256').update(image).digest('hex');
const ids = {};

await test('the log-in form is shown at /', async () => {
	const res = await page.goto(URL + '/');
	assert.equal(res.status(), 200);
	assert.match(res.headers()['content-security-policy'], /script-src 'self'/);
	await shown('Log in');
	assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
});

await test('a wrong password is refused with a message in an alert', async () => {
	await byLabel('Username').fill('root');
	await byLabel('Password').fill('not-the-password');
	await byLabel('Password').press('Enter');
	await until(async () => (await page.locator('form.login [role=alert]').textContent())
		    .includes('Wrong username or password'), 'the log-in alert');
	assert.equal(await page.evaluate(() => sessionStorage.getItem('wp-token')), null);
});

await test('the administrator logs in; the token is kept in sessionStorage only', async () => {
	await byLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Log in', exact: true }).click();
	await shown('Dashboard');
	token = await page.evaluate(() => sessionStorage.getItem('wp-token'));
	assert.ok(token && token.length > 20, 'a token in sessionStorage');
	assert.equal(await page.evaluate(() => localStorage.length), 0);
	assert.equal((await apiCall('GET', '/api/v1/me')).body.username, 'root');
	assert.match(await page.locator('#whoami').textContent(), /root \(admin\)/);
});

await test('the dashboard shows usage statistics and the activity feed', async () => {
	const admins = page.locator('a.card', { hasText: 'Administrators' });
	assert.equal(await admins.locator('.count').textContent(), '1');
	assert.equal(await page.locator('a.card', { hasText: 'Devices' }).locator('.count')
		     .textContent(), '0');
	const feed = page.locator('section.activity');
	await row('root logged in', feed).first().waitFor();
	assert.match(await row('root logged in', feed).first().textContent(), /login/);
	await shot('dashboard');
});

await test('keyboard: the skip link is first and moves focus to the heading', async () => {
	await page.reload();
	await shown('Dashboard');
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'skip');
	await page.keyboard.press('Enter');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'view-title');
	/* The navigation comes just before: Shift+Tab to it, Enter follows a link. */
	for (let i = 0; i < 12; i++) {
		await page.keyboard.press('Shift+Tab');
		if (await page.evaluate(() => document.activeElement.textContent) === 'Users')
			break;
	}
	await page.keyboard.press('Enter');
	await shown('Users');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'view-title');
});

await test('an image is created and its file uploaded (SHA-256 from the server)', async () => {
	await nav('Work phone images', 'Work phone images');
	await page.getByRole('link', { name: 'New image', exact: true }).click();
	await shown('New image');
	await byLabel('Name *').fill('android-14');
	await byLabel('Version').fill('2026.1');
	await page.getByRole('button', { name: 'Create image', exact: true }).click();
	await shown('android-14 2026.1');
	await statusSays('Created image');
	ids.image = page.url().split('/').pop();
	await byLabel('File').setInputFiles({ name: 'work-phone.zip', mimeType: 'application/zip',
					       buffer: image });
	await page.getByRole('button', { name: 'Upload', exact: true }).click();
	await statusSays('Uploaded work-phone.zip');
	await until(async () => (await view().textContent()).includes(imageSha), 'the SHA-256');
	await nav('Work phone images', 'Work phone images');
	await row('android-14').waitFor();
	assert.match(await row('android-14').textContent(), /96\.0 KiB/);
	await shot('images');
});

await test('applications: one a la carte, one to delete later', async () => {
	for (const [name, version, alc] of [['CRM', '5.2', true], ['Old app', '0.9', false]]) {
		await nav('Applications', 'Applications');
		await page.getByRole('link', { name: 'New application', exact: true }).click();
		await shown('New application');
		await byLabel('Name *').fill(name);
		await byLabel('Version').fill(version);
		if (alc)
			await byLabel('Available a la carte (users may request it)').check();
		await page.getByRole('button', { name: 'Create application', exact: true }).click();
		await shown(name);
		ids[name] = page.url().split('/').pop();
	}
	assert.equal((await apiCall('GET', `/api/v1/apps/${ids.CRM}`)).body.a_la_carte, true);
	await nav('Applications', 'Applications');
	await row('Old app').waitFor();
	await shot('apps');
});

await test('policy set: auto disable >= auto wipe shows the server\'s message next to the field', async () => {
	await nav('Policy sets', 'Policy sets');
	await page.getByRole('link', { name: 'New policy set', exact: true }).click();
	await shown('New policy set');
	await byLabel('Name *').fill('Sales policy');
	await byLabel('Description').fill('Mobile device users in the Sales department');
	await byLabel('Auto disable').fill('4');
	await byLabel('Auto disable: unit').selectOption({ label: 'days' });
	await byLabel('Auto wipe').fill('4');
	await byLabel('Auto wipe: unit').selectOption({ label: 'days' });
	await page.getByRole('button', { name: 'Create policy set', exact: true }).click();
	const box = page.locator('[data-field="auto_disable_s"]');
	await until(async () => (await box.locator('.field-error').textContent())
		    .includes('must be less than auto_wipe_s'), 'the field error');
	assert.equal(await byLabel('Auto disable').getAttribute('aria-invalid'), 'true');
	assert.equal(await page.evaluate(() => document.activeElement.name), 'auto_disable_s');
	/* The message is also in the form's alert, and described by the input. */
	assert.match(await page.locator('form [role=alert]').textContent(), /auto_disable_s/);
	const described = await byLabel('Auto disable').getAttribute('aria-describedby');
	const errId = await box.locator('.field-error').getAttribute('id');
	assert.ok(described.split(' ').includes(errId), 'aria-describedby names the error');
	assert.equal((await apiCall('GET', '/api/v1/policy-sets?q=Sales')).body.total, 0);
	await shot('policy-set-error');
});

await test('policy set: created once the value is fixed, with every field', async () => {
	await byLabel('Auto wipe').fill('5');
	await byLabel('Maximum retries').fill('7');
	await byLabel('Password strength').selectOption({ label: 'Complex' });
	await byLabel('VPN allowed').uncheck();
	await page.getByRole('button', { name: 'Create policy set', exact: true }).click();
	await shown('Sales policy');
	ids.policy = page.url().split('/').pop();
	const p = (await apiCall('GET', `/api/v1/policy-sets/${ids.policy}`)).body;
	assert.equal(p.auto_disable_s, 4 * 86400);
	assert.equal(p.auto_wipe_s, 5 * 86400);
	assert.equal(p.lease_interval_s, 43200);
	assert.equal(p.max_retries, 7);
	assert.equal(p.password_strength, 'complex');
	assert.equal(p.vpn_allowed, false);
	await shot('policy-set');
});

await test('template: the image, a default application and settings', async () => {
	await nav('Templates', 'Templates');
	await page.getByRole('link', { name: 'New template', exact: true }).click();
	await shown('New template');
	await byLabel('Name *').fill('Standard');
	await byLabel('Guest operating system *').fill('android');
	await byLabel('Work phone image').selectOption({ label: 'android-14 2026.1' });
	await byLabel('Settings').fill('{"wallpaper": "corporate-blue"}');
	await page.getByRole('group', { name: 'Default applications' }).getByLabel('CRM 5.2').check();
	await page.getByRole('button', { name: 'Create template', exact: true }).click();
	await shown('Standard');
	ids.template = page.url().split('/').pop();
	const t = (await apiCall('GET', `/api/v1/templates/${ids.template}`)).body;
	assert.equal(t.image_id, ids.image);
	assert.deepEqual(t.app_ids, [ids.CRM]);
	assert.deepEqual(t.settings, { wallpaper: 'corporate-blue' });
	await nav('Templates', 'Templates');
	await row('Standard').waitFor();
	await shot('templates');
});

await test('group: created with the policy set and the template', async () => {
	await nav('Groups', 'Business groups');
	await page.getByRole('link', { name: 'New group', exact: true }).click();
	await shown('New group');
	await byLabel('Name *').fill('Sales');
	await byLabel('Description').fill('Mobile device users in the Sales department');
	await byLabel('Policy set').selectOption({ label: 'Sales policy' });
	await byLabel('Template').selectOption({ label: 'Standard' });
	await page.getByRole('button', { name: 'Create group', exact: true }).click();
	await shown('Sales');
	ids.group = page.url().split('/').pop();
	const facts = await page.locator('dl.facts').textContent();
	assert.match(facts, /Policy set\s*Sales policy/);
	assert.match(facts, /Template\s*Standard/);
});

await test('user: created from the group view and assigned to the group', async () => {
	await page.getByRole('link', { name: 'New user in this group', exact: true }).click();
	await shown('New user');
	assert.equal(await byLabel('Business group').inputValue(), ids.group);
	await byLabel('Username *').fill('alice');
	await byLabel('Display name').fill('Alice Example');
	await byLabel('Email').fill('alice@example.com');
	await byLabel('Enrolment password').fill('alice-password');
	await page.getByRole('group', { name: 'A la carte applications' }).getByLabel('CRM 5.2').check();
	await page.getByRole('button', { name: 'Create user', exact: true }).click();
	await shown('Alice Example');
	ids.user = page.url().split('/').pop();
	const u = (await apiCall('GET', `/api/v1/users/${ids.user}`)).body;
	assert.equal(u.group_id, ids.group);
	assert.deepEqual(u.app_ids, [ids.CRM]);
	await nav('Users', 'Users');
	assert.match(await row('alice').textContent(), /Sales.*Not enrolled/);
});

await test('an enrolment token from the user view enrols a device (device API)', async () => {
	await row('alice').getByRole('link', { name: 'Alice Example', exact: true }).click();
	await shown('Alice Example');
	await page.getByRole('button', { name: 'Create enrolment token', exact: true }).click();
	const input = page.locator('input.token');
	await input.waitFor();
	const enrolmentToken = await input.inputValue();
	assert.match(enrolmentToken, /^wpe_/);
	const e = await apiCall('POST', '/api/v1/enroll', {
		enrollment_token: enrolmentToken, device: { name: 'Alice Pixel', model: 'Pixel 8' } }, null);
	assert.equal(e.status, 201, JSON.stringify(e.body));
	ids.device = e.body.device_id;
	const inst = await apiCall('POST', '/api/v1/device/installed', { image_sha256: imageSha },
				   e.body.device_token);
	assert.equal(inst.status, 200, JSON.stringify(inst.body));
	assert.equal(inst.body.status, 'active');
	await page.reload();
	await shown('Alice Example');
	assert.match(await row('Alice Pixel').textContent(), /Pixel 8.*Active/);
	await shot('user');
});

await test('users and group views show the work phone status', async () => {
	await nav('Users', 'Users');
	assert.match(await row('alice').textContent(), /Active/);
	await shot('users');
	await nav('Groups', 'Business groups');
	await row('Sales').getByRole('link', { name: 'Sales', exact: true }).click();
	await shown('Sales');
	const members = page.locator('section', { has: page.getByRole('heading', { name: 'Group users' }) });
	assert.match(await row('alice', members).textContent(), /Alice Example.*Active/);
	await shot('groups');
});

await test('devices: a wipe is queued from the device view after a confirmation', async () => {
	await nav('Devices', 'Devices');
	assert.match(await row('Alice Pixel').textContent(), /Alice Example.*Active/);
	await shot('devices');
	await row('Alice Pixel').getByRole('link', { name: 'Alice Pixel', exact: true }).click();
	await shown('Alice Pixel');
	/* Cancelling the dialog sends nothing. */
	await page.getByRole('button', { name: 'Wipe…', exact: true }).click();
	const dialog = page.getByRole('dialog', { name: 'Wipe the work phone?' });
	await dialog.waitFor();
	await page.keyboard.press('Escape');
	await dialog.waitFor({ state: 'detached' });
	assert.equal((await apiCall('GET', `/api/v1/commands?device_id=${ids.device}`)).body.total, 0);
	await page.getByRole('button', { name: 'Lock', exact: true }).click();
	await statusSays('Lock: queued');
	await shown('Alice Pixel');
	await row('Lock', page.locator('section', { hasText: 'Commands of this device' })).waitFor();
	await page.getByRole('button', { name: 'Wipe…', exact: true }).click();
	await dialog.getByRole('button', { name: 'Wipe work phone', exact: true }).click();
	await statusSays('Wipe: queued');
	const cmds = page.locator('section', { has: page.getByRole('heading', { name: 'Commands' }) });
	await until(async () => (await row('Wipe', cmds).count()) === 1, 'the wipe row');
	assert.match(await row('Wipe', cmds).textContent(), /Queued/);
	const list = (await apiCall('GET', `/api/v1/commands?device_id=${ids.device}&type=wipe`)).body;
	assert.equal(list.total, 1);
	assert.equal(list.items[0].state, 'queued');
	ids.wipe = list.items[0].id;
	await shot('device');
});

await test('the wipe is listed in the commands view', async () => {
	await nav('Commands and jobs', 'Commands and scheduled jobs');
	const wipe = row('Wipe');
	assert.match(await wipe.textContent(), /Alice Pixel.*Queued.*root/);
	assert.match(await row('Lock').textContent(), /Queued/);
	await byLabel('State').selectOption('queued');
	await page.getByRole('button', { name: 'Filter', exact: true }).click();
	await until(async () => page.url().includes('state=queued'), 'the filter');
	await shown('Commands and scheduled jobs');
	assert.equal(await page.locator('tbody tr').count(), 2);
	await shot('commands');
});

await test('a scheduled job from the commands view; a refused one names its field', async () => {
	await page.getByText('New command or scheduled job').click();
	const form = page.getByRole('form', { name: 'New command' });
	await form.getByLabel('Device', { exact: true }).selectOption({ label: 'Alice Pixel' });
	await form.getByLabel('Not before', { exact: true }).fill('2030-01-02T03:04');
	/* CRM has no file uploaded: the server refuses, naming params.app_id. */
	await form.getByLabel('Application', { exact: true }).selectOption({ label: 'CRM 5.2' });
	await form.getByRole('button', { name: 'Install application', exact: true }).click();
	const app = form.locator('[data-field="app_id"]');
	await until(async () => /uploaded content/.test(await app.locator('.field-error').textContent()),
		    'the error next to the application');
	assert.equal(await form.getByLabel('Application', { exact: true }).getAttribute('aria-invalid'),
		     'true');
	await form.getByLabel('Image', { exact: true }).selectOption({ label: 'android-14 2026.1' });
	await form.getByRole('button', { name: 'Update image', exact: true }).click();
	await statusSays('Update image: scheduled');
	const jobs = (await apiCall('GET', '/api/v1/commands?type=image_update')).body;
	assert.equal(jobs.total, 1);
	assert.equal(jobs.items[0].not_before, new Date(2030, 0, 2, 3, 4).getTime());
	assert.deepEqual(jobs.items[0].params, { image_id: ids.image });
	assert.equal((await apiCall('GET', '/api/v1/commands?type=install_app')).body.total, 0);
	await shown('Commands and scheduled jobs');
	await byLabel('Scheduled jobs only (on this page)').check();
	await byLabel('State').selectOption('');
	await page.getByRole('button', { name: 'Filter', exact: true }).click();
	await until(async () => page.url().includes('scheduled=1'), 'the filter');
	await shown('Commands and scheduled jobs');
	assert.equal(await page.locator('tbody tr').count(), 1);
	assert.match(await row('Update image').textContent(), /android-14.*Queued/);
	await shot('scheduled-jobs');
});

await test('the dashboard\'s activity feed shows the wipe', async () => {
	await nav('Dashboard', 'Dashboard');
	const feed = page.locator('section.activity');
	const wipe = row(`queued wipe for device ${ids.device}`, feed);
	await wipe.waitFor();
	assert.match(await wipe.textContent(), /root.*create.*Command/);
	assert.equal(await page.locator('a.card', { hasText: 'Devices' }).locator('.count')
		     .textContent(), '1');
	assert.match(await page.locator('.breakdown', { hasText: 'Commands by state' }).textContent(),
		     /Queued\s*3/);
	await byLabel('Show').selectOption({ label: 'Device' });
	await until(async () => (await row('queued wipe', feed).count()) === 0, 'the filter');
	assert.equal(await row('enrolled for user', feed).count(), 1);
	assert.equal(await row('Command', feed).count(), 0);
	await shot('dashboard-after');
});

await test('edit: a policy set change is saved, raises the version, and is in the history', async () => {
	const before = (await apiCall('GET', `/api/v1/policy-sets/${ids.policy}`)).body;
	await nav('Policy sets', 'Policy sets');
	await row('Sales policy').getByRole('link', { name: 'Sales policy', exact: true }).click();
	await shown('Sales policy');
	await byLabel('Maximum retries').fill('5');
	await page.getByRole('button', { name: 'Save changes', exact: true }).click();
	await statusSays('Saved policy set Sales policy');
	const after = (await apiCall('GET', `/api/v1/policy-sets/${ids.policy}`)).body;
	assert.equal(after.max_retries, 5);
	assert.ok(after.version > before.version, 'the version went up');
	await shown('Sales policy');
	await page.getByText('Change history').click();
	await until(async () => /max_retries: 7 → 5/.test(await page.locator('details.history').textContent()),
		    'the change in the history');
	await shot('policy-set-history');
});

await test('delete: a policy set still used by a group is refused with the reason', async () => {
	await page.getByRole('button', { name: 'Delete policy set', exact: true }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
	await until(async () => (await page.locator('#alert').textContent()).includes('in use'),
		    'the in-use alert');
	assert.equal((await apiCall('GET', `/api/v1/policy-sets/${ids.policy}`)).status, 200);
});

await test('delete: an application is deleted after a confirmation', async () => {
	await nav('Applications', 'Applications');
	await row('Old app').getByRole('link', { name: 'Old app', exact: true }).click();
	await shown('Old app');
	await page.getByRole('button', { name: 'Delete application', exact: true }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
	await shown('Applications');
	await statusSays('Deleted application Old app');
	assert.equal(await row('Old app').count(), 0);
	assert.equal((await apiCall('GET', `/api/v1/apps/${ids['Old app']}`)).status, 404);
});

await test('configuration: a read-only administrator is created', async () => {
	await nav('Configuration', 'Administrators');
	assert.match(await row('root').textContent(), /admin/);
	await page.getByRole('link', { name: 'New administrator', exact: true }).click();
	await shown('New administrator');
	await byLabel('Username *').fill('viewer');
	await byLabel('Role').selectOption('read-only');
	await byLabel('Password *').fill('viewer-password');
	await page.getByRole('button', { name: 'Create administrator', exact: true }).click();
	await shown('viewer');
	await nav('Configuration', 'Administrators');
	assert.match(await row('viewer').textContent(), /read-only/);
	await shot('admins');
});

await test('an ended session brings back the log-in form with a message', async () => {
	revoked = true;
	assert.equal((await apiCall('POST', '/api/v1/logout')).status, 204);
	await nav('Users', 'Log in').catch(async () => shown('Log in'));
	assert.match(await page.locator('form.login [role=alert]').textContent(),
		     /session has ended/);
	assert.equal(await page.evaluate(() => sessionStorage.getItem('wp-token')), null);
	await byLabel('Username').fill('root');
	await byLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Log in', exact: true }).click();
	await shown('Users');
	token = await page.evaluate(() => sessionStorage.getItem('wp-token'));
	revoked = false;
});

await test('every form control in every view has a label', async () => {
	assert.deepEqual([...unlabelled], []);
});

await test('no console errors, CSP violations or uncaught exceptions', async () => {
	assert.deepEqual(consoleErrors, []);
});

await test('log out revokes the token and shows the log-in form', async () => {
	await page.getByRole('button', { name: 'Log out', exact: true }).click();
	await shown('Log in');
	assert.equal(await page.evaluate(() => sessionStorage.getItem('wp-token')), null);
	assert.equal((await apiCall('GET', '/api/v1/me')).status, 401);
	await shot('login');
});

await test('a read-only administrator sees the data but no write controls', async () => {
	await byLabel('Username').fill('viewer');
	await byLabel('Password').fill('viewer-password');
	await page.getByRole('button', { name: 'Log in', exact: true }).click();
	await shown('Users');	/* the page of the URL: deep links survive a log-in */
	assert.match(await page.locator('#whoami').textContent(), /viewer \(read-only\)/);
	assert.match(await row('alice').textContent(), /Active/);
	assert.equal(await page.getByRole('link', { name: 'New user', exact: true }).count(), 0);
	await row('alice').getByRole('link', { name: 'Alice Example', exact: true }).click();
	await shown('Alice Example');
	assert.equal(await page.getByRole('button', { name: 'Delete user', exact: true }).count(), 0);
	assert.ok(await page.getByRole('button', { name: 'Save changes', exact: true }).isDisabled());
	await page.getByRole('link', { name: 'Alice Pixel', exact: true }).click();
	await shown('Alice Pixel');
	for (const b of ['Wipe…', 'Lock', 'Unlock', 'Install application'])
		assert.ok(await page.getByRole('button', { name: b, exact: true }).isDisabled(), b);
	await page.getByRole('button', { name: 'Log out', exact: true }).click();
	await shown('Log in');
});

await test('still no console errors after the read-only session', async () => {
	assert.deepEqual(consoleErrors, []);
});

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
