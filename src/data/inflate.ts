/**
 * DEFLATE (RFC 1951) and gzip (RFC 1952) decompression, synchronous and in plain TypeScript.
 *
 * Why our own and not a dependency or the platform: `DecompressionStream` exists in browsers and
 * Node but is asynchronous, which would make `parseIdx` asynchronous for no other reason;
 * `node:zlib` is Node-only; and the library has no runtime dependencies so far, so a small,
 * fully tested decoder (checked against zlib on stored, fixed and dynamic blocks, and on the
 * real Fashion-MNIST files) costs less than a dependency would. It only decompresses: paoding
 * never needs to write gzip.
 */

/**
 * Thrown for malformed compressed data; says what was wrong and at which byte.
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * try {
 *   data.inflateRaw(new Uint8Array([0xff]));
 * } catch (e) {
 *   console.log(e instanceof data.InflateError, (e as Error).message); // true inflate: invalid block type 3 near byte 0
 * }
 * ```
 */
export class InflateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InflateError';
  }
}

// Length and distance codes: base values and extra bits (RFC 1951, 3.2.5).
const LENGTH_BASE = new Uint16Array([3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]);
const LENGTH_EXTRA = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DIST_BASE = new Uint16Array([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
]);
const DIST_EXTRA = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
// The order in which code-length code lengths are stored in a dynamic block header.
const CLEN_ORDER = new Uint8Array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

/**
 * A Huffman decoding table indexed by the next `bits` input bits (least significant first, as
 * DEFLATE packs them): each entry is `symbol << 4 | codeLength`, or 0 where no code starts.
 * One lookup per symbol keeps decoding fast; the table has 2^maxLength entries, at most 32768.
 */
interface Table {
  entries: Int32Array;
  bits: number;
}

/** Build the decoding table of a canonical Huffman code given its code lengths. */
function buildTable(lengths: Uint8Array, what: string, pos: number): Table {
  let maxLen = 0;
  const count = new Uint16Array(16);
  for (const l of lengths) {
    count[l]!++;
    if (l > maxLen) maxLen = l;
  }
  count[0] = 0;
  // An over-subscribed code cannot be decoded; an incomplete one is allowed (RFC 1951 permits a
  // single distance code, and zlib accepts incomplete codes in general), its holes stay 0.
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = left * 2 - count[len]!;
    if (left < 0) throw new InflateError(`inflate: over-subscribed ${what} code in the block header before byte ${pos}`);
  }
  const bits = Math.max(maxLen, 1);
  const entries = new Int32Array(1 << bits);
  const next = new Uint16Array(16);
  for (let len = 1, code = 0; len <= 15; len++) {
    code = (code + count[len - 1]!) << 1;
    next[len] = code;
  }
  for (let sym = 0; sym < lengths.length; sym++) {
    const len = lengths[sym]!;
    if (len === 0) continue;
    const code = next[len]!++;
    // Codes are stored most-significant bit first: reverse to match the LSB-first bit buffer.
    let rev = 0;
    for (let i = 0; i < len; i++) rev |= ((code >> i) & 1) << (len - 1 - i);
    const entry = (sym << 4) | len;
    for (let i = rev; i < 1 << bits; i += 1 << len) entries[i] = entry;
  }
  return { entries, bits };
}

let fixedLit: Table | undefined;
let fixedDist: Table | undefined;

function fixedTables(): [Table, Table] {
  if (fixedLit === undefined || fixedDist === undefined) {
    const lit = new Uint8Array(288);
    lit.fill(8, 0, 144);
    lit.fill(9, 144, 256);
    lit.fill(7, 256, 280);
    lit.fill(8, 280, 288);
    fixedLit = buildTable(lit, 'literal/length', 0);
    fixedDist = buildTable(new Uint8Array(30).fill(5), 'distance', 0);
  }
  return [fixedLit, fixedDist];
}

/**
 * The decoder's state: the input, a bit buffer (pending bits, least significant first) and the
 * growing output. The per-symbol loop copies it into locals (see `huffmanBlock`), which V8
 * keeps in registers; captured or shared variables would be much slower.
 */
class Inflater {
  pos: number; // next input byte to load into the bit buffer
  bitBuf = 0;
  bitCnt = 0;
  out: Uint8Array;
  outLen = 0;

  constructor(
    readonly input: Uint8Array,
    start: number,
    sizeHint: number,
  ) {
    this.pos = start;
    this.out = new Uint8Array(sizeHint > 0 ? sizeHint : Math.max(input.length * 4, 1024));
  }

  truncated(): never {
    throw new InflateError(`inflate: compressed data ends early (at byte ${this.input.length}, inside a block that started before it)`);
  }

