import { DomainError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, it } from 'vitest';
import { taskDecider } from './task-decider.ts';
import { AddTask, CompleteTask, TaskAdded, TaskCompleted } from './task-messages.ts';

// Given the task's events so far, when a command comes, then these events (or this error).
const refusedBy = (rule: string) => (error: unknown) =>
  error instanceof DomainError && error.rule === rule;

describe('a task', () => {
  const added = TaskAdded.create({ taskId: 't1', title: 'Write the docs' });

  it('given no task, when it is added, then TaskAdded', () => {
    deciderSpec(taskDecider)
      .given([])
      .when(AddTask.create({ taskId: 't1', title: 'Write the docs' }))
      .then([added]);
  });

  it('given a task, when it is added again, then the rule TASK_EXISTS refuses it', () => {
    deciderSpec(taskDecider)
      .given([added])
      .when(AddTask.create({ taskId: 't1', title: 'Again' }))
      .then(refusedBy('TASK_EXISTS'));
  });

  it('given an open task, when it is completed, then TaskCompleted; a second time, TASK_DONE', () => {
    deciderSpec(taskDecider)
      .given([added])
      .when(CompleteTask.create({ taskId: 't1' }))
      .then([TaskCompleted.create({ taskId: 't1' })]);
    deciderSpec(taskDecider)
      .given([added, TaskCompleted.create({ taskId: 't1' })])
      .when(CompleteTask.create({ taskId: 't1' }))
      .then(refusedBy('TASK_DONE'));
  });

  it('given no task, when it is completed, then TASK_UNKNOWN', () => {
    deciderSpec(taskDecider)
      .given([])
      .when(CompleteTask.create({ taskId: 'nope' }))
      .then(refusedBy('TASK_UNKNOWN'));
  });
});
