/**
 * A small WebAssembly binary encoder: just enough of the module format (types, imports, one
 * memory import, functions, exports) and of the instruction set (core i32/f32/f64 plus the
 * fixed-width SIMD proposal) to emit the elementwise kernels, with no toolchain at install or
 * run time. Everything here is plain byte pushing; the kernel compiler (`codegen.ts`) decides
 * what to emit.
 *
 * Reference: the WebAssembly core specification, section 5 (binary format), and the SIMD
 * proposal's opcode table (all SIMD instructions are `0xFD` followed by a LEB128 sub-opcode).
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
export function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

/** Signed LEB128 (for i32.const / i64.const immediates within ±2^53). */
export function sleb(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v = Math.floor(v / 128);
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

function str(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
}

function vec(out: number[], items: readonly number[][]): void {
  uleb(out, items.length);
  for (const i of items) out.push(...i);
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (const b of body) out.push(b);
}

/** Core opcodes used by the kernels. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_const: 0x41,
  f32_const: 0x43,
  f64_const: 0x44,
  i32_eqz: 0x45,
  i32_ne: 0x47,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_le_s: 0x4c,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_shl: 0x74,
} as const;

/** SIMD sub-opcodes (emitted after the 0xFD prefix). */
export const Simd = {
  v128_load: 0x00,
  v128_store: 0x0b,
  v128_const: 0x0c,
  i8x16_shuffle: 0x0d,
  i32x4_splat: 0x11,
  i64x2_splat: 0x12,
  f32x4_splat: 0x13,
  f64x2_splat: 0x14,
  i32x4_eq: 0x37,
  i32x4_gt_s: 0x3b,
  f32x4_eq: 0x41,
  f32x4_ne: 0x42,
  f32x4_lt: 0x43,
  f32x4_gt: 0x44,
  f32x4_le: 0x45,
  f32x4_ge: 0x46,
  f64x2_eq: 0x47,
  f64x2_ne: 0x48,
  f64x2_lt: 0x49,
  f64x2_gt: 0x4a,
  f64x2_le: 0x4b,
  f64x2_ge: 0x4c,
  v128_not: 0x4d,
  v128_and: 0x4e,
  v128_andnot: 0x4f,
  v128_or: 0x50,
  v128_xor: 0x51,
  v128_bitselect: 0x52,
  f32x4_demote_f64x2_zero: 0x5e,
  f64x2_promote_low_f32x4: 0x5f,
  f32x4_ceil: 0x67,
  f32x4_floor: 0x68,
  f32x4_trunc: 0x69,
  f32x4_nearest: 0x6a,
  f64x2_ceil: 0x74,
  f64x2_floor: 0x75,
  f64x2_trunc: 0x7a,
  f64x2_nearest: 0x94,
  i32x4_shl: 0xab,
  i32x4_shr_s: 0xac,
  i32x4_shr_u: 0xad,
  i32x4_add: 0xae,
  i32x4_sub: 0xb1,
  i32x4_min_s: 0xb6,
  i32x4_max_s: 0xb8,
  i64x2_shl: 0xcb,
  i64x2_shr_s: 0xcc,
  i64x2_shr_u: 0xcd,
  i64x2_add: 0xce,
  i64x2_sub: 0xd1,
  i64x2_eq: 0xd6,
  f32x4_abs: 0xe0,
  f32x4_neg: 0xe1,
  f32x4_sqrt: 0xe3,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f32x4_div: 0xe7,
  f32x4_min: 0xe8,
  f32x4_max: 0xe9,
  f32x4_pmin: 0xea,
  f32x4_pmax: 0xeb,
  f64x2_abs: 0xec,
  f64x2_neg: 0xed,
  f64x2_sqrt: 0xef,
  f64x2_add: 0xf0,
  f64x2_sub: 0xf1,
  f64x2_mul: 0xf2,
  f64x2_div: 0xf3,
  f64x2_min: 0xf4,
  f64x2_max: 0xf5,
  f64x2_pmin: 0xf6,
  f64x2_pmax: 0xf7,
  i32x4_trunc_sat_f32x4_s: 0xf8,
  f32x4_convert_i32x4_s: 0xfa,
  f64x2_convert_low_i32x4_s: 0xfe,
} as const;

/** A function body under construction: locals plus an instruction byte stream. */
export class FunctionBody {
  code: number[] = [];
  private readonly extraLocals: ValType[] = [];

  constructor(
    /** The parameter types (parameters are locals 0..n-1). */
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** A fresh local of type `t`; returns its index. */
  local(t: ValType): number {
    this.extraLocals.push(t);
    return this.params.length + this.extraLocals.length - 1;
  }

  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  simd(sub: number): this {
    this.code.push(0xfd);
    uleb(this.code, sub);
    return this;
  }

  get(i: number): this {
    this.code.push(Op.local_get);
    uleb(this.code, i);
    return this;
  }

  set(i: number): this {
    this.code.push(Op.local_set);
    uleb(this.code, i);
    return this;
  }

  tee(i: number): this {
    this.code.push(Op.local_tee);
    uleb(this.code, i);
    return this;
  }

  i32(v: number): this {
    this.code.push(Op.i32_const);
    sleb(this.code, v | 0);
    return this;
  }

  /** `v128.load` / `v128.store` with a byte offset immediate (alignment hint 2^4). */
  load(offset = 0): this {
    this.simd(Simd.v128_load);
    this.code.push(4);
    uleb(this.code, offset);
    return this;
  }

  store(offset = 0): this {
    this.simd(Simd.v128_store);
    this.code.push(4);
    uleb(this.code, offset);
    return this;
  }

  /** `v128.const` from 16 raw bytes. */
  v128(bytes: Uint8Array): this {
    this.simd(Simd.v128_const);
    for (const b of bytes) this.code.push(b);
    return this;
  }

  shuffle(lanes: readonly number[]): this {
    this.simd(Simd.i8x16_shuffle);
    for (const l of lanes) this.code.push(l);
    return this;
  }

  /** The encoded body: local declarations (run-length grouped) then code then `end`. */
  encode(): number[] {
    const groups: [number, ValType][] = [];
    for (const t of this.extraLocals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body: number[] = [];
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(t);
    }
    for (const b of this.code) body.push(b);
    body.push(Op.end);
    const out: number[] = [];
    uleb(out, body.length);
    for (const b of body) out.push(b);
    return out;
  }
}

/** An exported function of a module. */
export interface ModuleFunction {
  name: string;
  body: FunctionBody;
}

/**
 * Encode a module that imports its memory as `env.mem` (so every kernel shares one linear
 * memory) and exports the given functions.
 */
export function encodeModule(functions: readonly ModuleFunction[], memory: { initial: number; maximum: number; shared: boolean }): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // Type section: one signature per function (duplicates are harmless).
  const types: number[][] = functions.map(({ body }) => {
    const t: number[] = [0x60];
    uleb(t, body.params.length);
    t.push(...body.params);
    uleb(t, body.results.length);
    t.push(...body.results);
    return t;
  });
  const typeSec: number[] = [];
  vec(typeSec, types);
  section(out, 1, typeSec);
  // Import section: env.mem.
  const imp: number[] = [];
  uleb(imp, 1);
  str(imp, 'env');
  str(imp, 'mem');
  imp.push(0x02, memory.shared ? 0x03 : 0x01);
  uleb(imp, memory.initial);
  uleb(imp, memory.maximum);
  section(out, 2, imp);
  // Function section.
  const fnSec: number[] = [];
  uleb(fnSec, functions.length);
  functions.forEach((_, i) => uleb(fnSec, i));
  section(out, 3, fnSec);
  // Export section.
  const exp: number[] = [];
  uleb(exp, functions.length);
  functions.forEach((f, i) => {
    str(exp, f.name);
    exp.push(0x00);
    uleb(exp, i);
  });
  section(out, 7, exp);
  // Code section.
  const codeSec: number[] = [];
  uleb(codeSec, functions.length);
  for (const f of functions) codeSec.push(...f.body.encode());
  section(out, 10, codeSec);
  return new Uint8Array(out);
}
