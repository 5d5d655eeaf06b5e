/**
 * The wasm backend's matrix product (float32): the native kernel's structure at WebAssembly's
 * width. A is packed into 4-row strips and B into 8-column strips (zero-padded) in the linear
 * memory, C starts as the bias (or zeros), and a hand-assembled 4 x 8 micro-kernel adds
 * A-strip x B-strip into each C tile, keeping the tile in eight f32x4 registers over the whole
 * depth (a multiply and an add per product: WebAssembly SIMD has no fused multiply-add, so
 * float32 products round twice where OpenBLAS rounds once; both are within the usual dot-product
 * bound). Packing reads any strides, so transposed operands cost no copies. float64 and
 * products too small or too large for the staging area decline (the JavaScript backend's
 * product runs them).
 */
import type { Operand } from '../js/elementwise.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { FunctionBody, I32, Op, Simd, V128 } from './encoder.js';
import { instantiateFunctions, memoryGeneration, memoryOfAtLeast, syncMemoryKind } from './runtime.js';

/** Tunables. */
export const gemmConfig = {
  /** Products with fewer multiply-adds stay in JavaScript (call and packing overhead). */
  minWork: 4096,
  /** Products whose packed operands and result would need more bytes than this decline. */
  maxBytes: 256 * 2 ** 20,
};

/** Calls taken and declined (for tests). */
export const gemmStats = { taken: 0, declined: 0 };

const MR = 4;
const NR = 8;
const F32_LOAD = 0x2a;

/**
 * micro(kc, ap, bp, cp, ldc): C[4 x 8] at byte address cp (row stride ldc bytes) += A-strip
 * (kc x 4, one 16-byte group per step) times B-strip (kc x 8, one 32-byte group per step).
 */
function microKernel(): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32]);
  const [KC, AP, BP, CP, LDC] = [0, 1, 2, 3, 4];
  const acc = Array.from({ length: 2 * MR }, () => f.local(V128));
  const b0 = f.local(V128);
  const b1 = f.local(V128);
  const a = f.local(V128);
  const end = f.local(I32);
  const row = f.local(I32);
  for (const c of acc) f.v128(new Uint8Array(16)).set(c);
  f.get(AP).get(KC).i32(4 * MR).op(Op.i32_mul).op(Op.i32_add).set(end);
  f.op(Op.block, 0x40);
  f.get(KC).op(Op.i32_eqz).op(Op.br_if, 0);
  f.op(Op.loop, 0x40);
  f.get(BP).load(0).set(b0);
  f.get(BP).load(16).set(b1);
  for (let r = 0; r < MR; r++) {
    f.get(AP).op(F32_LOAD, 2, 4 * r).simd(Simd.f32x4_splat).set(a);
    f.get(acc[2 * r]!).get(a).get(b0).simd(Simd.f32x4_mul).simd(Simd.f32x4_add).set(acc[2 * r]!);
    f.get(acc[2 * r + 1]!).get(a).get(b1).simd(Simd.f32x4_mul).simd(Simd.f32x4_add).set(acc[2 * r + 1]!);
  }
  f.get(BP).i32(4 * NR).op(Op.i32_add).set(BP);
  f.get(AP).i32(4 * MR).op(Op.i32_add).tee(AP).get(end).op(Op.i32_ne).op(Op.br_if, 0);
  f.op(Op.end, Op.end);
  f.get(CP).set(row);
  for (let r = 0; r < MR; r++) {
    for (let h = 0; h < 2; h++) {
      f.get(row).get(row).load(16 * h).get(acc[2 * r + h]!).simd(Simd.f32x4_add).store(16 * h);
    }
    if (r < MR - 1) f.get(row).get(LDC).op(Op.i32_add).set(row);
  }
  return f;
}

type Micro = (kc: number, ap: number, bp: number, cp: number, ldc: number) => void;
let micro: Micro | null | undefined;
let microGeneration = -1;

function getMicro(): Micro | null {
  if (microGeneration !== memoryGeneration()) {
    micro = undefined;
    microGeneration = memoryGeneration();
  }
  if (micro === undefined) {
    try {
      micro = instantiateFunctions([{ name: 'micro', body: microKernel() }])['micro'] as Micro;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      micro = null; // a browser main thread may refuse a synchronous compile
    }
  }
  return micro;
}

/** The backend's `matmul`: float32 only; see the module comment. */
export function matmul(dtype: DType, batch: number, m: number, n: number, k: number, a: Operand, b: Operand, out: TypedArray, bias?: { data: TypedArray; offset: number }): boolean {
  syncMemoryKind();
  const decline = (): boolean => {
    gemmStats.declined++;
    return false;
  };
  if (dtype !== 'float32' || !(a.data instanceof Float32Array) || !(b.data instanceof Float32Array) || !(out instanceof Float32Array)) return decline();
  if (bias !== undefined && !(bias.data instanceof Float32Array)) return decline();
  if (batch * m * n * k < gemmConfig.minWork || m === 0 || n === 0) return decline();
  const mp = Math.ceil(m / MR) * MR;
  const np = Math.ceil(n / NR) * NR;
  const aBytes = mp * k * 4;
  const bBytes = np * k * 4;
  const cBytes = mp * np * 4;
  if (aBytes + bBytes + cBytes > gemmConfig.maxBytes) return decline();
  const fn = getMicro();
  if (fn === null) return decline();
  const mem = memoryOfAtLeast(aBytes + bBytes + cBytes);
  const heap = new Float32Array(mem.buffer);
  const aBase = 0;
  const bBase = aBytes;
  const cBase = aBytes + bBytes;
  const [abs, ars, acs] = a.strides as [number, number, number];
  const [bbs, brs, bcs] = b.strides as [number, number, number];
  const ad = a.data;
  const bd = b.data;
  for (let p = 0; p < batch; p++) {
    // A into 4-row strips: element (i, q) of strip s at s*k*4 + q*4 + (i mod 4).
    let o = aBase >> 2;
    for (let i0 = 0; i0 < mp; i0 += MR) {
      for (let q = 0; q < k; q++) {
        const src = a.offset + p * abs + q * acs;
        for (let i = i0; i < i0 + MR; i++) heap[o++] = i < m ? ad[src + i * ars]! : 0;
      }
    }
    // B into 8-column strips: element (q, j) of strip s at s*k*8 + q*8 + (j mod 8).
    o = bBase >> 2;
    for (let j0 = 0; j0 < np; j0 += NR) {
      for (let q = 0; q < k; q++) {
        const src = b.offset + p * bbs + q * brs;
        for (let j = j0; j < j0 + NR; j++) heap[o++] = j < n ? bd[src + j * bcs]! : 0;
      }
    }
    // C: the bias in every row, or zeros.
    const c0 = cBase >> 2;
    for (let i = 0; i < mp; i++) {
      const r = c0 + i * np;
      if (bias === undefined) heap.fill(0, r, r + np);
      else {
        for (let j = 0; j < n; j++) heap[r + j] = bias.data[bias.offset + j]!;
        heap.fill(0, r + n, r + np);
      }
    }
    for (let j0 = 0; j0 < np; j0 += NR) {
      const bp = bBase + j0 * k * 4;
      for (let i0 = 0; i0 < mp; i0 += MR) fn(k, aBase + i0 * k * 4, bp, cBase + (i0 * np + j0) * 4, np * 4);
    }
    // The valid part of C out.
    const dst = p * m * n;
    for (let i = 0; i < m; i++) out.set(heap.subarray(c0 + i * np, c0 + i * np + n), dst + i * n);
  }
  gemmStats.taken++;
  return true;
}
