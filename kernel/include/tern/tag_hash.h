// The tag hash stored in consume-queue units: Java's String.hashCode() of the tag,
// sign-extended to 64 bits, exactly as RocketMQ computes tagsCode. Stores write it and the
// TAG filter compares it, so the two must agree with each other and with RocketMQ clients
// and stores.
//
// Java hashes UTF-16 code units, so the UTF-8 tag is decoded first; a malformed UTF-8
// sequence becomes U+FFFD per maximal ill-formed subpart, except that an encoded
// surrogate (ED A0..BF ..), whole or cut short, is one U+FFFD: that is what Java 17's
// UTF-8 decoder does (checked against it in plugins/filter-tag/tests).
#pragma once

#include <cstdint>
#include <string_view>

namespace tern {

inline int32_t java_string_hash(std::string_view utf8) {
  uint32_t h = 0;  // unsigned: Java's int arithmetic wraps
  auto add = [&h](uint32_t unit) { h = h * 31u + unit; };
  const auto* s = reinterpret_cast<const unsigned char*>(utf8.data());
  size_t n = utf8.size(), i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      add(c);
      ++i;
      continue;
    }
    // Length and the valid range of the second byte (Unicode Table 3-7).
    int len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) len = 3;  // ED A0..BF are encoded surrogates: see below
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    if (len == 0) {  // a byte that cannot start a sequence
      add(0xFFFD);
      ++i;
      continue;
    }
    uint32_t cp = c & (0xFF >> (len + 1));
    int k = 1;
    for (; k < len && i + k < n; ++k) {
      unsigned char b = s[i + k];
      unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
      if (b < min || b > max) break;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (k < len) {  // truncated or broken: the bytes consumed so far are one bad subpart
      add(0xFFFD);
      i += k;
      continue;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {  // an encoded surrogate: Java yields one U+FFFD
      add(0xFFFD);
    } else if (cp >= 0x10000) {  // a surrogate pair in UTF-16
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
    i += len;
  }
  return static_cast<int32_t>(h);
}

// RocketMQ's tagsCode: the hash of the message's tag; 0 when it has none.
inline int64_t tags_code(std::string_view tags) {
  return tags.empty() ? 0 : static_cast<int64_t>(java_string_hash(tags));
}

}  // namespace tern
