/**
 * PyTorch's CPU random number generator, reproduced bit for bit.
 *
 * With the same seed and the same sequence of calls, the functions here produce
 * exactly the numbers that `torch.manual_seed(seed)` followed by the
 * corresponding torch calls produce on a CPU tensor, in float32 and float64.
 *
 * Three layers are mirrored, because each of them shapes the bits:
 *
 * 1. The engine: `at::mt19937` (MT19937RNGEngine.h) wrapped by
 *    `CPUGeneratorImpl`, which hands out 32-bit draws (`random()`), 64-bit
 *    draws made of two 32-bit ones (`random64()`), and caches the second value
 *    of each Box-Muller pair (`next_double_normal_sample`).
 * 2. The samplers and kernels: `at::uniform_real_distribution`,
 *    `at::normal_distribution`, ... (DistributionsHelper.h,
 *    TransformationHelper.h) and the CPU kernels that drive them
 *    (native/cpu/DistributionTemplates.h, TensorFactories.cpp). The kernels in
 *    `native/cpu/` are compiled once per CPU capability; on an AVX2 machine the
 *    AVX2 copy runs, and it is compiled with `-mavx2 -mfma`, so GCC contracts
 *    every `a * b + c` in them into a fused multiply-add. JavaScript has no FMA,
 *    so {@link fma} and {@link fmaf} emulate it exactly.
 * 3. The math library: the samplers call glibc's `log`, `sin` and `cos`, which
 *    are not correctly rounded (about 1 result in 1000 differs in the last bit
 *    from the exact value) and differ far more often from V8's `Math.log` etc.
 *    {@link glibcLog}, {@link glibcSin} and {@link glibcCos} port the FMA
 *    variants of glibc's routines (the ones glibc's ifunc picks on a CPU with
 *    FMA and AVX2), operation for operation. Float32 `normal_` with 16 or more
 *    elements does not use glibc at all but PyTorch's AVX2 `log256_ps` /
 *    `sincos256_ps` (native/cpu/avx_mathfun.h), mirrored lane by lane here.
 *
 * Reference platform: the numbers are those of PyTorch 1.13 built without MKL,
 * running on Linux x86-64 with glibc >= 2.28 on a CPU with AVX2 and FMA (any
 * x86-64 CPU since about 2013; AVX-512 machines run the same AVX2 normal kernel,
 * as PyTorch refuses to dispatch `normal_` to AVX-512). Elsewhere PyTorch itself
 * gives other bits: a build without AVX2 (e.g. ARM) computes float32 `normal_`
 * with `logf`/`sinf`/`cosf`; another libm changes the last bit of some float64
 * normals; MKL builds on Intel CPUs draw `bernoulli_(p)` from MKL's own stream.
 *
 * Thread count: none of the streams depend on `torch.set_num_threads`. Every
 * kernel mirrored here draws from the generator in a single serial loop
 * (`cpu_serial_kernel`, or a plain loop under the generator's mutex); only
 * randperm's initial `0..n-1` fill is parallel, and it consumes no random
 * numbers. The fixture generator checks this with 1 and 2 threads.
 *
 * @example
 * ```ts
 * import { manualSeed, uniform_, normal_ } from './random.js';
 * manualSeed(0);
 * const w = new Float32Array(6);
 * uniform_(w, -0.5, 0.5);   // torch.manual_seed(0); torch.empty(6).uniform_(-0.5, 0.5)
 * const z = new Float64Array(20);
 * normal_(z);               // then torch.randn(20, dtype=torch.float64)
 * ```
 *
 * @module
 */

// ---------------------------------------------------------------------------
// Bit access. A DataView is endian-explicit (big-endian by default), so word 0
// is always the high word of a double, whatever the platform.

import { fma, fmaf } from '../util/fma.js';

const scratch = new DataView(new ArrayBuffer(8));

function highWord(x: number): number {
  scratch.setFloat64(0, x);
  return scratch.getUint32(0);
}

function lowWord(x: number): number {
  scratch.setFloat64(0, x);
  return scratch.getUint32(4);
}

function fromWords(hi: number, lo: number): number {
  scratch.setUint32(0, hi >>> 0);
  scratch.setUint32(4, lo >>> 0);
  return scratch.getFloat64(0);
}

function float32Bits(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getUint32(0);
}

function float32FromBits(bits: number): number {
  scratch.setUint32(0, bits >>> 0);
  return scratch.getFloat32(0);
}

function copySign(magnitude: number, sign: number): number {
  const a = Math.abs(magnitude);
  return sign < 0 || Object.is(sign, -0) ? -a : a;
}

/** Index of the low 32-bit word of an int64 in a Uint32Array view (platform byte order). */
const INT64_LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

/** Stores the safe integer v as element i of an int64 array seen as 32-bit words. */
function setInt64Words(words: Uint32Array, i: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  words[2 * i + INT64_LOW_WORD] = v - hi * 4294967296;
  words[2 * i + 1 - INT64_LOW_WORD] = hi >>> 0;
}

// Fused multiply-add lives in util/fma.ts (shared with the optimizers).
export { fma, fmaf };

// ---------------------------------------------------------------------------
// glibc's log, sin and cos (FMA variants), which PyTorch's scalar samplers call.
//
// The coefficients and tables are glibc's (sysdeps/ieee754/dbl-64/e_log_data.c,
// usncs.h, sincostab.c), read from libm.so.6 of glibc 2.36 and written as the
// 64-bit patterns of the doubles. Every fused operation below corresponds to a
// vfmadd/vfnmadd/vfmsub in the disassembly of glibc's `__log_fma`,
// `__sin_fma` and `__cos_fma`; the order of operations follows those, not the
// C source, where the two differ only by contraction.

function hexDoubles(text: string): Float64Array {
  const words = text.trim().split(/\s+/);
  const out = new Float64Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    out[i] = fromWords(parseInt(w.slice(0, 8), 16), parseInt(w.slice(8), 16));
  }
  return out;
}

/**
 * `__log_data.tab`: 128 pairs (invc, logc), with invc ~ 1/c and logc = log(c)
 * for c near the centre of the i-th of 128 subintervals of [0x1.6p-1, 0x1.6p0).
 */
