// Shared by the C++ sender examples: the `trades` rows they send and how
// they report an error.
#pragma once

#include <questdb/ingress/line_sender.hpp>

#include <cstdio>
#include <string_view>

namespace example
{
// The C API's typedefs (line_sender, line_sender_buffer, line_sender_error)
// share names with the C++ classes, so the examples qualify those.
namespace qi = questdb::ingress;

// Two rows of a `trades` table, timestamped now.
inline void add_trades(qi::line_sender_buffer& buffer)
{
    using namespace qi::literals;
    const auto now = qi::timestamp_nanos::now();
    buffer.table("trades"_tn)
        .symbol("symbol"_cn, "ETH-USD"_utf8)
        .symbol("side"_cn, "sell"_utf8)
        .column("price"_cn, 2615.54)
        .column("amount"_cn, 0.00044)
        .at(now);
    buffer.table("trades"_tn)
        .symbol("symbol"_cn, "BTC-USD"_utf8)
        .symbol("side"_cn, "buy"_utf8)
        .column("price"_cn, 39269.98)
        .column("amount"_cn, 0.001)
        .at(qi::timestamp_nanos{now.as_nanos() + 1000});
}

// Flushes `buffer` with `sender` and says so on stdout.
inline void flush(qi::line_sender& sender, qi::line_sender_buffer& buffer,
                  std::string_view where)
{
    const size_t rows = buffer.row_count();
    sender.flush(buffer);
    std::printf("sent %zu rows to %.*s (protocol version %d)\n", rows,
                static_cast<int>(where.size()), where.data(),
                static_cast<int>(sender.protocol_version()));
}

// Prints the error in one line and gives the exit status.
inline int fail(const qi::line_sender_error& err)
{
    std::fprintf(stderr, "error %d: %s\n", static_cast<int>(err.code()), err.what());
    return 1;
}
} // namespace example
