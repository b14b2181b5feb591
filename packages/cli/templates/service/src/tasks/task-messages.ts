import { type CommandOf, defineCommand, defineEvent, defineQuery, type EventOf } from '@duet/core';
import { z } from 'zod';

// The example domain, a task list: replace it with yours. Commands are what clients ask
// for, events are what happened (the source of truth), a query reads a projection.

const taskId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w-]+$/, 'letters, digits, _ or -');

export const AddTask = defineCommand(
  'AddTask',
  z.strictObject({ taskId, title: z.string().min(1).max(200) }),
  { description: 'Add a task to the list.' },
);
export const CompleteTask = defineCommand('CompleteTask', z.strictObject({ taskId }), {
  description: 'Mark a task done: it leaves the open tasks.',
});

export const TaskAdded = defineEvent(
  'TaskAdded',
  z.object({ taskId: z.string(), title: z.string() }),
);
export const TaskCompleted = defineEvent('TaskCompleted', z.object({ taskId: z.string() }));

export const OpenTasks = defineQuery('OpenTasks', {
  params: z.strictObject({ limit: z.number().int().min(1).max(100).optional() }),
  result: z.object({ tasks: z.array(z.object({ taskId: z.string(), title: z.string() })) }),
  projections: ['open_tasks'],
  description: 'The tasks not done yet, oldest first.',
});

export type TaskCommand = CommandOf<typeof AddTask> | CommandOf<typeof CompleteTask>;
export type TaskEvent = EventOf<typeof TaskAdded> | EventOf<typeof TaskCompleted>;
export const taskEvents = [TaskAdded, TaskCompleted];
