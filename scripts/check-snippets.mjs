// Docs show code cut from files that compile and run in the test suite. A code block right
// after `<!-- snippet: path/to/file.ts#region -->` must equal that region of the file
// (between `// #region name` and `// #endregion name`). Run by `npm run lint`;
// `--write` refreshes the blocks from the files. It also fails on any ts block in a README
// (any folder) and docs/ (the docs site's pages, subfolders included) that has no marker (issue 15):
// `--loose` (or DUET_SNIPPETS_STRICT=0) lets those through while a block is being moved.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const write = process.argv.includes('--write');
// Strict by default, so `npm run lint` fails on a new unmarked block; `--strict` is accepted.
const strict = !process.argv.includes('--loose') && process.env.DUET_SNIPPETS_STRICT !== '0';
// The docs that strict mode holds to "every ts block is cut from tested code".
const strictScope = /^((.+\/)?README\.md|docs\/.+\.md)$/;
const docs = execFileSync(
  'git',
  ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'],
  {
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter((file) => file && !file.includes('node_modules/'));

// The region's text, or null when the file or the region is missing.
function region(file, name) {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  const end = lines.findIndex(
    (line, index) => index > start && line.trim() === `// #endregion ${name}`,
  );
  if (start === -1 || end === -1) return null;
  // Dedented, so a region inside a test's body reads as top-level code in the docs.
  const body = lines.slice(start + 1, end);
  // Blank lines at a region's edges (the formatter keeps one before a comment) are not shown.
  while (body.length > 0 && !body[0].trim()) body.shift();
  while (body.length > 0 && !body.at(-1).trim()) body.pop();
  const indent = Math.min(
    ...body.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length),
  );
  return body.map((line) => line.slice(Math.min(indent, line.length))).join('\n');
}

// The block after a marker: whole lines up to the first fence, so an empty block never
// reaches into the next one. The closing fence is bare: a "```ts" there opens a new block in
// Markdown and swallows the text after it (issue 15), so it counts as no block.
const marker = /<!-- snippet: ([^#\s]+)#([\w-]+) -->\n```(\w*)\n((?:(?!```).*\n)*?)```(?=\n|$)/g;

// Line numbers of ts blocks with no marker on the line before, fences read as Markdown does
// (a fence with an info string never closes a block).
function unmarkedBlocks(text) {
  const lines = text.split('\n');
  const found = [];
  let open = false;
  lines.forEach((line, index) => {
    const fence = /^\s*```\s*(\w*)/.exec(line);
    if (!fence) return;
    if (open) {
      if (!fence[1]) open = false;
      return;
    }
    open = true;
    const ts = fence[1] === 'ts' || fence[1] === 'typescript';
    if (ts && !/<!-- snippet:/.test(lines[index - 1] ?? '')) found.push(index + 1);
  });
  return found;
}

let stale = 0;
let broken = 0;
let unmarked = 0;
for (const doc of docs) {
  const text = readFileSync(doc, 'utf8');
  // A marker is a line of its own; one quoted in prose or in a code span is text.
  const markers = text.match(/^<!-- snippet:[^>]*-->$/gm)?.length ?? 0;
  let matched = 0;
  const updated = text.replace(marker, (block, path, name, lang, lines) => {
    matched += 1;
    const body = lines.replace(/\n$/, '');
    const source = region(resolve(dirname(doc), path), name);
    if (source === null) {
      broken += 1;
      console.error(`${doc}: ${join(dirname(doc), path)} has no region ${name}`);
      return block;
    }
    if (!source.trim()) {
      broken += 1;
      console.error(`${doc}: the region ${path}#${name} is empty`);
      return block;
    }
    if (source === body) return block;
    stale += 1;
    console.error(`${doc}: the snippet from ${join(dirname(doc), path)}#${name} is out of date`);
    return `<!-- snippet: ${path}#${name} -->\n\`\`\`${lang}\n${source}\n\`\`\``;
  });
  if (matched !== markers) {
    broken += 1;
    console.error(`${doc}: ${markers - matched} snippet marker(s) not followed by a code block`);
  }
  if (write && updated !== text) writeFileSync(doc, updated);
  if (strict && strictScope.test(doc)) {
    for (const line of unmarkedBlocks(text)) {
      unmarked += 1;
      console.error(`${doc}:${line}: a ts block with no snippet marker`);
    }
  }
}
if (unmarked > 0) {
  console.error(
    `${unmarked} ts block(s) not cut from tested code: put the code in a tested file between // #region and // #endregion, and a <!-- snippet: path#region --> line before the block`,
  );
}
if (broken > 0 || unmarked > 0) process.exit(1);
if (stale > 0 && !write) {
  console.error(`${stale} snippet(s) out of date: run node scripts/check-snippets.mjs --write`);
  process.exit(1);
}
