// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devices and commands: a device's state and its actions (lock, unlock,
 * wipe, install or remove an application, update the image, push the
 * policy, re-pin), and the commands and scheduled jobs view (a command
 * with a "not before" time is a scheduled job), with approval of held
 * wipes and cancellation.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
import { api, listAll, query, uuid } from './api.js';
import { fieldBox, clearErrors, showError } from './forms.js';
import {
	h, append, heading, section, button, dataTable, pager, facts, badge, timeEl, shortId,
	announce, confirmDialog, canWrite, canHelp, session,
} from './ui.js';

export const deviceLabel = (d) => d.name || `Device ${shortId(d.id)}`;

export const COMMAND_TYPES = {
	lock: { label: 'Lock', admin: false },
	unlock: { label: 'Unlock', admin: false },
	wipe: { label: 'Wipe', admin: true },
	install_app: { label: 'Install application', admin: false, param: 'app_id' },
	remove_app: { label: 'Remove application', admin: false, param: 'app_id' },
	image_update: { label: 'Update image', admin: true, param: 'image_id' },
	policy_change: { label: 'Push policy', admin: true },
	repin: { label: 'Re-pin certificate', admin: true },
};
const STATES = ['held', 'queued', 'sent', 'done', 'failed', 'expired', 'cancelled'];
const TTLS = [[3600, '1 hour'], [86400, '1 day'], [604800, '7 days'], [2592000, '30 days'],
	      [7776000, '90 days']];

export function deviceSummary(d, userLink) {
	return facts([
		['Status', badge(d.status)],
		['User', userLink],
		['Model', d.model || '—'],
		['Enrolled', timeEl(d.enrolled_at)],
		['Installed', timeEl(d.installed_at)],
		['Last check-in', d.last_checkin_at ? timeEl(d.last_checkin_at) : 'never'],
		['Inactive after', timeEl(d.inactive_at)],
		['Policy version', d.policy_version ?? '—'],
		['Image', d.image_sha256 ? h('code', null, d.image_sha256) : '—'],
	]);
}

function paramText(c, ctx) {
	const p = c.params || {};
	if (p.app_id) {
		const a = ctx.apps && ctx.apps.byId.get(p.app_id);
		return h('a', { href: `#/apps/${p.app_id}` }, a ? a.name : shortId(p.app_id));
	}
	if (p.image_id) {
		const i = ctx.images && ctx.images.byId.get(p.image_id);
		return h('a', { href: `#/images/${p.image_id}` }, i ? i.name : shortId(p.image_id));
	}
	return '—';
}

const PENDING = new Set(['held', 'queued', 'sent']);

/* Approve (a held wipe, by another admin) or cancel a command. */
async function commandAction(c, what) {
	if (what === 'cancel' && !await confirmDialog({
		title: `Cancel this ${COMMAND_TYPES[c.type].label.toLowerCase()} command?`,
		message: 'The device will not receive it.', confirm: 'Cancel command', danger: true,
	}))
		return;
	try {
		await api('POST', `/api/v1/commands/${c.id}/${what}`);
		announce(what === 'approve' ? 'Approved: the command is queued.' : 'Command cancelled.');
		await session.render({ keepStatus: true });
	} catch (err) {
		announce(err.message, 'error');
	}
}