const LOG_TABLE = hexDoubles(`
  3ff734f0c3e0de9f bfd7cc7f79e69000 3ff713786a2ce91f bfd76feec20d0000
  3ff6f26008fab5a0 bfd713e31351e000 3ff6d1a61f138c7d bfd6b85b38287800
  3ff6b1490bc5b4d1 bfd65d5590807800 3ff69147332f0cba bfd602d076180000
  3ff6719f18224223 bfd5a8ca86909000 3ff6524f99a51ed9 bfd54f4356035000
  3ff63356aa8f24c4 bfd4f637c36b4000 3ff614b36b9ddc14 bfd49da7fda85000
  3ff5f66452c65c4c bfd445923989a800 3ff5d867b5912c4f bfd3edf439b0b800
  3ff5babccb5b90de bfd396ce448f7000 3ff59d61f2d91a78 bfd3401e17bda000
  3ff5805612465687 bfd2e9e2ef468000 3ff56397cee76bd3 bfd2941b3830e000
  3ff54725e2a77f93 bfd23ec58cda8800 3ff52aff42064583 bfd1e9e129279000
  3ff50f22dbb2bddf bfd1956d2b48f800 3ff4f38f4734ded7 bfd141679ab9f800
  3ff4d843cfde2840 bfd0edd094ef9800 3ff4bd3ec078a3c8 bfd09aa518db1000
  3ff4a27fc3e0258a bfd047e65263b800 3ff4880524d48434 bfcfeb224586f000
  3ff46dce1b192d0b bfcf474a7517b000 3ff453d9d3391854 bfcea4443d103000
  3ff43a2744b4845a bfce020d44e9b000 3ff420b54115f8fb bfcd60a22977f000
  3ff40782da3ef4b1 bfccc00104959000 3ff3ee8f5d57fe8f bfcc202956891000
  3ff3d5d9a00b4ce9 bfcb81178d811000 3ff3bd60c010c12b bfcae2c9ccd3d000
  3ff3a5242b75dab8 bfca45402e129000 3ff38d22cd9fd002 bfc9a877681df000
  3ff3755bc5847a1c bfc90c6d69483000 3ff35dce49ad36e2 bfc87120a645c000
  3ff34679984dd440 bfc7d68fb4143000 3ff32f5cceffcb24 bfc73cb83c627000
  3ff3187775a10d49 bfc6a39a9b376000 3ff301c8373e3990 bfc60b3154b7a000
  3ff2eb4ebb95f841 bfc5737d76243000 3ff2d50a0219a9d1 bfc4dc7b8fc23000
  3ff2bef9a8b7fd2a bfc4462c51d20000 3ff2a91c7a0c1bab bfc3b08abc830000
  3ff293726014b530 bfc31b996b490000 3ff27dfa5757a1f5 bfc2875490a44000
  3ff268b39b1d3bbf bfc1f3b9f879a000 3ff2539d838ff5bd bfc160c8252ca000
  3ff23eb7aac9083b bfc0ce7f57f72000 3ff22a012ba940b6 bfc03cdc49fea000
  3ff2157996cc4132 bfbf57bdbc4b8000 3ff201201dd2fc9b bfbe370896404000
  3ff1ecf4494d480b bfbd17983ef94000 3ff1d8f5528f6569 bfbbf9674ed8a000
  3ff1c52311577e7c bfbadc79202f6000 3ff1b17c74cb26e9 bfb9c0c3e7288000
  3ff19e010c2c1ab6 bfb8a646b372c000 3ff18ab07bb670bd bfb78d01b3ac0000
  3ff1778a25efbcb6 bfb674f145380000 3ff1648d354c31da bfb55e0e6d878000
  3ff151b990275fdd bfb4485cdea1e000 3ff13f0ea432d24c bfb333d94d6aa000
  3ff12c8b7210f9da bfb22079f8c56000 3ff11a3028ecb531 bfb10e4698622000
  3ff107fbda8434af bfaffa6c6ad20000 3ff0f5ee0f4e6bb3 bfadda8d4a774000
  3ff0e4065d2a9fce bfabbcece4850000 3ff0d244632ca521 bfa9a1894012c000
  3ff0c0a77ce2981a bfa788583302c000 3ff0af2f83c636d1 bfa5715e67d68000
  3ff09ddb98a01339 bfa35c8a49658000 3ff08cabaf52e7df bfa149e364154000
  3ff07b9f2f4e28fb bf9e72c082eb8000 3ff06ab58c358f19 bf9a55f152528000
  3ff059eea5ecf92c bf963d62cf818000 3ff04949cdd12c90 bf9228fb8caa0000
  3ff038c6c6f0ada9 bf8c317b20f90000 3ff02865137932a9 bf8419355daa0000
  3ff0182427ea7348 bf781203c2ec0000 3ff008040614b195 bf60040979240000
  3fefe01ff726fa1a 3f6feff384900000 3fefa11cc261ea74 3f87dc41353d0000
  3fef6310b081992e 3f93cea3c4c28000 3fef25f63ceeadcd 3f9b9fc114890000
  3feee9c8039113e7 3fa1b0d8ce110000 3feeae8078cbb1ab 3fa58a5bd001c000
  3fee741aa29d0c9b 3fa95c8340d88000 3fee3a91830a99b5 3fad276aef578000
  3fee01e009609a56 3fb07598e598c000 3fedca01e577bb98 3fb253f5e30d2000
  3fed92f20b7c9103 3fb42edd8b380000 3fed5cac66fb5cce 3fb606598757c000
  3fed272caa5ede9d 3fb7da76356a0000 3fecf26e3e6b2ccd 3fb9ab434e1c6000
  3fecbe6da2a77902 3fbb78c7bb0d6000 3fec8b266d37086d 3fbd431332e72000
  3fec5894bd5d5804 3fbf0a3171de6000 3fec26b533bb9f8c 3fc067152b914000
  3febf583eeece73f 3fc147858292b000 3febc4fd75db96c1 3fc2266ecdca3000
  3feb951e0c864a28 3fc303d7a6c55000 3feb65e2c5ef3e2c 3fc3dfc33c331000
  3feb374867c9888b 3fc4ba366b7a8000 3feb094b211d304a 3fc5933928d1f000
  3feadbe885f2ef7e 3fc66acd2418f000 3feaaf1d31603da2 3fc740f8ec669000
  3fea82e63fd358a7 3fc815c0f51af000 3fea5740ef09738b 3fc8e92954f68000
  3fea2c2a90ab4b27 3fc9bb3602f84000 3fea01a01393f2d1 3fca8bed1c2c0000
  3fe9d79f24db3c1b 3fcb5b515c01d000 3fe9ae2505c7b190 3fcc2967ccbcc000
  3fe9852ef297ce2f 3fccf635d5486000 3fe95cbaeea44b75 3fcdc1bd3446c000
  3fe934c69de74838 3fce8c01b8cfe000 3fe90d4f2f6752e6 3fcf5509c0179000
  3fe8e6528effd79d 3fd00e6c121fb800 3fe8bfce9fcc007c 3fd071b80e93d000
  3fe899c0dabec30e 3fd0d46b9e867000 3fe87427aa2317fb 3fd13687334bd000
  3fe84f00acb39a08 3fd1980d67234800 3fe82a49e8653e55 3fd1f8ffe0cc8000
  3fe8060195f40260 3fd2595fd7636800 3fe7e22563e0a329 3fd2b9300914a800
  3fe7beb377dcb5ad 3fd3187210436000 3fe79baa679725c2 3fd377266dec1800
  3fe77907f2170657 3fd3d54ffbaf3000 3fe756cadbd6130c 3fd432eee32fe000`);

/**
 * `__sincostab`: for i = 0..109, sin(i/128) and cos(i/128) each as a double and
 * a correction (sn, ssn, cs, ccs). The corrections are IBM's and are not
 * always the round-to-nearest of the residual, hence a table and no formula.
 */
