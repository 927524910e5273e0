import { defaultLocale, isLocale, translate, type Locale, type MessageKey, type MessageParams } from './i18n.ts';

const storageKey = 'renwu.locale';

function readStoredLocale(): Locale {
  try {
    const stored = globalThis.localStorage?.getItem(storageKey);
    return isLocale(stored) ? stored : defaultLocale;
  } catch {
    // Private mode or storage disabled: fall back to the default language.
    return defaultLocale;
  }
}

/** The language the user chose, remembered across visits; `t` re-renders when it changes. */
class LocaleState {
  current = $state<Locale>(readStoredLocale());

  set(locale: Locale): void {
    this.current = locale;
    document.documentElement.lang = locale;
    try {
      localStorage.setItem(storageKey, locale);
    } catch {
      // Not persisted; the choice still applies to this visit.
    }
  }

  t = (key: MessageKey, params?: MessageParams): string => translate(this.current, key, params);
}

export const locale = new LocaleState();
