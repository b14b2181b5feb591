import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';
import type { DuetCliConfig, StateFolder } from './cli-config.ts';

const empty: DuetCliConfig = {};

/**
 * Imports the --config module (TypeScript or JavaScript) and checks its shape. Without a
 * file the config is empty. Any problem is a usage error naming the file.
 */
export async function loadConfig(file: string | undefined): Promise<DuetCliConfig> {
  if (file === undefined) return empty;
  const path = resolve(file);
  const fail = (message: string, cause?: unknown): never => {
    throw new CliError(ExitCode.usage, `--config ${file}: ${message}`, undefined, { cause });
  };
  if (!existsSync(path)) fail('no such file');
  let module: Record<string, unknown>;
  try {
    const url = pathToFileURL(path).href;
    // A TypeScript config goes through tsx, scoped to this import: the CLI registers no
    // loader for its own modules (bin/duet.mjs).
    module = (
      /\.[cm]?tsx?$/.test(path)
        ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url)
        : await import(url)
    ) as Record<string, unknown>;
  } catch (error) {
    return fail(`cannot load it: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const exported = isObject(module.default) ? module.default : module;
  if (exported.schema !== undefined && typeof exported.schema !== 'string') {
    fail('`schema` must be the name of the event store schema');
  }
  const events = exported.events;
  if (events !== undefined && !(Array.isArray(events) && events.every(isEventDefinition))) {
    fail('`events` must be an array of event definitions (defineEvent)');
  }
  const deciders = exported.deciders;
  if (deciders !== undefined) {
    if (!isObject(deciders)) fail('`deciders` must be an object of deciders by stream category');
    for (const [category, decider] of Object.entries(deciders as Record<string, unknown>)) {
      if (!isStateFolder(decider)) {
        fail(`deciders.${category} must have initialState() and evolve(state, event)`);
      }
    }
  }
  const projections = exported.projections;
  if (
    projections !== undefined &&
    !(
      Array.isArray(projections) && projections.every((p) => isObject(p) && p.kind === 'projection')
    )
  ) {
    fail('`projections` must be an array of projection definitions (defineProjection)');
  }
  const runner = exported.projectionRunner;
  if (runner !== undefined && !isObject(runner)) {
    fail('`projectionRunner` must be { schema?, readModelSchema?, stallAfterMs? }');
  }
  const workloads = exported.workloads;
  if (workloads !== undefined) {
    if (!isObject(workloads)) fail('`workloads` must be an object of load workloads by name');
    for (const [name, workload] of Object.entries(workloads as Record<string, unknown>)) {
      if (!isWorkload(workload)) {
        fail(`workloads.${name} must be a load workload (defineLoadWorkload)`);
      }
    }
  }
  return exported as DuetCliConfig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isEventDefinition(value: unknown): boolean {
  return isObject(value) && typeof value.type === 'string';
}

function isWorkload(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.prepare === 'function' &&
    Array.isArray(value.services) &&
    typeof value.unit === 'string' &&
    typeof value.accepted === 'string' &&
    typeof value.success === 'string'
  );
}

function isStateFolder(value: unknown): value is StateFolder {
  return (
    isObject(value) &&
    typeof value.initialState === 'function' &&
    typeof value.evolve === 'function'
  );
}
