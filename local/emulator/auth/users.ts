import type { EmulatorContext } from '../context.ts';
import type { StoredRecord } from '../store/types.ts';
import { INTEGRATION_USERNAME } from './connected-apps.ts';

export interface OrgUser {
  id: string;
  record: StoredRecord;
}

/** The active User with this Username (case-insensitive, as Salesforce logins are), if any. */
export function findActiveUser(ctx: EmulatorContext, username: string): OrgUser | undefined {
  if (!ctx.schema.object('User')) return undefined;
  for (const id of ctx.store.findIdsByField('User', 'Username', username)) {
    const found = ctx.store.findById(id);
    if (found && !found.isDeleted && found.record.IsActive !== false) return { id, record: found.record };
  }
  return undefined;
}

/**
 * Makes sure the client-credentials run-as user exists (an org always has the user it runs as) and
 * returns its Id. Only fields the org's User describe has are set, so a user-supplied schema works too.
 */
export function ensureIntegrationUser(ctx: EmulatorContext, username: string = INTEGRATION_USERNAME): string {
  if (!ctx.schema.object('User')) {
    throw new Error('The org schema has no User object; OAuth needs one for the integration user');
  }
  const existing = ctx.store.findIdsByField('User', 'Username', username)[0];
  if (existing !== undefined) return existing;
  const wanted: StoredRecord = {
    Username: username,
    Email: username,
    FirstName: 'Polyload',
    LastName: 'Integration',
    Alias: 'pintegr',
    CommunityNickname: username.split('@')[0] ?? 'integration',
    Title: 'Integration User',
    IsActive: true,
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
  };
  const values: StoredRecord = {};
  for (const [name, value] of Object.entries(wanted)) {
    const field = ctx.schema.field('User', name);
    if (field?.createable) values[field.name] = value;
  }
  return ctx.store.insert('User', values);
}
