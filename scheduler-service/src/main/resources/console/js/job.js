// A job: its definition, the next 10 fire times (preview), its runs, and the actions the caller's
// role allows: operator trigger, pause/resume, backfill; admin edit and delete.
import {call, describe, enc, get} from './api.js';
import {add, badge, el, facts, replace, table} from './dom.js';
import {duration, elapsed, inZone, scheduleWords, utc, zoneOf} from './format.js';

export async function jobPage(ctx, id) {
  const [job, preview, runs] = await Promise.all([
    get(`/jobs/${enc(id)}`),
    get(`/jobs/${enc(id)}/preview?count=10`),
    get(`/jobs/${enc(id)}/runs?limit=50`),
  ]);
  const zone = zoneOf(job);
  const status = job.status;
  add(ctx.page, 
    el('p', {class: 'muted'}, el('a', {href: '#/jobs'}, '← Jobs')),
    el('h1', {}, el('span', {id: 'job-id'}, job.id), ' ',
      job.paused ? badge('PAUSED') : null),
    audit(job),
    actions(ctx, job),
    el('h2', {}, 'Definition'),
    facts([
      ['Description', el('span', {id: 'job-description'}, job.description ?? '—')],
      ['Schedule', el('span', {id: 'job-schedule'}, scheduleWords(job.schedule))],
      ['Zone', job.schedule ? zone : '—'],
      ['Next fire', status.nextFireTime
        ? `${utc(status.nextFireTime)} · ${inZone(status.nextFireTime, zone)}` : '—'],
      ['Timeout', duration(job.timeout)],
      ['Retry', `${job.retry.maxAttempts} attempt(s), first delay ${duration(job.retry.initialDelay)},`
        + ` ×${job.retry.multiplier}, at most ${duration(job.retry.maxDelay)}`],
      ['Misfire policy', job.misfirePolicy + (job.misfireThreshold
        ? ` (late by more than ${duration(job.misfireThreshold)})` : '')],
      ['Concurrency', job.concurrencyPolicy],
    ]),
    el('h2', {}, 'Tasks'),
    table('tasks-table', ['Task', 'Type', 'Depends on', 'Trigger rule', 'Timeout', 'Max attempts'],
      job.tasks.map(t => el('tr', {dataset: {task: t.id}},
        el('td', {}, t.id), el('td', {}, t.type),
        el('td', {}, t.dependsOn.length ? t.dependsOn.join(', ') : '—'),
        el('td', {}, t.triggerRule),
        el('td', {}, t.timeout ? duration(t.timeout) : 'job\'s'),
        el('td', {class: 'num'}, t.retry?.maxAttempts ?? 'job\'s')))),
    el('details', {}, el('summary', {}, 'As JSON'),
      el('pre', {id: 'job-json-view'}, JSON.stringify(definitionOf(job), null, 2))),
    el('h2', {}, 'Next 10 fire times'),
    preview.fireTimes.length
      ? table('preview-table', ['UTC', `Local (${zone})`],
        preview.fireTimes.map(f => el('tr', {}, el('td', {}, utc(f.utc)), el('td', {}, f.local))))
      : el('p', {class: 'muted', id: 'preview-none'},
        job.paused ? 'None while paused.' : 'None: the job fires only when triggered, or no more.'),
    el('h2', {}, 'Runs'),
    runs.runs.length
      ? table('runs-table',
        ['Run', 'Trigger', 'State', 'Nominal time (UTC)', 'Started (UTC)', 'Took', 'Attempts'],
        runs.runs.map(run => el('tr', {dataset: {runId: run.id, state: run.state}},
          el('td', {}, el('a', {href: `#/jobs/${enc(job.id)}/runs/${enc(run.id)}`}, run.id)),
          el('td', {}, run.trigger),
          el('td', {}, badge(run.state)),
          el('td', {}, utc(run.nominalTime)),
          el('td', {}, utc(run.startedAt)),
          el('td', {class: 'num'}, elapsed(run.startedAt, run.finishedAt)),
          el('td', {class: 'num'},
            String(Object.values(run.tasks).reduce((n, t) => n + t.attempts, 0))))))
      : el('p', {class: 'muted', id: 'runs-none'}, 'No runs yet.'));
}

