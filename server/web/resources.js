// SPDX-License-Identifier: GPL-2.0-only
/*
 * The catalogue views of the dashboard (patent FIG. 3B-3E): users,
 * business groups, policy sets, work phone images, templates,
 * applications, administrators and devices.  Each is described once -
 * its fields, list columns, filters and extra panels - and shown by one
 * list view and one detail view (create, edit, delete, change history).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
import { api, listAll, query } from './api.js';
import { buildForm, forCreate, forUpdate, clearErrors, showError } from './forms.js';
import {
	h, heading, section, linkButton, button, dataTable, pager, facts, badge, timeEl,
	fmtDuration, fmtSize, shortId, announce, flash, confirmDialog, canWrite,
	session, uid,
} from './ui.js';
import { deviceExtras, deviceLabel, deviceSummary } from './devices.js';
import { enrolmentForm } from './tokens.js';

/* --- lookups: names of referenced objects --- */

async function names(path, params) {
	const items = await listAll(path, params);
	return { items, byId: new Map(items.map((o) => [o.id, o])) };
}

function ref(key, lookup, id, label = (o) => o.name) {
	if (!id)
		return '—';
	const o = lookup.byId.get(id);
	return h('a', { href: `#/${key}/${id}` }, o ? label(o) : shortId(id));
}

function options(lookup, label = (o) => o.name) {
	return lookup.items.map((o) => ({ value: o.id, label: label(o) }));
}

const userLabel = (u) => u.display_name || u.username;

/* Work phone status per user, from the devices (newest 2000). */
async function statusByUser() {
	const map = new Map();

	for (const d of await listAll('/api/v1/devices'))
		(map.get(d.user_id) || map.set(d.user_id, []).get(d.user_id)).push(d.status);
	return map;
}

function userStatus(map, u) {
	const s = map.get(u.id);
	return s ? s.map((x) => [badge(x), ' ']) : badge('none');
}

/* Users as a table, with their work phones' status (FIG. 3B, 3C). */
function usersTable(caption, users, ctx) {
	return dataTable(caption, [
		{ title: 'Name', cell: (u) => h('a', { href: `#/users/${u.id}` }, userLabel(u)) },
		{ title: 'Username', cell: (u) => u.username },
		{ title: 'Group', cell: (u) => ref('groups', ctx.groups, u.group_id) },
		{ title: 'Work phone', cell: (u) => userStatus(ctx.status, u) },
	], users, 'No users.');
}

/* --- the resources --- */

const ROLE_OPTIONS = ['admin', 'helpdesk', 'read-only'].map((r) => ({ value: r, label: r }));
const STRENGTHS = [
	{ value: 'pin', label: 'PIN' },
	{ value: 'alphanumeric', label: 'Alphanumeric' },
	{ value: 'complex', label: 'Complex' },
];
const GUEST_OS = ['android', 'linux', 'ios', 'webos', 'symbian'];

