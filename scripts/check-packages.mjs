// The packaging check: the public packages as a user gets them from npm.
//
// 1. builds them (scripts/build-packages.mjs) and packs each with `npm pack`;
// 2. lints every tarball with publint and with "Are the types wrong?" (ESM only: Duet
//    ships no CommonJS; `require()` of it works on Node >= 20.19 through require(esm));
// 3. installs the tarballs, with the peers a user adds (zod, fastify, PGlite, ...), into a
//    scratch project under the OS's temp folder, outside this workspace and its .npmrc;
// 4. type-checks that project against the published .d.mts with this workspace's tsc
//    (module and moduleResolution nodenext), and compiles it;
// 5. runs it on Node 20 (this machine's), 22 and 24: the core README's example
//    (packages/core/examples/account.ts, copied as it is), the same decider on PGlite behind
//    the HTTP plugin, a require() of every entry, and `npx duet --help`.
//
//   node scripts/check-packages.mjs                 everything
//   node scripts/check-packages.mjs --node 20,24    run the scratch project on those only
//   node scripts/check-packages.mjs --keep          keep the scratch project, print where
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = resolve(import.meta.dirname, '..');
const publicPackages = ['core', 'postgres', 'nats', 'http', 'console', 'cli'];
const { values } = parseArgs({
  options: { node: { type: 'string', default: '20,22,24' }, keep: { type: 'boolean' } },
});
const nodeVersions = values.node.split(',').map((v) => v.trim());
const failures = [];
const timings = [];

/** Runs `fn`, prints how long it took, keeps the figure for the summary. */
async function step(name, fn) {
  const started = Date.now();
  process.stderr.write(`› ${name}\n`);
  const result = await fn();
  const seconds = (Date.now() - started) / 1000;
  timings.push([name, seconds]);
  process.stderr.write(`  ${name}: ${seconds.toFixed(1)} s\n`);
  return result;
}

// What a user's shell has: none of this workspace's npm settings. npm hands its config to
// scripts as npm_config_* variables, and the workspace's .npmrc sets NODE_OPTIONS to the
// "@duet/source" condition, which would make node load the shipped src/*.ts.
const userEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => name !== 'NODE_OPTIONS' && !name.toLowerCase().startsWith('npm_'),
  ),
);

