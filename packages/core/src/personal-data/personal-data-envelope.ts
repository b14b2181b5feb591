import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

/**
 * What a personal field holds once sealed: its JSON value encrypted with the subject's
 * AES-256-GCM key. `iv` (96 bits, see `syntheticIv`), `ct` and `tag` are base64. The
 * additional authenticated data binds it to where it was written (see `aadOf`), so a
 * sealed value copied into another event or field does not open.
 */
export interface SealedField {
  readonly $personal: {
    readonly v: 1;
    readonly subject: string;
    readonly iv: string;
    readonly ct: string;
    readonly tag: string;
  };
}

/** Where a sealed value belongs: the event (or message) id and the field's name. */
export interface SealedPlace {
  readonly id: string;
  readonly field: string;
}

/** True for a value shaped like a sealed personal field. */
export function isSealedField(value: unknown): value is SealedField {
  if (typeof value !== 'object' || value === null) return false;
  const inner = (value as { $personal?: unknown }).$personal;
  if (typeof inner !== 'object' || inner === null) return false;
  const { v, subject, iv, ct, tag } = inner as Record<string, unknown>;
  return (
    v === 1 &&
    typeof subject === 'string' &&
    typeof iv === 'string' &&
    typeof ct === 'string' &&
    typeof tag === 'string'
  );
}

const aadOf = (subject: string, place: SealedPlace) =>
  Buffer.from(`duet-personal-data:v1\n${place.id.toLowerCase()}\n${place.field}\n${subject}`);

/**
 * The IV of a field: HMAC-SHA256 of its place and JSON value under a key derived from the
 * subject's (HKDF), cut to 96 bits: a synthetic IV (the SIV idea). Appending the same
 * event again (a retry with the same id, which stores must recognise as the same
 * payload) seals to the same bytes, while two different values or places get unrelated
 * IVs, as random ones would, so GCM never sees one IV with two plaintexts. Each event id
 * is unique, so equal ciphertexts reveal nothing across events.
 */
function syntheticIv(key: Uint8Array, place: SealedPlace, json: string): Buffer {
  const ivKey = Buffer.from(
    hkdfSync('sha256', key, new Uint8Array(0), 'duet-personal-data iv v1', 32),
  );
  return createHmac('sha256', ivKey)
    .update(`${place.id.toLowerCase()}\n${place.field}\n${json}`)
    .digest()
    .subarray(0, 12);
}

/**
 * Encrypts one field's value for `subject`.
 *
 * @example
 * const sealed = sealField(key, 'customer-7', { id: event.id, field: 'email' }, 'ada@example.com');
 */
export function sealField(
  key: Uint8Array,
  subject: string,
  place: SealedPlace,
  value: unknown,
): SealedField {
  const json = JSON.stringify(value);
  const iv = syntheticIv(key, place, json);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadOf(subject, place));
  const ct = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return {
    $personal: {
      v: 1,
      subject,
      iv: iv.toString('base64'),
      ct: ct.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    },
  };
}

/**
 * Decrypts a sealed field with its subject's key. Throws when the tag does not check
 * (a wrong key, a value moved to another place, or tampering): never returns garbage.
 */
export function openField(key: Uint8Array, sealed: SealedField, place: SealedPlace): unknown {
  const { subject, iv, ct, tag } = sealed.$personal;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(aadOf(subject, place));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
