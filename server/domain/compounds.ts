/**
 * Compounds (小区 / 院落): a named group of buildings inside one community. Pure rules shared by
 * the import, the API and the web.
 */

/** The community's 12 digits, a hyphen and 3 digits (not 000): 440307001001-001. */
export const COMPOUND_CODE = /^(\d{12})-(?!000)\d{3}$/;

export const isCompoundCode = (code: string): boolean => COMPOUND_CODE.test(code);

/** The community a compound code places it in. */
export const communityOfCompound = (code: string): string => code.slice(0, 12);

/** The community of a building (or unit) code: its first 12 digits. */
export const communityOfBuilding = (code: string): string => code.slice(0, 12);

/** Building codes written in one cell: separated by commas, semicolons, 、 or spaces (half- or full-width). */
export function splitCodeList(text: string): string[] {
  return text.split(/[\s,;，；、]+/).filter((code) => code !== '');
}
