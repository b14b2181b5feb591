/**
 * NATS subject matching: `*` matches one token, a final `>` one or more.
 *
 * @example
 * subjectMatches('orders.>', 'orders.OrderPlaced') // true
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const want = filter.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === '>') return have.length > i;
    if (i >= have.length) return false;
    if (token !== '*' && token !== have[i]) return false;
  }
  return want.length === have.length;
}
