// The boot-ROM test firmware (tests/guest/firmware/bootrom.c) under
// `vmapple run`: it checks the cfg region against the values given on the
// command line, reads the aux disk (behind its 16 KiB header) and the root
// disk through the bdif backdoor and compares every sector with the pattern
// written here, decrypts ciphertext made here with OpenSSL through the AES
// engine (completion by FLAG interrupt), starts the last CPU by its MPIDR,
// then resets the system and checks that cfg and firmware came back. Each
// negative run changes one thing and must end in the firmware's FAIL line.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "../guest/firmware/bootrom_params.h"
#include "vmapple_process.h"

namespace {

static_assert(offsetof(bootrom_params, ecid) == 16 && offsetof(bootrom_params, nr_cpus) == 32 &&
              offsetof(bootrom_params, cipher_key) == 48 && sizeof(bootrom_params) == 96);

constexpr uint32_t kAuxHeaderSectors = 0x4000 / 512;
constexpr int kExitGuestPanic = 3;

std::vector<uint8_t> pattern(uint32_t tag, uint32_t first_lba, uint32_t sectors) {
  std::vector<uint8_t> out(512ull * sectors);
  for (uint32_t s = 0; s < sectors; ++s)
    for (uint32_t i = 0; i < 128; ++i) {
      uint32_t w = bootrom_pattern_word(tag, first_lba + s, i);
      for (int b = 0; b < 4; ++b)
        out[512 * s + 4 * i + b] = static_cast<uint8_t>(w >> (8 * b));
    }
  return out;
}

std::vector<uint8_t> aes_256_cbc_encrypt(const std::vector<uint8_t>& plain, const uint8_t* key,
                                         const uint8_t* iv) {
  std::vector<uint8_t> out(plain.size());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok =
      ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key, iv) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
      EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size())) == 1 &&
      len == static_cast<int>(plain.size());
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_TRUE(ok);
  return out;
}

void write_file(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class BootromTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-bootrom-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::memcpy(params_.magic, BOOTROM_MAGIC, sizeof params_.magic);
    params_.ecid = 0x0011'2233'4455'6677ull;
    params_.ram_size = 64ull << 20;
    params_.nr_cpus = 18;  // the last CPU is Aff1 = 1, Aff0 = 1
    params_.aux_sectors = 48;
    params_.root_sectors = 40;
    params_.cipher_sectors = 8;
    for (int i = 0; i < 32; ++i)
      params_.cipher_key[i] = static_cast<uint8_t>(0xa0 + 7 * i);
    for (int i = 0; i < 16; ++i)
      params_.cipher_iv[i] = static_cast<uint8_t>(0x30 + 11 * i);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The aux file: its 16 KiB header, then the sectors the guest sees. The
  // root file: pattern sectors, then the ciphertext of the plaintext pattern.
  void write_images() {
    auto aux = pattern(BOOTROM_TAG_HEADER, 0, kAuxHeaderSectors);
    auto aux_body = pattern(BOOTROM_TAG_AUX, 0, params_.aux_sectors);
    aux.insert(aux.end(), aux_body.begin(), aux_body.end());
    write_file(dir_ / "aux.img", aux);
    auto root = pattern(BOOTROM_TAG_ROOT, 0, params_.root_sectors);
    auto cipher = aes_256_cbc_encrypt(pattern(BOOTROM_TAG_PLAIN, 0, params_.cipher_sectors),
                                      params_.cipher_key, params_.cipher_iv);
    root.insert(root.end(), cipher.begin(), cipher.end());
    if (edit_root) edit_root(root);
    write_file(dir_ / "root.img", root);
  }

  // A copy of the firmware with params_ in its bootrom_params block.
  std::string patched_firmware() {
    auto image = read_file(std::string(VMAPPLE_GUEST_DIR) + "/firmware/bootrom_firmware.bin");
    EXPECT_FALSE(image.empty());
    const char* magic = BOOTROM_MAGIC;
    auto at = std::search(image.begin(), image.end(), magic, magic + sizeof params_.magic);
    EXPECT_NE(at, image.end()) << "no bootrom_params block in the firmware";
    EXPECT_EQ(std::search(at + 1, image.end(), magic, magic + sizeof params_.magic), image.end())
        << "two bootrom_params magics in the firmware";
    if (at == image.end() || image.end() - at < static_cast<long>(sizeof params_)) return "";
    std::memcpy(&*at, &params_, sizeof params_);
    write_file(dir_ / "bootrom.bin", image);
    return (dir_ / "bootrom.bin").string();
  }

  vmapple::testing::ProcessResult run() {
    write_images();
    std::string fw = patched_firmware();
    return vmapple::testing::run_vmapple(
        dir_, {"run", "--firmware", fw, "--memory", std::to_string(ram_mib) + "M", "--cpus",
               std::to_string(cpus), "--ecid", std::to_string(ecid), "--aux-disk",
               (dir_ / "aux.img").string() + aux_options, "--root-disk",
               (dir_ / "root.img").string(), "--serial", "stdio"});
  }

  void expect_failure(const std::string& line) {
    auto r = run();
    EXPECT_EQ(r.status, kExitGuestPanic) << r.err << r.out;
    EXPECT_NE(r.out.find("bootrom: FAIL: " + line), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("all checks passed"), std::string::npos) << r.out;
  }

  std::filesystem::path dir_;
  bootrom_params params_{};
  // What the command line says; the defaults agree with params_.
  uint64_t ecid = 0x0011'2233'4455'6677ull;
  unsigned cpus = 18, ram_mib = 64;
  std::string aux_options = ",header=16K";
  std::function<void(std::vector<uint8_t>&)> edit_root;
};

