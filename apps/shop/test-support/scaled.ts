/**
 * The shop's fault and load tests run small in CI and large on demand, as the packages'
 * do: `DUET_FULL=1 npx vitest run apps/shop/src/services`.
 *
 * @example
 * const ORDERS = scaled(100, 300); // 300 with DUET_FULL=1
 */
export function scaled(ci: number, full: number): number {
  return process.env.DUET_FULL === '1' ? full : ci;
}
