// Text from outside (a server, a metadata file, an EEPROM) made safe for a terminal: control
// characters (escape sequences, NUL, CR, C1 codes) and bidirectional overrides are shown as
// escapes, so a hostile string cannot move the cursor, clear the screen or reorder a line.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with each unsafe character as \xNN or \uNNNN. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** JSON for a terminal: JSON.stringify escapes C0 controls itself; C1 codes and bidirectional
 * overrides are escaped here the JSON way (\uNNNN), so the text stays valid JSON. */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
