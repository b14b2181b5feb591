import { ValidationError } from '@duet/core';
import { startTelemetry } from '../telemetry/start-telemetry.ts';
import { runShopService } from './run-shop-service.ts';
import { readServiceSettings } from './service-settings.ts';

// One service of the shop in its own process (`npm run start:services` starts one per
// service; docs/deploy.md shows how to run them yourself). Settings come from the
// environment: see service-settings.ts. Prints one `ready` line when it serves.
const started = performance.now();
let settings: ReturnType<typeof readServiceSettings>;
try {
  settings = readServiceSettings(process.env);
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  for (const issue of error.issues) console.error(`duet shop service: ${issue.message}`);
  process.exit(2);
}
const stopTelemetry = await startTelemetry(`duet-shop-${settings.service}`);
let running: Awaited<ReturnType<typeof runShopService>>;
try {
  running = await runShopService(settings);
} catch (error) {
  console.error(`duet shop ${settings.service}: cannot start: ${(error as Error).message}`);
  process.exit(1);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `duet shop ${settings.service} [${settings.roles.join(',')}] ready at ${running.address} in ${seconds} s`,
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`duet shop ${settings.service}: ${signal}, stopping`);
  await running.stop();
  await stopTelemetry?.();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
