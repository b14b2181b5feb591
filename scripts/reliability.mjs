// `npm run reliability`: runs issue 13's reliability scenarios and prints one line per
// scenario with its figures and pass/fail. Small scale by default (CI's budget);
// `-- --full` runs the stress tests at full scale (DUET_FULL=1), `-- --json` prints one
// JSON object per scenario, `-- S1 S5` runs only those. Each scenario's tests run in their
// own Vitest process; the tests hand their figures over through the file named by
// DUET_RELIABILITY_OUT (scripts/reliability/report-figures.ts). A scenario passes when its
// tests pass; the exit code is 1 only when a built scenario fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { scenarios } from './reliability/scenarios.mjs';

const args = process.argv.slice(2);
const full = args.includes('--full');
const json = args.includes('--json');
const verbose = args.includes('--verbose');
const unknown = args.filter(
  (arg) => arg.startsWith('--') && !['--full', '--json', '--verbose'].includes(arg),
);
if (unknown.length > 0) {
  console.error(
    `unknown option ${unknown.join(' ')}; use --full, --json, --verbose, or scenario ids (S1 S5)`,
  );
  process.exit(2);
}
const only = args.filter((arg) => !arg.startsWith('--')).map((arg) => arg.toUpperCase());
const chosen = scenarios.filter((scenario) => only.length === 0 || only.includes(scenario.id));
if (chosen.length === 0) {
  console.error(
    `no scenario named ${only.join(' ')}; they are ${scenarios.map((s) => s.id).join(' ')}`,
  );
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'duet-reliability-'));
const results = [];
try {
  const machine = await describeMachine();
  // Data to stdout, progress to stderr: with --json, stdout holds only the scenario objects.
  (json ? console.error : console.log)(
    `Duet reliability, ${full ? 'full scale (DUET_FULL=1)' : 'small scale (npm run reliability -- --full for full scale)'}\n${machine}`,
  );
  for (const scenario of chosen) {
    const result = scenario.files.length === 0 ? notBuilt(scenario) : run(scenario);
    results.push(result);
    console.log(json ? JSON.stringify(result) : lineOf(result));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const count = (status) => results.filter((result) => result.status === status).length;
const summary = `${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped, ${count('not built')} not built`;
if (json) {
  console.error(summary);
} else {
  console.log(summary);
  const partial = results.filter((result) => result.notYet);
  if (partial.length > 0) console.log('\nNot covered yet:');
  for (const result of partial) console.log(`  ${result.scenario}: ${result.notYet}`);
}
process.exit(count('fail') > 0 ? 1 : 0);

function notBuilt(scenario) {
  return { scenario: scenario.id, name: scenario.name, status: 'not built', pass: null };
}

function run(scenario) {
  const figuresFile = join(dir, `${scenario.id}.jsonl`);
  const reportFile = join(dir, `${scenario.id}.vitest.json`);
  console.error(`› ${scenario.id} ${scenario.name}: ${scenario.files.join(' ')}`);
  const started = Date.now();
  const child = spawnSync(
    'npx',
    ['vitest', 'run', '--reporter=json', `--outputFile.json=${reportFile}`, ...scenario.files],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DUET_RELIABILITY_OUT: figuresFile,
        ...(full ? { DUET_FULL: '1' } : {}),
      },
    },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  const output = `${child.stdout ?? ''}${child.stderr ?? ''}`;
  if (verbose) process.stderr.write(output);
  const tests = testCounts(reportFile);
  let status = 'pass';
  if (child.status !== 0 || tests.failed > 0) status = 'fail';
  else if (tests.passed === 0) status = 'skipped';
  if (status === 'fail') {
    if (!verbose) process.stderr.write(`${output.split('\n').slice(-40).join('\n')}\n`);
    for (const failure of tests.failures) process.stderr.write(`✗ ${failure}\n`);
  }
  const result = {
    scenario: scenario.id,
    name: scenario.name,
    status,
    ...combine(readFigures(figuresFile)),
    testsPassed: tests.passed,
    testsFailed: tests.failed,
    testsSkipped: tests.skipped,
    seconds,
    pass: status === 'pass' ? true : status === 'fail' ? false : null,
  };
  if (status === 'skipped') result.why = skipReason(output);
  if (scenario.notYet) result.notYet = scenario.notYet;
  return result;
}

// As scripts/test.mjs counts: a file that fails to load or whose beforeAll throws has no
// failed test, so it counts as one failure.
function testCounts(reportFile) {
  if (!existsSync(reportFile)) return { passed: 0, failed: 1, skipped: 0, failures: [] };
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  let failed = report.numFailedTests;
  const failures = [];
  for (const file of report.testResults) {
    const failedTests = file.assertionResults.filter((test) => test.status === 'failed');
    if (file.status === 'failed' && failedTests.length === 0) {
      failed += 1;
      failures.push(`${file.name}: ${file.message}`);
    }
    for (const test of failedTests) {
      failures.push(`${test.title}\n${test.failureMessages.join('\n').slice(0, 2_000)}`);
    }
  }
  return {
    passed: report.numPassedTests,
    failed,
    skipped: report.numPendingTests + report.numTodoTests,
    failures,
  };
}

function readFigures(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

// Several tests (or rounds) of one scenario report the same figure: numbers add up, except
// max… (the largest) and min… (the smallest); different texts are joined; a boolean is
// true only when every report said true.
function combine(lines) {
  const figures = {};
  for (const { scenario: _, ...line } of lines) {
    for (const [key, value] of Object.entries(line)) {
      const before = figures[key];
      if (before === undefined) figures[key] = value;
      else if (typeof value === 'boolean') figures[key] = before === true && value;
      else if (typeof value === 'string' || typeof before !== 'number') {
        if (!String(before).split('; ').includes(String(value)))
          figures[key] = `${before}; ${value}`;
      } else if (key.startsWith('max')) figures[key] = Math.max(before, value);
      else if (key.startsWith('min')) figures[key] = Math.min(before, value);
      else figures[key] = before + value;
    }
  }
  return figures;
}

function skipReason(output) {
  const line = output.split('\n').find((text) => /\bskip/i.test(text));
  return line?.trim() ?? 'every test skipped';
}

function lineOf(result) {
  const own = new Set(['scenario', 'name', 'status', 'pass', 'notYet', 'why']);
  const figures = Object.entries(result)
    .filter(([key]) => !own.has(key))
    .map(([key, value]) => `${key}=${/\s/.test(String(value)) ? JSON.stringify(value) : value}`)
    .join(' ');
  const status = result.status.toUpperCase();
  const tail = [figures, result.why, result.notYet ? '(partial, see below)' : '']
    .filter(Boolean)
    .join(' ');
  return `${result.scenario.padEnd(4)}${result.name.padEnd(44)}${status.padEnd(10)}${tail}`.trimEnd();
}

async function describeMachine() {
  const cpu = cpus();
  const memory = `${Math.round(totalmem() / 1024 ** 3)} GB RAM`;
  const parts = [
    `${cpu[0]?.model.trim() ?? 'unknown CPU'} x ${cpu.length}`,
    memory,
    `${process.platform} ${release()}`,
    `Node ${process.versions.node}`,
    await postgresVersion(),
    natsVersion(),
  ];
  return `machine: ${parts.join(', ')}`;
}

async function postgresVersion() {
  const url = process.env.DUET_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
  try {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    await client.connect();
    try {
      const { rows } = await client.query('SHOW server_version');
      return `PostgreSQL ${rows[0].server_version}`;
    } finally {
      await client.end();
    }
  } catch {
    return `PostgreSQL unreachable at ${url}`;
  }
}

function natsVersion() {
  const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : `no ${binary} binary`;
}
