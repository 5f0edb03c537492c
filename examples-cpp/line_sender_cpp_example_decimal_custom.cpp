// Sends a user-defined fixed-point type as a decimal column: the wrapper
// finds `to_decimal_view_state_impl` for it by argument-dependent lookup.
// Over ILP/HTTP with protocol version 3.
// Usage: line_sender_cpp_example_decimal_custom [host [port]]
//        (default localhost 9000)
#include "example_v2_common.hpp"

#include <array>
#include <cstdint>

namespace qi = questdb::ingress;
using namespace qi::literals;

namespace money
{
// An application's own type: an amount in units of 10^-scale.
struct fixed
{
    int64_t units;
    uint32_t scale;
};

// What the wrapper keeps while it writes the column: the big-endian bytes
// of the unscaled value, and the view of them.
class fixed_view_state
{
public:
    explicit fixed_view_state(const fixed& f) noexcept
        : _scale{f.scale}
    {
        // Two's complement, most significant byte first.
        uint64_t bits = static_cast<uint64_t>(f.units);
        for (size_t i = _bytes.size(); i-- > 0;)
        {
            _bytes[i] = static_cast<uint8_t>(bits & 0xFF);
            bits >>= 8;
        }
    }

    qi::decimal_view view() const noexcept
    {
        return qi::decimal_view{_scale, _bytes};
    }

private:
    uint32_t _scale;
    std::array<uint8_t, 8> _bytes{};
};

// Found by ADL because it lives in the namespace of `fixed`.
inline fixed_view_state to_decimal_view_state_impl(const fixed& f)
{
    return fixed_view_state{f};
}
} // namespace money

int main(int argc, char** argv)
{
    try
    {
        std::string_view where;
        auto sender = example::http_sender(argc, argv, qi::protocol_version::v3, where);
        auto buffer = sender.new_buffer();

        buffer.table("trades"_tn)
            .symbol("symbol"_cn, "ETH-USD"_utf8)
            .symbol("side"_cn, "sell"_utf8)
            .column("price"_cn, money::fixed{261554, 2})
            .column("amount"_cn, money::fixed{44, 5})
            .column("fee"_cn, money::fixed{-25, 2})
            .at(qi::timestamp_nanos{1700000000000000000});
        buffer.table("trades"_tn)
            .symbol("symbol"_cn, "BTC-USD"_utf8)
            .symbol("side"_cn, "buy"_utf8)
            .column("price"_cn, money::fixed{3926998, 2})
            .column("amount"_cn, money::fixed{1, 3})
            .column("fee"_cn, money::fixed{0, 2})
            .at(qi::timestamp_nanos{1700000000000001000});
        example::flush(sender, buffer, where);
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
