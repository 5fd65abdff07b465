// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration page: the server's settings (GET /api/v1/settings,
 * read-only), the administrators, the caller's API tokens (listed,
 * created - the secret is shown once - and revoked), one-time enrolment
 * tokens, and the change history of every object (GET /api/v1/history,
 * filtered and paged through the URL: #/configuration?object_type=...).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
import { api, listAll, query } from './api.js';
import { clearErrors, showError } from './forms.js';
import {
	h, heading, section, button, linkButton, dataTable, pager, facts, timeEl,
	fmtDuration, fmtSize, announce, confirmDialog, canWrite, uid,
} from './ui.js';
import { OBJECT_LABELS, objectCell } from './dashboard.js';
import { changes } from './resources.js';
import { enrolmentForm, secretOut } from './tokens.js';

const HISTORY_PAGE = 25;

function settingsPanel(s) {
	const sha = (v) => v ? h('code', null, v) : null;

	return section('Server settings',
		       h('p', { class: 'muted' }, 'Set in the server\'s configuration file or on ' +
			 'its command line; shown here read-only.'),
		       facts([
			       ['Database', s.backend],
			       ['HTTPS', s.tls ? 'on' : 'off (behind a TLS proxy, or local use)'],
			       ['Administrator sessions last', fmtDuration(s.session_ttl_s)],
			       ['Mass-wipe protection', `after ${s.wipe_hold_count} ` +
				`wipe${s.wipe_hold_count === 1 ? '' : 's'} within ` +
				`${fmtDuration(s.wipe_hold_window_s)}, a wipe waits for a second ` +
				'administrator\'s approval'],
			       ['Largest upload', fmtSize(s.max_upload)],
			       ['Largest JSON request', fmtSize(s.max_body)],
			       ['Signed documents valid for', fmtDuration(s.lease_valid_s)],
			       ['Inactive after a missed renewal plus', s.grace_s ?
				fmtDuration(s.grace_s) : 'one lease interval'],
			       ['Signing certificate (SHA-256)', sha(s.cert_sha256) || '—'],
			       ['Next signing certificate (SHA-256)', sha(s.next_cert_sha256) ||
				'none: no key rotation under way'],
		       ]));
}

/* The caller's API tokens: list, create (admin), revoke. */
function apiTokensPanel() {
	const nameId = uid('tok');
	const list = h('div');
	const out = h('div', { class: 'token-out', 'aria-live': 'polite' });
	const form = h('form', { class: 'form inline', novalidate: true,
				 'aria-label': 'Create an API token' },
		       h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
		       h('div', { class: 'field', 'data-field': 'name' },
			 h('label', { for: nameId }, 'Token name'),
			 h('input', { id: nameId, name: 'name', maxlength: 128, autocomplete: 'off',
				      required: true }),
			 h('p', { class: 'field-error', hidden: true })),
		       h('div', { class: 'form-actions' },
			 h('button', { type: 'submit', class: 'btn', disabled: !canWrite() },
			   'Create API token')));

	async function load() {
		const tokens = await listAll('/api/v1/api-tokens');

		list.replaceChildren(dataTable('API tokens', [
			{ title: 'Name', cell: (t) => t.name },
			{ title: 'Created', cell: (t) => timeEl(t.created_at) },
			{ title: 'Actions', cell: (t) => button('Revoke', () => revoke(t), 'small danger',
							       { 'aria-label': `Revoke API token ${t.name}` }) },
		], tokens, 'You have no API tokens.'));
	}

	async function revoke(t) {
		if (!await confirmDialog({
			title: `Revoke the API token “${t.name}”?`,
			message: 'Programs using it are refused from now on.',
			confirm: 'Revoke', danger: true,
		}))
			return;
		try {
			await api('DELETE', `/api/v1/api-tokens/${t.id}`);
			announce(`Revoked API token ${t.name}.`);
			await load();
		} catch (err) {
			announce(`Cannot revoke ${t.name}: ${err.message}`, 'error');
		}
	}

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		try {
			const name = form.elements.name.value.trim();
			const t = await api('POST', '/api/v1/api-tokens', { name });

			secretOut(out, `API token “${t.name}” (shown only now)`, t.token,
				  'Send it as "Authorization: Bearer TOKEN"; it does not expire ' +
				  'until revoked and acts as you.');
			form.reset();
			announce(`Created API token ${t.name}.`);
			await load();
		} catch (err) {
			showError(form, err);
		}
	});
	const el = section('API tokens',
			   h('p', { class: 'muted' }, 'Your tokens for scripts and other programs ' +
			     'using the REST API.'),
			   list, canWrite() ? [form, out] : null);
	return { el, load };
}

