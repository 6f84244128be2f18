// apple-vblk: a user-space virtio-blk driver for one PCI function, run in the
// test initramfs. Linux has no driver for Apple's variant of virtio-blk
// (vendor 0x106b, device 0x1a00: virtio_pci takes only 0x1af4 devices
// 0x1000-0x107f), so this program drives it from user space, polling:
// the BARs mapped through sysfs resourceN, the virtio vendor capabilities
// read from sysfs config, one split virtqueue in locked pages whose physical
// addresses come from /proc/self/pagemap.
//
//   apple-vblk PCI_ADDRESS SECTOR
//
// Reads the Apple type (config 0x3C) and the capacity, WRITEs 8 sectors of
// a pattern at SECTOR, FLUSHes, READs them back and compares, then sends the
// Apple barrier (type 0x00010000) and an unknown type (0x00010001). Prints
// "vmapple-result: apple ..." lines; exit status 0 when all went as the
// specification says. Works on a standard modern virtio-blk function too.
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
  kCapVendor = 0x09,
  kCfgCommon = 1,
  kCfgNotify = 2,
  kCfgIsr = 3,
  kCfgDevice = 4,
  kQueueSize = 8,
  kPage = 4096,
  kDescNext = 1,
  kDescWrite = 2,
  kStatusAck = 1,
  kStatusDriver = 2,
  kStatusDriverOk = 4,
  kStatusFeaturesOk = 8,
};

static const char* g_dev;
static volatile uint8_t* g_common;
static volatile uint8_t* g_notify;
static volatile uint8_t* g_isr;
static volatile uint8_t* g_devcfg;
static uint32_t g_notify_mult;

static void result(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("vmapple-result: apple ");
  vprintf(fmt, ap);
  printf("\n");
  fflush(stdout);
  va_end(ap);
}

static void fail(const char* what) {
  result("FAIL %s (%s)", what, strerror(errno));
  exit(1);
}

static void barrier(void) {
  __sync_synchronize();
}

static void w8(volatile uint8_t* b, unsigned off, uint8_t v) {
  *(volatile uint8_t*)(b + off) = v;
}
static void w16(volatile uint8_t* b, unsigned off, uint16_t v) {
  *(volatile uint16_t*)(b + off) = v;
}
static void w32(volatile uint8_t* b, unsigned off, uint32_t v) {
  *(volatile uint32_t*)(b + off) = v;
}
static uint8_t r8(volatile uint8_t* b, unsigned off) {
  return *(volatile uint8_t*)(b + off);
}
static uint16_t r16(volatile uint8_t* b, unsigned off) {
  return *(volatile uint16_t*)(b + off);
}
static uint32_t r32(volatile uint8_t* b, unsigned off) {
  return *(volatile uint32_t*)(b + off);
}
static void w64(volatile uint8_t* b, unsigned off, uint64_t v) {
  w32(b, off, (uint32_t)v);
  w32(b, off + 4, (uint32_t)(v >> 32));
}

static void sysfs_write(const char* file, const char* text) {
  char path[256];
  snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/%s", g_dev, file);
  int fd = open(path, O_WRONLY);
  if (fd < 0 || write(fd, text, strlen(text)) < 0) fail(file);
  close(fd);
}

static volatile uint8_t* map_bar(int bar, uint32_t offset, uint32_t length) {
  static volatile uint8_t* maps[6];
  if (!maps[bar]) {
    char path[256];
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/resource%d", g_dev, bar);
    int fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0) fail("open resource");
    struct stat st;
    if (fstat(fd, &st) < 0) fail("stat resource");
    off_t size = st.st_size;
    void* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) fail("mmap resource");
    maps[bar] = p;
    if ((off_t)offset + length > size) fail("capability outside its BAR");
  }
  return maps[bar] + offset;
}

