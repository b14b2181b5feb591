/** Cuts `text` to at most `width` characters, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