const SINCOS_TABLE = hexDoubles(`
  0000000000000000 0000000000000000 3ff0000000000000 0000000000000000
  3f7fffeaaaaeeeef bc1e45e2ec67b77c 3fefffc000155552 3c8f4a01a0196dae
  3f8fffaaaaeeeed5 bc02ab639a9f0777 3fefff000155549f 3c828a28a03a5ef3
  3f97ff7001033255 3bfefe2b51527336 3feffdc006bff7e6 3c8ae6dae86977bd
  3f9ffeaaaeeee86f bc3cd406fb224ae2 3feffc00155527d3 bc83b54492d89b5b
  3fa3feb2b12d45d5 3c34ec54203d1c11 3feff9c03414a7ba 3c6991f4be6c59bf
  3fa7fdc01032fba9 bc4599bdf46e997a 3feff7006bfdf99f bc78b3b560648d5f
  3fabfc6d78586dac 3c18e4fd03dbf236 3feff3c0c8103a31 3c74856dbddc0e66
  3faffaaaeeed4edb bc42d16d32684b69 3feff0015549f4d3 3c8328387b99426f
  3fb1fc343d808bef bc5f3d32e6f3be4f 3fefebc222a8ef9f 3c57934934f54c77
  3fb3facb12d1755b bc5921915299468c 3fefe7034129ef6f bc6cbf4337c96f97
  3fb5f911fd10b737 bc50184f02be9102 3fefe1c4c3c873eb bc35a9c9057c4a02
  3fb7f701032550e4 3c3afc2d1800501a 3fefdc06bf7e6b9b 3c831902b535f8db
  3fb9f4902d55d1f9 3c52696d7eac1dc1 3fefd5c94b43e000 bc62e768cb4f92f9
  3fbbf1b78568391d 3c5e91841dea4cc8 3fefcf0c800e99b1 3c6ea3d786d186ac
  3fbdee6f16c1cce6 bc450f8e2fb71673 3fefc7d078d1bc88 3c8075d2447db685
  3fbfeaaeee86ee36 bc4afcb2bcc6f03b 3fefc015527d5bd3 3c8b68f35094efb8
  3fc0f3378ddd71d1 3c6d8468724f0f9e 3fefb7db2bfe0695 3c821dadf4f65ab1
  3fc1f0d3d7afceaf bc66ef95099769a5 3fefaf22263c4bd3 bc552ace133a2769
  3fc2ee285e4ab88f bc6e4d0f05dee058 3fefa5ea641c36f2 3c404da6ed17cc7c
  3fc3eb312c5d66cb 3c647d666b66cb91 3fef9c340a7cc428 3c8c5b6b063b7462
  3fc4e7ea4dc5f27b 3c5949db2ac072fc 3fef91ff40374d01 bc67d03f4d3a9e4c
  3fc5e44fcfa126f3 bc66f443063f89b6 3fef874c2e1eecf6 bc8c6514e1332b16
  3fc6e05dc05a4d4c bbd32c5c8b81c940 3fef7c1afeffde24 bc78f55bc47540b1
  3fc7dc102fbaf2b5 3c45ab50e23c97c3 3fef706bdf9ece1c bc8698c80c36dcb4
  3fc8d7632efaa944 bc620fa262cbb953 3fef643efeb82acd 3c76b00ac1fe28ac
  3fc9d252d0cec312 3c59c43d80b1137d 3fef57948cff6797 3c6e3a0d3e03b1d5
  3fcaccdb297a0765 bc59883b57d6cdeb 3fef4a6cbd1e3a79 3c813df0edaebb57
  3fcbc6f84edc6199 3c69c1a56a7b0cab 3fef3cc7c3b3d16e bc621a3ad28a3494
  3fccc0a6588289a3 bc6868d09bc87c6b 3fef2ea5d753ffed 3c8cc4215f56d583
  3fcdb9e15fb5a5d0 bc632e20d6cc6fc2 3fef20073086649f 3c7b940416c1984b
  3fceb2a57f8ae5a3 bc60be06af572ceb 3fef10ec09c5873b 3c8d9072762c1283
  3fcfaaeed4f31577 bc615d88508e32b8 3fef01549f7deea1 3c8d3c1e99e5cafd
  3fd0515cbf65155c bc79b8c29dfd8ec8 3feef141300d2f26 bc82aa1b08ded372
  3fd0cd00cef36436 bc79fb0a0c93e2b5 3feee0b1fbc0f11c bc4bfd2380bbc3b1
  3fd14861aa94ddeb bc6be881b5b615a4 3feecfa744d5efa1 bc556d0a4af541d0
  3fd1c37d64c6b876 3c746076fe0dcff5 3feebe214f76efa8 bc802f9f12ba543e
  3fd23e52111aaf36 bc74f080334eff18 3feeac2061bbaf4f 3c62c1d53e94658d
  3fd2b8ddc43eb49f 3c61553899f2d807 3fee99a4c3a7cd83 bc82264b1bc53ce8
  3fd3331e94049f87 3c7e0cb6b40c302c 3fee86aebf29a9ed 3c89397afdbb58a7
  3fd3ad129769d3d8 3c003d5504878398 3fee733ea0193d40 bc86428b3546ce13
  3fd426b7e69ee697 bc7f09c75705c59f 3fee5f54b436e9d0 3c87eb0fd02fc8bc
  3fd4a00c9b0f3d20 3c7823ba6bb08ead 3fee4af14b2a449c bc868ca02e8a6833
  3fd5190ecf68a77a 3c7b357155eef0f3 3fee3614b680d6a5 bc727793aa015237
  3fd591bc9fa2f597 3c67c74bac3fe0cb 3fee20bf49acd6c1 bc5660aec7ef636c
  3fd60a1429078775 3c5b1fd80ba89133 3fee0af15a03dbce 3c5fe8e702771ae6
  3fd682138a38d7f7 bc7d889202444aad 3fedf4ab3ebd875e bc8e2d8a7e6736c4
  3fd6f9b8e33a0255 3c742bc14ee9da0d 3feddded50f228d6 bc6e80c8d42ba2bf
  3fd7710255764214 bc66ead7314bb6ce 3fedc6b7eb995912 3c54b364776dcd35
  3fd7e7ee03c86d4e bc7b63bcdabf5af2 3fedaf0b6b888e83 3c8a249e2b5e5cea
  3fd85e7a12826949 3c78a40e9b5face0 3fed96e82f71a9dc 3c8ff61bd5d2039d
  3fd8d4a4a774992f 3c744a02ea766326 3fed7e4e97e17b4a bc63b770352bed94
  3fd94a6be9f546c5 bc769ce13e683f58 3fed653f073e4040 bc876236434bec37
  3fd9bfce02e80510 3c709e39a320b0a4 3fed4bb9e1c619e0 3c8f34bb77858f61
  3fda34c91cc50cca bc5a310e3b50cecd 3fed31bf8d8d7c06 3c7e60dd3089cbdd
  3fdaa95b63a09277 bc66293eb13c0381 3fed1750727d94f0 3c80d52b1ec1a48e
  3fdb1d8305321617 bc7ae242cb99f519 3fecfc6cfa52ad9f 3c88b5b5508f2a0d
  3fdb913e30dbac43 bc7e38ad2f6c3ff1 3fece115909a82e5 3c81f139bb31109a
  3fdc048b17b140a3 3c619fe6757e9fa7 3fecc54aa2b2972e 3c64ee162ba83a98
  3fdc7767ec7fd19e bc5eb14d1a3d5826 3feca90c9fc67d0b bc646a81485e3462
  3fdce9d2e3d4a51f bc62fc8a12dae298 3fec8c5bf8ce1a84 3c7ab3d1a1590123
  3fdd5bca34047661 3c728a44a75fc29c 3fec6f39208be53b bc8741dbfbaadb42
  3fddcd4c15329c9a 3c70d4c6e171fd9a 3fec51a48b8b175e bc61bbb43b9aa880
  3fde3e56c1582a69 bc50a4821099f88f 3fec339eb01ddd81 bc8caaf5ee82c5c0
  3fdeaee8744b05f0 bc5789b43c9b027d 3fec1528065b7d50 bc8892111312e828
  3fdf1eff6bc4f97b 3c717212f8a7525c 3febf641081e7536 3c8b7bd71628a9a1
  3fdf8e99e76abc97 3c59d950af2d00a3 3febd6ea310294f5 3c731bbcc88c109d
  3fdffdb628d2f57a 3c6f4a992e905b6a 3febb723fe630f32 3c772bd2452d0a39
  3fe0362939c69955 bc82d8cd78397b01 3feb96eeef58840e 3c545a3cc78fade0
  3fe06d3686946e5b 3c83f5ae4538ff1b 3feb764b84b704c2 bc8f5848c21b389b
  3fe0a4021e9e1001 bc86f643a13914f6 3feb553a410c104e 3c58ff7947027a16
  3fe0da8b26b5672e bc8a58def0bee909 3feb33bba89c8948 3c8ea6a51d1f6ca9
  3fe110d0c4b69c3b 3c8d918998809981 3feb11d04162a4c6 3c71dd561efbc0c2
  3fe146d21f8b7f82 3c7bf9535e2739a8 3feaef78930bd275 bc7f836279746f94
  3fe17c8e5f2eedb0 3c635e57102e2488 3feaccb526f69de5 3c88fb6a8dd6b6cc
  3fe1b204acb02fdd bc5f190c70cbb5ff 3feaa98688308913 bc0b83d607cd5070
  3fe1e7343236574c 3c722a3fa4f41d5a 3fea85ed4373e02d 3c69be06385ec792
  3fe21c1c1b0394cf 3c5e5b324b23aa31 3fea61e9e72586af 3c858330e2fd453f
  3fe250bb93788bbb 3c7ea3d02457bcce 3fea3d7d0352bdcf bc868dbaeca19669
  3fe28511c917a067 bc801df1d9a16b70 3fea18a729aee445 3c395e25736c0358
  3fe2b91dea88421e bc8fa371db216ab0 3fe9f368ed912f85 bc81d200c5791606
  3fe2ecdf279a3082 3c8d3557e0e7e37e 3fe9cdc2e3f25e5c 3c83f99112993f62
  3fe32054b148bc4f 3c8f6b42095a135b 3fe9a7b5a36a6514 3c8722cfcc9fa7a9
  3fe3537db9be0367 3c6b327e7af040f0 3fe98141c42e1310 3c8d1ff80488f08d
  3fe386597456282b bc710fada93b07a8 3fe95a67e00cb1fd bc80befda21f862d
  3fe3b8e715a2840a bc797653a7d2f07b 3fe93328926d9e92 bc8bb77003600cda
  3fe3eb25d36cd53a bc5be570e1570fc0 3fe90b84784ddaf7 bc70feb10ab93b87
  3fe41d14e4ba6790 3c84608fd287ecf5 3fe8e37c303d9ad1 bc6463a4b53d4bf8
  3fe44eb381cf386b bc83ed6c1e6a5505 3fe8bb105a5dc900 3c8863e03e9474c1
  3fe48000e431159f bc8b194a7463ed10 3fe89241985d871f 3c8c48d9c413ed84
  3fe4b0fc46aab761 3c20da05738cc59a 3fe869108d77a6c6 3c7338ffe2bfe9dd
  3fe4e1a4e54ed51b bc8a492f89b7c76a 3fe83f7dde701ca0 bc4152cf609bc6e8
  3fe511f9fd7b351c bc85c0e861c48831 3fe8158a31916d5d bc6de8b90b8228de
  3fe541facddbb724 3c7232c28520d391 3fe7eb362eaa1488 3c5a1d65a4a5959f
  3fe571a6966d59b3 3c5c843b4d0fb198 3fe7c0827f09e54f bc6c73d6d72aee68
  3fe5a0fc98813a12 bc8d82e2b7d4227b 3fe7956fcd7f6543 bc8ab276e9d45ae4
  3fe5cffc16bf8f0d 3c896cb370eb578a 3fe769fec655211f bc6827d5cf8c68c5
  3fe5fea4552a9e57 3c80b6cef7ee20b7 3fe73e30174efba1 bc65d3ae3d94ad5f
  3fe62cf49921ac79 bc8edd9855b6241a 3fe712046fa77678 3c8425b0a5029c81
  3fe65aec2963e755 3c8126f96b71053c 3fe6e57c800cf55e 3c860286dedbd0a6
  3fe6888a4e134b2f bc86b7d37644d5e6 3fe6b898fa9efb5d 3c715ac786ccf4b2
  3fe6b5ce50b7821a bc65d5158f702e0f 3fe68b5a92eb6253 bc89a91ad985f89c
  3fe6e2b77c40bde1 bc70e729857fad53 3fe65dc1fdeb8cba bc597c1b47337c77
  3fe70f451d0a8c40 3c697ede3885770d 3fe62fcff20191c7 3c6d9143895756ef
  3fe73b7680dea578 bc72248306dc12a2 3fe6018526f563df 3c846ca5e0e432d0
  3fe7674af6f7b524 3c7e9d3f94ac84a8 3fe5d2e255f1f17a 3c80314104c8892b
  3fe792c1d0041d52 bc8abf05eeb354eb 3fe5a3e839824077 3c8428aa2759be62
  3fe7bdda5e28b3c2 3c4ad1197ccd0393 3fe574978d8e83f2 3c8f4714af282d23
  3fe7e893f5037959 3c80eefbaa650c4c 3fe544f10f592ca5 bc8e7ae8e6c7a62f
  3fe812ede9ae4ba4 bc87830adf402dda 3fe514f57d7bf3da 3c747a108073c259`);

