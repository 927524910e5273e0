import { z } from 'zod';
import type { CodeCheck } from '../../domain/codes.ts';
import { cellText, requiredOr } from '../cells.ts';

/** Fields more than one kind of import reads. */

/**
 * Text of a cell that must keep every digit (house codes, ID numbers). A spreadsheet that stored
 * a 19-digit code as a number has already rounded it: say so instead of "wrong check digit".
 */
function keepDigits(cell: unknown, context: z.RefinementCtx): string | undefined {
  if (typeof cell === 'number' && !Number.isSafeInteger(cell)) {
    context.addIssue({ code: 'custom', message: 'was stored as a number and lost digits: format the column as text' });
    return z.NEVER;
  }
  return cellText(cell);
}

export const digitsText = z.preprocess(keepDigits, z.string(requiredOr()));

/** A house code checked by server/domain/codes.ts; the message names the bad part (街道, 社区 …). */
const checkedCode = (check: (code: unknown) => CodeCheck) =>
  z.string(requiredOr()).superRefine((code, context) => {
    const result = check(code);
    if (!result.ok) context.addIssue({ code: 'custom', message: result.message ?? 'is not a valid code' });
  });

export const codeField = (check: (code: unknown) => CodeCheck) => z.preprocess(keepDigits, checkedCode(check));
export const optionalCodeField = (check: (code: unknown) => CodeCheck) => z.preprocess(keepDigits, checkedCode(check).optional());

export const phoneField = z.preprocess(
  cellText,
  z
    .string()
    .regex(/^[0-9+\- ]{5,20}$/, 'must be 5 to 20 digits, spaces, + or -')
    .optional(),
);