export function commandsTable(caption, commands, ctx, showDevice = true) {
	const me = session.admin ? session.admin.username : '';

	return dataTable(caption, [
		{ title: 'Command', cell: (c) => (COMMAND_TYPES[c.type] || { label: c.type }).label },
		{ title: 'Created', cell: (c) => timeEl(c.created_at) },
		showDevice ? {
			title: 'Device', cell: (c) => {
				const d = ctx.devices && ctx.devices.byId.get(c.device_id);
				return h('a', { href: `#/devices/${c.device_id}` },
					 d ? deviceLabel(d) : shortId(c.device_id));
			},
		} : null,
		{ title: 'Parameter', cell: (c) => paramText(c, ctx) },
		{ title: 'State', cell: (c) => badge(c.state) },
		{ title: 'Scheduled for', cell: (c) => c.not_before ? timeEl(c.not_before) : 'now' },
		{ title: 'Expires', cell: (c) => PENDING.has(c.state) ? timeEl(c.expires_at, true) : '—' },
		{ title: 'By', cell: (c) => c.approved_by ? `${c.created_by}, approved by ${c.approved_by}` :
			c.created_by },
		{ title: 'Result', cell: (c) => c.result ?
			[c.result.status, ' ', timeEl(c.result.reported_at, true)] : '—' },
		{ title: 'Actions', cell: (c) => [
			c.state === 'held' && canWrite() && c.created_by !== me ?
				button('Approve', () => commandAction(c, 'approve'), 'small primary',
				       { 'aria-label': `Approve ${c.type} ${shortId(c.id)}` }) : null,
			PENDING.has(c.state) && canHelp() ?
				button('Cancel', () => commandAction(c, 'cancel'), 'small',
				       { 'aria-label': `Cancel ${c.type} ${shortId(c.id)}` }) : null,
		] },
	].filter(Boolean), commands, 'No commands.');
}

function allowed(type) {
	return COMMAND_TYPES[type].admin ? canWrite() : canHelp();
}

/*
 * The command form: timing (a "not before" time makes it a scheduled
 * job, and its TTL), the device (when not given), and one button per
 * command type.  Server errors are shown next to the field they name.
 */
function commandForm({ device, devices, apps, images, onSent }) {
	const fields = {
		device_id: { name: 'device_id', label: 'Device', type: 'select', options:
			(devices ? devices.items : []).filter((d) => d.status !== 'wiped')
				.map((d) => ({ value: d.id, label: deviceLabel(d) })) },
		not_before: { name: 'not_before', label: 'Not before', type: 'datetime-local',
			      help: 'Empty: at the next check-in. With a time, a scheduled job.' },
		ttl_s: { name: 'ttl_s', label: 'Expires after', type: 'select', options:
			 TTLS.map(([v, l]) => ({ value: String(v), label: l })) },
		app_id: { name: 'app_id', label: 'Application', type: 'select', options:
			  apps.items.map((a) => ({ value: a.id, label: `${a.name} ${a.version || ''}` })) },
		image_id: { name: 'image_id', label: 'Image', type: 'select', options:
			    images.items.map((i) => ({ value: i.id, label: `${i.name} ${i.version || ''}` })) },
	};
	const form = h('form', { class: 'form', novalidate: true,
				 'aria-label': device ? 'Actions' : 'New command' });
	const value = (n) => form.querySelector(`[name="${n}"]`).value;
	const wiped = device && device.status === 'wiped';

	async function send(type) {
		const t = COMMAND_TYPES[type];
		const target = device ? device.id : value('device_id');
		const body = { id: uuid(), device_id: target, type, ttl_s: Number(value('ttl_s')) };
		const nb = value('not_before');

		clearErrors(form);
		if (t.param)
			body.params = { [t.param]: value(t.param) };
		if (nb)
			body.not_before = new Date(nb).getTime();
		if (type === 'wipe' && !await confirmDialog({
			title: 'Wipe the work phone?',
			message: `The work phone on ${device ? deviceLabel(device) : 'this device'} is ` +
				 'erased for good. The personal side of the device is not touched.',
			confirm: 'Wipe work phone', danger: true,
		}))
			return;
		try {
			const c = await api('POST', '/api/v1/commands', body);
			announce(c.state === 'held' ?
				 `${t.label}: held by the mass-wipe protection until another ` +
				 'administrator approves it.' :
				 `${t.label}: ${c.not_before ? 'scheduled' : 'queued'} for the ` +
				 'next check-in.');
			await onSent(c);
		} catch (err) {
			showError(form, err);
		}
	}
	const btn = (type, cls = '') => button(COMMAND_TYPES[type].label + (type === 'wipe' ? '…' : ''),
					       () => send(type), cls,
					       { disabled: wiped || !allowed(type) });

	form.addEventListener('submit', (ev) => ev.preventDefault());
	append(form, [
		h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
		device ? null : fieldBox(fields.device_id),
		h('fieldset', { class: 'group' }, h('legend', null, 'When'),
		  fieldBox(fields.not_before), fieldBox(fields.ttl_s, '604800')),
		h('fieldset', { class: 'group' }, h('legend', null, 'Work phone'),
		  h('div', { class: 'toolbar' }, btn('lock'), btn('unlock'), btn('policy_change'),
		    btn('repin'), btn('wipe', 'danger'))),
		h('fieldset', { class: 'group' }, h('legend', null, 'Applications and image'),
		  fieldBox(fields.app_id),
		  h('div', { class: 'toolbar' }, btn('install_app'), btn('remove_app')),
		  fieldBox(fields.image_id),
		  h('div', { class: 'toolbar' }, btn('image_update')))]);
	return form;
}