const LN2_HI = 0.6931471805598903;
const LN2_LO = 5.497923018708371e-14;
const LOG_A0 = -0.5000000000000001;
const LOG_A1 = 0.33333333331825593;
const LOG_A2 = -0.2499999999622955;
const LOG_A3 = 0.20000304511814496;
const LOG_A4 = -0.16667054827627667;
const LOG_B0 = -0.5;
const LOG_B1 = 0.3333333333333352;
const LOG_B2 = -0.24999999999998432;
const LOG_B3 = 0.19999999999320328;
const LOG_B4 = -0.16666666669929706;
const LOG_B5 = 0.14285715076560868;
const LOG_B6 = -0.12499997863982555;
const LOG_B7 = 0.11110712032936046;
const LOG_B8 = -0.10000486757818193;
const LOG_B9 = 0.09181994006195467;
const LOG_B10 = -0.08328363062289341;
const TWO_POW_27 = 134217728;
const TWO_POW_52 = 4503599627370496;

/**
 * `exponential_`'s draws in bulk, continuing a generator's stream: `mt` is its mt19937 state,
 * `state` = [left, nextIndex] (read and updated), and each of the n outputs is
 * `scale * log(1 - u)` from one uniform double u, with a log that gives glibcLog's bits. A backend
 * may provide it (the native addon, with the C library's log, which PyTorch calls, once checked
 * against glibcLog).
 */
export type ExponentialFill = (mt: Uint32Array, state: Float64Array, n: number, out: Float32Array | Float64Array, scale: number) => void;

let exponentialFill: ExponentialFill | null = null;

/** Install (or remove, with null) the bulk `exponential_`; returns the previous one. */
export function setExponentialFill(f: ExponentialFill | null): ExponentialFill | null {
  const previous = exponentialFill;
  exponentialFill = f;
  return previous;
}

/**
 * Natural logarithm exactly as glibc (>= 2.28) computes `log(x)` on an x86-64
 * CPU with FMA and AVX2 (`__log_fma`, from sysdeps/ieee754/dbl-64/e_log.c).
 *
 * PyTorch's samplers call `std::log`, i.e. this function: the Box-Muller
 * radius `sqrt(-2 log(1 - u))` and the exponential `-log(1 - u) / lambda`.
 * It differs from `Math.log` in the last bit for several percent of inputs.
 *
 * @example
 * ```ts
 * glibcLog(0.5);  // -0.6931471805599453
 * ```
 */
export function glibcLog(x: number): number {
  if (x >= 0.9375 && x < 1.064697265625) {
    // Close to 1: a degree-11 polynomial in r = x - 1, with r*r*B0 = -r^2/2
    // evaluated in double-double (rhi holds the top 26 bits of r).
    if (x === 1) return 0;
    const r = x - 1;
    const r2 = r * r;
    const r3 = r * r2;
    const p1 = fma(r2, LOG_B3, fma(r, LOG_B2, LOG_B1));
    const p2 = fma(r2, LOG_B6, fma(r, LOG_B5, LOG_B4));
    const p3 = fma(r3, LOG_B10, fma(r2, LOG_B9, fma(r, LOG_B8, LOG_B7)));
    const poly = fma(fma(p3, r3, p2), r3, p1);
    const t = fma(r, TWO_POW_27, r);
    const rhi = fma(-TWO_POW_27, r, t);
    const rlo = r - rhi;
    const rhi2 = rhi * rhi;
    const hi = fma(rhi2, LOG_B0, r);
    let lo = fma(rhi2, LOG_B0, r - hi);
    lo = fma(LOG_B0 * rlo, r + rhi, lo);
    return hi + fma(poly, r3, lo);
  }
  let kAdjust = 0;
  if (!(x >= 2.2250738585072014e-308 && x < Infinity)) {
    if (x === 0) return -Infinity;
    if (x === Infinity) return x;
    if (!(x > 0)) return NaN;
    // Subnormal: scale into the normal range and correct the exponent.
    x *= TWO_POW_52;
    kAdjust = -52;
  }
  // x = 2^k z with z in [0x1.6p-1, 0x1.6p0); the top mantissa bits of x pick
  // the subinterval i whose centre c is tabulated (its 1/c and log(c)).
  const hiBits = highWord(x);
  const loBits = lowWord(x);
  const tmpHi = (hiBits - 0x3fe60000) | 0;
  const i = (tmpHi >>> 13) & 127;
  const k = (tmpHi >> 20) + kAdjust;
  const z = fromWords(hiBits - (tmpHi & 0xfff00000), loBits);
  const invc = LOG_TABLE[2 * i] as number;
  const logc = LOG_TABLE[2 * i + 1] as number;
  // log(x) = log1p(z/c - 1) + log(c) + k ln2, with r = z/c - 1 from one FMA.
  const r = fma(z, invc, -1);
  const w = fma(k, LN2_HI, logc);
  const hi = w + r;
  const lo = fma(k, LN2_LO, w - hi + r);
  const r2 = r * r;
  const poly = fma(fma(r, LOG_A4, LOG_A3), r2, fma(r, LOG_A2, LOG_A1));
  return fma(r * r2, poly, fma(r2, LOG_A0, lo)) + hi;
}

const SN3 = -0.16666666666666488;
const SN5 = 0.008333332142857223;
const CS2 = 0.5;
const CS4 = -0.04166666666666644;
const CS6 = 0.001388888740079376;
const S1 = -0.16666666666666666;
const S2 = 0.008333333333332329;
const S3 = -0.00019841269834414642;
const S4 = 2.755729806860771e-6;
const S5 = -2.5022014848318398e-8;
/** 1.5 * 2^45: adding it rounds |x| to a multiple of 1/128, the table step. */
const BIG = 52776558133248;
/** pi/2 as hp0 + hp1. */
const HP0 = 1.5707963267948966;
const HP1 = 6.123233995736766e-17;
/** 2/pi, and 1.5 * 2^52 to round x * 2/pi to an integer. */
const HPINV = 0.6366197723675814;
const TOINT = 6755399441055744;
/** pi/2 split as mp1 + mp2 + pp3 + pp4. */
const MP1 = 1.5707963407039642;
const MP2 = -1.3909067564377153e-8;
const PP3 = -4.97899623147991e-17;
const PP4 = -1.9034889620193266e-25;

/** glibc's TAYLOR_SIN: sin(a + da) for |a| < 0.126. */
function taylorSin(a: number, da: number): number {
  const xx = a * a;
  const poly = fma(xx, fma(xx, fma(xx, fma(xx, S5, S4), S3), S2), S1);
  return a + fma(xx, fma(poly, a, -(0.5 * da)), da);
}

/** glibc's do_sin: sin(x + dx) from the table entry nearest |x| and short series. */
function doSin(x: number, dx: number): number {
  if (Math.abs(x) < 0.126) return taylorSin(x, dx);
  const xold = x;
  if (x <= 0) dx = -dx;
  const u = BIG + Math.abs(x);
  const k = lowWord(u) << 2;
  x = Math.abs(x) - (u - BIG);
  const xx = x * x;
  const s = x + fma(x * xx, fma(xx, SN5, SN3), dx);
  const c = fma(x, dx, xx * fma(xx, fma(xx, CS6, CS4), CS2));
  const sn = SINCOS_TABLE[k] as number;
  const ssn = SINCOS_TABLE[k + 1] as number;
  const cs = SINCOS_TABLE[k + 2] as number;
  const ccs = SINCOS_TABLE[k + 3] as number;
  const cor = fma(s, cs, fma(-sn, c, fma(s, ccs, ssn)));
  return copySign(sn + cor, xold);
}

/** glibc's do_cos: cos(x + dx), same table, same idea. */
function doCos(x: number, dx: number): number {
  if (x < 0) dx = -dx;
  const u = BIG + Math.abs(x);
  const k = lowWord(u) << 2;
  x = Math.abs(x) - (u - BIG) + dx;
  const xx = x * x;
  const s = fma(x * xx, fma(xx, SN5, SN3), x);
  const c = xx * fma(xx, fma(xx, CS6, CS4), CS2);
  const sn = SINCOS_TABLE[k] as number;
  const ssn = SINCOS_TABLE[k + 1] as number;
  const cs = SINCOS_TABLE[k + 2] as number;
  const ccs = SINCOS_TABLE[k + 3] as number;
  const cor = fma(-sn, s, fma(-cs, c, fma(-s, ssn, ccs)));
  return cs + cor;
}

let reducedHigh = 0;
let reducedLow = 0;

/**
 * glibc's reduce_sincos: x - n pi/2 as reducedHigh + reducedLow, returning the
 * quadrant n mod 4. Valid for |x| < 105414350.
 */
function reduceSinCos(x: number): number {
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  const y = fma(-xn, MP2, fma(-xn, MP1, x));
  const t2 = fma(-xn, PP3, y);
  let db = fma(-xn, PP3, y - t2);
  const b = fma(-xn, PP4, t2);
  db += fma(-xn, PP4, t2 - b);
  reducedHigh = b;
  reducedLow = db;
  return lowWord(t) & 3;
}

