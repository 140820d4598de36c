// Prints the expected tag hashes used by tag_hash_test.cc, computed by Java itself.
//
// Run: java plugins/filter-tag/tests/java_string_hash_values.java   (Java 11+, single-file mode)
// The values in tag_hash_test.cc were produced with OpenJDK 17.0.15. Each tag is given as
// UTF-8 bytes and decoded with new String(bytes, StandardCharsets.UTF_8), which is what a
// Java broker sees when a client writes those bytes into the TAGS property; malformed
// sequences therefore become U+FFFD exactly as Java's decoder replaces them. The output is
// C++ table rows for tag_hash_test.cc: {bytes("<the UTF-8 bytes>"), <hashCode()>, R"(<what>)"},
import java.nio.charset.StandardCharsets;

public class JavaStringHashValues {
  static void row(String description, byte[] utf8) {
    String decoded = new String(utf8, StandardCharsets.UTF_8);
    StringBuilder literal = new StringBuilder();
    boolean lastWasHex = false;
    for (byte b : utf8) {
      int v = b & 0xFF;
      boolean printable = v >= 0x20 && v < 0x7F && v != '"' && v != '\\';
      if (printable) {
        // A hex escape swallows following hex digits, so close the literal after one.
        boolean hexDigit = Character.digit(v, 16) >= 0;
        if (lastWasHex && hexDigit) literal.append("\" \"");
        literal.append((char) v);
        lastWasHex = false;
      } else {
        literal.append(String.format("\\x%02X", v));
        lastWasHex = true;
      }
    }
    System.out.printf("    {bytes(\"%s\"), %d, R\"(%s)\"},%n", literal, decoded.hashCode(), description);
  }

  static void text(String s) { row("\"" + s + "\"", s.getBytes(StandardCharsets.UTF_8)); }

  static void bytes(String description, int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; ++i) b[i] = (byte) values[i];
    row(description, b);
  }

  public static void main(String[] args) {
    // ASCII, including hashes that overflow int, a hash of 0 and Integer.MIN_VALUE.
    text("");
    text("a");
    text("TagA");
    text("TagB");
    text("TagC");
    text("Aa");
    text("BB");
    text("*");
    text("order_created");
    text("abcdefghijklmnopqrstuvwxyz0123456789");
    text("ORDER_CREATED_V2_HIGH_PRIORITY_REGION_EU_WEST_1");
    text("f5a5a608");            // hash 0, the tagsCode of a message without a tag
    text("polygenelubricants");  // hash Integer.MIN_VALUE
    text("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~");
    // Non-ASCII: 2-, 3- and 4-byte UTF-8, the last needing a UTF-16 surrogate pair.
    text("café");
    text("Ünïcödé");
    text("标签A");
    text("订单已创建");
    text("タグ");
    text("カテゴリー_注文");
    text("한국어");
    text("🚀tag");
    text("tag🚀");
    text("😀😀");
    bytes("U+007F then U+0080", 0x7F, 0xC2, 0x80);
    bytes("U+07FF", 0xDF, 0xBF);
    bytes("U+0800", 0xE0, 0xA0, 0x80);
    bytes("U+D7FF, last before surrogates", 0xED, 0x9F, 0xBF);
    bytes("U+E000, first after surrogates", 0xEE, 0x80, 0x80);
    bytes("U+FFFF", 0xEF, 0xBF, 0xBF);
    bytes("U+10000", 0xF0, 0x90, 0x80, 0x80);
    bytes("U+10FFFF", 0xF4, 0x8F, 0xBF, 0xBF);
    bytes("embedded NUL", 'a', 0x00, 'b');
    // Malformed UTF-8.
    bytes("lone continuation byte", 0x80);
    bytes("two continuation bytes", 0x80, 0xBF);
    bytes("truncated 3-byte sequence", 0xE2, 0x82);
    bytes("truncated 3-byte sequence then ASCII", 0xE2, 0x82, 'A');
    bytes("truncated 4-byte sequence", 0xF0, 0x9F, 0x9A);
    bytes("truncated 4-byte sequence then ASCII", 0xF0, 0x9F, 0x9A, 'x');
    bytes("UTF-16 surrogate U+D800 encoded", 0xED, 0xA0, 0x80);
    bytes("surrogate pair encoded as two 3-byte sequences", 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80);
    bytes("UTF-16 surrogate U+DFFF encoded", 0xED, 0xBF, 0xBF);
    bytes("encoded surrogate then ASCII", 0xED, 0xA0, 0x80, 'x');
    bytes("truncated encoded surrogate", 0xED, 0xA0);
    bytes("truncated encoded surrogate then ASCII", 0xED, 0xA0, 'x');
    bytes("4-byte lead, bad second byte", 0xF0, 0x28, 0x8C, 0xBC);
    bytes("overlong '/'", 0xC0, 0xAF);
    bytes("overlong 3-byte NUL", 0xE0, 0x80, 0x80);
    bytes("overlong 4-byte", 0xF0, 0x80, 0x80, 0x80);
    bytes("above U+10FFFF", 0xF4, 0x90, 0x80, 0x80);
    bytes("5-byte form", 0xF8, 0x88, 0x80, 0x80, 0x80);
    bytes("0xFE 0xFF", 0xFE, 0xFF);
    bytes("2-byte lead then ASCII", 0xC3, 'a');
    bytes("valid, bad, valid", 'T', 0xC3, 0xA9, 0xFF, 0xE6, 0xA0, 0x87);
  }
}
