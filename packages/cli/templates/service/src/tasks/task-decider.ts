import { type Decider, DomainError, defineCommandHandler } from '@duet/core';
import {
  AddTask,
  CompleteTask,
  TaskAdded,
  type TaskCommand,
  TaskCompleted,
  type TaskEvent,
} from './task-messages.ts';

interface TaskState {
  readonly status: 'none' | 'open' | 'done';
}

/**
 * One task's rules: the state is folded from its events, and a command either produces
 * new events or is refused with a `DomainError` (HTTP 422 with its rule).
 */
export const taskDecider: Decider<TaskCommand, TaskState, TaskEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (_state, event) => ({ status: event.type === 'TaskAdded' ? 'open' : 'done' }),
  decide(command, state) {
    switch (command.type) {
      case 'AddTask':
        if (state.status !== 'none') {
          throw new DomainError('TASK_EXISTS', `task ${command.data.taskId} exists already`);
        }
        return [TaskAdded.create(command.data)];
      case 'CompleteTask':
        if (state.status === 'none') {
          throw new DomainError('TASK_UNKNOWN', `there is no task ${command.data.taskId}`);
        }
        if (state.status === 'done') {
          throw new DomainError('TASK_DONE', `task ${command.data.taskId} is done already`);
        }
        return [TaskCompleted.create({ taskId: command.data.taskId })];
    }
  },
};

/** Each task is its own stream, `task-<taskId>`: commands to one task are serialized. */
export const taskHandler = defineCommandHandler({
  decider: taskDecider,
  commands: [AddTask, CompleteTask],
  stream: (command) => `task-${command.data.taskId}`,
});