function doSinCos(a: number, da: number, n: number): number {
  const v = (n & 1) !== 0 ? doCos(a, da) : doSin(a, da);
  return (n & 2) !== 0 ? -v : v;
}

/**
 * Sine exactly as glibc (>= 2.28) computes `sin(x)` on an x86-64 CPU with FMA
 * and AVX2 (`__sin_fma`, IBM's s_sin.c), for |x| < 105414350; beyond that
 * glibc switches to a multi-precision reduction not ported here, and this
 * falls back to `Math.sin`. PyTorch's Box-Muller samplers call it with
 * `theta = 2 pi u` in [0, 2 pi).
 *
 * @example
 * ```ts
 * glibcSin(1);  // 0.8414709848078965
 * ```
 */
export function glibcSin(x: number): number {
  const k = highWord(x) & 0x7fffffff;
  if (k < 0x3e500000) return x;
  if (k < 0x3feb6000) return doSin(x, 0);
  if (k < 0x400368fd) return copySign(doCos(HP0 - Math.abs(x), HP1), x);
  if (k < 0x419921fb) {
    const n = reduceSinCos(x);
    return doSinCos(reducedHigh, reducedLow, n);
  }
  return Math.sin(x);
}

/**
 * Cosine exactly as glibc (>= 2.28) computes `cos(x)` on an x86-64 CPU with
 * FMA and AVX2 (`__cos_fma`), for |x| < 105414350 (beyond, `Math.cos`).
 *
 * @example
 * ```ts
 * glibcCos(1);  // 0.5403023058681398
 * ```
 */
export function glibcCos(x: number): number {
  const k = highWord(x) & 0x7fffffff;
  if (k < 0x3e400000) return 1;
  if (k < 0x3feb6000) return doCos(x, 0);
  if (k < 0x400368fd) {
    const y = HP0 - Math.abs(x);
    const a = y + HP1;
    const da = y - a + HP1;
    return doSin(a, da);
  }
  if (k < 0x419921fb) {
    const n = reduceSinCos(x);
    return doSinCos(reducedHigh, reducedLow, n + 1);
  }
  return Math.cos(x);
}

// ---------------------------------------------------------------------------
// PyTorch's AVX2 float32 log and sincos (native/cpu/avx_mathfun.h, the Cephes
// single-precision polynomials), one lane at a time. Every `_mm256_mul_ps`
// followed by an `_mm256_add_ps` of its result is contracted into a vfmadd by
// GCC, which fuses the first multiplication (in statement order) whose result
// feeds an addition; a second product feeding the same addition stays rounded.

const F32_MIN_NORMAL = 1.1754943508222875e-38;
const LOG_SQRTHF = Math.fround(0.707106781186547524);
const LOG_P0 = Math.fround(7.0376836292e-2);
const LOG_P1 = Math.fround(-1.151461031e-1);
const LOG_P2 = Math.fround(1.167699874e-1);
const LOG_P3 = Math.fround(-1.2420140846e-1);
const LOG_P4 = Math.fround(1.4249322787e-1);
const LOG_P5 = Math.fround(-1.6668057665e-1);
const LOG_P6 = Math.fround(2.0000714765e-1);
const LOG_P7 = Math.fround(-2.4999993993e-1);
const LOG_P8 = Math.fround(3.3333331174e-1);
const LOG_Q1 = Math.fround(-2.1219444e-4);
const LOG_Q2 = Math.fround(0.693359375);

/** `log256_ps` on one lane (x > 0, as in normal_fill where x = 1 - u). */
function log256Lane(x: number): number {
  if (!(x > 0)) return NaN;
  const bits = float32Bits(Math.max(x, F32_MIN_NORMAL));
  // Split into exponent e and mantissa m in [0.5, 1); for m < sqrt(1/2) use
  // 2m - 1 and e - 1 so that the polynomial argument stays in [-0.29, 0.41).
  let e = (bits >>> 23) - 127 + 1;
  const m = float32FromBits((bits & 0x807fffff) | 0x3f000000);
  let v: number;
  if (m < LOG_SQRTHF) {
    e -= 1;
    v = Math.fround(Math.fround(m - 1) + m);
  } else {
    v = Math.fround(m - 1);
  }
  const z = Math.fround(v * v);
  let y = fmaf(LOG_P0, v, LOG_P1);
  y = fmaf(y, v, LOG_P2);
  y = fmaf(y, v, LOG_P3);
  y = fmaf(y, v, LOG_P4);
  y = fmaf(y, v, LOG_P5);
  y = fmaf(y, v, LOG_P6);
  y = fmaf(y, v, LOG_P7);
  y = fmaf(y, v, LOG_P8);
  y = Math.fround(y * v);
  // `y = y*z; tmp = e*q1; y = y + tmp`: GCC fuses y*z, so e*q1 is rounded.
  y = fmaf(y, z, Math.fround(e * LOG_Q1));
  y = fmaf(-z, 0.5, y);
  v = Math.fround(v + y);
  return fmaf(e, LOG_Q2, v);
}

const SC_DP1 = Math.fround(-0.78515625);
const SC_DP2 = Math.fround(-2.4187564849853515625e-4);
const SC_DP3 = Math.fround(-3.77489497744594108e-8);
const SIN_P0 = Math.fround(-1.9515295891e-4);
const SIN_P1 = Math.fround(8.3321608736e-3);
const SIN_P2 = Math.fround(-1.6666654611e-1);
const COS_P0 = Math.fround(2.443315711809948e-5);
const COS_P1 = Math.fround(-1.388731625493765e-3);
const COS_P2 = Math.fround(4.166664568298827e-2);
const FOUR_OVER_PI = Math.fround(1.27323954473516);

let laneSin = 0;
let laneCos = 0;

/** `sincos256_ps` on one lane; results in laneSin and laneCos. */
function sincos256Lane(x: number): void {
  const negative = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  // Octant j (rounded up to even) of |x|, then |x| - j pi/4 in three pieces.
  let j = Math.trunc(Math.fround(ax * FOUR_OVER_PI)) | 0;
  j = (j + 1) & ~1;
  const swapSinSign = (j & 4) !== 0;
  const sinUsesSinPoly = (j & 2) === 0;
  const cosNegative = (~(j - 2) & 4) !== 0;
  let r = fmaf(j, SC_DP1, ax);
  r = fmaf(j, SC_DP2, r);
  r = fmaf(j, SC_DP3, r);
  const z = Math.fround(r * r);
  // Cosine polynomial: `y = y*z; y = y*z; tmp = z*0.5; y = y - tmp` fuses the
  // second y*z with the subtraction.
  let yc = fmaf(COS_P0, z, COS_P1);
  yc = fmaf(yc, z, COS_P2);
  yc = Math.fround(yc * z);
  yc = fmaf(yc, z, -Math.fround(z * 0.5));
  yc = Math.fround(yc + 1);
  let ys = fmaf(SIN_P0, z, SIN_P1);
  ys = fmaf(ys, z, SIN_P2);
  ys = Math.fround(ys * z);
  ys = fmaf(ys, r, r);
  const s = sinUsesSinPoly ? ys : yc;
  const c = sinUsesSinPoly ? yc : ys;
  laneSin = negative !== swapSinSign ? -s : s;
  laneCos = cosNegative ? -c : c;
}

// ---------------------------------------------------------------------------
// Generator.

const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 4294967296;
const TWO_POW_M24 = 5.960464477539063e-8;
const TWO_POW_M53 = 1.1102230246251565e-16;
const TWO_PI = 2 * Math.PI;
const TWO_PI_F32 = Math.fround(2 * Math.PI);
const UINT64_MASK = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT63_MASK = (1n << 63n) - 1n;
/** Size in bytes of `torch.get_rng_state()` (struct CPUGeneratorImplState). */
const TORCH_STATE_BYTES = 5056;

/** `default_rng_seed_val`, the seed of a fresh `torch.Generator()`. */
const DEFAULT_SEED = 67280421310721n;

function twist(u: number, v: number): number {
  const mixed = ((u & UPPER_MASK) | (v & LOWER_MASK)) >>> 0;
  return ((mixed >>> 1) ^ ((v & 1) !== 0 ? MATRIX_A : 0)) >>> 0;
}

function toSeed(seed: number | bigint): bigint {
  let s: bigint;
  if (typeof seed === 'bigint') {
    s = seed;
  } else {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`manualSeed expects an integer seed, got ${seed}`);
    }
    s = BigInt(seed);
  }
  if (s < INT64_MIN || s > UINT64_MASK) {
    throw new RangeError(
      `Overflow when unpacking long: seed must be within [-2^63, 2^64 - 1], got ${s}`,
    );
  }
  // torch maps negative seeds to their two's complement (-1 -> 2^64 - 1).
  return BigInt.asUintN(64, s);
}

function nondeterministicSeed(): bigint {
  const words = new Uint32Array(2);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => unknown } }).crypto;
  if (c !== undefined && typeof c.getRandomValues === 'function') {
    c.getRandomValues(words);
  } else {
    words[0] = Math.floor(Math.random() * TWO_POW_32);
    words[1] = Math.floor(Math.random() * TWO_POW_32);
  }
  return (BigInt(words[0] as number) << 32n) | BigInt(words[1] as number);
}