export const RESOURCES = {
	users: {
		title: 'Users', singular: 'user', api: '/api/v1/users',
		label: userLabel,
		async listContext() {
			const [groups, status] = await Promise.all([names('/api/v1/groups'),
								    statusByUser()]);
			return { groups, status };
		},
		filters: (ctx) => [{ name: 'group_id', label: 'Group', options: options(ctx.groups) }],
		columns: (ctx) => [
			{ title: 'Name', cell: (u) => h('a', { href: `#/users/${u.id}` }, userLabel(u)) },
			{ title: 'Username', cell: (u) => u.username },
			{ title: 'Email', cell: (u) => u.email || '—' },
			{ title: 'Group', cell: (u) => ref('groups', ctx.groups, u.group_id) },
			{ title: 'Work phone', cell: (u) => userStatus(ctx.status, u) },
		],
		async formContext() {
			const [groups, apps] = await Promise.all([
				names('/api/v1/groups'), names('/api/v1/apps', { a_la_carte: 'true' })]);
			return { groups, apps };
		},
		fields: (ctx, isNew) => [
			{ name: 'username', label: 'Username', required: true, maxlength: 128,
			  help: 'What the user types into wp-provision.' },
			{ name: 'display_name', label: 'Display name', nullable: true, maxlength: 256 },
			{ name: 'email', label: 'Email', type: 'email', nullable: true, maxlength: 256 },
			{ name: 'group_id', label: 'Business group', type: 'select', nullable: true,
			  options: options(ctx.groups),
			  help: 'The group gives the policy set and the template of the work phone.' },
			{ name: 'password', label: 'Enrolment password', type: 'password',
			  help: isNew ? '8 to 256 characters; needed to enrol with a password ' +
				'(an enrolment token works too).' :
				'Leave empty to keep the current password.' },
			{ name: 'app_ids', label: 'A la carte applications', type: 'multi',
			  options: options(ctx.apps, (a) => `${a.name} ${a.version || ''}`),
			  empty: 'No application is available a la carte.' },
		],
		prefill: ['group_id'],
		extras: userExtras,
	},
	groups: {
		title: 'Business groups', singular: 'group', api: '/api/v1/groups',
		label: (g) => g.name,
		async listContext() {
			const [policies, templates] = await Promise.all([
				names('/api/v1/policy-sets'), names('/api/v1/templates')]);
			return { policies, templates };
		},
		filters: (ctx) => [
			{ name: 'policy_set_id', label: 'Policy set', options: options(ctx.policies) },
			{ name: 'template_id', label: 'Template', options: options(ctx.templates) },
		],
		columns: (ctx) => [
			{ title: 'Name', cell: (g) => h('a', { href: `#/groups/${g.id}` }, g.name) },
			{ title: 'Description', cell: (g) => g.description || '—' },
			{ title: 'Policy set', cell: (g) => ref('policy-sets', ctx.policies, g.policy_set_id) },
			{ title: 'Template', cell: (g) => ref('templates', ctx.templates, g.template_id) },
		],
		async formContext() {
			return this.listContext();
		},
		fields: (ctx) => [
			{ name: 'name', label: 'Name', required: true, maxlength: 128 },
			{ name: 'description', label: 'Description', type: 'textarea', nullable: true,
			  maxlength: 2000 },
			{ name: 'policy_set_id', label: 'Policy set', type: 'select', nullable: true,
			  options: options(ctx.policies), help: 'The default policies of the group\'s users.' },
			{ name: 'template_id', label: 'Template', type: 'select', nullable: true,
			  options: options(ctx.templates),
			  help: 'The default virtual phone template of the group\'s users.' },
		],
		summary: (g, ctx) => facts([
			['Policy set', ref('policy-sets', ctx.policies, g.policy_set_id)],
			['Template', ref('templates', ctx.templates, g.template_id)],
		]),
		extras: groupExtras,
	},
	'policy-sets': {
		title: 'Policy sets', singular: 'policy set', api: '/api/v1/policy-sets',
		label: (p) => p.name,
		filters: () => [
			{ name: 'password_strength', label: 'Password strength', options: STRENGTHS },
		],
		columns: () => [
			{ title: 'Name', cell: (p) => h('a', { href: `#/policy-sets/${p.id}` }, p.name) },
			{ title: 'Version', cell: (p) => String(p.version) },
			{ title: 'Lease interval', cell: (p) => fmtDuration(p.lease_interval_s) },
			{ title: 'Auto disable', cell: (p) => fmtDuration(p.auto_disable_s) },
			{ title: 'Auto wipe', cell: (p) => fmtDuration(p.auto_wipe_s) },
			{ title: 'Password', cell: (p) => p.password_required ?
				STRENGTHS.find((s) => s.value === p.password_strength).label : 'Not required' },
		],
		defaults: {
			lease_interval_s: 43200, auto_disable_s: 86400, auto_wipe_s: 345600,
			password_required: true, password_strength: 'pin', password_min_length: 6,
			password_expiration_days: 0, auto_lock_minutes: 5, max_retries: 10,
			vpn_allowed: true, debug_mode: false, copy_paste: false,
		},
		fields: () => [
			{ name: 'name', label: 'Name', required: true, maxlength: 128 },
			{ name: 'description', label: 'Description', type: 'textarea', nullable: true,
			  maxlength: 2000 },
			{ name: 'lease_interval_s', label: 'Interval', type: 'duration',
			  help: 'How often the device renews its lease with the server.' },
			{ name: 'auto_disable_s', label: 'Auto disable', type: 'duration',
			  help: 'Without a renewal for this long the work phone locks ' +
				'(at least the interval, less than auto wipe).' },
			{ name: 'auto_wipe_s', label: 'Auto wipe', type: 'duration',
			  help: 'Without a renewal for this long the work phone is wiped.' },
			{ name: 'password_required', label: 'Require a password', type: 'bool' },
			{ name: 'password_strength', label: 'Password strength', type: 'select',
			  options: STRENGTHS },
			{ name: 'password_min_length', label: 'Minimum password length', type: 'number',
			  min: 4, max: 64, help: '4 to 64 characters.' },
			{ name: 'password_expiration_days', label: 'Password expiration (days)',
			  type: 'number', min: 0, max: 3650, help: '0: never.' },
			{ name: 'auto_lock_minutes', label: 'Automatic lock (minutes)', type: 'number',
			  min: 0, max: 1440, help: 'Idle time before the lock screen; 0: never.' },
			{ name: 'max_retries', label: 'Maximum retries', type: 'number', min: 0, max: 100,
			  help: 'Wrong passwords before the work phone locks; 0: unlimited.' },
			{ name: 'vpn_allowed', label: 'VPN allowed', type: 'bool' },
			{ name: 'debug_mode', label: 'Debug mode allowed', type: 'bool' },
			{ name: 'copy_paste', label: 'Copy and paste between personal and work phone',
			  type: 'bool' },
		],
		sections: [
			{ title: 'General', fields: ['name', 'description'] },
			{ title: 'Lease renewal', fields: ['lease_interval_s', 'auto_disable_s', 'auto_wipe_s'] },
			{ title: 'Password', fields: ['password_required', 'password_strength',
						      'password_min_length', 'password_expiration_days',
						      'auto_lock_minutes', 'max_retries'] },
			{ title: 'Device', fields: ['vpn_allowed', 'debug_mode', 'copy_paste'] },
		],
		summary: (p) => facts([['Version', String(p.version)],
				       ['Last changed', timeEl(p.updated_at)]]),
		extras: (root, p) => usedBy(root, 'policy_set_id', p),
	},
	templates: {
		title: 'Templates', singular: 'template', api: '/api/v1/templates',
		label: (t) => t.name,
		async listContext() {
			return { images: await names('/api/v1/images') };
		},
		filters: () => [],
		columns: (ctx) => [
			{ title: 'Name', cell: (t) => h('a', { href: `#/templates/${t.id}` }, t.name) },
			{ title: 'Guest OS', cell: (t) => t.guest_os },
			{ title: 'Image', cell: (t) => ref('images', ctx.images, t.image_id, imageLabel) },
			{ title: 'Default apps', cell: (t) => String(t.app_ids.length) },
		],
		async formContext() {
			const [images, apps] = await Promise.all([names('/api/v1/images'),
								  names('/api/v1/apps')]);
			return { images, apps };
		},
		defaults: { settings: {}, app_ids: [] },
		fields: (ctx) => [
			{ name: 'name', label: 'Name', required: true, maxlength: 128 },
			{ name: 'guest_os', label: 'Guest operating system', required: true,
			  maxlength: 64, list: GUEST_OS },
			{ name: 'image_id', label: 'Work phone image', type: 'select', nullable: true,
			  options: options(ctx.images, imageLabel) },
			{ name: 'settings', label: 'Settings', type: 'json',
			  help: 'A JSON object: wallpaper, shortcuts, sounds, network settings...' },
			{ name: 'app_ids', label: 'Default applications', type: 'multi',
			  options: options(ctx.apps, (a) => `${a.name} ${a.version || ''}`),
			  empty: 'No applications yet.' },
		],
		extras: (root, t) => usedBy(root, 'template_id', t),
	},
	images: {
		title: 'Work phone images', singular: 'image', api: '/api/v1/images',
		label: imageLabel,
		filters: () => [],
		columns: () => [
			{ title: 'Name', cell: (i) => h('a', { href: `#/images/${i.id}` }, i.name) },
			{ title: 'Version', cell: (i) => i.version || '—' },
			{ title: 'Size', cell: (i) => i.sha256 ? fmtSize(i.size) : 'not uploaded' },
			{ title: 'SHA-256', cell: (i) => i.sha256 ? h('code', null, i.sha256.slice(0, 16) + '…') : '—' },
			{ title: 'Updated', cell: (i) => timeEl(i.updated_at, true) },
		],
		fields: contentFields,
		summary: contentSummary,
		extras: contentExtras,
	},
	apps: {
		title: 'Applications', singular: 'application', api: '/api/v1/apps',
		label: (a) => a.name,
		filters: () => [{ name: 'a_la_carte', label: 'A la carte',
				  options: [{ value: 'true', label: 'yes' }, { value: 'false', label: 'no' }] }],
		columns: () => [
			{ title: 'Name', cell: (a) => h('a', { href: `#/apps/${a.id}` }, a.name) },
			{ title: 'Version', cell: (a) => a.version || '—' },
			{ title: 'A la carte', cell: (a) => a.a_la_carte ? 'yes' : 'no' },
			{ title: 'Size', cell: (a) => a.sha256 ? fmtSize(a.size) : 'not uploaded' },
			{ title: 'Updated', cell: (a) => timeEl(a.updated_at, true) },
		],
		defaults: { a_la_carte: false },
		fields: () => [...contentFields(),
			{ name: 'a_la_carte', label: 'Available a la carte (users may request it)',
			  type: 'bool' }],
		summary: contentSummary,
		extras: contentExtras,
	},
	admins: {
		title: 'Administrators', singular: 'administrator', api: '/api/v1/admins',
		label: (a) => a.username,
		filters: () => [{ name: 'role', label: 'Role', options: ROLE_OPTIONS }],
		columns: () => [
			{ title: 'Username', cell: (a) => h('a', { href: `#/admins/${a.id}` }, a.username) },
			{ title: 'Role', cell: (a) => a.role },
			{ title: 'Created', cell: (a) => timeEl(a.created_at) },
		],
		defaults: { role: 'helpdesk' },
		fields: (ctx, isNew) => [
			{ name: 'username', label: 'Username', required: true, maxlength: 64,
			  autocomplete: 'off' },
			{ name: 'role', label: 'Role', type: 'select', options: ROLE_OPTIONS,
			  help: 'read-only reads; helpdesk also locks, unlocks and creates enrolment ' +
				'tokens; admin does everything.' },
			{ name: 'password', label: 'Password', type: 'password', required: isNew,
			  help: isNew ? '8 to 256 characters.' : 'Leave empty to keep the current password.' },
		],
	},
	devices: {
		title: 'Devices', singular: 'device', api: '/api/v1/devices',
		label: deviceLabel, noCreate: true, noDelete: true,
		async listContext() {
			return { users: await names('/api/v1/users') };
		},
		filters: () => [{ name: 'status', label: 'Status', options:
			['pending', 'active', 'inactive', 'locked', 'wiped'].map((s) =>
				({ value: s, label: s })) }],
		columns: (ctx) => [
			{ title: 'Name', cell: (d) => h('a', { href: `#/devices/${d.id}` }, deviceLabel(d)) },
			{ title: 'User', cell: (d) => ref('users', ctx.users, d.user_id, userLabel) },
			{ title: 'Model', cell: (d) => d.model || '—' },
			{ title: 'Status', cell: (d) => badge(d.status) },
			{ title: 'Last check-in', cell: (d) => d.last_checkin_at ? timeEl(d.last_checkin_at, true) : 'never' },
			{ title: 'Policy version', cell: (d) => d.policy_version ?? '—' },
		],
		async formContext() {
			const [users, apps, images] = await Promise.all([
				names('/api/v1/users'), names('/api/v1/apps'), names('/api/v1/images')]);
			return { users, apps, images };
		},
		fields: () => [{ name: 'name', label: 'Device name', nullable: true, maxlength: 128 }],
		summary: (d, ctx) => deviceSummary(d, ref('users', ctx.users, d.user_id, userLabel)),
		extras: deviceExtras,
		editTitle: 'Name',
	},
};

