/**
 * UI text in Chinese (the default: the users are street offices and police stations) and
 * English. The words live in lib/i18n/*.ts, one module per part of the app; this file merges
 * them and holds the one pure lookup. The reactive current language lives in locale.svelte.ts.
 * Each module types its English as Record<keyof zh, string>: a key missing from English is a
 * type error, not a blank label.
 */
import * as common from './i18n/common.ts';
import * as errors from './i18n/errors.ts';
import * as leader from './i18n/leader.ts';
import * as mapWords from './i18n/map.ts';
import * as office from './i18n/office.ts';
import * as planner from './i18n/planner.ts';
import * as police from './i18n/police.ts';
import * as registration from './i18n/registration.ts';
import * as exportWords from './i18n/exports.ts';
import * as inspections from './i18n/inspections.ts';
import * as households from './i18n/households.ts';
import * as users from './i18n/users.ts';
import * as audit from './i18n/audit.ts';
import * as imports from './i18n/imports.ts';
import * as account from './i18n/account.ts';
import * as compounds from './i18n/compounds.ts';
import * as hotspots from './i18n/hotspots.ts';

export type Locale = 'zh-CN' | 'en';
export const locales: readonly Locale[] = ['zh-CN', 'en'];
export const defaultLocale: Locale = 'zh-CN';

const zhCN = {
  ...common.zh,
  ...errors.zh,
  ...mapWords.zh,
  ...leader.zh,
  ...planner.zh,
  ...police.zh,
  ...registration.zh,
  ...office.zh,
  ...exportWords.zh,
  ...inspections.zh,
  ...households.zh,
  ...users.zh,
  ...audit.zh,
  ...imports.zh,
  ...account.zh,
  ...compounds.zh,
  ...hotspots.zh,
};

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  ...common.en,
  ...errors.en,
  ...mapWords.en,
  ...leader.en,
  ...planner.en,
  ...police.en,
  ...registration.en,
  ...office.en,
  ...exportWords.en,
  ...inspections.en,
  ...households.en,
  ...users.en,
  ...audit.en,
  ...imports.en,
  ...account.en,
  ...compounds.en,
  ...hotspots.en,
};

const messages: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export type MessageParams = Record<string, string | number>;

/** The text for `key` in `locale`, with `{name}` placeholders filled from `params`. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = messages[locale][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => (name in params ? String(params[name]) : placeholder));
}

/** Whether `key` names a message: server error codes are looked up this way before falling back. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}
