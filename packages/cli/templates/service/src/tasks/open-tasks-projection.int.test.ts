import { projectionSpec } from '@duet/postgres/testing';
import { describe, it } from 'vitest';
import { openTasks } from './open-tasks-projection.ts';

// Given events, then rows: the projection runs on an embedded PGlite in a fresh schema
// (opening one can take a while on a busy machine, hence the room).
describe('the open tasks projection', { timeout: 120_000 }, () => {
  it('given two tasks added and one completed, then only the other is open', async () => {
    await projectionSpec(openTasks)
      .given([
        { type: 'TaskAdded', data: { taskId: 't1', title: 'Write the docs' }, stream: 'task-t1' },
        { type: 'TaskAdded', data: { taskId: 't2', title: 'Ship it' }, stream: 'task-t2' },
        { type: 'TaskCompleted', data: { taskId: 't1' }, stream: 'task-t1' },
      ])
      .thenRows(
        (t) => `SELECT task_id, title FROM ${t.name('tasks')} ORDER BY position`,
        [{ task_id: 't2', title: 'Ship it' }],
      );
  });
});
