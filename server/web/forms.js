// SPDX-License-Identifier: GPL-2.0-only
/*
 * Forms of the dashboard, built from field descriptions.  Every control
 * has a label; the server is the judge of every value (the forms are
 * "novalidate"), and its error - {code, field, message} - is shown in an
 * alert at the top of the form and next to the field it names
 * ("app_ids[2]" and "params.app_id" name the app_ids and app_id controls),
 * which is then marked aria-invalid and focused.
 *
 * Field: {name, label, type, required, min, max, maxlength, help,
 *         nullable, options: [{value, label}], list: [...], autocomplete}
 * Types: text, email, password, textarea, number, bool, select, duration
 *        (seconds, entered with a unit), json (an object), multi
 *        (checkboxes giving an array of values).
 *
 * Copyright (C) 2026 The Workphone Authors
 */
import { ApiError } from './api.js';
import { h, uid, UNITS } from './ui.js';

function control(f, value, ids) {
	const common = {
		id: ids.input, name: f.name, required: f.required || null,
		'aria-describedby': `${ids.help} ${ids.error}`,
	};

	switch (f.type) {
	case 'textarea':
	case 'json':
		return h('textarea', {
			...common, rows: f.type === 'json' ? 6 : 3, maxlength: f.maxlength,
			spellcheck: f.type === 'json' ? 'false' : null,
			value: f.type === 'json' ? JSON.stringify(value ?? {}, null, 2) : value ?? '',
		});
	case 'number':
		return h('input', {
			...common, type: 'number', inputmode: 'numeric', step: 1, min: f.min,
			max: f.max, value: value ?? '',
		});
	case 'bool':
		return h('input', { ...common, type: 'checkbox', checked: !!value });
	case 'select':
		return h('select', common,
			 f.nullable || value === undefined || value === null ?
				h('option', { value: '' }, f.none || '— none —') : null,
			 f.options.map((o) => h('option', { value: o.value, selected: o.value === value },
						o.label)));
	default: {
		const listId = f.list ? uid('list') : null;

		return [h('input', {
			...common, type: f.type || 'text', maxlength: f.maxlength, list: listId,
			autocomplete: f.autocomplete || (f.type === 'password' ? 'new-password' : 'off'),
			value: value ?? '',
		}), f.list ? h('datalist', { id: listId }, f.list.map((v) => h('option', { value: v })))
			   : null];
	}
	}
}

/* A duration in seconds as a number and a unit (the largest that divides). */
function durationControl(f, value, ids) {
	const unit = value ? UNITS.find((u) => value % u.s === 0) : UNITS[1];
	const unitId = uid('unit');

	return h('div', { class: 'duration' },
		 h('input', {
			 id: ids.input, name: f.name, type: 'number', inputmode: 'decimal',
			 min: 0, step: 'any', value: value ? value / unit.s : '',
			 required: f.required || null,
			 'aria-describedby': `${ids.help} ${ids.error}`,
		 }),
		 h('label', { for: unitId, class: 'visually-hidden' }, `${f.label}: unit`),
		 h('select', { id: unitId, 'data-unit-of': f.name },
		   UNITS.map((u) => h('option', { value: u.s, selected: u === unit }, u.many))));
}

function multiControl(f, value, ids) {
	const chosen = new Set(value || []);

	return h('fieldset', { class: 'multi', 'aria-describedby': `${ids.help} ${ids.error}` },
		 h('legend', null, f.label),
		 f.options.length ?
			 h('div', { class: 'multi-list' }, f.options.map((o) => {
				 const id = uid('opt');
				 return h('div', { class: 'check' },
					  h('input', { type: 'checkbox', id, name: f.name, value: o.value,
						       checked: chosen.has(o.value) }),
					  h('label', { for: id }, o.label));
			 })) :
			 h('p', { class: 'muted' }, f.empty || 'Nothing to choose from yet.'));
}

export function fieldBox(f, value) {
	const ids = { input: uid('f'), help: uid('help'), error: uid('err') };
	const help = h('p', { class: 'help', id: ids.help }, f.help || '');
	const error = h('p', { class: 'field-error', id: ids.error, hidden: true });
	const req = f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null;

	if (f.type === 'multi')
		return h('div', { class: 'field', 'data-field': f.name },
			 multiControl(f, value, ids), help, error);
	if (f.type === 'bool')
		return h('div', { class: 'field check', 'data-field': f.name },
			 control(f, value, ids), h('label', { for: ids.input }, f.label), help, error);
	return h('div', { class: 'field', 'data-field': f.name },
		 h('label', { for: ids.input }, f.label, req),
		 f.type === 'duration' ? durationControl(f, value, ids) : control(f, value, ids),
		 help, error);
}

