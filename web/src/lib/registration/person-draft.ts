import type { FloatingType, PersonCategory, PersonInput } from '../api/types.ts';

/** A person as typed into a form: every field a string, '' meaning left empty. */
export interface PersonDraft {
  idType: 'id_card' | 'passport';
  idNumber: string;
  name: string;
  category: PersonCategory;
  floatingType: FloatingType | '';
  sex: 'M' | 'F' | '';
  birthDate: string;
  nationality: string;
  phone: string;
  hukouAddress: string;
  employer: string;
}

export const emptyPerson = (): PersonDraft => ({
  idType: 'id_card',
  idNumber: '',
  name: '',
  category: 'floating',
  floatingType: 'family',
  sex: '',
  birthDate: '',
  nationality: '',
  phone: '',
  hukouAddress: '',
  employer: '',
});

/**
 * The body the API takes: empty fields left out (the server derives sex and birth date from an
 * ID card number, and says which field is wrong when something does not fit).
 */
export function toPersonInput(draft: PersonDraft): PersonInput {
  const text = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const input: PersonInput = { idType: draft.idType, idNumber: draft.idNumber.trim().toUpperCase(), name: draft.name.trim(), category: draft.category };
  const optional: Partial<PersonInput> = {
    floatingType: draft.category === 'floating' && draft.floatingType !== '' ? draft.floatingType : undefined,
    sex: draft.sex === '' ? undefined : draft.sex,
    birthDate: text(draft.birthDate),
    nationality: text(draft.nationality)?.toUpperCase(),
    phone: text(draft.phone),
    hukouAddress: text(draft.hukouAddress),
    employer: text(draft.employer),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (input as unknown as Record<string, unknown>)[key] = value;
  return input;
}
