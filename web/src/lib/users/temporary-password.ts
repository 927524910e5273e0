// Letters and digits that cannot be misread when the password is read out or written down.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const LENGTH = 16;

/** A random temporary password (about 92 bits) for the admin to hand over in person. */
export function generateTemporaryPassword(): string {
  const bytes = crypto.getRandomValues(new Uint32Array(LENGTH));
  return Array.from(bytes, (value) => ALPHABET[value % ALPHABET.length]).join('');
}
