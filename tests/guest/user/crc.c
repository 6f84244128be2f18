// Checksums over generated buffers: CRC-32 (bitwise and table-driven),
// CRC-32C, Adler-32, FNV-1a 64 and a 64-bit multiply-rotate hash. Known
// answers for "123456789" check the algorithms themselves.
#include "rt.h"

static uint32_t crc_table[256];

static void make_table(uint32_t poly) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = c & 1 ? poly ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc_bitwise(uint32_t poly, const uint8_t* p, size_t n) {
  uint32_t c = ~0u;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (poly & (0u - (c & 1)));
  }
  return ~c;
}

static uint32_t crc_table_driven(const uint8_t* p, size_t n) {
  uint32_t c = ~0u;
  while (n--) c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

static uint32_t adler32(const uint8_t* p, size_t n) {
  uint32_t a = 1, b = 0;
  while (n--) {
    a = (a + *p++) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}

static uint64_t fnv1a(const uint8_t* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  while (n--) h = (h ^ *p++) * 0x100000001b3ull;
  return h;
}

static uint64_t rotl(uint64_t v, int s) { return v << s | v >> (64 - s); }

static uint64_t mix_hash(const uint8_t* p, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = rotl(h ^ (w * 0xff51afd7ed558ccdull), 27) * 5 + 0x52dce729;
  }
  while (n--) h = rotl(h ^ *p++, 7) * 0xc4ceb9fe1a85ec53ull;
  return h ^ h >> 33;
}

int main(void) {
  static const uint8_t check[] = "123456789";
  const uint32_t crc32_poly = 0xedb88320u, crc32c_poly = 0x82f63b78u;
  CHECK(crc_bitwise(crc32_poly, check, 9) == 0xcbf43926u);
  CHECK(crc_bitwise(crc32c_poly, check, 9) == 0xe3069283u);
  CHECK(adler32(check, 9) == 0x091e01deu);
  CHECK(fnv1a(check, 9) == 0x06d5573923c6cdfcull);
  make_table(crc32_poly);
  CHECK(crc_table_driven(check, 9) == 0xcbf43926u);

  static uint8_t buf[8192];
  uint64_t seed = 42;
  for (size_t i = 0; i < sizeof buf; ++i) buf[i] = (uint8_t)rt_rand(&seed);
  for (size_t len = 1; len <= sizeof buf; len = len * 3 + 1) {
    uint32_t a = crc_bitwise(crc32_poly, buf, len);
    CHECK(a == crc_table_driven(buf, len));
    put_kx("crc32", a);
    put_kx("crc32c", crc_bitwise(crc32c_poly, buf + 1, len - 1));
    put_kx("adler32", adler32(buf, len));
    put_kx("fnv1a", fnv1a(buf, len));
    put_kx("mix", mix_hash(buf + (len & 7), len - (len & 7)));
  }
  return 0;
}
