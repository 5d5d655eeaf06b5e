/*
 * accuracy.c: the accuracy of native/src/vmath.h against the C library's long double functions
 * (64-bit significands, so a sound reference for double ulps), over 4 M points per range (uniform
 * in the range, or random bit patterns over every magnitude) plus the special values. Prints the
 * largest error in double ulps and, after rounding to float32, in float32 ulps; special values
 * (NaN, infinities, signed zeros) must match the reference exactly. The tables in README.md
 * beside this folder come from it:
 *
 *   gcc -O3 -fno-trapping-math -fno-math-errno -ffp-contract=off -mavx2 -mfma \
 *       native/tools/accuracy.c -o /tmp/accuracy -lm && /tmp/accuracy
 *   (and with -msse2 instead of -mavx2 -mfma: the SSE2 build, without fused multiply-adds)
 */
#include "../src/vmath.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#define N (1<<22)
static double xs[N], ys[N];
static uint64_t rs = 88172645463325252ULL;
static uint64_t rnd(){ rs ^= rs<<13; rs ^= rs>>7; rs ^= rs<<17; return rs; }
typedef long double (*Ref)(long double);
static long double sigl(long double x){ return 1.0L/(1.0L+expl(-x)); }
#define K(name, fn) static void k_##name(long n, const double* restrict x, double* restrict y){ for(long i=0;i<n;i++) y[i]=fn(x[i]); }
K(exp,pm_exp) K(pexp,pf_exp) K(expm1,pm_expm1) K(pexpm1,pf_expm1) K(log,pm_log) K(log1p,pm_log1p) K(tanh,pm_tanh) K(ptanh,pf_tanh) K(sig,pm_sigmoid) K(psig,pf_sigmoid) K(erf,pm_erf) K(erfc,pm_erfc) K(perfc,pf_erfc)
K(rint,pm_rint) K(floor,pm_floor) K(ceil,pm_ceil) K(trunc,pm_trunc)
static double ulp64(long double r){ double a=fabsl(r); if(a<0x1p-1022) return 0x1p-1074; int e; frexp(a,&e); return ldexp(1.0, e-53); }
static double ulp32(long double r){ double a=fabsl(r); if(a<0x1p-126) return 0x1p-149; int e; frexp(a,&e); return ldexp(1.0, e-24); }
static void fill(double lo, double hi, int mode){
  for(long i=0;i<N;i++){
    if(mode==0) xs[i]=lo+(hi-lo)*(double)(rnd()>>11)/9007199254740992.0;
    else { uint64_t b=rnd(); xs[i]=pm_double(b); }
  }
  double sp[]={0.0,-0.0,INFINITY,-INFINITY,NAN,1,-1,0x1p-1074,-0x1p-1074,0x1p-1022,1e-300,-1e-300,1e-20,-1e-20,709.78,709.79,-745.1,-745.2,-708.4,0.5,-0.5,0.84375,-0.84375,1.25,-1.25,2.857142857142857,6,-6,28,-28,27.2,26.5,-40,-37.5,36,20,-20,0.25,-0.25,1e308,-1e308};
  for(unsigned i=0;i<sizeof sp/sizeof*sp;i++) xs[i]=sp[i];
}
static void check(const char* name, void(*k)(long,const double*,double*), Ref ref, double lo, double hi, int mode, double (*dom)(double)){
  fill(lo,hi,mode); if(dom) for(long i=0;i<N;i++) xs[i]=dom(xs[i]);
  k(N,xs,ys);
  double w64=0,w32=0; double at64=0,at32=0; long bad=0;
  for(long i=0;i<N;i++){
    long double r=ref(xs[i]); double y=ys[i];
    if(isnan(r)||isinf(r)||fabsl(r)>1.7976931348623157e308L){ double rd=(double)r; if(!(isnan(rd)?isnan(y):(y==rd))) { if(bad<5) printf("  %s(%a): got %a want %a\n",name,xs[i],y,rd); bad++; } continue; }
    if(r==0){ if(!(y==0 && signbit(y)==signbit((double)r))){ if(bad<5) printf("  %s(%a): got %a want %s0\n",name,xs[i],y,signbit((double)r)?"-":"+"); bad++;} continue; }
    double e=fabsl(y-r)/ulp64(r); if(e>w64){w64=e;at64=xs[i];}
    float f=(float)y; long double rf=r; if(fabsl(rf)<3.4e38L){ double e32=fabsl((long double)f-rf)/ulp32(rf); if(e32>w32){w32=e32;at32=xs[i];} }
  }
  printf("%-7s [%g,%g]%s  f64 max %.3f ulp (x=%a)  f32-rounded max %.4f ulp (x=%a)  specials bad=%ld\n",name,lo,hi,mode?" bits":"",w64,at64,w32,at32,bad);
}
static double absd(double x){return fabs(x);}
static double l1p(double x){return x< -1? -x-2+1e-300*0 : x;}
int main(){
  check("exp",k_exp,expl,-750,712,0,0); check("exp",k_exp,expl,0,0,1,0);
  check("pf_exp",k_pexp,expl,-110,90,0,0);
  check("expm1",k_expm1,expm1l,-45,712,0,0); check("expm1",k_expm1,expm1l,-1,1,0,0); check("expm1",k_expm1,expm1l,0,0,1,0);
  check("pf_em1",k_pexpm1,expm1l,-20,90,0,0); check("pf_em1",k_pexpm1,expm1l,-1,1,0,0);
  check("log",k_log,logl,0,10,0,0); check("log",k_log,logl,0,0,1,absd);
  check("log1p",k_log1p,log1pl,-1,2,0,0); check("log1p",k_log1p,log1pl,-1e-3,1e-3,0,0); check("log1p",k_log1p,log1pl,0,0,1,l1p);
  check("tanh",k_tanh,tanhl,-20,20,0,0); check("tanh",k_tanh,tanhl,-1,1,0,0); check("tanh",k_tanh,tanhl,0,0,1,0);
  check("pf_tanh",k_ptanh,tanhl,-10,10,0,0);
  check("sigmoid",k_sig,sigl,-750,750,0,0); check("sigmoid",k_sig,sigl,-40,40,0,0); check("pf_sig",k_psig,sigl,-110,110,0,0);
  check("erf",k_erf,erfl,-7,7,0,0); check("erf",k_erf,erfl,-1.5,1.5,0,0); check("erf",k_erf,erfl,0,0,1,0);
  check("erfc",k_erfc,erfcl,-7,28,0,0); check("erfc",k_erfc,erfcl,-1.5,1.5,0,0); check("erfc",k_erfc,erfcl,0,0,1,0);
  check("pf_erfc",k_perfc,erfcl,-7,28,0,0); check("pf_erfc",k_perfc,erfcl,-1.5,1.5,0,0); check("pf_erfc",k_perfc,erfcl,0,0,1,0); check("pf_erfc",k_perfc,erfcl,-5,11,0,0);
  check("rint",k_rint,rintl,-10,10,0,0); check("floor",k_floor,floorl,-10,10,0,0); check("ceil",k_ceil,ceill,-10,10,0,0); check("trunc",k_trunc,truncl,-10,10,0,0);
  check("rint",k_rint,rintl,0,0,1,0); check("floor",k_floor,floorl,0,0,1,0); check("ceil",k_ceil,ceill,0,0,1,0); check("trunc",k_trunc,truncl,0,0,1,0);
}
