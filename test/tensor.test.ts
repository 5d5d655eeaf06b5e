/**
 * The tensor core against PyTorch 1.13: creation and dtype rules, views and shared storage,
 * broadcasting arithmetic and type promotion, comparisons, reductions, matmul, indexing, joins
 * and printing. Values that are not obvious come from test/fixtures/tensor_ops.json, written by
 * tools/fixtures/generate_tensor_ops.py with real PyTorch; each case there has an entry of the
 * same name in `FORWARD` below that spells the same computation with paoding.
 */
import { describe, expect, it } from 'vitest';
import {
  arange,
  cat,
  eye,
  full,
  linspace,
  maximum,
  minimum,
  ones,
  stack,
  tensor,
  Tensor,
  where,
  zeros,
  zerosLike,
} from '../src/index.js';
import { byName, decode, expectTensor, fixture, flatValues } from './helpers/tensor_fixture.js';

type Op = (...xs: Tensor[]) => Tensor | Tensor[] | { values: Tensor; indices: Tensor };

/** The paoding spelling of every forward case in the fixture, by name. */
const FORWARD: Record<string, Op> = {
  arange_int: () => arange(2, 11, 3),
  arange_float: () => arange(-1, 1, 0.1),
  arange_float_step: () => arange(0, 1, 0.3),
  arange_float64: () => arange(0.5, 3, 0.25, { dtype: 'float64' }),
  linspace_7: () => linspace(-1, 1, 7),
  linspace_odd: () => linspace(-3.7, 11.1, 13),
  linspace_float64: () => linspace(0, 1, 10, { dtype: 'float64' }),
  eye_2x3: () => eye(2, 3),
  full_int64: () => full([2, 2], 7, { dtype: 'int64' }),

  add_int_float_scalar: (a) => a.add(2.5),
  add_int_int_scalar: (a) => a.add(3),
  add_f32_f64_0d: (a, b) => a.add(b),
  add_f32_f64_1d: (a, b) => a.add(b),
  add_i32_i64: (a, b) => a.add(b),
  add_int_f32_0d: (a, b) => a.add(b),
  add_bool_bool: (a, b) => a.add(b),
  add_bool_int_scalar: (a) => a.add(2),
  add_alpha_broadcast: (a, b) => a.add(b, { alpha: 2.5 }),
  sub_alpha_scalar: (a) => a.sub(1.5, { alpha: 2 }),
  sub_broadcast: (a, b) => a.sub(b),
  mul_broadcast: (a, b) => a.mul(b),
  mul_int32_overflow: (a, b) => a.mul(b),
  div_true_int: (a, b) => a.div(b),
  div_true_float: (a, b) => a.div(b),
  div_trunc: (a, b) => a.div(b, { roundingMode: 'trunc' }),
  div_floor: (a, b) => a.div(b, { roundingMode: 'floor' }),
  div_trunc_int: (a, b) => a.div(b, { roundingMode: 'trunc' }),
  div_floor_int: (a, b) => a.div(b, { roundingMode: 'floor' }),
  div_floor_scalar: (a) => a.div(3, { roundingMode: 'floor' }),
  neg: (a) => a.neg(),
  neg_int: (a) => a.neg(),
  pow_scalar_2: (a) => a.pow(2),
  pow_scalar_half: (a) => a.pow(0.5),
  pow_scalar_neg: (a) => a.pow(-1),
  pow_tensor: (a, b) => a.pow(b),
  pow_int: (a) => a.pow(2),
  pow_int_float_exponent: (a) => a.pow(0.5),
  rsub_scalar: (a) => a.rsub(1),

  eq_float_int: (a, b) => a.eq(b),
  ne_nan: (a) => a.ne(a),
  lt_scalar: (a) => a.lt(0.5),
  ge_broadcast: (a, b) => a.ge(b),
  gt_int_float_scalar: (a) => a.gt(1.5),
  le_float64: (a, b) => a.le(b),
  where_broadcast: (c, a, b) => where(c, a, b),
  where_promote: (c, a, b) => where(c, a, b),
  clamp_both: (a) => a.clamp(-1, 1),
  clamp_min_only: (a) => a.clamp(0),
  clamp_max_only: (a) => a.clamp(null, 0),
  clamp_min_gt_max: (a) => a.clamp(2, 1),
  clamp_tensor_bounds: (a, lo, hi) => a.clamp(lo, hi),
  clamp_int: (a) => a.clamp(0, 2),
  maximum_nan: (a, b) => maximum(a, b),
  minimum_nan: (a, b) => minimum(a, b),

  unary_exp: (a) => a.exp(),
  unary_expm1: (a) => a.expm1(),
  unary_sin: (a) => a.sin(),
  unary_cos: (a) => a.cos(),
  unary_tanh: (a) => a.tanh(),
  unary_sigmoid: (a) => a.sigmoid(),
  unary_erf: (a) => a.erf(),
  unary_erfc: (a) => a.erfc(),
  unary_log: (a) => a.log(),
  unary_log1p: (a) => a.log1p(),
  unary_log2: (a) => a.log2(),
  unary_log10: (a) => a.log10(),
  unary_sqrt: (a) => a.sqrt(),
  unary_rsqrt: (a) => a.rsqrt(),
  unary_abs: (a) => a.abs(),
  unary_sign: (a) => a.sign(),
  unary_floor: (a) => a.floor(),
  unary_ceil: (a) => a.ceil(),
  unary_trunc: (a) => a.trunc(),
  unary_neg: (a) => a.neg(),
  unary_square: (a) => a.square(),
  unary_reciprocal: (a) => a.reciprocal(),
  unary_round_half_even: (a) => a.round(),
  unary_exp_int: (a) => a.exp(),
  unary_sqrt_int: (a) => a.sqrt(),
  unary_abs_int: (a) => a.abs(),
  unary_exp_float64: (a) => a.exp(),
  isnan: (a) => a.isnan(),
  isinf: (a) => a.isinf(),
  isfinite: (a) => a.isfinite(),

  sum_all: (a) => a.sum(),
  sum_dim0: (a) => a.sum(0),
  sum_dim_neg_keepdim: (a) => a.sum(-1, { keepdim: true }),
  sum_dims_list: (a) => a.sum([0, 2]),
  sum_int: (a) => a.sum(),
  sum_bool: (a) => a.sum(0),
  sum_empty: (a) => a.sum(0),
  mean_all: (a) => a.mean(),
  mean_dim_keepdim: (a) => a.mean(1, { keepdim: true }),
  mean_dims: (a) => a.mean([0, 1]),
  amax_dims: (a) => a.amax([0, 2]),
  amin_keepdim: (a) => a.amin(1, { keepdim: true }),
  amax_nan: (a) => a.amax(1),
  max_all: (a) => a.max(),
  min_all: (a) => a.min(),
  max_dim_ties_nan: (a) => a.max(1),
  min_dim_ties_nan: (a) => a.min(1),
  max_dim0_keepdim: (a) => a.max(0, { keepdim: true }),
  min_dim_int: (a) => a.min(0),
  argmax_flat: (a) => a.argmax(),
  argmax_dim: (a) => a.argmax(1),
  argmax_keepdim: (a) => a.argmax(0, { keepdim: true }),
  argmin_dim: (a) => a.argmin(1),
  logsumexp_rows: (a) => a.logsumexp(1),
  logsumexp_inf_rows: (a) => a.logsumexp(1),
  logsumexp_dims_keepdim: (a) => a.logsumexp([0, 2], { keepdim: true }),
  var_all: (a) => a.var(),
  var_dim_correction0: (a) => a.var(1, { correction: 0 }),
  var_dim_correction2_keepdim: (a) => a.var(0, { correction: 2, keepdim: true }),
  std_all: (a) => a.std(),
  std_dims: (a) => a.std([0, 2]),
  var_single: (a) => a.var(),
  std_single_correction0: (a) => a.std(undefined, { correction: 0 }),

  matmul_1d_1d: (a, b) => a.matmul(b),
  matmul_1d_2d: (a, b) => a.matmul(b),
  matmul_2d_1d: (a, b) => a.matmul(b),
  matmul_2d_2d: (a, b) => a.matmul(b),
  matmul_3d_2d: (a, b) => a.matmul(b),
  matmul_2d_3d: (a, b) => a.matmul(b),
  matmul_1d_3d: (a, b) => a.matmul(b),
  matmul_3d_1d: (a, b) => a.matmul(b),
  matmul_broadcast: (a, b) => a.matmul(b),
  matmul_float32: (a, b) => a.matmul(b),

  gather_dim0: (a, i) => a.gather(0, i),
  gather_dim1: (a, i) => a.gather(1, i),
  scatter_add_dim0: (a, i, s) => a.scatterAdd(0, i, s),
  scatter_add_dim1_dup: (a, i, s) => a.scatterAdd(1, i, s),
  cat_dim0: (a, b) => cat([a, b]),
  cat_dim_neg: (a, b) => cat([a, b], -1),
  cat_promote: (a, b) => cat([a, b]),
  cat_skip_empty_1d: (a, b) => cat([a, b]),
  stack_dim0: (a, b) => stack([a, b]),
  stack_dim_last: (a, b) => stack([a, b], 2),

  view_infer: (a) => a.view(4, -1),
  reshape_viewable: (a) => a.reshape(-1, 4),
  reshape_copy: (a) => a.transpose(0, 2).reshape(-1),
  transpose: (a) => a.transpose(0, 2),
  permute: (a) => a.permute(2, 0, 1),
  t_2d: (a) => a.select(0, 0).t(),
  contiguous_of_transpose: (a) => a.transpose(1, 2).contiguous(),
  narrow_neg_start: (a) => a.narrow(2, -3, 2),
  slice_step: (a) => a.slice(2, 1, undefined, 2),
  slice_neg: (a) => a.slice(1, -2),
  slice_neg_end_step: (a) => a.slice(2, -4, -1, 2),
  slice_out_of_range: (a) => a.slice(1, 1, 100),
  slice_empty: (a) => a.slice(1, 2, 1),
  select_neg: (a) => a.select(1, -1),
  expand: (a) => a.narrow(1, 0, 1).expand(2, 3, 4),
  expand_new_dims: (a) => a.select(0, 0).select(0, 0).expand(2, 3, -1),
  unsqueeze_neg: (a) => a.unsqueeze(-1),
  unsqueeze_mid: (a) => a.unsqueeze(1),
  squeeze_all: (a) => a.narrow(1, 0, 1).unsqueeze(2).narrow(3, 0, 1).squeeze(),
  squeeze_dim_noop: (a) => a.squeeze(0),
  flatten_middle: (a) => a.flatten(1),
  unflatten: (a) => a.unflatten(2, [2, -1]),
  split_size: (a) => a.split(2, 2),
  split_sizes: (a) => a.split([1, 3], 2),
  chunk_uneven: (a) => a.chunk(2, 1),
  chunk_more_than_size: (a) => a.chunk(5, 1),
  unbind_1: (a) => a.unbind(1),
};

