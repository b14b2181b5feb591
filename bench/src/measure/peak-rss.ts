/**
 * The process's peak resident set size so far, in MB (the kernel's ru_maxrss). It never
 * goes down: on a line measured after others in the same process it is the peak of all of
 * them, so each bench line says which process it was taken in.
 *
 * @example
 * peakRssMb(); // 142.3
 */
export function peakRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
