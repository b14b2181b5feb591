import { describe, expect, it } from 'vitest';
import { html, raw } from './html.ts';

describe('html', () => {
  it('given data with markup and quotes, when interpolated, then it is escaped; nested html and raw are not', () => {
    const name = `<script>alert("x")</script>&'`;
    const cell = html`<td title="${name}">${name}</td>`;
    expect(String(cell)).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>',
    );
    expect(String(html`<tr>${[cell, raw('<td>1</td>')]}${null}${false}${0}</tr>`)).toContain(
      '<td>1</td>0</tr>',
    );
  });
});
