// SPDX-License-Identifier: GPL-2.0-only
/*
 * Secrets shown once (API and enrolment tokens), and the form that makes a
 * one-time enrolment token (POST /api/v1/enrollment-tokens), used on a
 * user's page (for that user) and on the configuration page (any user).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
import { api } from './api.js';
import { clearErrors, showError } from './forms.js';
import { h, canHelp, uid } from './ui.js';

export const TTLS = [[3600, '1 hour'], [86400, '1 day'], [604800, '7 days'],
		     [2592000, '30 days']];

/* Show a secret once, selected for copying, with a label and a hint. */
export function secretOut(out, label, value, help) {
	const id = uid('secret');

	out.replaceChildren(h('label', { for: id }, label),
			    h('input', { id, class: 'token', readonly: true, value }),
			    h('p', { class: 'help' }, help));
	out.querySelector('input').select();
}

const userLabel = (u) => u.display_name ? `${u.display_name} (${u.username})` : u.username;

/*
 * The enrolment token form: for @user alone, or with a choice among
 * @users.  Returns the form and the element the token appears in.
 */
export function enrolmentForm({ user = null, users = [] }) {
	const userId = uid('enr');
	const ttlId = uid('enr');
	const out = h('div', { class: 'token-out', 'aria-live': 'polite' });
	const form = h('form', { class: 'form inline', novalidate: true,
				 'aria-label': 'Create an enrolment token' },
		       h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
		       user ? null : h('div', { class: 'field', 'data-field': 'user_id' },
			 h('label', { for: userId }, 'User'),
			 h('select', { id: userId, name: 'user_id' },
			   users.map((u) => h('option', { value: u.id }, userLabel(u)))),
			 h('p', { class: 'field-error', hidden: true })),
		       h('div', { class: 'field', 'data-field': 'ttl_s' },
			 h('label', { for: ttlId }, 'Valid for'),
			 h('select', { id: ttlId, name: 'ttl_s' },
			   TTLS.map(([v, l]) => h('option', { value: v, selected: v === 604800 }, l))),
			 h('p', { class: 'field-error', hidden: true })),
		       h('div', { class: 'form-actions' },
			 h('button', { type: 'submit', class: 'btn',
				       disabled: !canHelp() || !(user || users.length) },
			   'Create enrolment token')));

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		try {
			const t = await api('POST', '/api/v1/enrollment-tokens', {
				user_id: user ? user.id : form.elements.user_id.value,
				ttl_s: Number(form.elements.ttl_s.value) });
			const u = user || users.find((x) => x.id === t.user_id);

			secretOut(out, user ? 'Enrolment token (shown only now; it works once)' :
				  `Enrolment token for ${u ? u.username : t.user_id} ` +
				  '(shown only now; it works once)', t.token,
				  `Valid until ${new Date(t.expires_at).toLocaleString()}. The user ` +
				  'types it into wp-provision instead of a password.');
		} catch (err) {
			showError(form, err);
		}
	});
	return { form, out };
}
