import { createProjectionStatusReader, type ProjectionStatusReader } from '@duet/postgres';
import type { Session } from '../database/open-session.ts';
import { configProjections } from './config-projections.ts';

/**
 * Reads projection status as the app's runners recorded it (state, owner, progress),
 * without running anything: the --config's projections (or only `only`) in its schemas.
 */
export function openStatusReader(session: Session, only?: string): ProjectionStatusReader {
  const { projections, schema } = configProjections(session, only);
  return createProjectionStatusReader({
    store: { executor: session.db.executor, schema: session.schema },
    projections,
    ...(schema === undefined ? {} : { schema }),
  });
}
