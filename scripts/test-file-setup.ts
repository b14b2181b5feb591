import { closeSharedPGlite } from '@duet/postgres/testing';
import { afterAll } from 'vitest';

// Runs around every integration test file. The files share their worker's modules
// (vitest.config.ts), so the PGlite one file opened must not outlive it: the next file
// gets a fresh one, as it would in a process of its own.
afterAll(closeSharedPGlite);
