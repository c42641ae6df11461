// Create or edit a job as JSON (admin). The API's 422 field errors are listed beside the editor,
// each under the field it names; the edit is sent with If-Match so a concurrent change is not
// overwritten unseen.
import {call, describe, enc} from './api.js';
import {add, el, replace} from './dom.js';

const TEMPLATE = {
  id: 'my-job',
  description: 'what this job does',
  schedule: {cron: '0 9 * * *', timeZone: 'UTC'},
  tasks: [
    {id: 'first', type: 'noop'},
    {id: 'second', type: 'noop', dependsOn: ['first']},
  ],
};

export async function editorPage(ctx, id) {
  let text = JSON.stringify(TEMPLATE, null, 2);
  let etag = null;
  if (id) {
    const {body, etag: tag} = await call('GET', `/jobs/${enc(id)}`);
    // What the server adds is not the client's to edit (a PUT would ignore it anyway).
    for (const field of ['status', 'createdBy', 'createdAt', 'updatedBy', 'updatedAt']) {
      delete body[field];
    }
    text = JSON.stringify(body, null, 2);
    etag = tag;
  }
  const area = el('textarea', {id: 'job-json', rows: 28, spellcheck: 'false',
    'aria-describedby': 'job-errors'});
  area.value = text;
  const errors = el('div', {id: 'job-errors', 'aria-live': 'polite'});
  const form = el('form', {id: 'job-editor'},
    el('div', {class: 'editor'},
      el('div', {}, el('label', {for: 'job-json'}, 'Job definition (JSON)'), area),
      el('div', {}, el('h2', {}, 'Problems'), errors)),
    el('div', {class: 'actions'},
      el('button', {type: 'submit', id: 'save-job', class: 'primary'}, id ? 'Save' : 'Create'),
      el('button', {type: 'button', onclick: () => ctx.go(id ? `#/jobs/${enc(id)}` : '#/jobs')},
        'Cancel')));
  replace(errors, el('p', {class: 'muted'}, 'None found yet.'));
  add(ctx.page, 
    el('p', {class: 'muted'}, el('a', {href: '#/jobs'}, '← Jobs')),
    el('h1', {}, id ? `Edit ${id}` : 'New job'),
    el('p', {class: 'muted'}, 'Fields are described in docs/jobs-and-dags.md.'),
    form);
  if (!ctx.can('admin')) {
    ctx.flash('Only an admin may create or edit jobs; your changes would be refused (403).', true);
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    let job;
    try {
      job = JSON.parse(area.value);
    } catch (e) {
      replace(errors, list([{field: '(JSON)', message: `not valid JSON: ${e.message}`}]));
      return;
    }
    try {
      const {body} = id
        ? await call('PUT', `/jobs/${enc(id)}`, job, etag ? {'If-Match': etag} : {})
        : await call('POST', '/jobs', job);
      ctx.go(`#/jobs/${enc(body.id)}`, id ? 'Saved.' : 'Created.');
    } catch (error) {
      if (error.status === 422 && error.errors.length) {
        replace(errors, list(error.errors));
        highlight(area, error.errors[0].field);
      } else {
        replace(errors, list([{field: `(HTTP ${error.status})`, message: describe(error)}]));
      }
    }
  });
}

function list(problems) {
  return el('ul', {class: 'field-errors'},
    problems.map(p => el('li', {dataset: {field: p.field}},
      el('span', {class: 'field'}, p.field), p.message)));
}

/** Selects the first mention of the field's last name in the editor, to show where it is. */
function highlight(area, field) {
  const name = field.replace(/\[\d+\]/g, '').split('.').pop();
  const at = area.value.indexOf(`"${name}"`);
  if (at >= 0) {
    area.focus();
    area.setSelectionRange(at, at + name.length + 2);
  }
}
