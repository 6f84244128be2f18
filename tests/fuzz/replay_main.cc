// Replays a libFuzzer corpus (files or folders of files) through a fuzz target
// when the compiler has no libFuzzer, so every target still builds and runs.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 0;
  LLVMFuzzerTestOneInput(nullptr, 0);
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) runs += replay(e.path());
    } else if (std::filesystem::exists(p)) {
      runs += replay(p);
    }
  }
  // Without coverage guidance, a fixed-seed random sweep still exercises the
  // target's bad-input paths on every run.
  std::mt19937_64 rng(0x766d6170706c65);
  std::vector<uint8_t> buf;
  for (int i = 0; i < 3000; ++i, ++runs) {
    buf.resize(rng() % 4096);
    for (auto& b : buf)
      b = static_cast<uint8_t>(rng());
    LLVMFuzzerTestOneInput(buf.data(), buf.size());
  }
  std::printf("replayed %d inputs\n", runs);
  return 0;
}
