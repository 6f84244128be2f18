// The fp:: library per operation: the exact software path against the host
// fast path (round-to-nearest, normal operands), single and double.
#include <benchmark/benchmark.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "cpu/arm64/fp/fp.h"

namespace vmapple::arm64::fp {
namespace {

template <class U>
std::vector<U> operands() {
  std::mt19937_64 g(1);
  std::vector<U> v(1024);
  for (U& x : v) {
    double d = std::ldexp(static_cast<double>(g() % 1000000 + 1), static_cast<int>(g() % 40) - 20);
    if constexpr (sizeof(U) == 4)
      x = std::bit_cast<uint32_t>(static_cast<float>(d));
    else
      x = std::bit_cast<uint64_t>(d);
  }
  return v;
}

enum class Kind { kAdd, kMul, kDiv, kSqrt, kMulAdd };

template <class U, Kind K>
void BM_Fp(benchmark::State& state) {
  set_host_fast_path(state.range(0) != 0);
  std::vector<U> v = operands<U>();
  Env env(0);
  size_t i = 0;
  for (auto _ : state) {
    U a = v[i & 1023], b = v[(i + 1) & 1023];
    U r;
    if constexpr (K == Kind::kAdd) r = add(a, b, env);
    if constexpr (K == Kind::kMul) r = mul(a, b, env);
    if constexpr (K == Kind::kDiv) r = div(a, b, env);
    if constexpr (K == Kind::kSqrt) r = sqrt(a, env);
    if constexpr (K == Kind::kMulAdd) r = muladd(a, b, v[(i + 2) & 1023], env);
    benchmark::DoNotOptimize(r);
    ++i;
  }
  set_host_fast_path(true);
}

// Argument: 0 = software path only, 1 = host fast path allowed.
BENCHMARK(BM_Fp<uint32_t, Kind::kAdd>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint32_t, Kind::kMul>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint32_t, Kind::kDiv>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint32_t, Kind::kSqrt>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint32_t, Kind::kMulAdd>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint64_t, Kind::kAdd>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint64_t, Kind::kMul>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint64_t, Kind::kDiv>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint64_t, Kind::kSqrt>)->Arg(0)->Arg(1);
BENCHMARK(BM_Fp<uint64_t, Kind::kMulAdd>)->Arg(0);

}  // namespace
}  // namespace vmapple::arm64::fp
