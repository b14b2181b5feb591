import { defineProjection, type RecordedEvent } from '@duet/core';
import { TaskAdded, TaskCompleted, type TaskEvent } from './task-messages.ts';

/**
 * The read model behind `OpenTasks`: one row per task not done yet. Rebuilt from the
 * events whenever its version goes up (blue-green, beside the serving version).
 */
export const openTasks = defineProjection<RecordedEvent<TaskEvent>>({
  name: 'open_tasks',
  version: 1,
  events: [TaskAdded, TaskCompleted],
  async setup(tx, tables) {
    await tx.query(`CREATE TABLE ${tables.name('tasks')} (
      task_id text PRIMARY KEY, title text NOT NULL, position text NOT NULL)`);
  },
  async apply(tx, events, tables) {
    for (const event of events) {
      if (event.type === 'TaskAdded') {
        await tx.query(
          `INSERT INTO ${tables.name('tasks')} (task_id, title, position) VALUES ($1, $2, $3)
           ON CONFLICT (task_id) DO NOTHING`,
          [event.data.taskId, event.data.title, event.position],
        );
      } else {
        await tx.query(`DELETE FROM ${tables.name('tasks')} WHERE task_id = $1`, [
          event.data.taskId,
        ]);
      }
    }
  },
});
