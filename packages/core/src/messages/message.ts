/**
 * The shape every command, event and query shares: a `type` to tell them apart and the
 * `data` the schema describes. Unions of these are discriminated on `type`.
 */
export interface Message<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}
