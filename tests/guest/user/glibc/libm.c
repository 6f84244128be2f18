// glibc's libm, printf and strtod on our CPU: elementary functions over
// ranges that exercise their polynomial and table paths, exact decimal
// printing of doubles, and the fenv interface (rounding modes and the
// exception flags read back through FPSR).
#include <fenv.h>
#include <math.h>

#include "check.h"

static double rdouble(double lo, double hi) {
  return lo + (hi - lo) * (double)(rnd() >> 11) * 0x1p-53;
}

static void elementary(void) {
  for (int i = 0; i < 2000; ++i) {
    double x = rdouble(-20, 20), y = rdouble(0.001, 50);
    HASH(sin(x));
    HASH(cos(x));
    HASH(tan(x));
    HASH(atan2(x, y));
    HASH(exp(x));
    HASH(log(y));
    HASH(log2(y));
    HASH(log10(y));
    HASH(pow(y, x / 4));
    HASH(cbrt(x));
    HASH(hypot(x, y));
    HASH(sinh(x / 4));
    HASH(tanh(x));
    HASH(asin(x / 20));
    HASH(acos(x / 21));
    HASH(expm1(x / 8));
    HASH(log1p(y));
    HASH(erf(x / 4));
    HASH(lgamma(y));
    HASH(fmod(x, y));
    HASH(remainder(x, y));
    float fx = (float)x, fy = (float)y;
    HASH(sinf(fx));
    HASH(expf(fx));
    HASH(logf(fy));
    HASH(powf(fy, fx / 8));
    HASH(atanf(fx));
  }
  report("elementary functions");
}

static void printing(void) {
  char buf[128];
  for (int i = 0; i < 300; ++i) {
    uint64_t bits = rnd();
    double d;
    memcpy(&d, &bits, 8);
    snprintf(buf, sizeof buf, "%.17g %a %e", d, d, (double)(float)d);
    hash_bytes(buf, strlen(buf));
    double back = strtod(buf, NULL);
    CHECK(isnan(d) || memcmp(&back, &d, 8) == 0);
    if (i < 3) printf("  %s\n", buf);
  }
  printf("  %.30f %g %g\n", M_PI, 1e-310, -0.0);
  report("printf/strtod");
}

static void environment(void) {
  static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
  for (int m = 0; m < 4; ++m) {
    fesetround(modes[m]);
    volatile double one = 1, three = 3, big = 1e308, tiny = 1e-308, zero = 0;
    feclearexcept(FE_ALL_EXCEPT);
    volatile double q = one / three;
    int inexact = fetestexcept(FE_INEXACT) != 0;
    feclearexcept(FE_ALL_EXCEPT);
    volatile double o = big * 10;
    int overflow = fetestexcept(FE_OVERFLOW) != 0;
    feclearexcept(FE_ALL_EXCEPT);
    volatile double u = tiny / 1e10;
    int underflow = fetestexcept(FE_UNDERFLOW) != 0;
    feclearexcept(FE_ALL_EXCEPT);
    volatile double dz = one / zero;
    int divbyzero = fetestexcept(FE_DIVBYZERO) != 0;
    feclearexcept(FE_ALL_EXCEPT);
    volatile double inv = zero / zero;
    int invalid = fetestexcept(FE_INVALID) != 0;
    printf(
        "  mode %d: 1/3=%a o=%a u=%a dz=%a inv=%a flags=%d%d%d%d%d rint(2.5)=%g "
        "llrint(-3.5)=%lld\n",
        m, q, o, u, dz, inv, inexact, overflow, underflow, divbyzero, invalid, rint(2.5),
        llrint(-3.5));
  }
  fesetround(FE_TONEAREST);
  report("fenv");
}

int main(void) {
  elementary();
  printing();
  environment();
  return 0;
}
