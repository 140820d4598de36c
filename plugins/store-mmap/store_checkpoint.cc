// The checkpoint file: RocketMQ's three timestamps at 0, 8, 16; then "TERN", version 1,
// the dispatched offset and a CRC-32 of bytes 0..39; padded to one 4 KiB page as RocketMQ's.
#include "store_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "message_record.h"

namespace tern::store_mmap {
namespace {

constexpr size_t kFileSize = 4096;
constexpr int32_t kTernMagic = 0x5445524E;  // "TERN"
constexpr int32_t kVersion = 1;

void put64(uint8_t* p, int64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (56 - 8 * i));
}
int64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return static_cast<int64_t>(v);
}
void put32(uint8_t* p, int32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(static_cast<uint32_t>(v) >> (24 - 8 * i));
}
int32_t get32(const uint8_t* p) {
  return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]);
}

}  // namespace

Result<std::optional<Checkpoint>> read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::optional<Checkpoint>();
  std::vector<uint8_t> buf(kFileSize);
  in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
  if (in.gcount() < 44) return Status::corruption("checkpoint " + path + " is truncated");
  Checkpoint c;
  c.physic_msg_timestamp = get64(&buf[0]);
  c.logics_msg_timestamp = get64(&buf[8]);
  c.index_msg_timestamp = get64(&buf[16]);
  if (get32(&buf[24]) != kTernMagic) {
    // A RocketMQ checkpoint: no dispatched offset; recovery scans the whole commit log.
    return std::optional<Checkpoint>(c);
  }
  c.dispatched_offset = get64(&buf[32]);
  std::string_view covered(reinterpret_cast<const char*>(buf.data()), 40);
  if (get32(&buf[40]) != body_crc32(covered)) return Status::corruption("checkpoint " + path + " fails its CRC");
  return std::optional<Checkpoint>(c);
}

Status write_checkpoint(const std::string& path, const Checkpoint& c) {
  std::vector<uint8_t> buf(kFileSize, 0);
  put64(&buf[0], c.physic_msg_timestamp);
  put64(&buf[8], c.logics_msg_timestamp);
  put64(&buf[16], c.index_msg_timestamp);
  put32(&buf[24], kTernMagic);
  put32(&buf[28], kVersion);
  put64(&buf[32], c.dispatched_offset);
  put32(&buf[40], body_crc32(std::string_view(reinterpret_cast<const char*>(buf.data()), 40)));
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error("cannot write checkpoint " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, buf.data(), buf.size()) == static_cast<ssize_t>(buf.size()) && ::fdatasync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return Status::io_error("cannot write checkpoint " + tmp + ": " + std::strerror(err));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::io_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return Status::ok();
}

}  // namespace tern::store_mmap
