// The C++17 side of the consumer: the same two rows through the C API from
// C++, with RAII for the buffer. No server needed. Exits 0 on success.
#include <questdb/ingress/line_sender.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string_view>

namespace {

struct buffer_deleter {
    void operator()(line_sender_buffer* b) const noexcept { line_sender_buffer_free(b); }
};
using buffer_ptr = std::unique_ptr<line_sender_buffer, buffer_deleter>;

constexpr std::string_view expected =
    "trades,symbol=ETH-USD price=2615.54,amount=3i 1000000000\n"
    "trades,symbol=BTC-USD price=39269.98,amount=-1i 2000000000\n";

struct row {
    std::string_view symbol;
    double price;
    std::int64_t amount;
    std::int64_t nanos;
};

bool add(line_sender_buffer* buf, const row& r, line_sender_error** err) {
    line_sender_utf8 sym{};
    return line_sender_utf8_init(&sym, r.symbol.size(), r.symbol.data(), err)
           && line_sender_buffer_table(buf, QDB_TABLE_NAME_LITERAL("trades"), err)
           && line_sender_buffer_symbol(buf, QDB_COLUMN_NAME_LITERAL("symbol"), sym, err)
           && line_sender_buffer_column_f64(buf, QDB_COLUMN_NAME_LITERAL("price"), r.price, err)
           && line_sender_buffer_column_i64(buf, QDB_COLUMN_NAME_LITERAL("amount"), r.amount, err)
           && line_sender_buffer_at_nanos(buf, r.nanos, err);
}

}  // namespace

int main() {
    buffer_ptr buf{line_sender_buffer_new(line_sender_protocol_version_1)};
    if (!buf) {
        std::fputs("line_sender_buffer_new failed\n", stderr);
        return 1;
    }
    constexpr row rows[] = {{"ETH-USD", 2615.54, 3, 1000000000},
                            {"BTC-USD", 39269.98, -1, 2000000000}};
    for (const auto& r : rows) {
        line_sender_error* err = nullptr;
        if (!add(buf.get(), r, &err)) {
            std::size_t len = 0;
            const char* msg = line_sender_error_msg(err, &len);
            std::fprintf(stderr, "building a row failed: %.*s\n", static_cast<int>(len), msg);
            line_sender_error_free(err);
            return 1;
        }
    }
    const line_sender_buffer_view view = line_sender_buffer_peek(buf.get());
    const std::string_view got{reinterpret_cast<const char*>(view.buf), view.len};
    if (got != expected || line_sender_buffer_row_count(buf.get()) != 2) {
        std::fprintf(stderr, "unexpected buffer (%zu bytes):\n%.*s", got.size(),
                     static_cast<int>(got.size()), got.data());
        return 1;
    }
    std::printf("c++ consumer: ok (%zu bytes)\n", got.size());
    return 0;
}
