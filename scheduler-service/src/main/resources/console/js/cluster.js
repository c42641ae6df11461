// Cluster: the leader, the epoch and the live members, as GET /cluster answers them.
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
    table('members-table', ['Member', 'Role', 'Address', 'Member since (UTC)'],
      cluster.members.map(m => el('tr', {dataset: {member: m.id}},
        el('td', {}, m.id),
        el('td', {}, m.id === cluster.leader ? 'leader' : 'follower'),
        el('td', {}, m.address ?? '—'),
        el('td', {}, utc(m.since))))),
    el('p', {class: 'muted'},
      'Any member serves any call; the leader alone fires schedules and hands out task attempts.'));
}