/* The device view's panels: actions and the device's commands. */
export async function deviceExtras(root, d, ctx) {
	const page = await api('GET', '/api/v1/commands' + query({ device_id: d.id, limit: 100 }));

	root.append(section('Actions', d.status === 'wiped' ?
			    h('p', null, 'This work phone was wiped: it takes no more commands.') : null,
			    commandForm({ device: d, apps: ctx.apps, images: ctx.images,
					  onSent: () => session.render({ keepStatus: true }) })),
		    section('Commands', commandsTable('Commands of this device', page.items, ctx, false)));
}

/* Commands and scheduled jobs. */
export async function commandsView(root, route) {
	const p = route.params;
	const offset = Math.max(0, Number(p.get('offset')) || 0);
	const scheduledOnly = p.get('scheduled') === 'true';
	const filter = { state: p.get('state'), type: p.get('type'), device_id: p.get('device_id'),
			 scheduled: scheduledOnly ? 'true' : undefined };
	const [page, devices, apps, images] = await Promise.all([
		api('GET', '/api/v1/commands' + query({ ...filter, limit: 50, offset })),
		listAll('/api/v1/devices'), listAll('/api/v1/apps'), listAll('/api/v1/images')]);
	const lookup = (items) => ({ items, byId: new Map(items.map((o) => [o.id, o])) });
	const ctx = { devices: lookup(devices), apps: lookup(apps), images: lookup(images) };
	const stateId = 'cmd-state';
	const typeId = 'cmd-type';
	const schedId = 'cmd-sched';
	const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter commands' },
			  h('div', { class: 'field' }, h('label', { for: stateId }, 'State'),
			    h('select', { id: stateId, name: 'state' }, h('option', { value: '' }, 'all'),
			      STATES.map((s) => h('option', { value: s, selected: filter.state === s }, s)))),
			  h('div', { class: 'field' }, h('label', { for: typeId }, 'Command'),
			    h('select', { id: typeId, name: 'type' }, h('option', { value: '' }, 'all'),
			      Object.entries(COMMAND_TYPES).map(([k, t]) =>
				      h('option', { value: k, selected: filter.type === k }, t.label)))),
			  h('div', { class: 'field check' },
			    h('input', { type: 'checkbox', id: schedId, name: 'scheduled', value: 'true',
					 checked: scheduledOnly }),
			    h('label', { for: schedId, title: 'Commands whose "not before" time is ' +
					 'still to come' }, 'Scheduled jobs only')),
			  h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn' },
								  'Filter')));

	filters.addEventListener('submit', (ev) => {
		const q = {};

		ev.preventDefault();
		for (const el of filters.elements)
			if (el.name && el.value && (el.type !== 'checkbox' || el.checked))
				q[el.name] = el.value;
		location.hash = '#/commands' + query(q);
	});
	root.append(heading('Commands and scheduled jobs'), filters,
		    commandsTable('Commands and scheduled jobs', page.items, ctx),
		    pager(page, (o) => '#/commands' + query({ ...Object.fromEntries(p), offset: o })));
	if (canHelp()) {
		const form = commandForm({ devices: ctx.devices, apps: ctx.apps, images: ctx.images,
					   onSent: () => session.render({ keepStatus: true }) });
		root.append(h('details', { class: 'panel' },
			      h('summary', null, 'New command or scheduled job'), form));
	}
}