function imageLabel(i) {
	return i.version ? `${i.name} ${i.version}` : i.name;
}

function contentFields() {
	return [
		{ name: 'name', label: 'Name', required: true, maxlength: 128 },
		{ name: 'version', label: 'Version', nullable: true, maxlength: 64 },
		{ name: 'description', label: 'Description', type: 'textarea', nullable: true,
		  maxlength: 2000 },
	];
}

function contentSummary(o) {
	return facts([
		['SHA-256', o.sha256 ? h('code', null, o.sha256) : 'not uploaded yet'],
		['Size', o.sha256 ? fmtSize(o.size) : '—'],
		['Last changed', timeEl(o.updated_at)],
	]);
}

/* Upload of an image or application file: streamed, checked by the server. */
function contentExtras(root, obj, ctx, desc) {
	const fileId = uid('file');
	const helpId = uid('help');
	const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'Upload the file' },
		       h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
		       h('div', { class: 'field', 'data-field': 'file' },
			 h('label', { for: fileId }, 'File'),
			 h('input', { type: 'file', id: fileId, name: 'file', required: true,
				      'aria-describedby': helpId }),
			 h('p', { class: 'help', id: helpId }, obj.sha256 ?
			   'Uploading replaces the current file.' :
			   'The server stores it by its SHA-256; devices download it from there.'),
			 h('p', { class: 'field-error', hidden: true })),
		       h('div', { class: 'form-actions' },
			 h('button', { type: 'submit', class: 'btn primary', disabled: !canWrite() },
			   'Upload')));

	form.addEventListener('submit', async (ev) => {
		const file = form.querySelector('input[type=file]').files[0];

		ev.preventDefault();
		clearErrors(form);
		if (!file) {
			showError(form, { field: 'file', message: 'Choose a file to upload.' });
			return;
		}
		form.setAttribute('aria-busy', 'true');
		announce(`Uploading ${file.name} (${fmtSize(file.size)})…`);
		try {
			await api('PUT', `${desc.api}/${obj.id}/content`, file);
			flash(`Uploaded ${file.name}.`);
			session.render();
		} catch (err) {
			announce('', 'none');
			showError(form, err);
		} finally {
			form.removeAttribute('aria-busy');
		}
	});
	root.append(section('Content', form));
}

