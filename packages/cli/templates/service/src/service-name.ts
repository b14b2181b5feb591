/** This service's name: its package, its OpenAPI title and (with _ for -) its schemas. */
export const SERVICE_NAME = 'my-service';

/** The PostgreSQL schema of its events; its processors and read models sit beside it. */
export const SERVICE_SCHEMA = SERVICE_NAME.replaceAll('-', '_');