function run(command, args, cwd, env = userEnv) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${output}`);
  }
  return output;
}

await step('build', () =>
  run(process.execPath, [join(root, 'scripts', 'build-packages.mjs')], root),
);

const scratch = mkdtempSync(join(tmpdir(), 'duet-packages-'));
try {
  const tarballDir = join(scratch, 'tarballs');
  mkdirSync(tarballDir);

  const tarballs = await step('npm pack', () => {
    const out = execFileSync(
      'npm',
      [
        'pack',
        '--json',
        '--pack-destination',
        tarballDir,
        ...publicPackages.flatMap((p) => ['--workspace', `packages/${p}`]),
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return Object.fromEntries(
      JSON.parse(out).map((pack) => [pack.name, join(tarballDir, pack.filename)]),
    );
  });

  await step('publint and attw', async () => {
    for (const [name, file] of Object.entries(tarballs)) {
      const data = readFileSync(file);
      const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
      const lint = await publint({ pack: { tarball }, strict: true });
      for (const message of lint.messages) {
        failures.push(`publint ${name}: ${formatMessage(message, lint.pkg) ?? message.code}`);
      }
      const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(data)));
      if (!analysis.types) failures.push(`attw ${name}: no types found`);
      // attw's "esm-only" profile: CommonJS resolutions (node10, node16 from require) aside.
      const ignored = new Set(['node10', 'node16-cjs']);
      for (const problem of analysis.problems ?? []) {
        if (ignored.has(problem.resolutionKind)) continue;
        failures.push(`attw ${name}: ${problem.kind} ${JSON.stringify(problem)}`);
      }
      const entries = Object.keys(analysis.entrypoints ?? {}).join(', ');
      process.stderr.write(
        `  ${name}: publint ${lint.messages.length} messages, attw ${entries}\n`,
      );
    }
  });

  // The scratch project: the tarballs and the peers a user installs next to them.
  const project = join(scratch, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  const workspaceVersion = (name) =>
    JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  const peers = ['zod', 'fastify', '@electric-sql/pglite', 'pg', '@opentelemetry/api'];
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'duet-scratch',
        private: true,
        type: 'module',
        dependencies: {
          ...Object.fromEntries(Object.entries(tarballs).map(([n, f]) => [n, `file:${f}`])),
          ...Object.fromEntries(peers.map((n) => [n, `^${workspaceVersion(n)}`])),
        },
        devDependencies: Object.fromEntries(
          ['@types/node', '@types/pg'].map((n) => [n, `^${workspaceVersion(n)}`]),
        ),
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023', 'ESNext.Disposable'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          // As most projects have it: PGlite's own .d.ts needs DOM and Emscripten types.
          skipLibCheck: true,
          allowImportingTsExtensions: true,
          rewriteRelativeImportExtensions: true,
          rootDir: 'src',
          outDir: 'dist',
          types: ['node'],
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
  );
  copyFileSync(
    join(root, 'packages', 'core', 'examples', 'account.ts'),
    join(project, 'src', 'account.ts'),
  );
  copyFileSync(join(root, 'scripts', 'check-packages', 'bank.ts'), join(project, 'src', 'bank.ts'));
  copyFileSync(
    join(root, 'scripts', 'check-packages', 'require-entries.cjs'),
    join(project, 'require-entries.cjs'),
  );
  copyFileSync(
    join(root, 'scripts', 'check-packages', 'duet.config.ts'),
    join(project, 'duet.config.ts'),
  );

  const install = await step('npm install (scratch project)', () =>
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project),
  );
  const engineWarnings = [...install.matchAll(/package: '([^']+)'/g)].map((m) => m[1]);
  if (engineWarnings.length > 0) {
    process.stderr.write(`  EBADENGINE on ${process.version}: ${engineWarnings.join(', ')}\n`);
  }

  await step('tsc (scratch project against the published types)', () =>
    run(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
      project,
    ),
  );

  for (const version of nodeVersions) {
    await step(`node ${version}: example, require(), duet --help`, () => {
      // The machine's node as it is; others from the registry's `node` package, asked once for
      // the binary's path (each npx costs npm's start-up).
      const binary = process.version.startsWith(`v${version}.`)
        ? process.execPath
        : run(
            'npx',
            ['-y', '-p', `node@${version}`, '--', 'node', '-p', 'process.execPath'],
            project,
          )
            .trim()
            .split('\n')
            .at(-1);
      const node = (args) => run(binary, args, project);
      const example = node(['dist/bank.js']);
      if (!example.includes('example ok'))
        throw new Error(`example on node ${version}:\n${example}`);
      const required = node(['require-entries.cjs']);
      if (!required.includes('require ok'))
        throw new Error(`require on node ${version}:\n${required}`);
      const help = node(['node_modules/@duet/cli/bin/duet.mjs', '--help']);
      if (!help.includes('Usage: duet'))
        throw new Error(`duet --help on node ${version}:\n${help}`);
      process.stderr.write(`  ${example.trim().split('\n').at(-1)}\n`);
    });
  }
  await step('npx duet --help', () => {
    const help = run('npx', ['duet', '--help'], project);
    if (!help.includes('Usage: duet')) throw new Error(`npx duet --help:\n${help}`);
  });
  await step('duet with a TypeScript --config', () => {
    const duet = (args) =>
      run(process.execPath, ['node_modules/@duet/cli/bin/duet.mjs', ...args], project);
    const pglite = join(scratch, 'cli-pglite');
    duet(['migrate', '--pglite', pglite, '--schema', 'scratch']);
    const listed = duet(['streams', 'list', '--pglite', pglite, '--config', 'duet.config.ts']);
    if (!listed.includes('no streams')) throw new Error(`duet streams list --config:\n${listed}`);
  });
  await step('duet new: the starter on the tarballs, its tests and its start-up', async () => {
    const service = join(scratch, 'starter');
    run('npx', ['duet', 'new', 'starter', '--dir', service], project);
    // The packages it names are not on the registry yet: the tarballs stand in for them.
    const own = ['@duet/core', '@duet/postgres', '@duet/http'].map((name) => tarballs[name]);
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...own], service);
    // Colours off (vitest may colour a pipe), so the summary reads plainly.
    const tested = run('npm', ['test'], service, { ...userEnv, NO_COLOR: '1', FORCE_COLOR: '0' });
    if (!/Tests\s+\d+ passed/.test(tested)) throw new Error(`the starter's npm test:\n${tested}`);
    await startAndAsk(service);
  });
} finally {
  if (values.keep) process.stderr.write(`scratch project kept: ${scratch}/project\n`);
  else rmSync(scratch, { recursive: true, force: true });
}
const total = timings.reduce((sum, [, s]) => sum + s, 0);
console.log(`packaging check: ${timings.map(([n, s]) => `${n} ${s.toFixed(1)} s`).join('; ')}`);
if (failures.length > 0) {
  console.error(failures.join('\n'));
  console.log(`packaging check failed (${failures.length} problems) in ${total.toFixed(0)} s`);
  process.exit(1);
}
console.log(`packaging check passed in ${total.toFixed(0)} s`);

/**
 * Starts the generated service as `npm start` does (tsx, its built dependencies), adds a
 * task over HTTP, reads it back with the command's position, and stops it with SIGTERM.
 */
async function startAndAsk(service) {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(join(service, 'node_modules', '.bin', 'tsx'), ['src/main.ts'], {
    cwd: service,
    env: { ...userEnv, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((done) => child.once('exit', (code) => done(code)));
  try {
    await new Promise((done, fail) => {
      let output = '';
      const onData = (chunk) => {
        output += chunk;
        if (/listening on/.test(output)) done();
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      child.once('exit', (code) => fail(new Error(`the starter exited ${code}:\n${output}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const headers = { 'x-api-key': 'dev-key', 'content-type': 'application/json' };
    const added = await fetch(`${url}/commands/AddTask`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ taskId: 't1', title: 'Try Duet' }),
    });
    if (added.status !== 200) throw new Error(`AddTask: ${added.status} ${await added.text()}`);
    const { position } = await added.json();
    const open = await (
      await fetch(`${url}/queries/OpenTasks?minPosition=${position}`, { headers })
    ).json();
    if (open.tasks?.[0]?.taskId !== 't1') throw new Error(`OpenTasks: ${JSON.stringify(open)}`);
  } finally {
    child.kill('SIGTERM');
  }
  const code = await exited;
  if (code !== 0) throw new Error(`the starter exited ${code} on SIGTERM`);
}
