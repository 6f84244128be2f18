#include "boot/linux_loader.h"

#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "base/error.h"
#include "base/size.h"

namespace vmapple::boot {
namespace {

constexpr uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) & ~(a - 1);
}

// The whole file, refusing one larger than `limit` before reading it.
std::vector<uint8_t> read_bounded(const std::string& flag, const std::string& path,
                                  uint64_t limit) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw ConfigError(fmt::format("{}: '{}' cannot be read", flag, path));
  auto size = static_cast<uint64_t>(in.tellg());
  if (size > limit)
    throw ConfigError(fmt::format("{}: '{}' ({}) does not fit in the {} of --memory", flag, path,
                                  format_size(size), format_size(limit)));
  in.seekg(0);
  std::vector<uint8_t> data(size);
  if (!in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size)))
    throw ConfigError(fmt::format("{}: '{}' cannot be read", flag, path));
  return data;
}

}  // namespace

LinuxImages read_linux_images(const std::string& kernel_path, const std::string& initrd_path,
                              RamRange ram) {
  LinuxImages im;
  im.kernel_path = kernel_path;
  im.initrd_path = initrd_path;
  im.kernel = read_bounded("--kernel", kernel_path, ram.size);
  try {
    if (is_gzip(im.kernel)) {
      im.kernel = gunzip(im.kernel, ram.size);
      im.kernel_was_gzip = true;
    }
    im.header = parse_arm64_image(im.kernel);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("--kernel: '{}' {}", kernel_path, e.what()));
  }
  if (!initrd_path.empty()) im.initrd = read_bounded("--initrd", initrd_path, ram.size);
  return im;
}

LinuxLayout plan_linux_layout(const LinuxImages& im, RamRange ram) {
  LinuxLayout l;
  uint64_t footprint = image_footprint(im.header, im.kernel.size());
  l.kernel_addr = align_up(ram.base, LinuxLayout::kBlock) + im.header.text_offset;
  l.kernel_end = l.kernel_addr + footprint;
  if (l.kernel_end > ram.end())
    throw ConfigError(fmt::format(
        "--kernel: '{}' needs {} from {:#x} (its image_size, BSS included) and does not fit in "
        "the {} of --memory",
        im.kernel_path, format_size(footprint), l.kernel_addr, format_size(ram.size)));
  l.initrd_start = l.initrd_end = align_up(l.kernel_end, LinuxLayout::kBlock);
  if (!im.initrd.empty()) {
    l.initrd_end = l.initrd_start + im.initrd.size();
    if (l.initrd_end > ram.end())
      throw ConfigError(
          fmt::format("--initrd: '{}' ({}) does not fit in the {} of --memory after the kernel",
                      im.initrd_path, format_size(im.initrd.size()), format_size(ram.size)));
  }
  l.dtb_addr = align_up(l.initrd_end, LinuxLayout::kBlock);
  if (l.dtb_addr + LinuxLayout::kDtbMaxSize > ram.end())
    throw ConfigError(
        fmt::format("--memory: {} leaves no room for the device tree after the kernel{}",
                    format_size(ram.size), im.initrd.empty() ? "" : " and the initrd"));
  return l;
}

bool write_linux_images(const GuestMemory& memory, const LinuxLayout& l, const LinuxImages& im,
                        std::span<const uint8_t> dtb) {
  if (dtb.size() > LinuxLayout::kDtbMaxSize) return false;
  // The BSS must read zero on entry (the kernel clears it itself later, but
  // early code runs before that), and the initrd's tail is exact.
  uint64_t bss = l.kernel_end - l.kernel_addr - im.kernel.size();
  return memory.write(l.kernel_addr, im.kernel) &&
         memory.zero(l.kernel_addr + im.kernel.size(), bss) &&
         memory.write(l.initrd_start, im.initrd) && memory.write(l.dtb_addr, dtb);
}

}  // namespace vmapple::boot
