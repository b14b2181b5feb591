import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * Something that reads or writes tenant data ran without a tenant: a request whose
 * principal names none, or code outside `runInTenant` / `runAsSystem` on a tenant-isolated
 * database. Nothing was read or written.
 */
export class TenantRequiredError extends DuetError {
  override readonly name = 'TenantRequiredError';
  constructor(readonly operation: string) {
    super(ErrorCode.TENANT_REQUIRED, `${operation} needs a tenant, and none was given`);
  }
}