/* The groups using a policy set or a template. */
async function usedBy(root, field, obj) {
	const groups = await listAll('/api/v1/groups', { [field]: obj.id });

	root.append(section('Groups using it', dataTable('Groups using it', [
		{ title: 'Group', cell: (g) => h('a', { href: `#/groups/${g.id}` }, g.name) },
		{ title: 'Description', cell: (g) => g.description || '—' },
	], groups, 'No group uses it.')));
}

/* FIG. 3C: the group's users and their work phones. */
async function groupExtras(root, g) {
	const [users, status] = await Promise.all([
		listAll('/api/v1/users', { group_id: g.id }), statusByUser()]);
	const groups = { byId: new Map([[g.id, g]]) };

	root.append(section('Group users',
			    usersTable('Group users', users, { groups, status }),
			    canWrite() ? linkButton(`#/users/new?group_id=${g.id}`,
						    'New user in this group') : null));
}

/* A user's devices, and a one-time enrolment token. */
async function userExtras(root, u) {
	const devices = await listAll('/api/v1/devices', { user_id: u.id });
	const { form, out } = enrolmentForm({ user: u });

	root.append(section('Work phones', dataTable('Work phones', [
		{ title: 'Device', cell: (d) => h('a', { href: `#/devices/${d.id}` }, deviceLabel(d)) },
		{ title: 'Model', cell: (d) => d.model || '—' },
		{ title: 'Status', cell: (d) => badge(d.status) },
		{ title: 'Enrolled', cell: (d) => timeEl(d.enrolled_at) },
		{ title: 'Last check-in', cell: (d) => d.last_checkin_at ? timeEl(d.last_checkin_at, true) : 'never' },
	], devices, 'No work phone enrolled yet.')), section('Enrolment', form, out));
}

