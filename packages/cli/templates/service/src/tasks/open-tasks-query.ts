import { defineQueryHandler } from '@duet/core';
import type { Processors } from '@duet/postgres';
import { OpenTasks } from './task-messages.ts';

/** Answers `OpenTasks` from the version of the projection that serves now. */
export function openTasksHandler(processors: Processors) {
  return defineQueryHandler(OpenTasks, async ({ limit = 50 }) => {
    const { tables, executor } = await processors.readModel('open_tasks');
    const { rows } = await executor.query<{ task_id: string; title: string }>(
      `SELECT task_id, title FROM ${tables.name('tasks')} ORDER BY position LIMIT $1`,
      [limit],
    );
    return { tasks: rows.map((row) => ({ taskId: row.task_id, title: row.title })) };
  });
}
