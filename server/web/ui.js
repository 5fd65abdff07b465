// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOM helpers of the dashboard: an element builder that only ever creates
 * text nodes (never HTML from data), tables, pagers, badges, the live
 * status region, confirmation dialogs and value formatting.
 *
 * Copyright (C) 2026 The Workphone Authors
 */

/* h('a', {href: '#/x', class: 'btn'}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);

	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else if (k === 'class')
			el.className = v;
		else if (k === 'value' || k === 'checked' || k === 'selected')
			el[k] = v;
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	return el;
}

export function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === undefined || c === null || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

let nextId = 0;

/* A unique element id. */
export function uid(prefix) {
	return `${prefix}-${++nextId}`;
}

/* The session: who is logged in, and how to redraw the current view. */
export const session = { admin: null, render: () => {} };

export function canWrite() {
	return session.admin && session.admin.role === 'admin';
}

export function canHelp() {
	return session.admin && session.admin.role !== 'read-only';
}

/*
 * The live regions: results of actions (polite, #status) and errors
 * (assertive, #alert), read out by screen readers.
 */
let pending = null;

export function announce(text, kind = 'ok') {
	const s = document.getElementById('status');
	const a = document.getElementById('alert');

	a.textContent = kind === 'error' ? text : '';
	a.hidden = kind !== 'error';
	s.textContent = kind === 'error' ? '' : text;
	s.hidden = !s.textContent;
}

/* A message for the view about to be shown (after a redirect). */
export function flash(text, kind = 'ok') {
	pending = { text, kind };
}

export function takeFlash() {
	const p = pending;

	pending = null;
	if (p)
		announce(p.text, p.kind);
	else
		announce('', 'none');
}

/* --- formatting --- */

export function fmtTime(ms) {
	if (ms === null || ms === undefined)
		return '—';
	return new Date(ms).toLocaleString(undefined, {
		year: 'numeric', month: 'short', day: 'numeric',
		hour: '2-digit', minute: '2-digit', second: '2-digit',
	});
}

export function fmtAgo(ms) {
	if (ms === null || ms === undefined)
		return 'never';
	const s = Math.round((Date.now() - ms) / 1000);
	const abs = Math.abs(s);
	let t;

	if (abs < 45)
		t = 'seconds';
	else if (abs < 5400)
		t = `${Math.round(abs / 60)} min`;
	else if (abs < 129600)
		t = `${Math.round(abs / 3600)} h`;
	else
		t = `${Math.round(abs / 86400)} days`;
	return s >= 0 ? `${t} ago` : `in ${t}`;
}

/* <time> with the full date as its title and machine-readable value. */
export function timeEl(ms, relative = false) {
	if (ms === null || ms === undefined)
		return '—';
	return h('time', { datetime: new Date(ms).toISOString(), title: fmtTime(ms) },
		 relative ? fmtAgo(ms) : fmtTime(ms));
}

export const UNITS = [
	{ s: 86400, one: 'day', many: 'days' },
	{ s: 3600, one: 'hour', many: 'hours' },
	{ s: 60, one: 'minute', many: 'minutes' },
	{ s: 1, one: 'second', many: 'seconds' },
];

/* 43200 -> "12 hours", 86400 -> "1 day", 90 -> "90 seconds" */
export function fmtDuration(s) {
	if (s === null || s === undefined)
		return '—';
	const u = UNITS.find((u) => s % u.s === 0) || UNITS[3];
	const n = s / u.s;
	return `${n} ${n === 1 ? u.one : u.many}`;
}

