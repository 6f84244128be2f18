// Sorting integers of every width with three algorithms (quicksort,
// heapsort, insertion sort); checks the results agree and are ordered, and
// prints a checksum of each sorted array.
#include "rt.h"

#define N 700

#define DEFINE_SORTS(T)                                                   \
  static void insertion_##T(T* a, int n) {                                \
    for (int i = 1; i < n; ++i) {                                         \
      T v = a[i];                                                         \
      int j = i - 1;                                                      \
      while (j >= 0 && a[j] > v) {                                        \
        a[j + 1] = a[j];                                                  \
        --j;                                                              \
      }                                                                   \
      a[j + 1] = v;                                                       \
    }                                                                     \
  }                                                                       \
  static void quick_##T(T* a, int lo, int hi) {                           \
    while (lo < hi) {                                                     \
      T pivot = a[lo + (hi - lo) / 2];                                    \
      int i = lo, j = hi;                                                 \
      while (i <= j) {                                                    \
        while (a[i] < pivot) ++i;                                         \
        while (a[j] > pivot) --j;                                         \
        if (i <= j) {                                                     \
          T t = a[i];                                                     \
          a[i] = a[j];                                                    \
          a[j] = t;                                                       \
          ++i;                                                            \
          --j;                                                            \
        }                                                                 \
      }                                                                   \
      if (j - lo < hi - i) {                                              \
        quick_##T(a, lo, j);                                              \
        lo = i;                                                           \
      } else {                                                            \
        quick_##T(a, i, hi);                                              \
        hi = j;                                                           \
      }                                                                   \
    }                                                                     \
  }                                                                       \
  static void sift_##T(T* a, int root, int n) {                           \
    for (;;) {                                                            \
      int child = 2 * root + 1;                                           \
      if (child >= n) return;                                             \
      if (child + 1 < n && a[child] < a[child + 1]) ++child;              \
      if (!(a[root] < a[child])) return;                                  \
      T t = a[root];                                                      \
      a[root] = a[child];                                                 \
      a[child] = t;                                                       \
      root = child;                                                       \
    }                                                                     \
  }                                                                       \
  static void heap_##T(T* a, int n) {                                     \
    for (int i = n / 2 - 1; i >= 0; --i) sift_##T(a, i, n);               \
    for (int end = n - 1; end > 0; --end) {                               \
      T t = a[0];                                                         \
      a[0] = a[end];                                                      \
      a[end] = t;                                                         \
      sift_##T(a, 0, end);                                                \
    }                                                                     \
  }                                                                       \
  static void test_##T(uint64_t seed) {                                   \
    static T a[N], b[N], c[N];                                            \
    for (int i = 0; i < N; ++i) a[i] = (T)rt_rand(&seed);                 \
    memcpy(b, a, sizeof a);                                               \
    memcpy(c, a, sizeof a);                                               \
    quick_##T(a, 0, N - 1);                                               \
    heap_##T(b, N);                                                       \
    insertion_##T(c, N);                                                  \
    CHECK(memcmp(a, b, sizeof a) == 0);                                   \
    CHECK(memcmp(a, c, sizeof a) == 0);                                   \
    uint64_t sum = 0;                                                     \
    for (int i = 0; i < N; ++i) {                                         \
      if (i) CHECK(a[i - 1] <= a[i]);                                     \
      sum = sum * 31 + (uint64_t)a[i];                                    \
    }                                                                     \
    put_kx(#T, sum);                                                      \
    put_kv(#T "_min", (int64_t)a[0]);                                     \
  }

DEFINE_SORTS(int8_t)
DEFINE_SORTS(uint8_t)
DEFINE_SORTS(int16_t)
DEFINE_SORTS(uint16_t)
DEFINE_SORTS(int32_t)
DEFINE_SORTS(uint32_t)
DEFINE_SORTS(int64_t)
DEFINE_SORTS(uint64_t)

int main(void) {
  test_int8_t(1);
  test_uint8_t(2);
  test_int16_t(3);
  test_uint16_t(4);
  test_int32_t(5);
  test_uint32_t(6);
  test_int64_t(7);
  test_uint64_t(8);
  return 0;
}
