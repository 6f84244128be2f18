#pragma once
// Integer lane helpers of the simdb handlers (two-register misc, shifts by
// immediate, copy, permute): dispatch once on the
// `size` field to a lane type, and the Arm ARM's SignedSatQ / UnsignedSatQ.
// Intermediate results are __int128 so that no lane arithmetic (64-bit lanes
// with a rounding constant or a left shift by up to 63) can overflow.
#include <cstdint>
#include <limits>
#include <type_traits>

namespace vmapple::arm64::simdb {

using i128 = __int128;
using u128 = unsigned __int128;

// Calls fn.template operator()<T>() with T = uint8_t, uint16_t, uint32_t or
// uint64_t for size 0..3.
template <class Fn>
inline void by_lane_type(unsigned size, Fn&& fn) {
  switch (size) {
    case 0:
      fn.template operator()<uint8_t>();
      break;
    case 1:
      fn.template operator()<uint16_t>();
      break;
    case 2:
      fn.template operator()<uint32_t>();
      break;
    default:
      fn.template operator()<uint64_t>();
      break;
  }
}

// The lane type of twice the width (narrowing sources, widening results).
template <class T>
struct Wider;
template <>
struct Wider<uint8_t> {
  using type = uint16_t;
};
template <>
struct Wider<uint16_t> {
  using type = uint32_t;
};
template <>
struct Wider<uint32_t> {
  using type = uint64_t;
};
template <class T>
using wider_t = typename Wider<T>::type;

// Int(x, unsigned) of a lane.
template <class T>
constexpr i128 sext(T x) {
  return static_cast<i128>(static_cast<std::make_signed_t<T>>(x));
}
template <class T>
constexpr i128 zext(T x) {
  return static_cast<i128>(x);
}
template <class T>
constexpr i128 lane_int(T x, bool is_signed) {
  return is_signed ? sext(x) : zext(x);
}

// v << sh without the signed-shift pitfalls (v and the result fit in i128).
constexpr i128 shl128(i128 v, unsigned sh) {
  return static_cast<i128>(static_cast<u128>(v) << sh);
}

template <class T>
constexpr i128 smax_of() {
  return std::numeric_limits<std::make_signed_t<T>>::max();
}
template <class T>
constexpr i128 smin_of() {
  return std::numeric_limits<std::make_signed_t<T>>::min();
}

// SignedSatQ(v, esize): the lane bits; `sat` is set when v was clamped.
template <class T>
constexpr T signed_sat(i128 v, bool& sat) {
  if (v > smax_of<T>()) {
    sat = true;
    return static_cast<T>(smax_of<T>());
  }
  if (v < smin_of<T>()) {
    sat = true;
    return static_cast<T>(smin_of<T>());
  }
  return static_cast<T>(v);
}

// UnsignedSatQ(v, esize).
template <class T>
constexpr T unsigned_sat(i128 v, bool& sat) {
  if (v < 0) {
    sat = true;
    return 0;
  }
  if (v > static_cast<i128>(std::numeric_limits<T>::max())) {
    sat = true;
    return std::numeric_limits<T>::max();
  }
  return static_cast<T>(v);
}

template <class T>
constexpr T sat_to(i128 v, bool to_signed, bool& sat) {
  return to_signed ? signed_sat<T>(v, sat) : unsigned_sat<T>(v, sat);
}

}  // namespace vmapple::arm64::simdb