/**
 * A snapshot of a {@link Generator}, made of plain JSON-serialisable values.
 * The fields are those of PyTorch's `CPUGeneratorImplState`.
 *
 * @example
 * ```ts
 * const g = new Generator(42);
 * const saved: GeneratorState = JSON.parse(JSON.stringify(g.getState()));
 * g.random();
 * g.setState(saved);  // the next draws repeat
 * ```
 */
export interface GeneratorState {
  /** The seed the generator was last seeded with (uint64, decimal). */
  seed: string;
  /** mt19937's `left_`: draws left before the next twist, plus one. */
  left: number;
  /** mt19937's `next_`: index of the next state word to temper. */
  next: number;
  /** mt19937's 624 state words (uint32). */
  state: number[];
  /** The cached second Box-Muller value of `normal_distribution<double>`. */
  nextDoubleNormal: number | null;
  /** The cached value of `normal_distribution<float>` (unused by these kernels). */
  nextFloatNormal: number | null;
}

/** Typed arrays that PyTorch's `bernoulli_` can fill (any real dtype). */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/**
 * A pseudo-random generator that reproduces PyTorch's CPU generator
 * (`torch.Generator()` / the default generator) bit for bit: mt19937 seeded
 * like `at::mt19937`, with PyTorch's sampling transformations on top.
 *
 * A fresh `new Generator()` is seeded with 67280421310721, like a fresh
 * `torch.Generator()`.
 *
 * @example
 * ```ts
 * const g = new Generator();
 * g.manualSeed(42);
 * const x = new Float32Array(3);
 * g.uniform_(x);  // torch.manual_seed(42); torch.rand(3)
 * ```
 */
export class Generator {
  private readonly mt = new Uint32Array(MT_N);
  private left = 1;
  private nextIndex = 0;
  private seedValue = 0n;
  private nextDoubleNormal: number | null = null;
  private nextFloatNormal: number | null = null;