// Walks the capability list of the sysfs config file for the virtio ones.
static void find_capabilities(void) {
  char path[256];
  uint8_t cfg[256];
  snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/config", g_dev);
  int fd = open(path, O_RDWR);
  if (fd < 0 || pread(fd, cfg, sizeof cfg, 0) != sizeof cfg) fail("read config");
  // Memory decoding and bus mastering (sysfs "enable" does not set the latter).
  uint16_t command = cfg[4] | cfg[5] << 8;
  command |= 0x6;
  if (pwrite(fd, &command, 2, 4) != 2) fail("write command");
  close(fd);
  for (unsigned p = cfg[0x34] & ~3u, n = 0; p && n < 48; p = cfg[p + 1] & ~3u, ++n) {
    if (p > 256 - 20 || cfg[p] != kCapVendor) continue;
    uint8_t type = cfg[p + 3], bar = cfg[p + 4];
    uint32_t off, len;
    memcpy(&off, &cfg[p + 8], 4);
    memcpy(&len, &cfg[p + 12], 4);
    if (bar > 5) continue;
    if (type == kCfgCommon && !g_common) g_common = map_bar(bar, off, len);
    if (type == kCfgNotify && !g_notify) {
      g_notify = map_bar(bar, off, len);
      memcpy(&g_notify_mult, &cfg[p + 16], 4);
    }
    if (type == kCfgIsr && !g_isr) g_isr = map_bar(bar, off, len);
    if (type == kCfgDevice && !g_devcfg) g_devcfg = map_bar(bar, off, len);
  }
  if (!g_common || !g_notify || !g_isr || !g_devcfg) fail("virtio capabilities missing");
}

// A locked page of our memory and its physical address.
struct Page {
  uint8_t* virt;
  uint64_t phys;
};

static struct Page dma_page(void) {
  struct Page pg;
  pg.virt = mmap(NULL, kPage, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
  if (pg.virt == MAP_FAILED) fail("mmap page");
  memset(pg.virt, 0, kPage);
  int fd = open("/proc/self/pagemap", O_RDONLY);
  uint64_t entry = 0;
  if (fd < 0 || pread(fd, &entry, 8, (uintptr_t)pg.virt / kPage * 8) != 8) fail("pagemap");
  close(fd);
  if (!(entry >> 63) || !(entry & ((1ull << 55) - 1)))
    fail("page not present or no PFN (root needed)");
  pg.phys = (entry & ((1ull << 55) - 1)) * kPage;
  return pg;
}

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};

static struct Page g_desc, g_avail, g_used, g_req, g_data;
static uint16_t g_avail_idx, g_used_seen;
static uint16_t g_notify_off;

static void setup_device(void) {
  w8(g_common, 0x14, 0);  // reset
  for (int i = 0; r8(g_common, 0x14) != 0; ++i) {
    if (i > 1000) fail("reset");
    usleep(1000);
  }
  w8(g_common, 0x14, kStatusAck);
  w8(g_common, 0x14, kStatusAck | kStatusDriver);
  w32(g_common, 0x00, 1);
  uint32_t hi = r32(g_common, 0x04);
  w32(g_common, 0x00, 0);
  uint32_t lo = r32(g_common, 0x04);
  if (!(hi & 1)) fail("VIRTIO_F_VERSION_1 not offered");
  w32(g_common, 0x08, 0);
  w32(g_common, 0x0c, lo & (1u << 9));  // VIRTIO_BLK_F_FLUSH if offered
  w32(g_common, 0x08, 1);
  w32(g_common, 0x0c, 1);  // VIRTIO_F_VERSION_1
  w8(g_common, 0x14, kStatusAck | kStatusDriver | kStatusFeaturesOk);
  if (!(r8(g_common, 0x14) & kStatusFeaturesOk)) fail("FEATURES_OK refused");
  result("features lo=0x%08x hi=0x%08x", lo, hi);

  g_desc = dma_page();
  g_avail = dma_page();
  g_used = dma_page();
  g_req = dma_page();
  g_data = dma_page();
  w16(g_common, 0x16, 0);  // queue_select
  if (r16(g_common, 0x18) < kQueueSize) fail("queue too small");
  w16(g_common, 0x18, kQueueSize);
  w64(g_common, 0x20, g_desc.phys);
  w64(g_common, 0x28, g_avail.phys);
  w64(g_common, 0x30, g_used.phys);
  g_notify_off = r16(g_common, 0x1e);
  w16(g_common, 0x1c, 1);                 // queue_enable
  *(volatile uint16_t*)g_avail.virt = 1;  // VIRTQ_AVAIL_F_NO_INTERRUPT: we poll
  w8(g_common, 0x14, kStatusAck | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk);
}