/* --- change history (FIG. 3C-3D "View Change History") --- */

export function changes(e) {
	if (!e.before && e.after)
		return 'created';
	if (e.before && !e.after)
		return 'deleted';
	if (!e.before)
		return '—';
	const keys = Object.keys({ ...e.before, ...e.after })
		.filter((k) => k !== 'updated_at' &&
			JSON.stringify(e.before[k]) !== JSON.stringify(e.after[k]));
	if (!keys.length)
		return 'no field changed';
	return h('ul', { class: 'changes' }, keys.map((k) =>
		h('li', null, h('code', null, k), ': ', JSON.stringify(e.before[k] ?? null), ' → ',
		  JSON.stringify(e.after[k] ?? null))));
}

function historyPanel(desc, id) {
	const body = h('div');
	const det = h('details', { class: 'panel history' }, h('summary', null, 'Change history'), body);

	det.addEventListener('toggle', async () => {
		if (!det.open || body.childElementCount)
			return;
		body.append(h('p', { class: 'muted' }, 'Loading…'));
		try {
			const page = await api('GET', `${desc.api}/${id}/history?limit=100`);
			body.replaceChildren(dataTable('Change history', [
				{ title: 'When', cell: (e) => timeEl(e.at) },
				{ title: 'Who', cell: (e) => e.actor },
				{ title: 'Action', cell: (e) => e.action },
				{ title: 'Changes', cell: changes },
			], page.items, 'No changes recorded.'));
		} catch (err) {
			body.replaceChildren(h('p', { role: 'alert' }, err.message));
		}
	});
	return det;
}

/* --- the two generic views --- */

function hashFor(key, params) {
	return `#/${key}${query(params)}`;
}