  /**
   * Ensure at least `need` (<= 24) bits in the buffer. Past the input's end zero bits are fed, so
   * a table lookup near the end works; `checkOverrun` notices if they were consumed. The buffer
   * holds under 4 bytes, so loading a fifth byte past the end means real bits ran out (checked
   * here so that corrupt data cannot decode zero bits forever).
   */
  fill(need: number): void {
    const n = this.input.length;
    while (this.bitCnt < need) {
      if (this.pos < n) this.bitBuf |= this.input[this.pos]! << this.bitCnt;
      else if (this.pos - n >= 4) this.truncated();
      this.pos++;
      this.bitCnt += 8;
    }
  }

  bits(k: number): number {
    this.fill(k);
    const v = this.bitBuf & ((1 << k) - 1);
    this.bitBuf >>>= k;
    this.bitCnt -= k;
    return v;
  }

  /** Whether more bits were consumed than the input has. */
  checkOverrun(): void {
    if (this.pos - (this.bitCnt >> 3) > this.input.length) this.truncated();
  }

  /** Make room for `extra` more output bytes. */
  ensure(extra: number): void {
    if (this.outLen + extra <= this.out.length) return;
    const bigger = new Uint8Array(Math.max(this.out.length * 2, this.outLen + extra));
    bigger.set(this.out.subarray(0, this.outLen));
    this.out = bigger;
  }

  decodeSym(t: Table): number {
    this.fill(t.bits);
    const e = t.entries[this.bitBuf & ((1 << t.bits) - 1)]!;
    const len = e & 15;
    if (len === 0) throw new InflateError(`inflate: invalid Huffman code near byte ${Math.min(this.pos, this.input.length) - 1}`);
    this.bitBuf >>>= len;
    this.bitCnt -= len;
    return e >> 4;
  }

  /** A stored block: skip to a byte boundary, read LEN and its complement NLEN, copy LEN bytes. */
  storedBlock(): void {
    const input = this.input;
    // Drop the partial byte, and hand back the whole bytes still held in the bit buffer.
    this.pos -= this.bitCnt >> 3;
    this.bitBuf = 0;
    this.bitCnt = 0;
    const pos = this.pos;
    if (pos + 4 > input.length) this.truncated();
    const len = input[pos]! | (input[pos + 1]! << 8);
    const nlen = input[pos + 2]! | (input[pos + 3]! << 8);
    if ((len ^ 0xffff) !== nlen) throw new InflateError(`inflate: stored block length ${len} does not match its complement at byte ${pos}`);
    if (pos + 4 + len > input.length) this.truncated();
    this.ensure(len);
    this.out.set(input.subarray(pos + 4, pos + 4 + len), this.outLen);
    this.outLen += len;
    this.pos = pos + 4 + len;
  }

  /** The code tables of a dynamic block, from its header. */
  dynamicTables(): [Table, Table] {
    const hlit = this.bits(5) + 257;
    const hdist = this.bits(5) + 1;
    const hclen = this.bits(4) + 4;
    if (hlit > 286 || hdist > 30) throw new InflateError(`inflate: too many length or distance codes (${hlit}, ${hdist}) near byte ${this.pos}`);
    const clen = new Uint8Array(19);
    for (let i = 0; i < hclen; i++) clen[CLEN_ORDER[i]!] = this.bits(3);
    const clenTable = buildTable(clen, 'code length', this.pos);
    const lengths = new Uint8Array(hlit + hdist);
    for (let i = 0; i < hlit + hdist; ) {
      const sym = this.decodeSym(clenTable);
      if (sym < 16) {
        lengths[i++] = sym;
        continue;
      }
      let rep: number;
      let val = 0;
      if (sym === 16) {
        if (i === 0) throw new InflateError(`inflate: repeat of a code length with no previous length near byte ${this.pos}`);
        val = lengths[i - 1]!;
        rep = 3 + this.bits(2);
      } else if (sym === 17) rep = 3 + this.bits(3);
      else rep = 11 + this.bits(7);
      if (i + rep > hlit + hdist) throw new InflateError(`inflate: code lengths overflow the header near byte ${this.pos}`);
      lengths.fill(val, i, i + rep);
      i += rep;
    }
    if (lengths[256] === 0) throw new InflateError(`inflate: the block has no end-of-block code (near byte ${this.pos})`);
    return [buildTable(lengths.subarray(0, hlit), 'literal/length', this.pos), buildTable(lengths.subarray(hlit), 'distance', this.pos)];
  }
}

