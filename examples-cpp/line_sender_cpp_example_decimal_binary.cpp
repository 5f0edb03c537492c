// Sends decimal columns in binary form (the unscaled value as big-endian
// two's complement bytes, plus a scale) over ILP/HTTP with protocol
// version 3. Text decimals ("2615.54"_decimal) work too; binary ones skip
// the parsing.
// Usage: line_sender_cpp_example_decimal_binary [host [port]]
//        (default localhost 9000)
#include "example_v2_common.hpp"

#include <array>
#include <vector>

namespace qi = questdb::ingress;
using namespace qi::literals;

int main(int argc, char** argv)
{
    try
    {
        std::string_view where;
        auto sender = example::http_sender(argc, argv, qi::protocol_version::v3, where);
        auto buffer = sender.new_buffer();

        // 2615.54 = 261554 (0x03FDB2) with scale 2.
        const uint8_t eth_price[] = {0x03, 0xFD, 0xB2};
        // 39269.98 = 3926998 (0x3BEBD6) with scale 2.
        const std::array<uint8_t, 3> btc_price{0x3B, 0xEB, 0xD6};
        // -0.25 = -25 (0xE7 in one byte of two's complement) with scale 2.
        const std::vector<uint8_t> rebate{0xE7};

        buffer.table("trades"_tn)
            .symbol("symbol"_cn, "ETH-USD"_utf8)
            .symbol("side"_cn, "sell"_utf8)
            .column("price"_cn, qi::decimal_view{2, eth_price})
            .column("amount"_cn, qi::decimal_view{5, std::array<uint8_t, 1>{44}})
            .column("fee"_cn, qi::decimal_view{2, rebate})
            .at(qi::timestamp_nanos{1700000000000000000});
        buffer.table("trades"_tn)
            .symbol("symbol"_cn, "BTC-USD"_utf8)
            .symbol("side"_cn, "buy"_utf8)
            .column("price"_cn, qi::decimal_view{2, btc_price})
            .column("amount"_cn, qi::decimal_view{3, std::array<uint8_t, 1>{1}})
            .column("fee"_cn, qi::decimal_view{2, nullptr, 0})  // zero
            .at(qi::timestamp_nanos{1700000000000001000});
        example::flush(sender, buffer, where);
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
