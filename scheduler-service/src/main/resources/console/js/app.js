// The console's shell: sign-in, the signed-in caller's role, and a hash router (#/jobs, #/jobs/ID,
// #/jobs/ID/runs/RUN, #/jobs/ID/edit, #/new, #/cluster). Pages live in their own modules.
import {ApiError, describe, get, setToken, token} from './api.js';
import {el, replace} from './dom.js';
import {clusterPage} from './cluster.js';
import {editorPage} from './editor.js';
import {jobPage} from './job.js';
import {jobsPage} from './jobs.js';
import {runPage} from './run.js';

const $ = id => document.getElementById(id);

/** What every page gets: the caller, where to draw, and how to report. */
let pendingFlash = '';

const context = {
  caller: null,
  page: null,
  /** Set by a page that polls; called when the page is left. */
  stop: null,
  can(role) {
    const order = ['viewer', 'operator', 'admin'];
    return order.indexOf(this.caller?.role) >= order.indexOf(role);
  },
  flash(text, isError = false) {
    const flash = $('flash');
    flash.textContent = text;
    flash.classList.toggle('error', isError);
    flash.hidden = !text;
  },
  fail(error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut('Your token is no longer accepted (401). Sign in again.');
      return;
    }
    this.flash(describe(error), true);
  },
  /** Shows hash (again, if it is the current one), with a message once it is drawn. */
  go(hash, message = '') {
    pendingFlash = message;
    if (location.hash === hash) route();
    else location.hash = hash;
  },
};

async function signIn(value) {
  setToken(value);
  try {
    context.caller = await get('/whoami');
  } catch (error) {
    setToken(null);
    context.caller = null;
    showSignIn(error instanceof ApiError && error.status === 401
      ? 'That token was not accepted (401 Unauthorized). Check the token and try again.'
      : describe(error));
    return;
  }
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = `${context.caller.name} · ${context.caller.role}`;
  document.body.dataset.role = context.caller.role;
  route();
}

function showSignIn(message) {
  stopPage();
  $('sign-in').hidden = false;
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  delete document.body.dataset.role;
  replace($('page'));
  context.flash('');
  const text = $('sign-in-message');
  text.textContent = message || '';
  text.hidden = !message;
  $('token').value = '';
  $('token').focus();
}

function signOut(message) {
  setToken(null);
  context.caller = null;
  showSignIn(message);
}

function stopPage() {
  if (context.stop) context.stop();
  context.stop = null;
}

let routeSeq = 0;

async function route() {
  if (!context.caller) return;
  stopPage();
  const seq = ++routeSeq;
  context.flash(pendingFlash);
  pendingFlash = '';
  // Each visit draws into its own container: a slow page that answers after the user moved on
  // writes into a detached element instead of mixing into the next page.
  const page = el('div', {class: 'page'});
  replace($('page'), page);
  context.page = page;
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('current', link.getAttribute('href') === `#/${parts[0] || 'jobs'}`);
  }
  try {
    if (parts[0] === 'cluster') await clusterPage(context);
    else if (parts[0] === 'new') await editorPage(context, null);
    else if (parts[0] === 'jobs' && parts[1] && parts[2] === 'runs' && parts[3]) {
      await runPage(context, parts[1], parts[3]);
    } else if (parts[0] === 'jobs' && parts[1] && parts[2] === 'edit') {
      await editorPage(context, parts[1]);
    } else if (parts[0] === 'jobs' && parts[1]) await jobPage(context, parts[1]);
    else await jobsPage(context);
  } catch (error) {
    if (seq === routeSeq) context.fail(error);
  }
  if (seq !== routeSeq) return;
  // For tests and the load measurement of docs/console.md: which page is drawn, and when.
  performance.mark('zks-page-drawn', {detail: location.hash});
  $('page').dataset.route = location.hash;
  $('page').dataset.drawn = `${Date.now()}-${seq}`;
}

$('sign-in-form').addEventListener('submit', event => {
  event.preventDefault();
  const value = $('token').value.trim();
  if (!value) {
    showSignIn('Enter a token.');
    return;
  }
  signIn(value);
});
$('sign-out').addEventListener('click', () => signOut('Signed out.'));
window.addEventListener('hashchange', route);

if (token()) signIn(token());
else showSignIn('');