/** Decode the symbols of one Huffman-coded block, up to its end-of-block code. */
function huffmanBlock(s: Inflater, lit: Table, dist: Table): void {
  const input = s.input;
  const n = input.length;
  let pos = s.pos;
  let bitBuf = s.bitBuf;
  let bitCnt = s.bitCnt;
  let out = s.out;
  let outLen = s.outLen;
  const litE = lit.entries;
  const litMask = (1 << lit.bits) - 1;
  const litBits = lit.bits;
  const distE = dist.entries;
  const distMask = (1 << dist.bits) - 1;
  for (;;) {
    // Refill to 24 bits or more: enough for a length code and its extra bits, and for a
    // distance code (15 bits at most) after a second refill.
    while (bitCnt < 24) {
      if (pos < n) bitBuf |= input[pos]! << bitCnt;
      else if (pos - n >= 4) s.truncated();
      pos++;
      bitCnt += 8;
    }
    let e = litE[bitBuf & litMask]!;
    let len = e & 15;
    if (len === 0) throw new InflateError(`inflate: invalid Huffman code near byte ${Math.min(pos, n) - 1}`);
    bitBuf >>>= len;
    bitCnt -= len;
    const sym = e >> 4;
    if (sym < 256) {
      if (outLen === out.length) {
        s.outLen = outLen;
        s.ensure(1);
        out = s.out;
      }
      out[outLen++] = sym;
      continue;
    }
    if (sym === 256) break;
    const li = sym - 257;
    if (li >= 29) throw new InflateError(`inflate: invalid length symbol ${sym} near byte ${pos}`);
    const lx = LENGTH_EXTRA[li]!;
    const length = LENGTH_BASE[li]! + (bitBuf & ((1 << lx) - 1));
    bitBuf >>>= lx;
    bitCnt -= lx;
    while (bitCnt < 24) {
      if (pos < n) bitBuf |= input[pos]! << bitCnt;
      else if (pos - n >= 4) s.truncated();
      pos++;
      bitCnt += 8;
    }
    e = distE[bitBuf & distMask]!;
    len = e & 15;
    if (len === 0) throw new InflateError(`inflate: invalid Huffman code near byte ${Math.min(pos, n) - 1}`);
    bitBuf >>>= len;
    bitCnt -= len;
    const di = e >> 4;
    if (di >= 30) throw new InflateError(`inflate: invalid distance symbol ${di} near byte ${pos}`);
    const dx = DIST_EXTRA[di]!;
    if (bitCnt < dx) {
      // Only after a 15-bit distance code: top up (the buffer never exceeds 31 bits).
      while (bitCnt < 24) {
        if (pos < n) bitBuf |= input[pos]! << bitCnt;
        else if (pos - n >= 4) s.truncated();
        pos++;
        bitCnt += 8;
      }
    }
    const d = DIST_BASE[di]! + (bitBuf & ((1 << dx) - 1));
    bitBuf >>>= dx;
    bitCnt -= dx;
    if (d > outLen) throw new InflateError(`inflate: distance ${d} reaches before the start of the output (${outLen} bytes) near byte ${pos}`);
    if (outLen + length > out.length) {
      s.outLen = outLen;
      s.ensure(length);
      out = s.out;
    }
    if (d === 1 && length > 16) {
      // A run of one byte (long runs of zeros are common in images).
      out.fill(out[outLen - 1]!, outLen, outLen + length);
      outLen += length;
    } else if (d >= length && length > 16) {
      out.copyWithin(outLen, outLen - d, outLen - d + length);
      outLen += length;
    } else {
      // Byte by byte: the source may overlap the bytes being written.
      let from = outLen - d;
      const stop = outLen + length;
      while (outLen < stop) out[outLen++] = out[from++]!;
    }
  }
  // No closure may capture the locals above (V8 would move them to the heap), so the state is
  // written back by hand.
  s.pos = pos;
  s.bitBuf = bitBuf;
  s.bitCnt = bitCnt;
  s.outLen = outLen;
}

/**
 * Decompress raw DEFLATE data starting at byte `start` of `input`.
 *
 * @param sizeHint expected output size (for example gzip's ISIZE), to allocate once.
 * @returns the output and the index of the first byte after the compressed stream.
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * // "aaaaaaaaaa" as a fixed-Huffman block: a literal, then a copy of length 9 at distance 1.
 * const { data: out } = data.inflateRaw(new Uint8Array([75, 76, 132, 1, 0]));
 * console.log(new TextDecoder().decode(out)); // aaaaaaaaaa
 * ```
 */