export function fmtSize(n) {
	if (n === null || n === undefined)
		return '—';
	const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;

	while (n >= 1024 && i < units.length - 1) {
		n /= 1024;
		i++;
	}
	return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

export function shortId(id) {
	return id ? id.slice(0, 8) : '—';
}

const STATUS_LABELS = {
	pending: 'Pending install', active: 'Active', inactive: 'Inactive',
	locked: 'Locked', wiped: 'Wiped', held: 'Held (approval needed)',
	queued: 'Queued', sent: 'Sent', done: 'Done', failed: 'Failed',
	expired: 'Expired', cancelled: 'Cancelled', none: 'Not enrolled',
};

export function statusLabel(s) {
	return STATUS_LABELS[s] || s;
}

/* A status shown as text and colour (never colour alone). */
export function badge(status) {
	return h('span', { class: `badge badge-${status}` }, statusLabel(status));
}

/* --- page structure --- */

/* The view's heading, focused after navigation for screen readers. */
export function heading(text, ...actions) {
	document.title = `${text} — Workphone`;
	return h('div', { class: 'view-head' },
		 h('h1', { id: 'view-title', tabindex: '-1' }, text),
		 actions.length ? h('div', { class: 'toolbar' }, actions) : null);
}

export function section(title, ...children) {
	const id = uid('sec');
	return h('section', { class: 'panel', 'aria-labelledby': id },
		 h('h2', { id }, title), children);
}

export function linkButton(href, text, cls = '') {
	return h('a', { href, class: `btn ${cls}`.trim() }, text);
}

export function button(text, onclick, cls = '', attrs = {}) {
	return h('button', { type: 'button', class: `btn ${cls}`.trim(), onclick, ...attrs }, text);
}

/*
 * A table: columns [{title, cell(row) -> node|string, class?}], with a
 * caption (visually hidden unless @showCaption) and a row for no data.
 */
export function dataTable(caption, columns, rows, empty = 'Nothing here yet.') {
	const body = rows.length ?
		rows.map((r) => h('tr', null, columns.map((c, i) =>
			h(i ? 'td' : 'th', { scope: i ? null : 'row', class: c.class },
			  c.cell(r))))) :
		h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, empty));

	return h('div', { class: 'table-wrap' },
		 h('table', null,
		   h('caption', { class: 'visually-hidden' }, caption),
		   h('thead', null, h('tr', null, columns.map((c) =>
			   h('th', { scope: 'col', class: c.class }, c.title)))),
		   h('tbody', null, body)));
}

/* "Showing 51-100 of 230" and previous/next links (hash routes). */
export function pager(page, hrefFor) {
	const { total, limit, offset } = page;
	const from = total ? offset + 1 : 0;
	const to = Math.min(offset + limit, total);

	return h('nav', { class: 'pager', 'aria-label': 'Pages' },
		 h('span', null, `Showing ${from}–${to} of ${total}`),
		 offset > 0 ? h('a', { href: hrefFor(Math.max(0, offset - limit)), class: 'btn' },
				'Previous page') : null,
		 to < total ? h('a', { href: hrefFor(offset + limit), class: 'btn' },
				'Next page') : null);
}

/* A definition list from [[term, value], ...]. */
export function facts(pairs) {
	return h('dl', { class: 'facts' },
		 pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

/*
 * A modal confirmation (<dialog>: focus is kept inside and returned on
 * close, Escape cancels).  Resolves true when confirmed.
 */
export function confirmDialog({ title, message, confirm = 'Confirm', danger = false }) {
	return new Promise((resolve) => {
		const tid = uid('dlg');
		const did = uid('dlg');
		const dlg = h('dialog', { 'aria-labelledby': tid, 'aria-describedby': did },
			      h('form', { method: 'dialog' },
				h('h2', { id: tid }, title),
				h('p', { id: did }, message),
				h('div', { class: 'toolbar' },
				  h('button', { value: 'cancel', class: 'btn' }, 'Cancel'),
				  h('button', { value: 'ok', class: `btn ${danger ? 'danger' : 'primary'}` },
				    confirm))));

		dlg.addEventListener('close', () => {
			resolve(dlg.returnValue === 'ok');
			dlg.remove();
		});
		document.body.append(dlg);
		dlg.showModal();
		dlg.querySelector('button[value=cancel]').focus();
	});
}

/* A panel for an error that stopped a view from loading. */
export function errorPanel(err) {
	return h('div', { class: 'error-panel', role: 'alert' },
		 h('p', null, err.status === 404 ? 'Not found: ' : 'Error: ', err.message));
}
