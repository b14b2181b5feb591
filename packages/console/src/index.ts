// @duet/console: the web console for Duet apps, a Fastify plugin mounted at /console.

export {
  ConsoleActionTaken,
  type ConsoleActionTakenData,
} from './audit/console-action-taken.ts';
export { ConsoleHttpError } from './console-http-error.ts';
export type {
  ConsoleConsumer,
  ConsoleDecider,
  ConsoleProcessors,
  ConsoleSaga,
  ConsoleSagaStep,
  ConsoleStore,
  DuetConsoleOptions,
} from './console-options.ts';
export { ConsoleOptionError } from './console-options.ts';
export { duetConsole } from './duet-console.ts';
