// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Workphone dashboard: log-in, navigation and the hash router
 * (#/VIEW[/ID][?filters]).  Every view reads and writes through the
 * public REST API only (api.js).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
import { ApiError, api, currentAdmin, login, logout } from './api.js';
import { h, session, announce, takeFlash, errorPanel, uid } from './ui.js';
import { RESOURCES, listView, detailView } from './resources.js';
import { dashboardView } from './dashboard.js';
import { commandsView } from './devices.js';
import { configurationView } from './config.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const who = document.getElementById('session');
let generation = 0;
let navigated = false;

function parseRoute() {
	const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : 'dashboard';
	const [path, qs] = raw.split('?');

	return {
		parts: path.split('/').filter(Boolean).map(decodeURIComponent),
		params: new URLSearchParams(qs || ''),
	};
}

/* Pages reached from another page's navigation link. */
const NAV_PARENT = { admins: 'configuration' };

function markNav(key) {
	key = NAV_PARENT[key] || key;
	for (const a of nav.querySelectorAll('a')) {
		if (a.getAttribute('href') === `#/${key}`)
			a.setAttribute('aria-current', 'page');
		else
			a.removeAttribute('aria-current');
	}
}

function showChrome(on) {
	nav.hidden = !on;
	who.hidden = !on;
	if (on)
		document.getElementById('whoami').textContent =
			`${session.admin.username} (${session.admin.role})`;
}

/* Draw the view of the current hash; newer navigations win. */
async function render(opts = {}) {
	const gen = ++generation;
	const root = h('div', { class: 'view-body' });

	if (!session.admin) {
		showLogin();
		return;
	}
	const route = parseRoute();
	const key = route.parts[0] || 'dashboard';

	showChrome(true);
	markNav(key);
	view.setAttribute('aria-busy', 'true');
	try {
		if (key === 'dashboard')
			await dashboardView(root, route);
		else if (key === 'commands')
			await commandsView(root, route);
		else if (key === 'configuration')
			await configurationView(root, route);
		else if (RESOURCES[key])
			await (route.parts[1] ? detailView : listView)(root, key, route);
		else
			throw new ApiError(404, 'not_found', `there is no page ${location.hash}`);
	} catch (err) {
		if (!(err instanceof ApiError))
			throw err;
		if (err.status === 401)
			return;		/* the log-in form is shown */
		root.replaceChildren(h('h1', { id: 'view-title', tabindex: '-1' }, 'Cannot show this page'),
				     errorPanel(err));
	} finally {
		if (gen === generation)
			view.removeAttribute('aria-busy');
	}
	if (gen !== generation || !session.admin)
		return;
	view.replaceChildren(root);
	if (!opts.keepStatus)
		takeFlash();
	if (navigated)
		document.getElementById('view-title').focus();
	navigated = true;
}

function showLogin(message) {
	const uId = uid('user');
	const pId = uid('pw');
	const error = h('div', { class: 'form-error', role: 'alert', tabindex: '-1',
				 hidden: !message }, message || '');
	const form = h('form', { class: 'form login', novalidate: true, 'aria-labelledby': 'view-title' },
		       error,
		       h('div', { class: 'field' }, h('label', { for: uId }, 'Username'),
			 h('input', { id: uId, name: 'username', autocomplete: 'username',
				      required: true })),
		       h('div', { class: 'field' }, h('label', { for: pId }, 'Password'),
			 h('input', { id: pId, name: 'password', type: 'password',
				      autocomplete: 'current-password', required: true })),
		       h('div', { class: 'form-actions' },
			 h('button', { type: 'submit', class: 'btn primary' }, 'Log in')));

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		error.hidden = true;
		try {
			session.admin = await login(form.elements.username.value,
						    form.elements.password.value);
		} catch (err) {
			error.textContent = err.status === 401 ?
				'Wrong username or password.' : err.message;
			error.hidden = false;
			form.elements.password.select();
			return;
		}
		navigated = true;
		render();
	});
	generation++;
	showChrome(false);
	announce('', 'none');
	document.title = 'Log in — Workphone';
	view.removeAttribute('aria-busy');
	view.replaceChildren(h('div', { class: 'login-box' },
			       h('h1', { id: 'view-title', tabindex: '-1' }, 'Log in'),
			       h('p', null, 'Workphone administration: users, business groups, ' +
				 'policies, work phone images and devices.'),
			       form));
	form.elements.username.focus();
}

function boot() {
	session.render = render;
	window.addEventListener('hashchange', () => {
		if (!location.hash || location.hash.startsWith('#/'))
			render();
	});
	window.addEventListener('wp-unauthorized', () => {
		session.admin = null;
		showLogin('Your session has ended: log in again.');
	});
	document.getElementById('logout').addEventListener('click', async () => {
		try {
			await logout();
		} catch {
			/* the token is forgotten anyway */
		}
		session.admin = null;
		showLogin();
	});
	document.getElementById('skip').addEventListener('click', (ev) => {
		ev.preventDefault();
		const title = document.getElementById('view-title');
		(title || document.getElementById('main')).focus();
	});
	session.admin = currentAdmin();
	if (!session.admin) {
		showLogin();
		return;
	}
	api('GET', '/api/v1/me').then((me) => {
		session.admin = { ...session.admin, ...me };
		render();
	}, (err) => {
		if (err.status !== 401)
			render();
	});
}

boot();
