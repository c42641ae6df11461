// A run: its DAG coloured by task state, each task's attempts, node, times and error, and a cancel
// button for operators. While the run is active the page polls the API and redraws.
import {call, describe, enc, get} from './api.js';
import {add, badge, el, facts, replace, table} from './dom.js';
import {ACTIVE, elapsed, utc} from './format.js';
import {drawDag} from './dag.js';

const POLL_MS = 1000;
const CREATE_WAIT_MS = 15000;

export async function runPage(ctx, jobId, runId) {
  const job = await get(`/jobs/${enc(jobId)}`);
  const run = await created(ctx, jobId, runId);
  if (!run) return;
  const dependsOn = new Map(job.tasks.map(t => [t.id, t.dependsOn]));
  const body = el('div', {id: 'run-body'});
  add(ctx.page, 
    el('p', {class: 'muted'}, el('a', {href: `#/jobs/${enc(jobId)}`}, `← ${jobId}`)),
    el('h1', {}, 'Run ', el('span', {id: 'run-id'}, run.id)),
    body);
  draw(ctx, body, run, dependsOn);

  let timer = null;
  let stopped = false;
  const poll = async () => {
    try {
      const next = await get(`/jobs/${enc(jobId)}/runs/${enc(runId)}`);
      if (stopped) return;
      draw(ctx, body, next, dependsOn);
      if (ACTIVE.includes(next.state)) timer = setTimeout(poll, POLL_MS);
    } catch (error) {
      if (!stopped) ctx.fail(error);
    }
  };
  if (ACTIVE.includes(run.state)) timer = setTimeout(poll, POLL_MS);
  ctx.stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * The run, once it exists: a run just triggered is created by the leader within a tick or so, and
 * until then the API answers 404. Waits up to CREATE_WAIT_MS, saying so; null if the user left.
 */
async function created(ctx, jobId, runId) {
  const waiting = el('p', {class: 'muted', id: 'run-waiting'});
  const deadline = Date.now() + CREATE_WAIT_MS;
  let left = false;
  ctx.stop = () => { left = true; };
  for (;;) {
    try {
      const run = await get(`/jobs/${enc(jobId)}/runs/${enc(runId)}`);
      waiting.remove();
      return run;
    } catch (error) {
      if (error.status !== 404 || Date.now() > deadline) throw error;
    }
    if (left) return null;
    if (!waiting.isConnected) {
      add(ctx.page, waiting);
      waiting.textContent = `Run ${runId} is not created yet (the leader creates it within a tick); waiting…`;
    }
    await new Promise(resolve => setTimeout(resolve, 300));
    if (left) return null;
  }
}

function draw(ctx, body, run, dependsOn) {
  const active = ACTIVE.includes(run.state);
  replace(body,
    el('div', {class: 'toolbar'},
      el('span', {id: 'run-state', dataset: {state: run.state}}, badge(run.state)),
      el('span', {class: 'muted', id: 'run-live'},
        active ? 'live: refreshing every second' : 'finished'),
      active && ctx.can('operator')
        ? el('button', {type: 'button', id: 'cancel-run', class: 'danger', onclick: async () => {
          try {
            await call('POST', `/jobs/${enc(run.jobId)}/runs/${enc(run.id)}/cancel`);
            ctx.flash('Cancel requested: the run ends CANCELLED unless it finishes first.');
          } catch (error) {
            ctx.flash(describe(error), true);
          }
        }}, 'Cancel run')
        : null),
    facts([
      ['Trigger', run.trigger],
      ['Nominal time', utc(run.nominalTime)],
      ['Created', utc(run.createdAt)],
      ['Started', utc(run.startedAt)],
      ['Finished', utc(run.finishedAt)],
      ['Took', elapsed(run.startedAt, run.finishedAt)],
      ['Epoch', String(run.epoch)],
    ]),
    el('h2', {}, 'Tasks'),
    drawDag(run.tasks, dependsOn),
    table('task-runs-table',
      ['Task', 'State', 'Attempts', 'Member', 'Started (UTC)', 'Finished (UTC)', 'Took',
        'Next attempt', 'Error'],
      Object.entries(run.tasks).map(([id, t]) => el('tr', {dataset: {task: id, state: t.state}},
        el('td', {}, id),
        el('td', {}, badge(t.state)),
        el('td', {class: 'num'}, String(t.attempts)),
        el('td', {title: t.worker ?? ''}, t.node ?? '—'),
        el('td', {}, utc(t.startedAt)),
        el('td', {}, utc(t.finishedAt)),
        el('td', {class: 'num'}, elapsed(t.startedAt, t.finishedAt)),
        el('td', {}, utc(t.nextAttemptAt)),
        el('td', {class: 'error-text'}, t.error ?? '')))));
}
