/** Rounds to 3 decimals, as the other workloads' lines do. */
export const round = (n: number): number => Math.round(n * 1000) / 1000;

/** The process's peak resident set size so far, in MB (it only grows over a run). */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

export function printLine(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
