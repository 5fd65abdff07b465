// SPDX-License-Identifier: GPL-2.0-only
/*
 * The REST API client of the dashboard: JSON over fetch() to /api/v1/...
 * with the bearer token of POST /api/v1/login, kept in sessionStorage (it
 * goes with the browser tab).  Errors become ApiError with the server's
 * stable code, the field at fault and its message.
 *
 * Copyright (C) 2026 The Workphone Authors
 */

const TOKEN_KEY = 'wp-token';
const ADMIN_KEY = 'wp-admin';

export class ApiError extends Error {
	constructor(status, code, message, field) {
		super(message);
		this.status = status;
		this.code = code;
		this.field = field || null;
	}
}

/* The logged-in administrator ({id, username, role}) or null. */
export function currentAdmin() {
	if (!sessionStorage.getItem(TOKEN_KEY))
		return null;
	try {
		return JSON.parse(sessionStorage.getItem(ADMIN_KEY));
	} catch {
		return null;
	}
}

function forget() {
	sessionStorage.removeItem(TOKEN_KEY);
	sessionStorage.removeItem(ADMIN_KEY);
}

/* "?a=1&b=2" from an object, leaving out empty values. */
export function query(params) {
	const q = new URLSearchParams();

	for (const [k, v] of Object.entries(params || {}))
		if (v !== undefined && v !== null && v !== '')
			q.set(k, String(v));
	const s = q.toString();
	return s ? '?' + s : '';
}

/*
 * One API call.  @body is a JSON value, or a Blob/File sent as the raw
 * request body (uploads).  Answers the decoded JSON (null for 204).
 */
export async function api(method, path, body) {
	const headers = { Accept: 'application/json' };
	const token = sessionStorage.getItem(TOKEN_KEY);
	let payload;
	let res;

	if (token)
		headers.Authorization = 'Bearer ' + token;
	if (body instanceof Blob) {
		headers['Content-Type'] = 'application/octet-stream';
		payload = body;
	} else if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		payload = JSON.stringify(body);
	}
	try {
		res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
	} catch (e) {
		throw new ApiError(0, 'network', `The server cannot be reached (${e.message}).`);
	}
	const text = await res.text();
	let data = null;

	if (text) {
		try {
			data = JSON.parse(text);
		} catch {
			data = null;
		}
	}
	if (!res.ok) {
		const e = (data && data.error) || {};
		const err = new ApiError(res.status, e.code || 'http_' + res.status,
					 e.message || `${method} ${path}: HTTP ${res.status}`,
					 e.field);

		if (res.status === 401 && token) {
			forget();
			window.dispatchEvent(new CustomEvent('wp-unauthorized', { detail: err }));
		}
		throw err;
	}
	return data;
}

/* Every item of a list (for choices in forms), up to @max. */
export async function listAll(path, params, max = 2000) {
	const items = [];

	for (let offset = 0; offset < max; offset += 500) {
		const page = await api('GET', path + query({ ...params, limit: 500, offset }));

		items.push(...page.items);
		if (items.length >= page.total || !page.items.length)
			break;
	}
	return items;
}

export async function login(username, password) {
	const r = await api('POST', '/api/v1/login', { username, password });

	sessionStorage.setItem(TOKEN_KEY, r.token);
	sessionStorage.setItem(ADMIN_KEY, JSON.stringify(r.admin));
	return r.admin;
}

export async function logout() {
	try {
		await api('POST', '/api/v1/logout');
	} finally {
		forget();
	}
}

/* A random UUID for a command, so a retried request creates nothing new. */
export function uuid() {
	if (crypto.randomUUID)
		return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));

	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
	return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