function filterForm(key, desc, params, ctx) {
	const qId = uid('q');
	const filters = desc.filters ? desc.filters(ctx) : [];
	const form = h('form', { class: 'filters', role: 'search', 'aria-label': `Filter ${desc.title}` },
		       h('div', { class: 'field' },
			 h('label', { for: qId }, 'Search by name'),
			 h('input', { id: qId, name: 'q', type: 'search', value: params.get('q') || '' })),
		       filters.map((f) => {
			       const id = uid('flt');
			       return h('div', { class: 'field' },
					h('label', { for: id }, f.label),
					h('select', { id, name: f.name },
					  h('option', { value: '' }, 'all'),
					  f.options.map((o) => h('option', {
						  value: o.value, selected: params.get(f.name) === o.value,
					  }, o.label))));
		       }),
		       h('div', { class: 'form-actions' },
			 h('button', { type: 'submit', class: 'btn' }, 'Filter'),
			 params.toString() ? linkButton(`#/${key}`, 'Clear') : null));

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const p = {};
		for (const el of form.elements)
			if (el.name && el.value)
				p[el.name] = el.value;
		location.hash = hashFor(key, p);
	});
	return form;
}

export async function listView(root, key, route) {
	const desc = RESOURCES[key];
	const params = route.params;
	const offset = Math.max(0, Number(params.get('offset')) || 0);
	const q = { limit: 50, offset };

	for (const [k, v] of params)
		if (k !== 'offset')
			q[k] = v;
	const [page, ctx] = await Promise.all([
		api('GET', desc.api + query(q)), desc.listContext ? desc.listContext() : {}]);

	root.append(heading(desc.title, canWrite() && !desc.noCreate ?
			    linkButton(`#/${key}/new`, `New ${desc.singular}`, 'primary') : null),
		    filterForm(key, desc, params, ctx),
		    dataTable(desc.title, desc.columns(ctx), page.items,
			      params.toString() ? 'Nothing matches.' : 'Nothing here yet.'),
		    pager(page, (o) => hashFor(key, { ...Object.fromEntries(params), offset: o })));
}

export async function detailView(root, key, route) {
	const desc = RESOURCES[key];
	const id = route.parts[1];
	const isNew = id === 'new';
	const ctx = desc.formContext ? await desc.formContext() : {};
	const obj = isNew ? structuredClone(desc.defaults || {}) :
		await api('GET', `${desc.api}/${id}`);

	if (isNew)
		for (const p of desc.prefill || [])
			if (route.params.get(p))
				obj[p] = route.params.get(p);
	const title = isNew ? `New ${desc.singular}` : desc.label(obj);
	const del = !isNew && !desc.noDelete && canWrite() ?
		button(`Delete ${desc.singular}`, async () => {
			const ok = await confirmDialog({
				title: `Delete ${desc.singular} “${title}”?`,
				message: 'This cannot be undone; the change history keeps a record.',
				confirm: 'Delete', danger: true,
			});
			if (!ok)
				return;
			try {
				await api('DELETE', `${desc.api}/${obj.id}`);
				flash(`Deleted ${desc.singular} ${title}.`);
				location.hash = `#/${key}`;
			} catch (err) {
				announce(`Cannot delete ${title}: ${err.message}`, 'error');
			}
		}, 'danger') : null;
	const form = buildForm({
		fields: desc.fields(ctx, isNew),
		sections: desc.sections,
		values: obj,
		label: isNew ? `New ${desc.singular}` : `Edit ${title}`,
		readOnly: !canWrite(),
		submitLabel: isNew ? `Create ${desc.singular}` : 'Save changes',
		async onSubmit(values) {
			if (isNew) {
				const created = await api('POST', desc.api, forCreate(values));
				flash(`Created ${desc.singular} ${desc.label(created)}.`);
				location.hash = `#/${key}/${created.id}`;
				return;
			}
			const change = forUpdate(values, obj);
			if (!Object.keys(change).length) {
				announce('Nothing to save: no field changed.');
				return;
			}
			const updated = await api('PATCH', `${desc.api}/${obj.id}`, change);
			flash(`Saved ${desc.singular} ${desc.label(updated)}.`);
			session.render();
		},
	});

	root.append(heading(title, linkButton(`#/${key}`, `All ${desc.title.toLowerCase()}`), del));
	if (!isNew && desc.summary)
		root.append(desc.summary(obj, ctx));
	root.append(section(isNew ? 'Details' : desc.editTitle || 'Edit', form));
	if (!isNew) {
		if (desc.extras)
			await desc.extras(root, obj, ctx, desc);
		root.append(historyPanel(desc, obj.id));
	}
}