// One request: header, optional data page, status byte. Returns the status.
static int request(uint32_t type, uint64_t sector, int data_len, int device_writes_data) {
  struct Desc* d = (struct Desc*)g_desc.virt;
  uint8_t* hdr = g_req.virt;
  memcpy(hdr, &type, 4);
  memset(hdr + 4, 0, 4);
  memcpy(hdr + 8, &sector, 8);
  volatile uint8_t* status = g_req.virt + 64;
  *status = 0xff;
  int n = 0;
  d[n] = (struct Desc){g_req.phys, 16, kDescNext, 1};
  ++n;
  if (data_len) {
    d[n] = (struct Desc){g_data.phys, (uint32_t)data_len,
                         (uint16_t)(kDescNext | (device_writes_data ? kDescWrite : 0)), 2};
    ++n;
  }
  d[n] = (struct Desc){g_req.phys + 64, 1, kDescWrite, 0};
  volatile uint16_t* avail = (volatile uint16_t*)g_avail.virt;
  avail[2 + g_avail_idx % kQueueSize] = 0;  // chain head: descriptor 0
  barrier();
  avail[1] = ++g_avail_idx;
  barrier();
  w16(g_notify, g_notify_off * g_notify_mult, 0);
  volatile uint16_t* used = (volatile uint16_t*)g_used.virt;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (used[1] == g_used_seen) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec - t0.tv_sec > 10) fail("request timed out");
    usleep(100);
  }
  barrier();
  ++g_used_seen;
  (void)r8(g_isr, 0);  // acknowledge (deasserts INTx)
  return *status;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: apple-vblk PCI_ADDRESS SECTOR\n");
    return 2;
  }
  g_dev = argv[1];
  uint64_t sector = strtoull(argv[2], NULL, 0);
  sysfs_write("enable", "1");
  find_capabilities();
  setup_device();
  uint32_t lo, hi, apple_type = r32(g_devcfg, 0x3c);
  lo = r32(g_devcfg, 0);
  hi = r32(g_devcfg, 4);
  result("type=%u capacity=%llu", apple_type, (unsigned long long)((uint64_t)hi << 32 | lo));

  char pattern[kPage + 1];
  for (int i = 0; i < kPage; i += 32)
    snprintf(pattern + i, 33, "apple-vblk sector %8llu ....\n",
             (unsigned long long)(sector + i / 512));
  memcpy(g_data.virt, pattern, kPage);
  int st = request(1 /* OUT */, sector, kPage, 0);
  result("write status=%d", st);
  st = request(4 /* FLUSH */, 0, 0, 0);
  result("flush status=%d", st);
  memset(g_data.virt, 0, kPage);
  st = request(0 /* IN */, sector, kPage, 1);
  int same = memcmp(g_data.virt, pattern, kPage) == 0;
  result("read status=%d match=%s", st, same ? "yes" : "no");
  int barrier_status = request(0x10000, 0, 0, 0);
  int unknown_status = request(0x10001, 0, 0, 0);
  result("barrier status=%d unknown status=%d", barrier_status, unknown_status);
  w8(g_common, 0x14, 0);  // reset: the device lets go of our pages
  return same ? 0 : 1;
}