/** The job as a client would write it: without what the server adds (status, audit). */
function definitionOf(job) {
  const copy = {...job};
  for (const field of ['status', 'createdBy', 'createdAt', 'updatedBy', 'updatedAt']) {
    delete copy[field];
  }
  return copy;
}

/**
 * "created by X at T · changed by Y at T". A job stored before audits were kept and changed since
 * has no creation; one not written since has no audit at all, and gets no line.
 */
function audit(job) {
  if (!job.updatedBy) return null;
  const created = job.createdBy
    ? el('span', {}, 'created by ', el('strong', {}, job.createdBy), ` at ${utc(job.createdAt)}`)
    : el('span', {}, 'created before changes were recorded');
  return el('p', {class: 'muted', id: 'job-audit'}, created, ' · ',
    el('span', {}, 'changed by ', el('strong', {}, job.updatedBy), ` at ${utc(job.updatedAt)}`));
}

/** Buttons by role; a viewer gets none. */
function actions(ctx, job) {
  if (!ctx.can('operator')) return null;
  const bar = el('div', {class: 'actions', id: 'job-actions'});
  const id = enc(job.id);
  const act = (label, buttonId, run, cls) =>
    el('button', {type: 'button', id: buttonId, class: cls, onclick: async () => {
      try {
        await run();
      } catch (error) {
        ctx.flash(describe(error), true);
      }
    }}, label);
  bar.append(
    act('Trigger now', 'trigger', async () => {
      const {body} = await call('POST', `/jobs/${id}/trigger`);
      ctx.go(`#/jobs/${id}/runs/${enc(body.runId)}`);
    }, 'primary'),
    job.paused
      ? act('Resume', 'resume', async () => { await call('POST', `/jobs/${id}/resume`); ctx.go(location.hash, 'Resumed.'); })
      : act('Pause', 'pause', async () => { await call('POST', `/jobs/${id}/pause`); ctx.go(location.hash, 'Paused.'); }),
    backfill(ctx, job));
  if (ctx.can('admin')) {
    bar.append(
      el('button', {type: 'button', id: 'edit', onclick: () => ctx.go(`#/jobs/${id}/edit`)}, 'Edit'),
      remove(ctx, job));
  }
  return bar;
}

function backfill(ctx, job) {
  const from = el('input', {id: 'backfill-from', placeholder: '2026-11-01T00:00:00Z', size: 22});
  const to = el('input', {id: 'backfill-to', placeholder: '2026-11-04T00:00:00Z', size: 22});
  const form = el('form', {class: 'toolbar', id: 'backfill-form'},
    el('label', {for: 'backfill-from'}, 'Backfill from'), from,
    el('label', {for: 'backfill-to'}, 'to'), to,
    el('button', {type: 'submit', id: 'backfill'}, 'Backfill'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      const {body} = await call('POST', `/jobs/${enc(job.id)}/backfill`,
        {from: from.value.trim(), to: to.value.trim()});
      ctx.go(location.hash, `Backfill created ${body.runIds.length} run(s).`);
    } catch (error) {
      const fields = error.errors?.map(e => `${e.field}: ${e.message}`).join('; ');
      ctx.flash(fields ? `Backfill refused: ${fields}` : describe(error), true);
    }
  });
  return form;
}

function remove(ctx, job) {
  const holder = el('span', {});
  const ask = el('button', {type: 'button', id: 'delete', class: 'danger', onclick: () => {
    replace(holder, el('span', {class: 'confirm', id: 'delete-confirm'},
      `Delete job ${job.id}? Its active runs are cancelled. `,
      el('button', {type: 'button', id: 'delete-yes', class: 'danger', onclick: async () => {
        try {
          await call('DELETE', `/jobs/${enc(job.id)}`);
          ctx.go('#/jobs', `Deleted job ${job.id}.`);
        } catch (error) {
          ctx.flash(describe(error), true);
        }
      }}, 'Yes, delete'), ' ',
      el('button', {type: 'button', id: 'delete-no', onclick: () => replace(holder, ask)}, 'Keep it')));
  }}, 'Delete');
  holder.append(ask);
  return holder;
}
