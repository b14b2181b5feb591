import { InvalidArgumentError } from 'commander';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';
import type { LoadPrincipal, LoadWorkload } from './load-workload.ts';
import type { LoadPlan } from './run-load.ts';

/** The options of `duet load` as commander parsed them. */
export interface RawLoadOptions {
  readonly rate?: number;
  readonly clients?: number;
  readonly duration: number;
  readonly warmup: number;
  readonly drain: number;
  readonly url?: string;
  readonly service?: readonly string[];
  readonly apiKeys?: string;
}

/**
 * A commander parser for a number of seconds (`2`, `0.5`) from `min` up.
 *
 * @example
 * new Option('--duration <s>').argParser(parseSeconds(0.1))
 */
export function parseSeconds(min: number): (value: string) => number {
  return (value) => {
    const seconds = Number(value);
    if (value.trim() === '' || !Number.isFinite(seconds) || seconds < min || seconds > 86_400) {
      throw new InvalidArgumentError(`expected seconds from ${min} to 86400.`);
    }
    return seconds;
  };
}

/** The plan of the run: open loop with --rate, closed loop with --clients (one of them). */
export function loadPlan(options: RawLoadOptions): LoadPlan {
  if (options.rate !== undefined && options.clients !== undefined) {
    throw new CliError(
      ExitCode.usage,
      'give either --rate (open loop) or --clients (closed loop), not both',
    );
  }
  const times = { durationS: options.duration, warmupS: options.warmup, drainS: options.drain };
  if (options.rate !== undefined) return { shape: { mode: 'open', rate: options.rate }, ...times };
  if (options.clients !== undefined) {
    return { shape: { mode: 'closed', clients: options.clients }, ...times };
  }
  throw new CliError(
    ExitCode.usage,
    'no load given: add --rate <n> (units per second, open loop) or --clients <n> (closed loop)',
  );
}

/**
 * A URL for each of the workload's services: `--service name=url` for that service, else
 * `--url` for all. A service without either, a name the workload does not know, or a URL
 * that is not http(s) is a usage error.
 */
export function serviceUrls(
  workload: LoadWorkload,
  name: string,
  options: RawLoadOptions,
): Record<string, string> {
  const urls: Record<string, string> = {};
  const check = (flag: string, url: string) => {
    if (!/^https?:\/\/[^/\s]+/.test(url)) {
      throw new CliError(ExitCode.usage, `${flag}: expected http://host:port, got "${url}"`);
    }
    return url.replace(/\/+$/, '');
  };
  for (const service of workload.services) {
    if (options.url !== undefined) urls[service] = check('--url', options.url);
  }
  for (const pair of options.service ?? []) {
    const at = pair.indexOf('=');
    const service = at > 0 ? pair.slice(0, at) : '';
    if (!workload.services.includes(service)) {
      throw new CliError(
        ExitCode.usage,
        `--service ${pair}: expected <service>=<url> with a service of ${name}: ${workload.services.join(', ')}`,
      );
    }
    urls[service] = check(`--service ${service}`, pair.slice(at + 1));
  }
  const missing = workload.services.filter((service) => urls[service] === undefined);
  if (missing.length > 0) {
    throw new CliError(
      ExitCode.usage,
      `no URL for ${missing.join(', ')}: give --url <url> (one app serves all) or --service ${missing[0]}=<url> for each`,
    );
  }
  return urls;
}

/** `--api-keys` (or DUET_API_KEYS): a JSON object of key → { id, roles }. */
export function parseApiKeys(text: string | undefined): Record<string, LoadPrincipal> | undefined {
  if (text === undefined || text === '') return undefined;
  const fail = (): never => {
    throw new CliError(
      ExitCode.usage,
      '--api-keys: expected a JSON object of key → { "id": ..., "roles": [...] }',
      `e.g. --api-keys '{"demo-staff":{"id":"sam","roles":["staff"]}}'`,
    );
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail();
  for (const principal of Object.values(parsed)) {
    const p = principal as Partial<LoadPrincipal> | null;
    if (
      typeof p?.id !== 'string' ||
      !Array.isArray(p.roles) ||
      !p.roles.every((role) => typeof role === 'string')
    ) {
      fail();
    }
  }
  return parsed as Record<string, LoadPrincipal>;
}
