// See message_decoder.h.
#include "message_decoder.h"

#include "message_util.h"

namespace tern::client::internal {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  size_t left() const { return s_.size() - pos_; }
  uint64_t be(size_t n) {
    if (left() < n) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(s_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view bytes(size_t n) {
    if (left() < n) {
      ok_ = false;
      return {};
    }
    auto out = s_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  SocketAddress host(bool v6) {
    SocketAddress a;
    a.ip_length = v6 ? 16 : 4;
    auto ip = bytes(a.ip_length);
    for (size_t i = 0; i < ip.size(); ++i) a.ip[i] = static_cast<uint8_t>(ip[i]);
    a.port = static_cast<int32_t>(be(4));
    return a;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  bool ok_ = true;
};


}  // namespace

Result<std::vector<MessageExt>> decode_messages(std::string_view body, bool decompress) {
  std::vector<MessageExt> out;
  Reader in(body);
  while (in.left() > 0) {
    size_t start = in.pos();
    auto bad = [&](const std::string& what) {
      return Status::corruption("message record at byte " + std::to_string(start) + ": " + what);
    };
    int32_t total = static_cast<int32_t>(in.be(4));
    if (!in.ok() || total < 4 || static_cast<size_t>(total) > body.size() - start) {
      return bad("TOTALSIZE " + std::to_string(total) + " does not fit the " + std::to_string(body.size() - start) +
                 " bytes left");
    }
    MessageExt m;
    m.store_size = total;
    in.be(4);  // magic code
    m.body_crc = static_cast<int32_t>(in.be(4));
    m.queue_id = static_cast<int32_t>(in.be(4));
    m.flag = static_cast<int32_t>(in.be(4));
    m.queue_offset = static_cast<int64_t>(in.be(8));
    m.commit_log_offset = static_cast<int64_t>(in.be(8));
    m.sys_flag = static_cast<int32_t>(in.be(4));
    m.born_timestamp = static_cast<int64_t>(in.be(8));
    m.born_host = in.host((m.sys_flag & sys_flag::kBornHostV6) != 0);
    m.store_timestamp = static_cast<int64_t>(in.be(8));
    m.store_host = in.host((m.sys_flag & sys_flag::kStoreHostV6) != 0);
    m.reconsume_times = static_cast<int32_t>(in.be(4));
    m.prepared_transaction_offset = static_cast<int64_t>(in.be(8));
    uint32_t body_len = static_cast<uint32_t>(in.be(4));
    m.body = std::string(in.bytes(body_len));
    m.topic = std::string(in.bytes(static_cast<size_t>(in.be(1))));
    m.properties = decode_properties(in.bytes(static_cast<size_t>(in.be(2))));
    if (!in.ok() || in.pos() != start + static_cast<size_t>(total)) {
      return bad("its fields do not add up to TOTALSIZE " + std::to_string(total));
    }
    if (decompress && (m.sys_flag & sys_flag::kCompressed) != 0) {
      auto plain = zlib_uncompress(m.body);
      if (!plain.is_ok()) return bad("compressed body: " + plain.status().message());
      m.body = std::move(*plain);
      m.sys_flag &= ~sys_flag::kCompressed;
    }
    m.msg_id = offset_msg_id(m.store_host, m.commit_log_offset);
    out.push_back(std::move(m));
  }
  return out;
}

std::string offset_msg_id(const SocketAddress& store_host, int64_t commit_log_offset) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  auto put = [&](uint8_t b) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  };
  for (int i = 0; i < store_host.ip_length; ++i) put(store_host.ip[i]);
  for (int i = 3; i >= 0; --i) put(static_cast<uint8_t>(static_cast<uint32_t>(store_host.port) >> (8 * i)));
  for (int i = 7; i >= 0; --i) put(static_cast<uint8_t>(static_cast<uint64_t>(commit_log_offset) >> (8 * i)));
  return out;
}

Result<OffsetMessageId> decode_offset_msg_id(std::string_view id) {
  if (id.size() != 32 && id.size() != 56) {
    return Status::invalid_argument("'" + std::string(id) + "' is not an offset message id (32 or 56 hex digits)");
  }
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < id.size(); i += 2) {
    int v = 0;
    for (size_t k = i; k < i + 2; ++k) {
      char c = id[k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return Status::invalid_argument("'" + std::string(id) + "' is not an offset message id (not hex)");
      v = v * 16 + d;
    }
    bytes.push_back(static_cast<uint8_t>(v));
  }
  OffsetMessageId out;
  const size_t ip_len = bytes.size() - 12;
  out.store_host.ip_length = static_cast<uint8_t>(ip_len);
  for (size_t i = 0; i < ip_len; ++i) out.store_host.ip[i] = bytes[i];
  uint32_t port = 0;
  for (size_t i = ip_len; i < ip_len + 4; ++i) port = (port << 8) | bytes[i];
  uint64_t offset = 0;
  for (size_t i = ip_len + 4; i < bytes.size(); ++i) offset = (offset << 8) | bytes[i];
  out.store_host.port = static_cast<int32_t>(port);
  out.commit_log_offset = static_cast<int64_t>(offset);
  return out;
}

}  // namespace tern::client::internal