function outputsOf(r: ReturnType<Op>): Tensor[] {
  if (r instanceof Tensor) return [r];
  if (Array.isArray(r)) return r;
  return [r.values, r.indices];
}

describe(`forward results match PyTorch ${fixture.torch} (test/fixtures/tensor_ops.json)`, () => {
  it('every fixture case has a paoding spelling and vice versa', () => {
    expect(fixture.forward.map((c) => c.name).sort()).toEqual(Object.keys(FORWARD).sort());
  });
  for (const c of fixture.forward) {
    it(c.name, () => {
      const inputs = c.inputs.map((e) => decode(e));
      const outs = outputsOf(FORWARD[c.name]!(...inputs));
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, k) => {
        const e = c.outputs[k]!;
        expectTensor(o, e, { exact: c.exact ?? false, label: `${c.name} output ${k}` });
        if (c.view) {
          expect(o._storage, `${c.name} output ${k} shares the input's storage`).toBe(inputs[0]!._storage);
          expect(o.stride(), `${c.name} output ${k} strides`).toEqual(e.strides);
          expect(o.storageOffset(), `${c.name} output ${k} offset`).toBe(e.offset);
          expect(o.isContiguous(), `${c.name} output ${k} contiguity`).toBe(e.contiguous);
        }
      });
    });
  }
});

