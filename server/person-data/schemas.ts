import { z } from 'zod';
import { checkUnitCode, PREFIX_LENGTH } from '../domain/codes.ts';
import { FLOATING_TYPES, PERSON_CATEGORIES } from '../db/schema.ts';
import { bilingual, calendarDate, textNumber } from '../http/validate.ts';

/** Input shapes shared by the routes that read or write person data (zod answers 400 invalid_request naming the field). */
export const unitCode = z.string().superRefine((code, context) => {
  const check = checkUnitCode(code);
  if (!check.ok)
    context.addIssue({ code: 'custom', message: check.message ?? 'Invalid unit code', params: { code: 'invalid_unit_code', zh: '房屋编码不正确' } });
});

export const gridCode = z.string().regex(new RegExp(`^\\d{${PREFIX_LENGTH.grid}}$`), `must be a ${PREFIX_LENGTH.grid}-digit grid code`);

/** A row id in a JSON body: a JSON number, never text, true or [2] (no coercion). */
export const numericId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** The same id in a path, where it is text: "3" only. */
export const idParams = z.object({ id: textNumber(numericId) });

/** Why a person's data is looked at: required on every read of person data, and audited. */
export const purpose = z.string().trim().min(2, bilingual('say why you look (at least 2 characters)', '请说明查看原因（至少 2 个字符）')).max(200);
export const purposeQuery = z.object({ purpose });

const text = (max: number) => z.string().trim().min(1).max(max);
export const phone = z.string().regex(/^[0-9+\- ]{5,20}$/, 'must be 5 to 20 digits, spaces, + or -');
export const idNumber = z.string().trim().min(5).max(20);

/** The person part of a move-in form. Sex and birth date may be left out for an ID card: the number holds them. */
export const personInput = z.strictObject({
  idType: z.enum(['id_card', 'passport']),
  idNumber,
  name: text(100),
  sex: z.enum(['M', 'F']).optional(),
  birthDate: calendarDate.optional(),
  nationality: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 3166 alpha-3 code such as CHN')
    .optional(),
  ethnicity: text(40).optional(),
  hukouAddress: text(200).optional(),
  phone: phone.optional(),
  category: z.enum(PERSON_CATEGORIES),
  floatingType: z.enum(FLOATING_TYPES).optional(),
  employer: text(200).optional(),
});
export type PersonInput = z.infer<typeof personInput>;

/** Names a person already on file: by row id (someone in one's jurisdiction) or by the number on their papers. */
export const personReference = {
  personId: numericId.optional(),
  idNumber: idNumber.optional(),
};
export const exactlyOnePerson = (body: { personId?: number | undefined; idNumber?: string | undefined }) =>
  (body.personId === undefined) !== (body.idNumber === undefined);
export const exactlyOnePersonIssue = { message: bilingual('give either personId or idNumber', '请在人员编号和证件号码中二选一'), path: ['personId'] };

export const CORRECTION_REASONS = ['typing_error', 'document_changed', 'name_changed', 'other'] as const;

/** A correction names the fields it changes; null clears an optional field. */
export const personCorrection = z
  .strictObject({
    reason: z.enum(CORRECTION_REASONS),
    idType: personInput.shape.idType.optional(),
    idNumber: idNumber.optional(),
    name: text(100).optional(),
    sex: personInput.shape.sex,
    birthDate: personInput.shape.birthDate,
    nationality: personInput.shape.nationality,
    ethnicity: text(40).nullable().optional(),
    hukouAddress: text(200).nullable().optional(),
    phone: phone.nullable().optional(),
    category: personInput.shape.category.optional(),
    floatingType: z.enum(FLOATING_TYPES).nullable().optional(),
    employer: text(200).nullable().optional(),
  })
  .refine((correction) => Object.keys(correction).length > 1, {
    message: bilingual('name at least one field to correct', '请至少填写一项要更正的内容'),
    path: ['(root)'],
  });
export type PersonCorrection = z.infer<typeof personCorrection>;
