// BlockBackend round trips per engine: a 4 KiB read at queue depth 1
// (submission to completion on the loop thread), and batches of 32 reads.
// The image is sparse and cached, so this measures the engines, not a disk.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "block/block_backend.h"

namespace vmapple {
namespace {

constexpr uint64_t kImageSize = 64 << 20;
constexpr size_t kBlock = 4096;

struct Image {
  Image() {
    path = (std::filesystem::temp_directory_path() / "vmapple-bench-XXXXXX").string();
    int fd = mkstemp(path.data());
    if (fd < 0 || ftruncate(fd, kImageSize) != 0) std::abort();
    close(fd);
  }
  ~Image() { unlink(path.c_str()); }
  std::string path;
};

void read_batches(benchmark::State& state, int depth) {
  auto engine = static_cast<BlockOptions::Engine>(state.range(0));
  Image image;
  EventLoop loop;
  std::unique_ptr<BlockBackend> backend;
  try {
    backend = BlockBackend::open({image.path, true, engine}, loop);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.SetLabel(std::string(backend->engine_name()));
  std::vector<uint8_t> buf(kBlock * depth);
  uint64_t offset = 0;
  for (auto _ : state) {
    int pending = depth;
    for (int i = 0; i < depth; ++i) {
      iovec v{buf.data() + i * kBlock, kBlock};
      backend->readv(offset, {&v, 1}, [&](int64_t) { --pending; });
      offset = (offset + 7 * kBlock) % kImageSize;
    }
    while (pending > 0)
      loop.run_once(-1);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * depth * kBlock);
}

void BM_Read4kDepth1(benchmark::State& state) {
  read_batches(state, 1);
}
void BM_Read4kDepth32(benchmark::State& state) {
  read_batches(state, 32);
}

BENCHMARK(BM_Read4kDepth1)
    ->Arg(int(BlockOptions::Engine::kIoUring))
    ->Arg(int(BlockOptions::Engine::kThreadPool));
BENCHMARK(BM_Read4kDepth32)
    ->Arg(int(BlockOptions::Engine::kIoUring))
    ->Arg(int(BlockOptions::Engine::kThreadPool));

}  // namespace
}  // namespace vmapple