/* A one-time enrolment token for any user. */
function enrolmentPanel(users) {
	const { form, out } = enrolmentForm({ users });

	return section('Enrolment tokens',
		       h('p', { class: 'muted' }, users.length ?
			 'A one-time token a user enrols a device with, instead of a password.' :
			 'There are no users yet.'),
		       form, out);
}

/* Every object's change history, filtered and paged by the URL. */
async function historyPanel(params) {
	const filter = { object_type: params.get('object_type'), actor: params.get('actor'),
			 object_id: params.get('object_id') };
	const offset = Math.max(0, Number(params.get('offset')) || 0);
	const page = await api('GET', '/api/v1/history' +
			       query({ ...filter, limit: HISTORY_PAGE, offset }));
	const typeId = uid('hist');
	const actorId = uid('hist');
	const objId = uid('hist');
	const form = h('form', { class: 'filters', role: 'search',
				 'aria-label': 'Filter the change history' },
		       h('div', { class: 'field' }, h('label', { for: typeId }, 'Object type'),
			 h('select', { id: typeId, name: 'object_type' },
			   h('option', { value: '' }, 'all'),
			   Object.entries(OBJECT_LABELS).map(([k, l]) =>
				   h('option', { value: k, selected: filter.object_type === k }, l)))),
		       h('div', { class: 'field' }, h('label', { for: actorId }, 'Changed by'),
			 h('input', { id: actorId, name: 'actor', value: filter.actor || '',
				      autocomplete: 'off' })),
		       h('div', { class: 'field' }, h('label', { for: objId }, 'Object id'),
			 h('input', { id: objId, name: 'object_id', value: filter.object_id || '',
				      autocomplete: 'off' })),
		       h('div', { class: 'form-actions' },
			 h('button', { type: 'submit', class: 'btn' }, 'Filter history'),
			 params.toString() ? linkButton('#/configuration', 'Clear') : null));
	const here = (extra) => '#/configuration' + query({ ...filter, ...extra });

	form.addEventListener('submit', (ev) => {
		const q = {};

		ev.preventDefault();
		for (const el of form.elements)
			if (el.name && el.value.trim())
				q[el.name] = el.value.trim();
		location.hash = '#/configuration' + query(q);
	});
	const el = section('Change history',
			   h('p', { class: 'muted' }, 'Every change by an administrator, newest ' +
			     'first, with the values before and after.'),
			   form,
			   dataTable('Change history', [
				   { title: 'When', cell: (e) => timeEl(e.at) },
				   { title: 'Who', cell: (e) => e.actor },
				   { title: 'Action', cell: (e) => e.action },
				   { title: 'Object', cell: objectCell },
				   { title: 'Changes', cell: changes },
			   ], page.items, params.toString() ? 'Nothing matches.' : 'No changes yet.'),
			   pager(page, (o) => here({ offset: o })));
	el.classList.add('history-all');
	return el;
}

export async function configurationView(root, route) {
	const tokens = apiTokensPanel();
	const [settings, users, admins, history] = await Promise.all([
		api('GET', '/api/v1/settings'), listAll('/api/v1/users'),
		api('GET', '/api/v1/admins?limit=1'), historyPanel(route.params), tokens.load()]);

	root.append(heading('Configuration'),
		    settingsPanel(settings),
		    section('Administrators',
			    h('p', null, `${admins.total} administrator${admins.total === 1 ? '' : 's'}` +
			      ': who may log in here, and with which role.'),
			    linkButton('#/admins', 'Manage administrators')),
		    tokens.el,
		    enrolmentPanel(users),
		    history);
}
