// A run's DAG as SVG: tasks in layers by their longest path from a root (so every edge points to
// a later layer), one column per layer, edges drawn as curves from a task to its dependants.
import {svg} from './dom.js';

const NODE_W = 150;
const NODE_H = 44;
const GAP_X = 70;
const GAP_Y = 22;
const PAD = 16;

/**
 * Layers of the tasks: layer(t) = 0 for a task without dependencies, else 1 + the deepest of its
 * dependencies. Dependencies on tasks the run does not have are ignored (the job may have been
 * edited since the run began). Returns [[taskId, ...], ...].
 */
export function layers(taskIds, dependsOn) {
  const known = new Set(taskIds);
  const depth = new Map();
  const visiting = new Set();
  const visit = id => {
    if (depth.has(id)) return depth.get(id);
    if (visiting.has(id)) return 0; // a cycle cannot be stored; draw rather than loop if it were
    visiting.add(id);
    const deps = (dependsOn.get(id) || []).filter(d => known.has(d));
    const d = deps.length ? 1 + Math.max(...deps.map(visit)) : 0;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  taskIds.forEach(visit);
  const result = [];
  for (const id of taskIds) {
    (result[depth.get(id)] ||= []).push(id);
  }
  return result.filter(Boolean);
}

/** The drawing; tasks maps task id to its run state ({state, attempts}). */
export function drawDag(tasks, dependsOn) {
  const ids = Object.keys(tasks);
  const columns = layers(ids, dependsOn);
  const rows = Math.max(1, ...columns.map(c => c.length));
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * GAP_X;
  const height = PAD * 2 + rows * NODE_H + (rows - 1) * GAP_Y;
  const at = new Map();
  columns.forEach((column, c) => {
    const offset = (rows - column.length) * (NODE_H + GAP_Y) / 2;
    column.forEach((id, r) => at.set(id, {
      x: PAD + c * (NODE_W + GAP_X),
      y: PAD + offset + r * (NODE_H + GAP_Y),
    }));
  });
  const drawing = svg('svg', {class: 'dag', id: 'dag', width, height,
    viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'task graph'},
  svg('defs', {}, svg('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
    markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse'},
  svg('path', {d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow'}))));
  for (const id of ids) {
    for (const dep of (dependsOn.get(id) || []).filter(d => at.has(d))) {
      const a = at.get(dep);
      const b = at.get(id);
      const x1 = a.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      drawing.append(svg('path', {class: 'edge', 'marker-end': 'url(#arrow)',
        dataset: {from: dep, to: id}, d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`}));
    }
  }
  for (const id of ids) {
    const {x, y} = at.get(id);
    const task = tasks[id];
    drawing.append(svg('g', {class: `node node-${task.state}`, dataset: {task: id, state: task.state},
      transform: `translate(${x} ${y})`},
    svg('title', {}, `${id}: ${task.state}, ${task.attempts} attempt(s)`),
    svg('rect', {width: NODE_W, height: NODE_H, rx: 6}),
    svg('text', {x: 8, y: 18, class: 'task-id'}, clip(id)),
    svg('text', {x: 8, y: 35, class: 'task-state'},
      `${task.state}${task.attempts > 1 ? ` · ${task.attempts} attempts` : ''}`)));
  }
  return drawing;
}

function clip(text) {
  return text.length > 20 ? `${text.slice(0, 19)}…` : text;
}
