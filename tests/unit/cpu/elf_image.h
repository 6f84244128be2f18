#pragma once
// Minimal ELF64 (AArch64, little-endian, static executables) reading and
// writing for the user-mode harness: the loader copies PT_LOAD segments, the
// writer emits one RWX segment that holds the headers, code and data.
#include <elf.h>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace vmapple::arm64::test {

struct ElfSegment {
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  std::vector<uint8_t> bytes;  // filesz bytes; the rest up to memsz is zero
};

struct ElfImage {
  uint64_t entry = 0;
  std::vector<ElfSegment> segments;
  // Where the program headers are in memory (0 if no segment maps them):
  // static glibc finds its TLS segment through AT_PHDR.
  uint64_t phdr = 0;
  unsigned phnum = 0, phentsize = 0;
};

inline std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline ElfImage parse_elf(const std::vector<uint8_t>& file) {
  Elf64_Ehdr eh;
  if (file.size() < sizeof eh) throw std::runtime_error("ELF: too short");
  std::memcpy(&eh, file.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_AARCH64 || eh.e_type != ET_EXEC)
    throw std::runtime_error("ELF: not a static little-endian AArch64 executable");
  ElfImage img;
  img.entry = eh.e_entry;
  img.phnum = eh.e_phnum;
  img.phentsize = eh.e_phentsize;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    uint64_t off = eh.e_phoff + uint64_t{i} * eh.e_phentsize;
    if (off + sizeof ph > file.size()) throw std::runtime_error("ELF: bad program header");
    std::memcpy(&ph, file.data() + off, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (eh.e_phoff >= ph.p_offset && eh.e_phoff - ph.p_offset < ph.p_filesz)
      img.phdr = ph.p_vaddr + (eh.e_phoff - ph.p_offset);
    if (ph.p_filesz > ph.p_memsz ||
        (ph.p_filesz && (ph.p_offset > file.size() || ph.p_filesz > file.size() - ph.p_offset)))
      throw std::runtime_error("ELF: bad segment");
    ElfSegment seg;
    seg.vaddr = ph.p_vaddr;
    seg.memsz = ph.p_memsz;
    seg.bytes.assign(file.begin() + static_cast<long>(ph.p_offset),
                     file.begin() + static_cast<long>(ph.p_offset + ph.p_filesz));
    img.segments.push_back(std::move(seg));
  }
  return img;
}

// Room the writer needs before the first byte of code.
inline constexpr uint64_t kElfHeaderSpace = 0x1000;

// An executable whose single PT_LOAD segment maps `image` at `base` (RWX,
// memsz bytes, zero beyond the image). image[0, kElfHeaderSpace) is
// overwritten with the headers.
inline std::vector<uint8_t> write_elf(uint64_t base, std::vector<uint8_t> image, uint64_t memsz,
                                      uint64_t entry) {
  if (image.size() < kElfHeaderSpace) image.resize(kElfHeaderSpace);
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_AARCH64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_W | PF_X;
  ph.p_offset = 0;
  ph.p_vaddr = ph.p_paddr = base;
  ph.p_filesz = image.size();
  ph.p_memsz = memsz < image.size() ? image.size() : memsz;
  ph.p_align = 0x1000;
  std::memcpy(image.data(), &eh, sizeof eh);
  std::memcpy(image.data() + sizeof eh, &ph, sizeof ph);
  return image;
}

}  // namespace vmapple::arm64::test
