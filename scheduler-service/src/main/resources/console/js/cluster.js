// Cluster: the leader, the epoch and the live members with their roles and load, as GET /cluster
// answers them.
import {get} from './api.js';
import {add, el, facts, table} from './dom.js';
import {utc} from './format.js';

export async function clusterPage(ctx) {
  const cluster = await get('/cluster');
  add(ctx.page, 
    el('h1', {}, 'Cluster'),
    facts([
      ['Leader', el('span', {id: 'cluster-leader'}, cluster.leader ?? 'none (election under way)')],
      ['Epoch', el('span', {id: 'cluster-epoch'}, String(cluster.epoch))],
      ['Answered by', `${cluster.self.id}${cluster.self.leader ? ' (the leader)' : ''}`],
      ['Members', String(cluster.members.length)],
    ]),
    el('h2', {}, 'Members'),
    table('members-table',
      ['Member', 'Role', 'Version', 'Worker', 'Running', 'Capacity', 'Task types', 'Address',
        'Member since (UTC)'],
      cluster.members.map(m => el('tr', {dataset: {member: m.id}},
        el('td', {}, m.id),
        el('td', {class: 'member-role'}, role(m, cluster.leader)),
        el('td', {}, m.version ?? '—'),
        el('td', {class: 'member-worker'}, m.worker ?? '—'),
        el('td', {class: 'num member-running'}, m.running == null ? '—' : String(m.running)),
        el('td', {class: 'num member-capacity'}, m.capacity == null ? '—' : String(m.capacity)),
        el('td', {}, (m.taskTypes ?? []).join(', ') || '—'),
        el('td', {}, m.address ?? '—'),
        el('td', {}, utc(m.since))))),
    el('p', {class: 'muted'},
      'Any member serves any call; the leader alone fires schedules and hands out task attempts.'));
}

/** The member's role as configured, with "leader" for the one leading and "draining" while it stops. */
function role(member, leader) {
  const parts = [member.role ?? 'both'];
  if (member.id === leader) parts.push('leader');
  if (member.draining) parts.push('draining');
  return parts.join(' · ');
}
