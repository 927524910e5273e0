/**
 * Why the user looks at person data (查询事由). The server requires it on every read of a
 * person and writes it into the audit log with the read; the user states it once per session
 * and may change it at any time. Kept in sessionStorage: a new session asks again.
 */
const storageKey = 'renwu.purpose';

export const purposePresets = ['routine_check', 'rental_inspection', 'registration_check', 'case_investigation'] as const;
export type PurposePreset = (typeof purposePresets)[number];

function readStored(): string {
  try {
    return sessionStorage.getItem(storageKey) ?? '';
  } catch {
    return '';
  }
}

class PurposeState {
  /** The text sent to the server; '' until the user states one. */
  text = $state(readStored());

  set(text: string): void {
    this.text = text.trim();
    try {
      sessionStorage.setItem(storageKey, this.text);
    } catch {
      // Not remembered; it still applies until the page is reloaded.
    }
  }

  /** The server wants at least two characters. */
  get isStated(): boolean {
    return this.text.length >= 2;
  }
}

export const purpose = new PurposeState();