TEST_F(BootromTest, BootRomStepsPassAndTheMachinePowersOff) {
  auto r = run();
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  const char* steps[] = {
      "bootrom: start\r\n",
      "bootrom: cfg version 2 nr_cpus 18 ecid 0x0011223344556677 ram_size 0x0000000004000000 ok",
      "bootrom: bdif root and aux windows present",
      "bootrom: aux: 48 sectors read one by one and in one 24576-byte read: pattern ok",
      "bootrom: root: 40 sectors read one by one and in one 20480-byte read: pattern ok",
      "bootrom: bdif: reads past and across the end, a write and a bad header fail with status 1",
      "bootrom: gic: distributor, redistributor 0 and CPU interface on, INTID 50 enabled",
      "bootrom: aes: FIPS-197 AES-128 ECB known answer ok",
      "bootrom: aes: AES-256-CBC decryption of 8 root sectors (key and IV through the FIFO) ok",
      "bootrom: aes: built-in key 1 encrypts like the key {1, 0, ...} decrypts",
      "bootrom: aes: 4 FLAG interrupts taken through the GIC (INTID 50)",
      "bootrom: cpu 17 (MPIDR 0x0000000080000101) started with PSCI CPU_ON and powered off",
      "bootrom: CNTP_CTL_EL0 write accepted",
      "bootrom: system reset",
      "bootrom: after reset: cfg rewritten with the same rnd 0x",
      "bootrom: all checks passed, powering off",
  };
  size_t pos = 0;
  for (const char* step : steps) {
    size_t at = r.out.find(step, pos);
    EXPECT_NE(at, std::string::npos) << "missing or out of order: " << step << "\n" << r.out;
    if (at != std::string::npos) pos = at;
  }
  // The cfg check ran twice: before and after the reset.
  EXPECT_NE(r.out.find("ram_size 0x0000000004000000 ok", r.out.find("system reset")),
            std::string::npos);
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("PSCI SYSTEM_RESET"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("PSCI SYSTEM_OFF"), std::string::npos) << r.err;
}

TEST_F(BootromTest, WrongEcidOnTheCommandLineFails) {
  ecid = params_.ecid + 1;
  expect_failure("cfg ecid (got 0x0011223344556678, expected 0x0011223344556677)");
}

TEST_F(BootromTest, WrongCpuCountFails) {
  cpus = 17;
  expect_failure("cfg nr_cpus (got 0x0000000000000011, expected 0x0000000000000012)");
}

TEST_F(BootromTest, AuxHeaderNotSkippedFails) {
  // Without header=16K the guest's aux sector 0 is the header's first sector.
  aux_options = "";
  expect_failure("aux (got");
}

TEST_F(BootromTest, CorruptRootSectorFails) {
  edit_root = [](std::vector<uint8_t>& root) { root[17 * 512 + 100] ^= 1; };
  auto r = run();
  EXPECT_EQ(r.status, kExitGuestPanic) << r.err << r.out;
  EXPECT_NE(r.out.find("bootrom: mismatch in sector 17 word 25"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bootrom: FAIL: root (got"), std::string::npos) << r.out;
}

TEST_F(BootromTest, CorruptCiphertextFails) {
  edit_root = [this](std::vector<uint8_t>& root) { root[params_.root_sectors * 512 + 5] ^= 0x80; };
  expect_failure("AES-256-CBC plaintext (got");
}

}  // namespace