/* The typed value of every field (undefined: left empty). */
function collect(form, fields) {
	const out = {};

	for (const f of fields) {
		const box = form.querySelector(`[data-field="${f.name}"]`);
		const el = box.querySelector(`[name="${f.name}"]`);
		let v = el ? el.value.trim() : '';

		switch (f.type) {
		case 'bool':
			out[f.name] = el.checked;
			break;
		case 'multi':
			out[f.name] = [...box.querySelectorAll('input:checked')].map((i) => i.value);
			break;
		case 'number':
			out[f.name] = v === '' ? undefined : Number(v);
			break;
		case 'duration': {
			const unit = Number(box.querySelector('[data-unit-of]').value);
			out[f.name] = v === '' ? undefined : Math.round(Number(v) * unit);
			break;
		}
		case 'json':
			try {
				out[f.name] = v === '' ? {} : JSON.parse(v);
			} catch (e) {
				throw new ApiError(400, 'invalid_json',
						   `'${f.name}' is not valid JSON: ${e.message}`, f.name);
			}
			break;
		case 'password':
			out[f.name] = v === '' ? undefined : el.value;
			break;
		default:
			out[f.name] = v === '' && f.nullable ? null : v;
		}
	}
	return out;
}

/* What to POST: every value given. */
export function forCreate(values) {
	const out = {};

	for (const [k, v] of Object.entries(values))
		if (v !== undefined && v !== null)
			out[k] = v;
	return out;
}

/* What to PATCH: only what changed. */
export function forUpdate(values, original) {
	const out = {};

	for (const [k, v] of Object.entries(values)) {
		if (v === undefined)
			continue;
		if (JSON.stringify(v) !== JSON.stringify(original[k] ?? null))
			out[k] = v;
	}
	return out;
}

export function clearErrors(form) {
	const summary = form.querySelector('.form-error');

	summary.hidden = true;
	summary.textContent = '';
	for (const e of form.querySelectorAll('.field-error')) {
		e.hidden = true;
		e.textContent = '';
	}
	for (const e of form.querySelectorAll('[aria-invalid]'))
		e.removeAttribute('aria-invalid');
}

/* Show a server (or client) error at the top and next to its field. */
export function showError(form, err) {
	const summary = form.querySelector('.form-error');
	const base = err.field ? err.field.replace(/^params\./, '').replace(/[[.].*$/, '') : null;
	const box = base ? form.querySelector(`[data-field="${base}"]`) : null;

	summary.textContent = err.message;
	summary.hidden = false;
	if (!box) {
		summary.focus();
		return;
	}
	const msg = box.querySelector('.field-error');
	const ctl = box.querySelector('input, select, textarea, fieldset');

	msg.textContent = err.message;
	msg.hidden = false;
	(box.querySelector('fieldset') || ctl).setAttribute('aria-invalid', 'true');
	ctl.focus();
}

/*
 * A form.  @sections: [{title, fields: [names]}] groups fields in
 * fieldsets; @onSubmit(values) may throw an ApiError to show.
 */
export function buildForm({ fields, sections, values = {}, submitLabel = 'Save', onSubmit,
			    readOnly = false, label }) {
	const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
	const groups = sections ||
		[{ title: null, fields: fields.map((f) => f.name) }];
	const submit = h('button', { type: 'submit', class: 'btn primary', disabled: readOnly },
			 submitLabel);
	const form = h('form', { class: 'form', novalidate: true, 'aria-label': label },
		       h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
		       groups.map((g) => {
			       const boxes = g.fields.map((n) => fieldBox(byName[n], values[n]));
			       return g.title ?
				       h('fieldset', { class: 'group' }, h('legend', null, g.title), boxes) :
				       boxes;
		       }),
		       h('div', { class: 'form-actions' }, submit));

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		submit.disabled = true;
		form.setAttribute('aria-busy', 'true');
		try {
			await onSubmit(collect(form, fields), form);
		} catch (err) {
			if (!(err instanceof ApiError))
				throw err;
			showError(form, err);
		} finally {
			submit.disabled = readOnly;
			form.removeAttribute('aria-busy');
		}
	});
	return form;
}
