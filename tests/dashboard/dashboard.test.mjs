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
 * activity feed, scheduled jobs (the server's "scheduled" filter), edits
 * and deletes of every kind of object, an existing user moved into a
 * group, a device renamed and sent every action (each checked through
 * the API), a held wipe (tests/dashboard/run starts wpserver with
 * --wipe-hold-count 1) approved by a second administrator and cancelled,
 * the configuration page (settings, an API token created and revoked, an
 * enrolment token, the change history filtered and paged), log-out.
 * Also: every form control has a label, the skip link works from the
 * keyboard, no console errors.  A PNG of every view goes to $WP_SHOTS.
 * Prints TAP.
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
	await shot('group');
});

await test('the lists of groups and policy sets show their links', async () => {
	await nav('Groups', 'Business groups');
	assert.match(await row('Sales').textContent(), /Sales policy.*Standard/);
	await shot('groups');
	await nav('Policy sets', 'Policy sets');
	assert.match(await row('Sales policy').textContent(), /12 hours.*4 days.*5 days.*Complex/);
	await shot('policy-sets');
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
	await byLabel('Scheduled jobs only').check();
	await byLabel('State').selectOption('');
	await page.getByRole('button', { name: 'Filter', exact: true }).click();
	await until(async () => page.url().includes('scheduled=true'), 'the filter');
	await shown('Commands and scheduled jobs');
	/* Filtered by the server: the pager counts scheduled jobs only. */
	assert.equal(await page.locator('tbody tr').count(), 1);
	assert.match(await row('Update image').textContent(), /android-14.*Queued/);
	assert.match(await page.locator('nav.pager').textContent(), /Showing 1–1 of 1/);
	assert.ok(await byLabel('Scheduled jobs only').isChecked());
	assert.equal((await apiCall('GET', '/api/v1/commands?scheduled=true')).body.total, 1);
	assert.equal((await apiCall('GET', '/api/v1/commands?scheduled=false')).body.total, 2);
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

/* Open @link in the list of @list, reached by the navigation link @navLink. */
async function openFromList(navLink, list, link, heading = link) {
	await nav(navLink, navLink === 'Configuration' ? 'Configuration' : list);
	if (navLink === 'Configuration') {
		await page.getByRole('link', { name: 'Manage administrators', exact: true }).click();
		await shown(list);
	}
	await row(link).getByRole('link', { name: link, exact: true }).click();
	await shown(heading);
}

/*
 * Edit an object in the browser, check the change through the API, then
 * delete it after the confirmation and check it is gone.
 */
async function editAndDelete(o) {
	await openFromList(o.nav, o.list, o.link, o.title);
	await o.edit();
	await page.getByRole('button', { name: 'Save changes', exact: true }).click();
	await statusSays(`Saved ${o.singular} ${o.saved || o.title}`);
	await shown(o.saved || o.title);
	o.check((await apiCall('GET', `${o.api}/${o.id}`)).body);
	await shot(o.shot);
	await page.getByRole('button', { name: `Delete ${o.singular}`, exact: true }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
	await shown(o.list);
	await statusSays(`Deleted ${o.singular} ${o.saved || o.title}`);
	assert.equal(await row(o.link).count(), 0);
	assert.equal((await apiCall('GET', `${o.api}/${o.id}`)).status, 404);
}

async function created(path, body) {
	const r = await apiCall('POST', path, body);
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return r.body.id;
}

await test('an existing user is assigned to a group by editing the user', async () => {
	ids.bob = await created('/api/v1/users', { username: 'bob', display_name: 'Bob Example' });
	await openFromList('Users', 'Users', 'Bob Example');
	assert.equal(await byLabel('Business group').inputValue(), '');
	await byLabel('Business group').selectOption({ label: 'Sales' });
	await page.getByRole('button', { name: 'Save changes', exact: true }).click();
	await statusSays('Saved user Bob Example');
	assert.equal((await apiCall('GET', `/api/v1/users/${ids.bob}`)).body.group_id, ids.group);
	await shown('Bob Example');
	await shot('user-assigned');
	await nav('Groups', 'Business groups');
	await row('Sales').getByRole('link', { name: 'Sales', exact: true }).click();
	await shown('Sales');
	const members = page.locator('section', { has: page.getByRole('heading', { name: 'Group users' }) });
	assert.match(await row('bob', members).textContent(), /Bob Example.*Not enrolled/);
});

await test('edit and delete: a user', async () => {
	await editAndDelete({
		nav: 'Users', list: 'Users', link: 'Bob Example', title: 'Bob Example',
		singular: 'user', api: '/api/v1/users', id: ids.bob, shot: 'user-edit',
		edit: () => byLabel('Email').fill('bob@example.com'),
		check: (u) => assert.equal(u.email, 'bob@example.com'),
	});
});

await test('edit and delete: a group', async () => {
	const id = await created('/api/v1/groups', { name: 'Temp group' });
	await editAndDelete({
		nav: 'Groups', list: 'Business groups', link: 'Temp group', title: 'Temp group',
		singular: 'group', api: '/api/v1/groups', id, shot: 'group-edit',
		edit: async () => {
			await byLabel('Description').fill('Edited in the browser');
			await byLabel('Template').selectOption({ label: 'Standard' });
		},
		check: (g) => {
			assert.equal(g.description, 'Edited in the browser');
			assert.equal(g.template_id, ids.template);
		},
	});
});

await test('edit and delete: a template', async () => {
	const id = await created('/api/v1/templates', { name: 'Temp template', guest_os: 'linux' });
	await editAndDelete({
		nav: 'Templates', list: 'Templates', link: 'Temp template', title: 'Temp template',
		singular: 'template', api: '/api/v1/templates', id, shot: 'template',
		edit: async () => {
			await byLabel('Guest operating system *').fill('debian');
			await byLabel('Work phone image').selectOption({ label: 'android-14 2026.1' });
		},
		check: (t) => {
			assert.equal(t.guest_os, 'debian');
			assert.equal(t.image_id, ids.image);
		},
	});
});

await test('edit and delete: an image', async () => {
	const id = await created('/api/v1/images', { name: 'Temp image', version: '1' });
	await editAndDelete({
		nav: 'Work phone images', list: 'Work phone images', link: 'Temp image',
		title: 'Temp image 1', saved: 'Temp image 2', singular: 'image',
		api: '/api/v1/images', id, shot: 'image',
		edit: () => byLabel('Version').fill('2'),
		check: (i) => assert.equal(i.version, '2'),
	});
});

await test('a device is renamed in the browser', async () => {
	await openFromList('Devices', 'Devices', 'Alice Pixel');
	await byLabel('Device name').fill('Alice work phone');
	await page.getByRole('button', { name: 'Save changes', exact: true }).click();
	await statusSays('Saved device Alice work phone');
	await shown('Alice work phone');
	assert.equal((await apiCall('GET', `/api/v1/devices/${ids.device}`)).body.name,
		     'Alice work phone');
});

await test('device actions: unlock, remove application, push policy, re-pin (checked through the API)', async () => {
	/* remove_app needs an application with its file. */
	const apk = Buffer.from('crm application package');
	const put = await fetch(`${URL}/api/v1/apps/${ids.CRM}/content`, {
		method: 'PUT', body: apk,
		headers: { Authorization: `Bearer ${token}`,
			   'X-Content-SHA256': createHash('sha256').update(apk).digest('hex') } });
	assert.equal(put.status, 200, await put.text());
	const cmds = page.locator('section', { has: page.getByRole('heading', { name: 'Commands' }) });
	for (const [label, type, param] of [['Unlock', 'unlock'],
					    ['Remove application', 'remove_app', 'CRM 5.2'],
					    ['Push policy', 'policy_change'],
					    ['Re-pin certificate', 'repin']]) {
		if (param)
			await byLabel('Application').selectOption({ label: param });
		await page.getByRole('button', { name: label, exact: true }).click();
		await statusSays(`${label}: queued`);
		await shown('Alice work phone');
		await until(async () => (await row(label, cmds).count()) === 1, `the ${label} row`);
		const list = (await apiCall('GET',
			`/api/v1/commands?device_id=${ids.device}&type=${type}`)).body;
		assert.equal(list.total, 1, type);
		assert.equal(list.items[0].state, 'queued', type);
		assert.equal(list.items[0].created_by, 'root', type);
		assert.deepEqual(list.items[0].params, param ? { app_id: ids.CRM } : {}, type);
	}
	/* A "not before" time already past is not a scheduled job any more. */
	const past = await apiCall('POST', '/api/v1/commands', {
		device_id: ids.device, type: 'lock', not_before: Date.now() - 60000 });
	assert.equal(past.status, 201, JSON.stringify(past.body));
	const sched = (await apiCall('GET', '/api/v1/commands?scheduled=true&limit=500')).body;
	assert.deepEqual(sched.items.map((c) => c.type), ['image_update']);
	const now = (await apiCall('GET', '/api/v1/commands?scheduled=false&limit=500')).body;
	assert.ok(now.items.some((c) => c.id === past.body.id), 'the past one is not scheduled');
	const bad = await apiCall('GET', '/api/v1/commands?scheduled=soon');
	assert.equal(bad.status, 400);
	assert.equal(bad.body.error.field, 'scheduled');
	assert.equal((await apiCall('POST', `/api/v1/commands/${past.body.id}/cancel`)).status, 200);
	await shot('device-actions');
});

/* Log out of the browser and in again as @user. */
async function relogin(user, password, heading) {
	await page.getByRole('button', { name: 'Log out', exact: true }).click();
	await shown('Log in');
	await byLabel('Username').fill(user);
	await byLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Log in', exact: true }).click();
	await shown(heading);
	return page.evaluate(() => sessionStorage.getItem('wp-token'));
}

await test('a held wipe is approved by a second administrator, then cancelled', async () => {
	await created('/api/v1/admins', { username: 'second', role: 'admin',
					  password: 'second-password' });
	const dialog = page.getByRole('dialog', { name: 'Wipe the work phone?' });
	await page.getByRole('button', { name: 'Wipe…', exact: true }).click();
	await dialog.getByRole('button', { name: 'Wipe work phone', exact: true }).click();
	await statusSays('Wipe: held by the mass-wipe protection');
	await shown('Alice work phone');
	const held = (await apiCall('GET',
		`/api/v1/commands?device_id=${ids.device}&type=wipe&state=held`)).body;
	assert.equal(held.total, 1);
	const id = held.items[0].id;
	const short = id.slice(0, 8);
	/* Not by the administrator who queued it. */
	assert.equal(await page.getByRole('button', { name: `Approve wipe ${short}`, exact: true })
		     .count(), 0);

	const second = await relogin('second', 'second-password', 'Alice work phone');
	await nav('Commands and jobs', 'Commands and scheduled jobs');
	await byLabel('State').selectOption('held');
	await page.getByRole('button', { name: 'Filter', exact: true }).click();
	await until(async () => page.url().includes('state=held'), 'the filter');
	await shown('Commands and scheduled jobs');
	assert.match(await row('Wipe').textContent(), /Alice work phone.*Held.*root/);
	await shot('commands-held');
	await page.getByRole('button', { name: `Approve wipe ${short}`, exact: true }).click();
	await statusSays('Approved: the command is queued.');
	let c = (await apiCall('GET', `/api/v1/commands/${id}`, undefined, second)).body;
	assert.equal(c.state, 'queued');
	assert.equal(c.approved_by, 'second');

	await byLabel('State').selectOption('queued');
	await page.getByRole('button', { name: 'Filter', exact: true }).click();
	await until(async () => page.url().includes('state=queued'), 'the filter');
	await shown('Commands and scheduled jobs');
	assert.match(await row('root, approved by second').textContent(), /Wipe.*Queued/);
	await page.getByRole('button', { name: `Cancel wipe ${short}`, exact: true }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Cancel command', exact: true })
		.click();
	await statusSays('Command cancelled.');
	c = (await apiCall('GET', `/api/v1/commands/${id}`, undefined, second)).body;
	assert.equal(c.state, 'cancelled');
	await shown('Commands and scheduled jobs');
	assert.equal(await row('root, approved by second').count(), 0);

	token = await relogin('root', PASSWORD, 'Commands and scheduled jobs');
});

await test('configuration: the server settings are shown', async () => {
	await nav('Configuration', 'Configuration');
	const s = (await apiCall('GET', '/api/v1/settings')).body;
	assert.match(s.cert_sha256, /^[0-9a-f]{64}$/);
	const settings = page.locator('section', { has: page.getByRole('heading',
		{ name: 'Server settings' }) });
	const text = await settings.textContent();
	assert.match(text, /Administrator sessions last\s*12 hours/);
	assert.match(text, /after 1 wipe within 1 hour/);
	assert.ok(text.includes(s.cert_sha256), 'the certificate fingerprint');
	assert.ok(text.includes(s.next_cert_sha256), 'the next certificate fingerprint');
	assert.match(await page.getByRole('navigation', { name: 'Main' })
		     .locator('[aria-current=page]').textContent(), /Configuration/);
	await shot('configuration');
});

await test('configuration: an API token is created (shown once) and revoked', async () => {
	const tokens = page.locator('section', { has: page.getByRole('heading', { name: 'API tokens' }) });
	await byLabel('Token name').fill('nightly-sync');
	await page.getByRole('button', { name: 'Create API token', exact: true }).click();
	await statusSays('Created API token nightly-sync');
	const secret = await tokens.locator('input.token').inputValue();
	assert.match(secret, /^wpk_/);
	const me = await apiCall('GET', '/api/v1/me', undefined, secret);
	assert.equal(me.status, 200);
	assert.equal(me.body.api_token, true);
	await row('nightly-sync', tokens).waitFor();
	assert.ok(!(await row('nightly-sync', tokens).textContent()).includes(secret),
		  'the list does not show the secret');
	await shot('configuration-api-token');
	await page.getByRole('button', { name: 'Revoke API token nightly-sync', exact: true }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
	await statusSays('Revoked API token nightly-sync');
	await until(async () => (await row('nightly-sync', tokens).count()) === 0, 'the row to go');
	assert.equal((await apiCall('GET', '/api/v1/me', undefined, secret)).status, 401);
	assert.equal((await apiCall('GET', '/api/v1/api-tokens?name=nightly-sync')).body.total, 0);
});

await test('configuration: an enrolment token for a user', async () => {
	const enrol = page.locator('section', { has: page.getByRole('heading', { name: 'Enrolment tokens' }) });
	await enrol.getByLabel('User', { exact: true }).selectOption({ label: 'Alice Example (alice)' });
	await enrol.getByLabel('Valid for', { exact: true }).selectOption({ label: '1 day' });
	await enrol.getByRole('button', { name: 'Create enrolment token', exact: true }).click();
	const input = enrol.locator('input.token');
	await input.waitFor();
	assert.match(await input.inputValue(), /^wpe_/);
	const feed = (await apiCall('GET', '/api/v1/activity?object_type=enrollment_token&limit=1')).body;
	assert.equal(feed.items[0].summary, 'enrolment token for user alice');
});

await test('configuration: the change history, filtered and paged', async () => {
	const all = (await apiCall('GET', '/api/v1/history?limit=1')).body.total;
	assert.ok(all > 25, `more than a page of history (${all})`);
	const hist = page.locator('section.history-all');
	assert.match(await hist.locator('nav.pager').textContent(), new RegExp(`Showing 1–25 of ${all}`));
	await hist.getByRole('link', { name: 'Next page', exact: true }).click();
	await until(async () => page.url().includes('offset=25'), 'the next page');
	await shown('Configuration');
	assert.match(await hist.locator('nav.pager').textContent(), /Showing 26–/);
	await byLabel('Object type').selectOption({ label: 'Policy set' });
	await byLabel('Changed by').fill('root');
	await page.getByRole('button', { name: 'Filter history', exact: true }).click();
	await until(async () => page.url().includes('object_type=policy_set') &&
		    !page.url().includes('offset'), 'the filter');
	await shown('Configuration');
	const want = (await apiCall('GET', '/api/v1/history?object_type=policy_set&actor=root')).body;
	assert.equal(await hist.locator('tbody tr').count(), want.total);
	assert.match(await hist.textContent(), /max_retries: 7 → 5/);
	await shot('configuration-history');
});

await test('configuration: a read-only administrator is created', async () => {
	await nav('Configuration', 'Configuration');
	await page.getByRole('link', { name: 'Manage administrators', exact: true }).click();
	await shown('Administrators');
	assert.match(await row('root').textContent(), /admin/);
	await page.getByRole('link', { name: 'New administrator', exact: true }).click();
	await shown('New administrator');
	await byLabel('Username *').fill('viewer');
	await byLabel('Role').selectOption('read-only');
	await byLabel('Password *').fill('viewer-password');
	await page.getByRole('button', { name: 'Create administrator', exact: true }).click();
	await shown('viewer');
	await openFromList('Configuration', 'Administrators', 'viewer');
	await shot('admin');
	await page.getByRole('link', { name: 'All administrators', exact: true }).click();
	await shown('Administrators');
	assert.match(await row('viewer').textContent(), /read-only/);
	await shot('admins');
});

await test('edit and delete: an administrator', async () => {
	const id = await created('/api/v1/admins', { username: 'helper', role: 'helpdesk',
						     password: 'helper-password' });
	await editAndDelete({
		nav: 'Configuration', list: 'Administrators', link: 'helper', title: 'helper',
		singular: 'administrator', api: '/api/v1/admins', id, shot: 'admin-edit',
		edit: () => byLabel('Role').selectOption('read-only'),
		check: (a) => assert.equal(a.role, 'read-only'),
	});
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
	await page.getByRole('link', { name: 'Alice work phone', exact: true }).click();
	await shown('Alice work phone');
	for (const b of ['Wipe…', 'Lock', 'Unlock', 'Install application'])
		assert.ok(await page.getByRole('button', { name: b, exact: true }).isDisabled(), b);
	/* The settings and the history are readable; tokens are not created here. */
	await nav('Configuration', 'Configuration');
	assert.match(await page.locator('dl.facts').textContent(), /after 1 wipe within 1 hour/);
	assert.ok(await page.locator('section.history-all tbody tr').count() > 0);
	assert.equal(await page.getByRole('button', { name: 'Create API token', exact: true })
		     .count(), 0);
	assert.ok(await page.getByRole('button', { name: 'Create enrolment token', exact: true })
		  .isDisabled());
	await shot('configuration-read-only');
	await page.getByRole('button', { name: 'Log out', exact: true }).click();
	await shown('Log in');
});

await test('still no console errors after the read-only session', async () => {
	assert.deepEqual(consoleErrors, []);
});

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
