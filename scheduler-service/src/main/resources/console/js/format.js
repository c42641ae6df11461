// Times, durations and schedules as a person reads them.

const pad = n => String(n).padStart(2, '0');

/** 2026-12-01 14:00:00Z */
export function utc(iso) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** The instant in a zone, e.g. 2026-12-01 15:00:00 (Europe/Berlin). */
export function inZone(iso, zone) {
  if (!iso) return '—';
  try {
    const text = new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).format(new Date(iso));
    return `${text} ${zone}`;
  } catch {
    return utc(iso);
  }
}

/** The zone a job's schedule counts in. */
export function zoneOf(job) {
  return job.schedule?.timeZone || 'UTC';
}

/** Milliseconds as 850 ms, 12.3 s, 4 m 5 s, 2 h 3 m. */
export function millis(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

/** How long something took (or has taken so far, while it runs). */
export function elapsed(startedAt, finishedAt) {
  if (!startedAt) return '—';
  const end = finishedAt ? Date.parse(finishedAt) : Date.now();
  return millis(end - Date.parse(startedAt)) + (finishedAt ? '' : ' so far');
}

/** PT1H30M → 1 hour 30 minutes. */
export function duration(iso) {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso || '');
  if (!m) return iso || '—';
  const parts = [[m[1], 'day'], [m[2], 'hour'], [m[3], 'minute'], [m[4], 'second']]
    .filter(([n]) => n && Number(n) !== 0)
    .map(([n, unit]) => `${n} ${unit}${Number(n) === 1 ? '' : 's'}`);
  return parts.length ? parts.join(' ') : iso;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function dayNames(field) {
  if (field === '1-5' || field.toUpperCase() === 'MON-FRI') return 'weekdays';
  if (/^[0-7](,[0-7])*$/.test(field)) {
    return field.split(',').map(d => DAYS[Number(d) % 7]).join(', ');
  }
  return null;
}

/** A cron expression in words where the shape is common; the expression itself otherwise. */
function cronWords(expression) {
  let f = expression.trim().split(/\s+/);
  if (f.length === 6 || f.length === 7) {
    if (f[0] !== '0' || (f.length === 7 && f[6] !== '*')) return `cron ${expression}`;
    f = f.slice(1, 6).map(x => (x === '?' ? '*' : x));
  }
  if (f.length !== 5) return `cron ${expression}`;
  const [min, hour, dom, mon, dow] = f;
  const fixed = /^\d+$/;
  if (mon !== '*') return `cron ${expression}`;
  if ([min, hour, dom, dow].every(x => x === '*')) return 'every minute';
  const step = /^\*\/(\d+)$/.exec(min);
  if (step && hour === '*' && dom === '*' && dow === '*') return `every ${step[1]} minutes`;
  if (fixed.test(min) && hour === '*' && dom === '*' && dow === '*') {
    return `every hour at minute ${Number(min)}`;
  }
  if (!fixed.test(min) || !fixed.test(hour)) return `cron ${expression}`;
  const at = `at ${pad(hour)}:${pad(min)}`;
  if (dom === '*' && dow === '*') return `every day ${at}`;
  if (dom === '*' && dayNames(dow) === 'weekdays') return `on weekdays ${at}`;
  if (dom === '*' && dayNames(dow)) return `every ${dayNames(dow)} ${at}`;
  if (fixed.test(dom) && dow === '*') return `on day ${Number(dom)} of every month ${at}`;
  return `cron ${expression}`;
}

/** A job's schedule in words. */
export function scheduleWords(schedule) {
  if (!schedule) return 'only when triggered';
  if (schedule.cron) return cronWords(schedule.cron);
  if (schedule.interval) return `every ${duration(schedule.interval)}`;
  if (schedule.at) return `once, at ${utc(schedule.at)}`;
  return 'unknown schedule';
}

export const ACTIVE = ['PENDING', 'RUNNING'];