describe('creation', () => {
  it('JavaScript numbers give float32, booleans give bool, dtype overrides', () => {
    expect(tensor([1, 2, 3]).dtype).toBe('float32');
    expect(tensor([[1, 2], [3, 4]]).shape).toEqual([2, 2]);
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(3.5).item()).toBe(3.5);
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([true, false]).tolist()).toEqual([true, false]);
    const labels = tensor([2, 0, 1], { dtype: 'int64' });
    expect(labels.dtype).toBe('int64');
    expect(labels.tolist()).toEqual([2, 0, 1]);
    expect(tensor([0.1], { dtype: 'float64' }).item()).toBe(0.1);
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('typed arrays keep their element type and take a shape', () => {
    const f64 = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    expect(f64.dtype).toBe('float64');
    expect(f64.shape).toEqual([2, 3]);
    expect(f64.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor(new Float32Array([1.5])).dtype).toBe('float32');
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(new Uint8Array([1, 2])).dtype).toBe('uint8');
    expect(tensor(new BigInt64Array([5n, -3n])).tolist()).toEqual([5, -3]);
    expect(tensor(new Float64Array([2.7, -2.7]), { dtype: 'int64' }).tolist()).toEqual([2, -2]);
    // The data is copied: later writes to the array do not reach the tensor.
    const src = new Float32Array([1, 2]);
    const t = tensor(src);
    src[0] = 9;
    expect(t.tolist()).toEqual([1, 2]);
    expect(() => tensor(new Float32Array(5), { shape: [2, 3] })).toThrow(/shape \[2, 3\] holds 6 elements but the typed array has 5/);
  });

  it('rejects ragged arrays, non-integers for integer dtypes and unknown options', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/expected sequence of length 2 at dim 1 \(got 1\)/);
    expect(() => tensor([1.5], { dtype: 'int64' })).toThrow(/not an integer/);
    expect(() => tensor([1], { dtpye: 'int64' } as never)).toThrow(/unknown option 'dtpye'/);
    expect(() => tensor([1], { dtype: 'float16' as never })).toThrow(/argument 'dtype' must be one of/);
  });

  it('zeros, ones, full, eye, arange and linspace', () => {
    expect(zeros([2, 3]).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(zeros(2).dtype).toBe('float32');
    expect(ones([2], { dtype: 'int64' }).tolist()).toEqual([1, 1]);
    expect(ones([]).shape).toEqual([]);
    expect(full([2], 7).dtype).toBe('float32');
    expect(full([2], true).dtype).toBe('bool');
    expect(eye(2).tolist()).toEqual([[1, 0], [0, 1]]);
    expect(arange(4).dtype).toBe('int64');
    expect(arange(4).tolist()).toEqual([0, 1, 2, 3]);
    expect(arange(0, 1, 0.25).dtype).toBe('float32');
    expect(arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    expect(arange(0).shape).toEqual([0]);
    expect(linspace(0, 1, 1).tolist()).toEqual([0]);
    expect(linspace(0, 1, 0).shape).toEqual([0]);
    expect(() => arange(0, 1, 0)).toThrow(/step must be nonzero/);
    expect(() => arange(0, 5, -1)).toThrow(/upper bound and larger bound inconsistent with step sign/);
    expect(zerosLike(tensor([1, 2], { dtype: 'int64' })).dtype).toBe('int64');
  });

  it('requiresGrad only for floating point', () => {
    expect(tensor([1], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => tensor([1], { dtype: 'int64', requiresGrad: true })).toThrow(/only Tensors of floating point dtype can require gradients/);
  });
});

describe('views share storage', () => {
  it('writes through a view are visible in the base, and the other way round', () => {
    const base = arange(12, undefined, 1, { dtype: 'float32' }).view(3, 4);
    const col = base.select(1, 2);
    col.fill_(-1);
    expect(base.tolist()).toEqual([[0, 1, -1, 3], [4, 5, -1, 7], [8, 9, -1, 11]]);
    const tr = base.t();
    tr.narrow(0, 0, 1).mul_(10);
    expect(base.select(1, 0).tolist()).toEqual([0, 40, 80]);
    base.add_(1);
    expect(col.tolist()).toEqual([0, 0, 0]);
    expect((tr.tolist() as number[][])[1]).toEqual([2, 6, 10]);
    const stepped = base.slice(1, 0, undefined, 2);
    stepped.zero_();
    expect(base.tolist()).toEqual([[0, 2, 0, 4], [0, 6, 0, 8], [0, 10, 0, 12]]);
  });

  it('views share the version counter; contiguous copies do not', () => {
    const base = zeros([2, 3]);
    const v = base.transpose(0, 1);
    const c = v.contiguous();
    expect(c._storage).not.toBe(base._storage);
    expect(base.contiguous()).toBe(base);
    v.add_(1);
    expect(base._version).toBe(1);
    expect(v._version).toBe(1);
    expect(c._version).toBe(0);
    expect(c.tolist()).toEqual([[0, 0], [0, 0], [0, 0]]);
  });

  it('expandAs broadcasts without copying (stride 0)', () => {
    const row = tensor([1, 2, 3]);
    const e = row.expandAs(zeros([2, 3]));
    expect(e.shape).toEqual([2, 3]);
    expect(e.stride()).toEqual([0, 1]);
    expect(e._storage).toBe(row._storage);
    row.mul_(2);
    expect(e.tolist()).toEqual([[2, 4, 6], [2, 4, 6]]);
    // Writing to an expanded tensor would write one element twice: PyTorch refuses.
    expect(() => e.add_(1)).toThrow(/unsupported operation: more than one element of the written-to tensor refers to a single memory location/);
  });

  it('split, chunk and unbind return views of the input', () => {
    const x = arange(6, undefined, 1, { dtype: 'float64' });
    const [a, b] = x.split([2, 4]);
    b!.fill_(0);
    a!.mul_(-1);
    expect(x.tolist()).toEqual([-0, -1, 0, 0, 0, 0]);
    const parts = x.view(2, 3).unbind(0);
    parts[1]!.fill_(7);
    expect(x.tolist()).toEqual([-0, -1, 0, 7, 7, 7]);
    expect(x.chunk(4).map((p) => p.shape[0])).toEqual([2, 2, 2]);
  });

  it('view needs a compatible layout; reshape copies when it must', () => {
    const x = arange(6, undefined, 1, { dtype: 'float32' }).view(2, 3);
    expect(() => x.t().view(6)).toThrow(
      "view(): view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
    const r = x.t().reshape(6);
    expect(r._storage).not.toBe(x._storage);
    expect(r.tolist()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(x.reshape(3, 2)._storage).toBe(x._storage);
    // A transposed tensor can still be viewed when the merged dims stay contiguous.
    expect(zeros([2, 3, 4]).transpose(0, 1).view(3, 2, 2, 2).shape).toEqual([3, 2, 2, 2]);
    expect(() => x.view(4, -1)).toThrow(/shape '\[4, -1\]' is invalid for input of size 6/);
    expect(() => x.view(-1, -1)).toThrow(/only one dimension can be inferred/);
    expect(() => x.reshape(5)).toThrow(/shape '\[5\]' is invalid for input of size 6/);
  });

  it('index errors carry PyTorch wording', () => {
    const x = zeros([2, 3]);
    expect(() => x.transpose(0, 2)).toThrow(/Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/);
    expect(() => x.select(1, 3)).toThrow(/index 3 out of range/);
    expect(() => x.narrow(1, 2, 2)).toThrow(/start \(2\) \+ length \(2\) exceeds dimension size \(3\)/);
    expect(() => x.expand(4, 3)).toThrow(/The expanded size of the tensor \(4\) must match the existing size \(2\) at non-singleton dimension 0/);
    expect(() => x.permute(0, 0)).toThrow(/permute\(\): duplicate dims are not allowed/);
    expect(() => zeros([2, 3, 4]).t()).toThrow(/expects a tensor with <= 2 dimensions, but self is 3D/);
    expect(() => x.split([1, 1], 1)).toThrow(/split_sizes to sum exactly to 3/);
    expect(() => x.add(zeros([3, 2]))).toThrow(/The size of tensor a \(3\) must match the size of tensor b \(2\) at non-singleton dimension 1/);
  });

  it('0-dim and empty tensors', () => {
    const s = tensor(2);
    expect(s.dim()).toBe(0);
    expect(s.unsqueeze(0).shape).toEqual([1]);
    expect(s.reshape(1, 1).shape).toEqual([1, 1]);
    expect(s.flatten().shape).toEqual([1]);
    expect(s.t().shape).toEqual([]);
    expect(s.add(tensor([1, 2])).tolist()).toEqual([3, 4]);
    expect(zeros([0, 3]).sum(1).shape).toEqual([0]);
    expect(zeros([0, 3]).mean().item()).toBeNaN();
    expect(() => zeros([0, 3]).amax(0)).toThrow(/Expected reduction dim 0 to have non-zero size/);
    expect(() => zeros([0]).max()).toThrow(/Expected reduction dim to be specified for input.numel\(\) == 0/);
  });
});

describe('arithmetic rules', () => {
  it('type promotion: dimensioned tensors outrank 0-dim tensors, which outrank scalars, unless of a higher category', () => {
    const i64 = tensor([1, 2], { dtype: 'int64' });
    const f32 = tensor([1, 2]);
    expect(i64.add(2.5).dtype).toBe('float32');
    expect(i64.add(2).dtype).toBe('int64');
    // A 0-dim tensor of a higher category decides with its own dtype (a JS number would give float32).
    expect(i64.mul(tensor(0.5, { dtype: 'float64' })).dtype).toBe('float64');
    expect(f32.add(tensor(0.5, { dtype: 'float64' })).dtype).toBe('float32');
    expect(f32.add(tensor([0.5], { dtype: 'float64' })).dtype).toBe('float64');
    expect(tensor([1], { dtype: 'int32' }).add(tensor([1], { dtype: 'int64' })).dtype).toBe('int64');
    expect(tensor([1], { dtype: 'int32' }).add(tensor(1, { dtype: 'int64' })).dtype).toBe('int32');
    expect(tensor([1], { dtype: 'uint8' }).add(tensor([1], { dtype: 'int32' })).dtype).toBe('int32');
    expect(tensor([true]).add(1).dtype).toBe('int64');
    expect(tensor([true]).add(true).dtype).toBe('bool');
    expect(i64.div(i64).dtype).toBe('float32');
    expect(i64.div(i64, { roundingMode: 'floor' }).dtype).toBe('int64');
    expect(f32.lt(i64).dtype).toBe('bool');
    expect(i64.exp().dtype).toBe('float32');
    expect(i64.abs().dtype).toBe('int64');
    expect(tensor(1.5, { dtype: 'float64' }).add(tensor(1, { dtype: 'int64' })).dtype).toBe('float64');
  });

  it('in-place results must fit the written tensor', () => {
    const i64 = tensor([1, 2], { dtype: 'int64' });
    expect(() => i64.add_(1.5)).toThrow(/result type Float can't be cast to the desired output type Long/);
    expect(() => i64.exp_()).toThrow(/result type Float can't be cast to the desired output type Long/);
    expect(() => zeros([2]).add_(zeros([3, 2]))).toThrow(/output with shape \[2\] doesn't match the broadcast shape \[3, 2\]/);
    const y = zeros([3]);
    expect(y.add_(1)).toBe(y);
    expect(y.tolist()).toEqual([1, 1, 1]);
  });

  it('bool subtraction and negation are refused with PyTorch\'s hints', () => {
    expect(() => tensor([true]).sub(tensor([false]))).toThrow(/Subtraction, the `-` operator, with two bool tensors is not supported/);
    expect(() => tensor([true]).neg()).toThrow(/Negation, the `-` operator, on a bool tensor is not supported/);
  });

  it('clamp passes NaN, keeps -0 and needs a bound', () => {
    const r = tensor([NaN, -0, 0, -3]).clamp(-1, 1);
    const v = flatValues(r);
    expect(v[0]).toBeNaN();
    expect(Object.is(v[1], -0)).toBe(true);
    expect(Object.is(v[2], 0)).toBe(true);
    expect(v[3]).toBe(-1);
    expect(() => tensor([1]).clamp()).toThrow("clamp(): At least one of 'min' or 'max' must not be None");
  });

  it('where needs a bool condition; the value overloads broadcast', () => {
    const x = tensor([-1, 2, -3]);
    expect(where(x.gt(0), x, 0).tolist()).toEqual([0, 2, 0]);
    expect(x.where(x.lt(0), tensor([9])).tolist()).toEqual([-1, 9, -3]);
    expect(() => where(x as never, x, x)).toThrow(/argument 'condition' must be a bool tensor, got float32/);
  });

  it('matmul errors', () => {
    expect(() => tensor([1, 2]).matmul(tensor([1, 2, 3]))).toThrow(/inconsistent tensor size/);
    expect(() => zeros([2, 3]).matmul(zeros([2, 3]))).toThrow(/mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/);
    expect(() => tensor(1).matmul(zeros([1]))).toThrow(/both arguments to matmul need to be at least 1D, but they are 0D and 1D/);
    expect(() => zeros([2, 2]).matmul(zeros([2, 2], { dtype: 'float64' }))).toThrow(/expected both operands to have the same dtype/);
  });

  it('gather checks its index', () => {
    const x = zeros([2, 2]);
    expect(() => x.gather(0, tensor([[2, 0]], { dtype: 'int64' }))).toThrow(/index 2 is out of bounds for dimension 0 with size 2/);
    expect(() => x.gather(0, tensor([[1, 0]]))).toThrow(/argument 'index' must be an int64 tensor/);
  });

  it('cat and stack check shapes', () => {
    expect(() => cat([zeros([2, 3]), zeros([2, 2])])).toThrow(/Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list./);
    expect(() => cat([])).toThrow(/expected a non-empty list of Tensors/);
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(/expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1/);
  });
});

describe('reading values', () => {
  it('tolist, item and toTypedArray', () => {
    const x = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    expect(x.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(x.t().tolist()).toEqual([[1, 3], [2, 4]]);
    expect(x.t().toTypedArray()).toEqual(new Float64Array([1, 3, 2, 4]));
    expect(tensor(5).tolist()).toBe(5);
    expect(x.select(0, 1).select(0, 0).item()).toBe(3);
    expect(tensor([7], { dtype: 'int64' }).item()).toBe(7);
    expect(() => x.item()).toThrow('item(): a Tensor with 4 elements cannot be converted to Scalar');
    expect(tensor([[true], [false]]).tolist()).toEqual([[true], [false]]);
  });

  it('size, stride, dim, numel', () => {
    const x = zeros([2, 3, 4]);
    expect(x.size()).toEqual([2, 3, 4]);
    expect(x.size(-1)).toBe(4);
    expect(x.stride()).toEqual([12, 4, 1]);
    expect(x.permute(2, 0, 1).stride()).toEqual([1, 12, 4]);
    expect(x.dim()).toBe(3);
    expect(x.numel()).toBe(24);
    expect(x.type()).toBe('paoding.FloatTensor');
    expect(x.long().type()).toBe('paoding.LongTensor');
  });
});

describe(`toString matches PyTorch's repr (${fixture.torch})`, () => {
  const repr = byName(fixture.reprs);
  const rg = () => tensor([1, -2, 3.5], { requiresGrad: true });
  const cases: Record<string, () => Tensor> = {
    float32_plain: () => tensor([1, -2, 3.5]),
    float32_requires_grad: rg,
    float32_mul: () => rg().mul(2),
    float32_sum: () => rg().sum(),
    float32_mean: () => rg().mean(),
    float64_requires_grad: () => tensor([0.5, 1.25], { dtype: 'float64', requiresGrad: true }),
    float64_exp: () => tensor([0.5, 1.25], { dtype: 'float64', requiresGrad: true }).exp(),
    int64_matrix: () => tensor([[1, 2], [3, 40]], { dtype: 'int64' }),
    int32_vector: () => tensor([1, -2], { dtype: 'int32' }),
    bool_vector: () => tensor([true, false]),
    scalar_0d: () => tensor(2.5),
    sigmoid_0d: () => tensor(0, { requiresGrad: true }).sigmoid(),
    view_of_leaf: () => rg().view(3, 1),
    detached: () => rg().mul(2).detach(),
    empty: () => zeros([0, 3]),
    relu_inplace_nonleaf: () => rg().mul(1).relu_(),
    copyslices: () => {
      const h = rg().mul(1);
      h.narrow(0, 0, 2).relu_();
      return h;
    },
  };
  it('covers every fixture repr', () => {
    expect(Object.keys(cases).sort()).toEqual(fixture.reprs.map((r) => r.name).sort());
  });
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => {
      expect(make().toString()).toBe(repr(name).repr);
    });
  }
});
