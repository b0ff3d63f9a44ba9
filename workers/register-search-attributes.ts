/**
 * Registers tierline's search attributes that a server does not know yet.
 *
 * Done at every start through the operator service because nothing else covers every server:
 * `start-dev --search-attribute` adds nothing to an existing SQLite file, and the time-skipping
 * server has no option for it. The time-skipping server cannot list search attributes but does
 * add them: there every attribute is added (adding is idempotent on it).
 */
import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { TICKET_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

const GRPC_UNIMPLEMENTED = 12;

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  let known: Set<string>;
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set(Object.keys(customAttributes ?? {}));
  } catch (err) {
    if ((err as { code?: number }).code !== GRPC_UNIMPLEMENTED) throw err;
    known = new Set();
  }
  const missing = TICKET_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
  });
  return missing.map((key) => key.name);
}
