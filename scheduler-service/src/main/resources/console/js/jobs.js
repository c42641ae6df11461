// Jobs: a page of jobs (GET /jobs?status=true), searchable and filterable by state, each with its
// schedule in words and zone, next fire in UTC and in its zone, and its last run.
import {enc, get} from './api.js';
import {add, badge, el, replace, table} from './dom.js';
import {elapsed, inZone, scheduleWords, utc, zoneOf} from './format.js';

const PAGE_SIZE = 50;

/** The list's position survives a visit to a job: query, state and the cursors that led here. */
const view = {q: '', state: '', cursors: [null]};

export async function jobsPage(ctx) {
  const search = el('input', {id: 'job-search', type: 'search', placeholder: 'id or description',
    value: view.q});
  const state = el('select', {id: 'job-state'},
    ['', 'paused', 'failing', 'running'].map(s =>
      el('option', {value: s, selected: s === view.state}, s ? s : 'all states')));
  const form = el('form', {class: 'toolbar', id: 'job-filter'},
    el('label', {for: 'job-search'}, 'Search'), search,
    el('label', {for: 'job-state'}, 'State'), state,
    el('button', {type: 'submit'}, 'Apply'));
  const body = el('div', {id: 'jobs-body'});
  add(ctx.page, 
    el('h1', {}, 'Jobs'),
    ctx.can('admin')
      ? el('div', {class: 'actions'},
        el('button', {type: 'button', id: 'new-job', class: 'primary', onclick: () => ctx.go('#/new')},
          'New job'))
      : null,
    form, body);
  form.addEventListener('submit', event => {
    event.preventDefault();
    view.q = search.value.trim();
    view.state = state.value;
    view.cursors = [null];
    load(ctx, body).catch(e => ctx.fail(e));
  });
  await load(ctx, body);
}

async function load(ctx, body) {
  const after = view.cursors[view.cursors.length - 1];
  const params = new URLSearchParams({limit: String(PAGE_SIZE), status: 'true'});
  if (after) params.set('after', after);
  if (view.q) params.set('q', view.q);
  if (view.state) params.set('state', view.state);
  const page = await get(`/jobs?${params}`);
  const rows = page.jobs.map(job => row(job));
  const filtered = view.q || view.state;
  replace(body,
    rows.length
      ? table('jobs-table',
        ['Job', 'Description', 'Schedule', 'Zone', 'Next fire (UTC)', 'Next fire (job zone)',
          'Last run', 'Took'], rows)
      : el('p', {id: 'jobs-empty', class: 'muted'},
        filtered && page.next ? 'No match on this stretch of jobs; look further with Next.'
          : 'No jobs.'),
    el('div', {class: 'pager'},
      el('button', {type: 'button', id: 'jobs-prev', disabled: view.cursors.length === 1,
        onclick: () => { view.cursors.pop(); load(ctx, body).catch(e => ctx.fail(e)); }},
      'Previous'),
      el('span', {class: 'muted', id: 'jobs-page'},
        `page ${view.cursors.length} · ${page.jobs.length} job(s)`),
      el('button', {type: 'button', id: 'jobs-next', disabled: !page.next,
        onclick: () => { view.cursors.push(page.next); load(ctx, body).catch(e => ctx.fail(e)); }},
      'Next')));
}

function row(job) {
  const status = job.status || {};
  const last = status.lastRun;
  const zone = zoneOf(job);
  return el('tr', {dataset: {jobId: job.id}},
    el('td', {}, el('a', {href: `#/jobs/${enc(job.id)}`, class: 'job-link'}, job.id)),
    el('td', {class: 'description'}, job.description ?? ''),
    el('td', {}, scheduleWords(job.schedule), job.paused ? [' ', badge('PAUSED')] : null),
    el('td', {}, job.schedule ? zone : '—'),
    el('td', {}, utc(status.nextFireTime)),
    el('td', {}, status.nextFireTime ? inZone(status.nextFireTime, zone) : '—'),
    el('td', {class: 'last-run'}, last
      ? el('a', {href: `#/jobs/${enc(job.id)}/runs/${enc(last.id)}`}, badge(last.state))
      : el('span', {class: 'muted'}, 'never ran')),
    el('td', {class: 'num'}, last ? elapsed(last.startedAt, last.finishedAt) : '—'));
}
