// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dashboard (patent FIG. 3A): usage statistics (GET /api/v1/stats)
 * and the activity feed of recent administration (GET /api/v1/activity).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
import { api, query } from './api.js';
import { h, heading, section, button, dataTable, badge, timeEl, shortId, session, uid } from './ui.js';

/* Where an object of the feed is shown. */
const OBJECT_VIEWS = {
	admin: 'admins', user: 'users', group: 'groups', policy_set: 'policy-sets',
	template: 'templates', image: 'images', app: 'apps', device: 'devices',
};
export const OBJECT_LABELS = {
	admin: 'Administrator', user: 'User', group: 'Group', policy_set: 'Policy set',
	template: 'Template', image: 'Image', app: 'Application', device: 'Device',
	command: 'Command', api_token: 'API token', enrollment_token: 'Enrolment token',
};
const FEED_PAGE = 25;

export function objectCell(e) {
	const label = `${OBJECT_LABELS[e.object_type] || e.object_type} ${shortId(e.object_id)}`;

	if (OBJECT_VIEWS[e.object_type] && e.object_id && e.action !== 'delete')
		return h('a', { href: `#/${OBJECT_VIEWS[e.object_type]}/${e.object_id}` }, label);
	if (e.object_type === 'command')
		return h('a', { href: '#/commands' }, label);
	return label;
}

function statCard(label, value, href) {
	return h('li', null, h('a', { href, class: 'card' },
			       h('span', { class: 'count' }, String(value ?? 0)),
			       h('span', { class: 'card-label' }, label)));
}

function breakdown(caption, counts, href) {
	const entries = Object.entries(counts || {});

	return h('div', { class: 'breakdown' }, h('h3', null, caption),
		 entries.length ?
			 h('ul', null, entries.map(([k, n]) => h('li', null,
				 h('a', { href: href(k) }, badge(k), ' ', h('strong', null, String(n)))))) :
			 h('p', { class: 'muted' }, 'None yet.'));
}

/* The feed: newest first, filtered by object type, "Show older" pages on. */
function activityFeed() {
	const typeId = uid('feed');
	const list = h('div', { class: 'feed' });
	const more = button('Show older activity', () => load(false));
	const type = h('select', { id: typeId },
		       h('option', { value: '' }, 'everything'),
		       Object.entries(OBJECT_LABELS).map(([k, l]) => h('option', { value: k }, l)));
	let items = [];
	let total = 0;

	async function load(fresh) {
		const page = await api('GET', '/api/v1/activity' + query({
			limit: FEED_PAGE, offset: fresh ? 0 : items.length, object_type: type.value }));

		items = fresh ? page.items : items.concat(page.items);
		total = page.total;
		list.replaceChildren(dataTable('Activity feed', [
			{ title: 'When', cell: (e) => timeEl(e.at, true) },
			{ title: 'Who', cell: (e) => e.actor },
			{ title: 'Action', cell: (e) => e.action },
			{ title: 'Object', cell: objectCell },
			{ title: 'Summary', cell: (e) => e.summary },
		], items, 'No activity yet.'));
		more.hidden = items.length >= total;
	}
	type.addEventListener('change', () => load(true));
	const el = section('Activity feed',
			   h('div', { class: 'filters' }, h('div', { class: 'field' },
				   h('label', { for: typeId }, 'Show'), type)),
			   list, more);
	el.classList.add('activity');
	return { el, load };
}

export async function dashboardView(root) {
	const feed = activityFeed();
	const [stats] = await Promise.all([api('GET', '/api/v1/stats'), feed.load(true)]);
	const c = stats.counts;
	const up = stats.uptime_s;

	root.append(
		heading('Dashboard', button('Refresh', () => session.render())),
		section('Usage statistics',
			h('ul', { class: 'cards' },
			  statCard('Users', c.users, '#/users'),
			  statCard('Business groups', c.groups, '#/groups'),
			  statCard('Devices', c.devices, '#/devices'),
			  statCard('Check-ins in the last 24 h', stats.checkins_last_24h, '#/devices'),
			  statCard('Policy sets', c.policy_sets, '#/policy-sets'),
			  statCard('Templates', c.templates, '#/templates'),
			  statCard('Work phone images', c.images, '#/images'),
			  statCard('Applications', c.apps, '#/apps'),
			  statCard('Administrators', c.admins, '#/admins')),
			h('div', { class: 'breakdowns' },
			  breakdown('Work phones by status', stats.devices_by_status,
				    (k) => `#/devices?status=${k}`),
			  breakdown('Commands by state', stats.commands_by_state,
				    (k) => `#/commands?state=${k}`)),
			h('p', { class: 'muted' }, `Server: ${stats.backend} database, up for `,
			  up >= 86400 ? `${Math.floor(up / 86400)} days` :
			  up >= 3600 ? `${Math.floor(up / 3600)} hours` : `${Math.floor(up / 60)} minutes`,
			  '.')),
		feed.el);
}