export function inflateRaw(input: Uint8Array, start = 0, sizeHint = 0): { data: Uint8Array; end: number } {
  const s = new Inflater(input, start, sizeHint);
  for (;;) {
    const final = s.bits(1);
    const type = s.bits(2);
    if (type === 0) s.storedBlock();
    else if (type === 1) huffmanBlock(s, ...fixedTables());
    else if (type === 2) huffmanBlock(s, ...s.dynamicTables());
    else throw new InflateError(`inflate: invalid block type 3 near byte ${Math.min(s.pos, input.length) - 1}`);
    s.checkOverrun();
    if (final) break;
  }
  // Whole unused bytes in the bit buffer belong to whatever follows the stream.
  // Trim the allocation unless it was exact (as with gzip's size), so no spare memory stays alive.
  const data = s.outLen === s.out.length ? s.out : s.out.slice(0, s.outLen);
  return { data, end: s.pos - (s.bitCnt >> 3) };
}

let crcTable: Int32Array | undefined;

/**
 * CRC-32 (IEEE 802.3, as gzip uses), as an unsigned 32-bit number.
 *
 * @example
 * ```ts
 * import { crc32 } from './inflate.js';
 * console.log(crc32(new TextEncoder().encode('123456789')).toString(16)); // cbf43926
 * ```
 */
export function crc32(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Int32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c;
    }
  }
  const table = crcTable; // a local: module-level variables are slower in the loop
  let c = -1;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * Whether `bytes` starts with the gzip magic number 1f 8b.
 *
 * @example
 * ```ts
 * import { isGzip } from './inflate.js';
 * console.log(isGzip(new Uint8Array([0x1f, 0x8b, 8])), isGzip(new Uint8Array([0, 0, 8, 3]))); // true false
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompress gzip data (RFC 1952), checking each member's CRC-32 and length. Concatenated
 * members are decompressed one after the other, as `gunzip` does.
 *
 * @param source names the data in error messages (a file path, say).
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * // "hi\n" compressed by gzip -n:
 * const gz = new Uint8Array([31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 203, 200, 228, 2, 0, 122, 122, 111, 237, 3, 0, 0, 0]);
 * console.log(new TextDecoder().decode(data.gunzip(gz))); // hi\n
 * ```
 */
export function gunzip(bytes: Uint8Array, source = 'gzip data'): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (!isGzip(bytes.subarray(pos))) {
      if (parts.length > 0) break; // trailing garbage after a member: ignored, as gzip -d does (with a warning)
      throw new InflateError(`${source}: not gzip data (expected the magic bytes 1f 8b at byte ${pos})`);
    }
    if (pos + 10 > bytes.length) throw new InflateError(`${source}: gzip header truncated at byte ${bytes.length}`);
    if (bytes[pos + 2] !== 8) throw new InflateError(`${source}: unknown gzip compression method ${bytes[pos + 2]} at byte ${pos + 2} (expected 8, deflate)`);
    const flags = bytes[pos + 3]!;
    if (flags & 0xe0) throw new InflateError(`${source}: reserved gzip flag bits set at byte ${pos + 3}`);
    let p = pos + 10;
    if (flags & 4) {
      // FEXTRA: a two-byte length, then that many bytes.
      if (p + 2 > bytes.length) throw new InflateError(`${source}: gzip header truncated at byte ${bytes.length}`);
      p += 2 + (bytes[p]! | (bytes[p + 1]! << 8));
    }
    for (const flag of [8, 16]) {
      // FNAME, FCOMMENT: zero-terminated strings.
      if (flags & flag) {
        while (p < bytes.length && bytes[p] !== 0) p++;
        p++;
      }
    }
    if (flags & 2) p += 2; // FHCRC
    if (p > bytes.length) throw new InflateError(`${source}: gzip header truncated at byte ${bytes.length}`);
    // ISIZE of a single-member file is the output size mod 2^32: a good first allocation. It is
    // only a hint (corrupt data could claim anything), so it is capped by DEFLATE's best ratio.
    const isize = pos === 0 && bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : 0;
    const hint = isize <= bytes.length * 1032 ? isize : 0;
    let res: { data: Uint8Array; end: number };
    try {
      res = inflateRaw(bytes, p, hint);
    } catch (e) {
      if (e instanceof InflateError) throw new InflateError(`${source}: ${e.message}`);
      throw e;
    }
    const end = res.end;
    if (end + 8 > bytes.length) throw new InflateError(`${source}: gzip data truncated: the 8-byte trailer (CRC-32 and size) is missing at byte ${end}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset + end, 8);
    const crc = view.getUint32(0, true);
    const size = view.getUint32(4, true);
    const got = crc32(res.data);
    if (got !== crc) throw new InflateError(`${source}: gzip CRC-32 mismatch (stored ${hex(crc)}, computed ${hex(got)} over ${res.data.length} bytes): the file is corrupt`);
    if (size !== res.data.length % 2 ** 32) throw new InflateError(`${source}: gzip size mismatch (trailer says ${size} bytes, decompressed ${res.data.length})`);
    parts.push(res.data);
    pos = end + 8;
  }
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const part of parts) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}
