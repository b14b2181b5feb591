import { TENANT_ROLE } from '../executor/tenant-isolated-executor.ts';

/**
 * Makes the `duet_app` role if the cluster has none (roles are cluster-wide: another
 * schema's migration may be making it at the same moment) and lets the migrating role
 * switch to it.
 */
export function tenantRoleStatements(): readonly string[] {
  return [
    `DO $role$ BEGIN
       CREATE ROLE ${TENANT_ROLE} NOLOGIN;
     EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
     END $role$`,
    `DO $member$ BEGIN
       IF NOT pg_has_role(current_user, '${TENANT_ROLE}', 'MEMBER') THEN
         EXECUTE format('GRANT ${TENANT_ROLE} TO %I', current_user);
       END IF;
     END $member$`,
  ];
}

/**
 * Row-level security on a table with a `tenant` column: forced, so the owner goes through
 * the policies too; `duet_app` sees and writes the rows of `duet.tenant` only (none when
 * it is unset or empty); the role that runs this keeps every row, for the system's work.
 * `table` is the qualified, quoted name.
 */
export function tenantTableStatements(table: string): readonly string[] {
  const own = `tenant = nullif(current_setting('duet.tenant', true), '')`;
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
    `DROP POLICY IF EXISTS duet_tenant ON ${table}`,
    `CREATE POLICY duet_tenant ON ${table} TO ${TENANT_ROLE} USING (${own}) WITH CHECK (${own})`,
    `DROP POLICY IF EXISTS duet_system ON ${table}`,
    `CREATE POLICY duet_system ON ${table} TO CURRENT_USER USING (true) WITH CHECK (true)`,
  ];
}

/**
 * Lets `duet_app` use a schema's tables, today's and those the running role creates later
 * (row policies still decide which rows). Does nothing where the role does not exist.
 */
export function tenantGrantStatements(schema: string): readonly string[] {
  return [
    `DO $grant$ BEGIN
       IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${TENANT_ROLE}') THEN
         GRANT USAGE ON SCHEMA ${schema} TO ${TENANT_ROLE};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${TENANT_ROLE};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${TENANT_ROLE};
         ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema}
           GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${TENANT_ROLE};
         ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${TENANT_ROLE};
       END IF;
     END $grant$`,
  ];
}
