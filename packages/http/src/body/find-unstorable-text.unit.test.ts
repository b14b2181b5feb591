import { describe, expect, it } from 'vitest';
import { findUnstorableText } from './find-unstorable-text.ts';

const NUL = 'contains a NUL character (U+0000)';
const LONE = 'contains a lone UTF-16 surrogate (not Unicode text)';

describe('findUnstorableText', () => {
  it('given well-formed text, emoji (surrogate pairs) and other types, when checked, then nothing is found', () => {
    expect(
      findUnstorableText({ a: 'plain', b: '😀 \u{10FFFF}', c: [1, true, null, { d: 'é' }] }),
    ).toEqual([]);
  });

  it('given NULs and lone surrogates at any depth, when checked, then each path in document order', () => {
    expect(
      findUnstorableText({
        sku: 'a\u0000',
        lines: [{ note: 'ok' }, { note: '\ud800x' }],
        tail: 'x\udc00',
        pair: '\ude00\ud83d',
      }),
    ).toEqual([
      { path: ['sku'], message: NUL },
      { path: ['lines', 1, 'note'], message: LONE },
      { path: ['tail'], message: LONE },
      { path: ['pair'], message: LONE },
    ]);
  });

  it('given a bad property name, when checked, then the name is reported and its value not walked', () => {
    expect(findUnstorableText({ 'k\u0000': 'v\u0000', ok: '\u0000' })).toEqual([
      { path: ['k\u0000'], message: `its name ${NUL}` },
      { path: ['ok'], message: NUL },
    ]);
  });

  it('given a bare string or a body nested 100 000 deep, when checked, then no stack overflow', () => {
    expect(findUnstorableText('\u0000')).toEqual([{ path: [], message: NUL }]);
    const deep = JSON.parse(`${'['.repeat(100_000)}"\\u0000"${']'.repeat(100_000)}`);
    expect(findUnstorableText(deep)).toHaveLength(1);
  });
});
