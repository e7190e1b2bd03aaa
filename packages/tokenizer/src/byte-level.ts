// GPT-2's byte-to-unicode table (bytes_char in `tokenizers`): every byte maps to a printable
// character so byte-level BPE can work on strings. Forward mapping of a piece, and the reverse
// mapping used by the ByteLevel decoder.

/** Character standing for each byte 0..255. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();
/** Byte of each mapped character code (codes < 512), or -1. */
export const CHAR_TO_BYTE: Int16Array = buildCharToByte();

function buildByteToChar(): string[] {
  const table: string[] = new Array(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : 256 + next++);
  }
  return table;
}

function buildCharToByte(): Int16Array {
  const table = new Int16Array(512).fill(-1);
  for (let b = 0; b < 256; b++) table[BYTE_TO_CHAR[b]!.charCodeAt(0)] = b;
  return table;
}

const ASCII_MAPPED: string[] = BYTE_TO_CHAR.slice(0, 128);

/** Maps the UTF-8 bytes of `piece` (well-formed) to byte-level characters. */
export function byteLevelEncode(piece: string): string {
  let out = '';
  const n = piece.length;
  for (let i = 0; i < n; i++) {
    let c = piece.charCodeAt(i);
    if (c < 0x80) {
      out += ASCII_MAPPED[c];
    } else if (c < 0x800) {
      out += BYTE_TO_CHAR[0xc0 | (c >> 6)]! + BYTE_TO_CHAR[0x80 | (c & 0x3f)]!;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      c = 0x10000 + ((c - 0xd800) << 10) + (piece.charCodeAt(++i) - 0xdc00);
      out +=
        BYTE_TO_CHAR[0xf0 | (c >> 18)]! +
        BYTE_TO_CHAR[0x80 | ((c >> 12) & 0x3f)]! +
        BYTE_TO_CHAR[0x80 | ((c >> 6) & 0x3f)]! +
        BYTE_TO_CHAR[0x80 | (c & 0x3f)]!;
    } else {
      out +=
        BYTE_TO_CHAR[0xe0 | (c >> 12)]! +
        BYTE_TO_CHAR[0x80 | ((c >> 6) & 0x3f)]! +
        BYTE_TO_CHAR[0x80 | (c & 0x3f)]!;
    }
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * The bytes a ByteLevel decoder produces for one token: the mapped bytes when every character
 * is in the byte alphabet, else the token's own UTF-8 bytes (as `tokenizers` does).
 */
export function byteLevelTokenBytes(token: string): Uint8Array {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < 512 ? CHAR_TO_BYTE[c]! : -1;
    if (b < 0) return encoder.encode(token);
    bytes[i] = b;
  }
  return bytes;
}