  /**
   * Creates a generator seeded with `seed` (default 67280421310721, as a new
   * `torch.Generator()`).
   *
   * @example
   * ```ts
   * const g = new Generator(0);  // like torch.Generator().manual_seed(0)
   * ```
   */
  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /**
   * Seeds the generator, as `generator.manual_seed(seed)`: resets both
   * cached normals and re-initialises mt19937 with the low 32 bits of the
   * seed (`at::mt19937::init_with_uint32`), while {@link initialSeed} keeps
   * all 64 bits. Negative seeds map to their two's complement, as in torch
   * (-1 becomes 2^64 - 1). Returns the generator.
   *
   * @example
   * ```ts
   * new Generator().manualSeed(2n ** 40n + 7n).initialSeed();  // 1099511627783n
   * ```
   */
  manualSeed(seed: number | bigint): this {
    const s = toSeed(seed);
    this.seedValue = s;
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    const mt = this.mt;
    mt[0] = Number(s & 0xffffffffn);
    for (let j = 1; j < MT_N; j++) {
      const prev = mt[j - 1] as number;
      mt[j] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + j) >>> 0;
    }
    this.left = 1;
    this.nextIndex = 0;
    return this;
  }

  /**
   * Seeds the generator from a non-deterministic 64-bit source
   * (`crypto.getRandomValues`), as `torch.seed()`, and returns that seed.
   *
   * @example
   * ```ts
   * const s = new Generator().seed();  // some bigint in [0, 2^64)
   * ```
   */
  seed(): bigint {
    const s = nondeterministicSeed();
    this.manualSeed(s);
    return s;
  }

  /**
   * The seed last passed to {@link manualSeed} (as uint64), as
   * `generator.initial_seed()`.
   *
   * @example
   * ```ts
   * new Generator(-1).initialSeed();  // 18446744073709551615n
   * ```
   */
  initialSeed(): bigint {
    return this.seedValue;
  }

  /**
   * A snapshot of the whole generator state, including the cached normal, as
   * plain JSON-serialisable data. Restore it with {@link setState}.
   *
   * @example
   * ```ts
   * const g = new Generator(1);
   * const s = g.getState();
   * const a = g.random();
   * g.setState(s);
   * g.random() === a;  // true
   * ```
   */
  getState(): GeneratorState {
    return {
      seed: this.seedValue.toString(),
      left: this.left,
      next: this.nextIndex,
      state: Array.from(this.mt),
      nextDoubleNormal: this.nextDoubleNormal,
      nextFloatNormal: this.nextFloatNormal,
    };
  }

  /**
   * Restores a state returned by {@link getState}.
   *
   * @example
   * ```ts
   * const g = new Generator(1);
   * const saved = g.getState();
   * new Generator().setState(saved);  // now draws like g
   * ```
   */
  setState(state: GeneratorState): this {
    if (!Array.isArray(state.state) || state.state.length !== MT_N) {
      throw new RangeError(`GeneratorState.state must hold ${MT_N} words`);
    }
    if (!Number.isInteger(state.left) || state.left < 1 || state.left > MT_N) {
      throw new RangeError(`GeneratorState.left must be in [1, ${MT_N}], got ${state.left}`);
    }
    if (!Number.isInteger(state.next) || state.next < 0 || state.next >= MT_N) {
      throw new RangeError(`GeneratorState.next must be in [0, ${MT_N}), got ${state.next}`);
    }
    this.seedValue = toSeed(BigInt(state.seed));
    for (let i = 0; i < MT_N; i++) this.mt[i] = state.state[i] as number;
    this.left = state.left;
    this.nextIndex = state.next;
    this.nextDoubleNormal = state.nextDoubleNormal;
    this.nextFloatNormal = state.nextFloatNormal;
    return this;
  }

  /**
   * The state as the 5056 bytes of `torch.get_rng_state()` (the in-memory
   * `CPUGeneratorImplState` of x86-64 PyTorch), so that a state can travel
   * between PyTorch and this module.
   *
   * @example
   * ```ts
   * const bytes = new Generator(0).toTorchState();
   * // equals torch.manual_seed(0); torch.get_rng_state().numpy().tobytes()
   * ```
   */
  toTorchState(): Uint8Array {
    const bytes = new Uint8Array(TORCH_STATE_BYTES);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, this.seedValue, true); // the_initial_seed
    view.setInt32(8, this.left, true); // left
    view.setInt32(12, 1, true); // seeded
    view.setBigUint64(16, BigInt(this.nextIndex), true); // next
    for (let i = 0; i < MT_N; i++) {
      view.setBigUint64(24 + 8 * i, BigInt(this.mt[i] as number), true);
    }
    // normal_x (5016) and normal_rho (5032) stay 0; normal_y carries the cache.
    if (this.nextDoubleNormal !== null) {
      view.setFloat64(5024, this.nextDoubleNormal, true);
      view.setInt32(5040, 1, true);
    }
    if (this.nextFloatNormal !== null) {
      view.setFloat32(5048, this.nextFloatNormal, true);
      view.setUint8(5052, 1);
    }
    return bytes;
  }

  /**
   * Restores a state from the 5056 bytes of `torch.get_rng_state()`, as
   * `torch.set_rng_state(state)`.
   *
   * @example
   * ```ts
   * // bytes = torch.get_rng_state().numpy().tobytes(), shipped to JS
   * const g = new Generator().setTorchState(new Generator(3).toTorchState());
   * ```
   */
  setTorchState(bytes: Uint8Array): this {
    if (bytes.length !== TORCH_STATE_BYTES) {
      throw new RangeError(`expected ${TORCH_STATE_BYTES} bytes of torch RNG state, got ${bytes.length}`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const left = view.getInt32(8, true);
    const next = Number(view.getBigUint64(16, true));
    if (left < 1 || left > MT_N || next >= MT_N) {
      throw new RangeError('invalid torch RNG state (left/next out of range)');
    }
    this.seedValue = view.getBigUint64(0, true);
    this.left = left;
    this.nextIndex = next;
    for (let i = 0; i < MT_N; i++) {
      this.mt[i] = Number(view.getBigUint64(24 + 8 * i, true) & 0xffffffffn);
    }
    this.nextDoubleNormal = view.getInt32(5040, true) !== 0 ? view.getFloat64(5024, true) : null;
    this.nextFloatNormal = view.getUint8(5052) !== 0 ? view.getFloat32(5048, true) : null;
    return this;
  }

  /** mt19937's `next_state`: regenerates all 624 words. */
  private twistState(): void {
    const mt = this.mt;
    let p = 0;
    for (; p < MT_N - MT_M; p++) {
      mt[p] = ((mt[p + MT_M] as number) ^ twist(mt[p] as number, mt[p + 1] as number)) >>> 0;
    }
    for (; p < MT_N - 1; p++) {
      mt[p] = ((mt[p + MT_M - MT_N] as number) ^ twist(mt[p] as number, mt[p + 1] as number)) >>> 0;
    }
    mt[p] = ((mt[p + MT_M - MT_N] as number) ^ twist(mt[p] as number, mt[0] as number)) >>> 0;
    this.left = MT_N;
    this.nextIndex = 0;
  }

  /**
   * One 32-bit draw from mt19937, as `CPUGeneratorImpl::random()`.
   *
   * @example
   * ```ts
   * new Generator(0).random();  // 2357136044
   * ```
   */
  random(): number {
    if (--this.left === 0) this.twistState();
    let y = this.mt[this.nextIndex++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * One 64-bit draw, as `CPUGeneratorImpl::random64()`: two 32-bit draws, the
   * first one as the high word (`make64BitsFrom32Bits(hi, lo)`).
   *
   * @example
   * ```ts
   * new Generator(0).random64();  // (2357136044n << 32n) | 2546248239n
   * ```
   */
  random64(): bigint {
    const hi = this.random();
    const lo = this.random();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `uniform_real_distribution<float>(0, 1)`: the low 24 bits of random() / 2^24. */
  private uniform24(): number {
    return (this.random() & 0xffffff) * TWO_POW_M24;
  }

  /** `uniform_real_distribution<double>(0, 1)`: the low 53 bits of random64() / 2^53. */
  private uniform53(): number {
    const hi = this.random();
    const lo = this.random();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  /**
   * Fills `out` like `tensor.uniform_(from, to)` on a contiguous CPU tensor of
   * the same dtype (`torch.rand(n)` is `uniform_(out, 0, 1)`).
   *
   * Mirrors `uniform_kernel` + `uniform_real_distribution<T>`: float32 takes
   * the low 24 bits of one 32-bit draw, float64 the low 53 bits of a 64-bit
   * draw, each scaled to [0, 1) as `x`; `from` and `to` are first cast to the
   * dtype, and the value is `x * (to - from) + from` computed in the dtype
   * with one fused multiply-add (the AVX2 kernel is compiled with FMA).
   * `nn.init.uniform_`, `kaiming_uniform_` and `nn.Linear`'s default init all
   * come down to this on a float32 tensor.
   *
   * @example
   * ```ts
   * const g = new Generator(0);
   * const w = new Float32Array(4);
   * g.uniform_(w, -0.5, 0.5);  // torch.manual_seed(0); torch.empty(4).uniform_(-0.5, 0.5)
   * ```
   */
  uniform_<T extends Float32Array | Float64Array>(out: T, from = 0, to = 1): T {
    if (!(from <= to)) {
      throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
    }
    const n = out.length;
    if (out instanceof Float32Array) {
      const lo = Math.fround(from);
      const range = Math.fround(Math.fround(to) - lo);
      for (let i = 0; i < n; i++) out[i] = fmaf(this.uniform24(), range, lo);
    } else {
      const range = to - from;
      for (let i = 0; i < n; i++) out[i] = fma(this.uniform53(), range, from);
    }
    return out;
  }

  /**
   * One draw of `at::normal_distribution<double>(mean, std)`: Box-Muller on
   * two uniform doubles u1, u2 with glibc's log/sin/cos, returning
   * `r cos(theta) * std + mean` (fused) and caching `r sin(theta)` for the
   * next call, which then returns `cached * std + mean` without drawing.
   */
  private normalDouble(mean: number, std: number): number {
    const cached = this.nextDoubleNormal;
    if (cached !== null) {
      this.nextDoubleNormal = null;
      return fma(cached, std, mean);
    }
    const u1 = this.uniform53();
    const u2 = this.uniform53();
    const r = Math.sqrt(-2 * glibcLog(1 - u2));
    const theta = TWO_PI * u1;
    this.nextDoubleNormal = r * glibcSin(theta);
    return fma(r * glibcCos(theta), std, mean);
  }

  /**
   * Fills `out` like `tensor.normal_(mean, std)` on a contiguous CPU tensor of
   * the same dtype (`torch.randn(n)` is `normal_(out)`). PyTorch's
   * `normal_kernel` has two algorithms, both mirrored:
   *
   * - n >= 16: `normal_fill`. All n uniforms are drawn first (24-bit floats
   *   for float32, 53-bit doubles for float64) and written to `out`; then each
   *   block of 16 is transformed in place, element j < 8 and j + 8 forming a
   *   Box-Muller pair (`u1 = 1 - out[j]`, `u2 = out[j + 8]`, cos to j, sin to
   *   j + 8). If 16 does not divide n, the last 16 elements (overlapping the
   *   previous block) are refilled with 16 fresh uniforms and transformed
   *   again. Float32 uses the AVX2 kernel (`normal_fill_AVX2`: Cephes float
   *   log/sincos); float64 uses glibc's log/sin/cos. The normal cache is
   *   neither read nor written.
   * - n < 16: one `normal_distribution<double>` draw per element (for
   *   float32 too, rounded to float at the end), which uses and refills the
   *   cached second normal of the generator.
   *
   * @example
   * ```ts
   * const g = new Generator(0);
   * g.normal_(new Float32Array(20));        // torch.manual_seed(0); torch.randn(20)
   * g.normal_(new Float64Array(5), 1, 0.5); // then torch.empty(5, dtype=torch.float64).normal_(1, 0.5)
   * ```
   */
  normal_<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    const n = out.length;
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normalDouble(mean, std);
      return out;
    }
    if (out instanceof Float32Array) {
      const m = Math.fround(mean);
      const s = Math.fround(std);
      for (let i = 0; i < n; i++) out[i] = this.uniform24();
      for (let i = 0; i + 16 <= n; i += 16) normalFill16Float32(out, i, m, s);
      if (n % 16 !== 0) {
        for (let i = n - 16; i < n; i++) out[i] = this.uniform24();
        normalFill16Float32(out, n - 16, m, s);
      }
    } else {
      for (let i = 0; i < n; i++) out[i] = this.uniform53();
      for (let i = 0; i + 16 <= n; i += 16) normalFill16Float64(out, i, mean, std);
      if (n % 16 !== 0) {
        for (let i = n - 16; i < n; i++) out[i] = this.uniform53();
        normalFill16Float64(out, n - 16, mean, std);
      }
    }
    return out;
  }

  /**
   * Fills `out` like `tensor.exponential_(lambd)` on a CPU tensor (non-MKL
   * kernel): per element one uniform double u and `-1 / lambd * log(1 - u)`
   * with glibc's log, rounded to the dtype. `F.gumbel_softmax` draws its noise
   * as `-empty_like(logits).exponential_().log()`.
   *
   * @example
   * ```ts
   * const g = new Generator(0);
   * g.exponential_(new Float32Array(3));  // torch.manual_seed(0); torch.empty(3).exponential_()
   * ```
   */
  exponential_<T extends Float32Array | Float64Array>(out: T, lambd = 1): T {
    if (!(lambd >= 0)) throw new RangeError(`exponential_ expects lambda >= 0.0, but found lambda=${lambd}`);
    const scale = -1 / lambd;
    // In bulk where a backend offers it (the same draws; the state must be one mt19937 reaches).
    if (exponentialFill !== null && out.length >= 256 && this.nextIndex + this.left - 1 <= MT_N) {
      const state = new Float64Array([this.left, this.nextIndex]);
      exponentialFill(this.mt, state, out.length, out, scale);
      this.left = state[0]!;
      this.nextIndex = state[1]!;
      return out;
    }
    for (let i = 0; i < out.length; i++) out[i] = scale * glibcLog(1 - this.uniform53());
    return out;
  }

  /**
   * Fills `out` like `tensor.bernoulli_(p)` with a scalar p on a CPU tensor
   * (non-MKL kernel): per element one uniform double u, and 1 if u < p else 0.
   * Dropout in training mode draws its mask as `bernoulli_(1 - p)`.
   *
   * @example
   * ```ts
   * const g = new Generator(0);
   * g.bernoulli_(new Float32Array(8), 0.3);  // torch.manual_seed(0); torch.empty(8).bernoulli_(0.3)
   * ```
   */
  bernoulli_<T extends NumericArray>(out: T, p = 0.5): T {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    for (let i = 0; i < out.length; i++) out[i] = this.uniform53() < p ? 1 : 0;
    return out;
  }

  /**
   * Fills an int64 array like `tensor.random_()` on an int64 tensor: each
   * element is `random64() mod 2^63`. `RandomSampler` (the DataLoader's
   * shuffler) seeds its private generator with one such draw from the default
   * generator: `torch.empty((), dtype=torch.int64).random_()`.
   *
   * @example
   * ```ts
   * const seed = new Generator(0).random_(new BigInt64Array(1))[0];
   * ```
   */
  random_(out: BigInt64Array): BigInt64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.random64() & INT63_MASK;
    return out;
  }

  /**
   * `n` integers uniform in [low, high), as `torch.randint(low, high, (n,))`
   * (int64): `random() % (high - low) + low`, or `random64()` instead of
   * `random()` when the range is 2^32 or more.
   *
   * @example
   * ```ts
   * new Generator(0).randint(0, 10, 5);  // torch.manual_seed(0); torch.randint(0, 10, (5,))
   * ```
   */
  randint(low: number | bigint, high: number | bigint, n: number): BigInt64Array {
    const lo = BigInt(low);
    const range = BigInt(high) - lo;
    if (range <= 0n) {
      throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    }
    if (range > UINT64_MASK) throw new RangeError('randint range does not fit in 64 bits');
    const out = new BigInt64Array(n);
    if (range >= 1n << 32n) {
      for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, (this.random64() % range) + lo);
      return out;
    }
    const r = Number(range);
    const base = Number(lo);
    if (Number.isSafeInteger(base) && Number.isSafeInteger(base + r)) {
      // Every value is a safe integer: write the int64 words directly rather
      // than creating a BigInt per element.
      const words = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) setInt64Words(words, i, base + (this.random() % r));
    } else {
      for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, BigInt(this.random() % r) + lo);
    }
    return out;
  }

  /**
   * A random permutation of 0..n-1, as `torch.randperm(n)` (int64). PyTorch
   * 1.13's CPU `randperm_cpu` uses one algorithm for every n: start from the
   * identity and, for i = 0 .. n-2, swap element i with element
   * `i + random() % (n - i)` (n - 1 32-bit draws in all).
   *
   * @example
   * ```ts
   * const order = Array.from(new Generator(0).randperm(10), Number);
   * ```
   */
  randperm(n: number): BigInt64Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm expects n >= 0, got ${n}`);
    // The values are below 2^32: shuffle a dense Uint32Array (the swaps hit
    // random addresses, so the smaller array is much faster for large n) and
    // widen it into the int64 result word by word, without a BigInt each.
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = i + (this.random() % (n - i));
      const saved = perm[i] as number;
      perm[i] = perm[z] as number;
      perm[z] = saved;
    }
    const out = new BigInt64Array(n);
    const words = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) words[2 * i + INT64_LOW_WORD] = perm[i] as number;
    return out;
  }

  /**
   * One draw of `at::uniform_real_distribution<double>(lower, upper)` as
   * rrelu's training mode makes it for every element x <= 0 (and only those):
   * a uniform double u and `u * (upper - lower) + lower`, rounded twice (that
   * kernel is compiled without FMA). For a float32 input rrelu first casts
   * `lower` and `upper` to float32, and casts the result to float32.
   *
   * @example
   * ```ts
   * const g = new Generator(0);
   * const slope = Math.fround(g.uniformDouble(Math.fround(1 / 8), Math.fround(1 / 3)));
   * ```
   */
  uniformDouble(lower: number, upper: number): number {
    return this.uniform53() * (upper - lower) + lower;
  }
}

/** One 16-block of `normal_fill_16_AVX2`, in place at out[i .. i + 16). */
function normalFill16Float32(out: Float32Array, i: number, mean: number, std: number): void {
  for (let j = i; j < i + 8; j++) {
    const u1 = Math.fround(1 - (out[j] as number));
    const u2 = out[j + 8] as number;
    const radius = Math.fround(Math.sqrt(Math.fround(-2 * log256Lane(u1))));
    sincos256Lane(Math.fround(TWO_PI_F32 * u2));
    out[j] = fmaf(Math.fround(radius * laneCos), std, mean);
    out[j + 8] = fmaf(Math.fround(radius * laneSin), std, mean);
  }
}

/** One 16-block of `normal_fill_16<double>`, in place at out[i .. i + 16). */
function normalFill16Float64(out: Float64Array, i: number, mean: number, std: number): void {
  for (let j = i; j < i + 8; j++) {
    const u1 = 1 - (out[j] as number);
    const u2 = out[j + 8] as number;
    const radius = Math.sqrt(-2 * glibcLog(u1));
    const theta = TWO_PI * u2;
    out[j] = fma(radius * glibcCos(theta), std, mean);
    out[j + 8] = fma(radius * glibcSin(theta), std, mean);
  }
}

// ---------------------------------------------------------------------------
// The default generator and torch-style module functions.

/**
 * The module's default generator, the counterpart of
 * `torch.default_generator`. Like PyTorch's, it starts from a
 * non-deterministic seed; call {@link manualSeed} for reproducible streams.
 *
 * @example
 * ```ts
 * defaultGenerator.manualSeed(0);
 * defaultGenerator.random();  // 2357136044
 * ```
 */
export const defaultGenerator = new Generator(nondeterministicSeed());

/**
 * Seeds the default generator, as `torch.manual_seed(seed)`; returns it.
 *
 * @example
 * ```ts
 * manualSeed(42);
 * const x = rand(3);  // torch.manual_seed(42); torch.rand(3)
 * ```
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/**
 * The seed of the default generator, as `torch.initial_seed()`.
 *
 * @example
 * ```ts
 * manualSeed(7);
 * initialSeed();  // 7n
 * ```
 */
export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}

/**
 * `tensor.uniform_(from, to)` with the default (or the given) generator; see
 * {@link Generator.uniform_}.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * uniform_(new Float32Array(3), -2, 3);  // torch.manual_seed(0); torch.empty(3).uniform_(-2, 3)
 * ```
 */
