/** The tenant of writer or cart `index` when the work is spread over `tenants`: `t0`, `t1`, ... */
export const tenantName = (index: number, tenants: number) => `t${index % tenants}`;