export function uniform_<T extends Float32Array | Float64Array>(
  out: T,
  from = 0,
  to = 1,
  generator: Generator = defaultGenerator,
): T {
  return generator.uniform_(out, from, to);
}

/**
 * `tensor.normal_(mean, std)` with the default (or the given) generator; see
 * {@link Generator.normal_}.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * normal_(new Float64Array(4), 1.5, 0.5);  // torch.manual_seed(0); torch.empty(4, dtype=torch.float64).normal_(1.5, 0.5)
 * ```
 */
export function normal_<T extends Float32Array | Float64Array>(
  out: T,
  mean = 0,
  std = 1,
  generator: Generator = defaultGenerator,
): T {
  return generator.normal_(out, mean, std);
}

/**
 * `tensor.exponential_(lambd)` with the default (or the given) generator; see
 * {@link Generator.exponential_}.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * exponential_(new Float32Array(3));  // torch.manual_seed(0); torch.empty(3).exponential_()
 * ```
 */
export function exponential_<T extends Float32Array | Float64Array>(
  out: T,
  lambd = 1,
  generator: Generator = defaultGenerator,
): T {
  return generator.exponential_(out, lambd);
}

/**
 * `tensor.bernoulli_(p)` (scalar p) with the default (or the given)
 * generator; see {@link Generator.bernoulli_}.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * bernoulli_(new Float32Array(8), 0.3);  // torch.manual_seed(0); torch.empty(8).bernoulli_(0.3)
 * ```
 */
export function bernoulli_<T extends NumericArray>(
  out: T,
  p = 0.5,
  generator: Generator = defaultGenerator,
): T {
  return generator.bernoulli_(out, p);
}

/**
 * `tensor.random_()` on an int64 tensor with the default (or the given)
 * generator; see {@link Generator.random_}.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * random_(new BigInt64Array(1));  // torch.manual_seed(0); torch.empty((1,), dtype=torch.int64).random_()
 * ```
 */
export function random_(out: BigInt64Array, generator: Generator = defaultGenerator): BigInt64Array {
  return generator.random_(out);
}

/**
 * `torch.rand(n)` (float32, or float64 with `dtype: 'float64'`).
 *
 * @example
 * ```ts
 * manualSeed(0);
 * rand(3);             // torch.rand(3)
 * rand(2, 'float64');  // torch.rand(2, dtype=torch.float64)
 * ```
 */
export function rand(n: number, dtype?: 'float32', generator?: Generator): Float32Array;
export function rand(n: number, dtype: 'float64', generator?: Generator): Float64Array;
export function rand(
  n: number,
  dtype: 'float32' | 'float64' = 'float32',
  generator: Generator = defaultGenerator,
): Float32Array | Float64Array {
  return generator.uniform_(dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
}

/**
 * `torch.randn(n)` (float32, or float64 with `dtype: 'float64'`).
 *
 * @example
 * ```ts
 * manualSeed(0);
 * randn(20);            // torch.randn(20)
 * randn(5, 'float64');  // torch.randn(5, dtype=torch.float64)
 * ```
 */
export function randn(n: number, dtype?: 'float32', generator?: Generator): Float32Array;
export function randn(n: number, dtype: 'float64', generator?: Generator): Float64Array;
export function randn(
  n: number,
  dtype: 'float32' | 'float64' = 'float32',
  generator: Generator = defaultGenerator,
): Float32Array | Float64Array {
  return generator.normal_(dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
}

/**
 * `torch.randint(low, high, (n,))` (int64) with the default (or the given)
 * generator; see {@link Generator.randint}.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * randint(0, 10, 5);  // torch.manual_seed(0); torch.randint(0, 10, (5,))
 * ```
 */
export function randint(
  low: number | bigint,
  high: number | bigint,
  n: number,
  generator: Generator = defaultGenerator,
): BigInt64Array {
  return generator.randint(low, high, n);
}

/**
 * `torch.randperm(n)` (int64) with the default (or the given) generator; see
 * {@link Generator.randperm}.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * randperm(5);  // torch.manual_seed(0); torch.randperm(5)
 * ```
 */
export function randperm(n: number, generator: Generator = defaultGenerator): BigInt64Array {
  return generator.randperm(n);
}

/**
 * rrelu's per-element slope draw with the default (or the given) generator;
 * see {@link Generator.uniformDouble}.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * uniformDouble(1 / 8, 1 / 3);  // the slope rrelu (float64, training) uses for the first x <= 0
 * ```
 */
export function uniformDouble(lower: number, upper: number, generator: Generator = defaultGenerator): number {
  return generator.uniformDouble(lower, upper);
}
