// Sends f64 array columns that are views into a larger matrix, described by
// strides counted in elements, over ILP/HTTP with protocol version 2.
// Usage: line_sender_cpp_example_array_elem_strides [host [port]]
//        (default localhost 9000)
#include "example_v2_common.hpp"

namespace qi = questdb::ingress;
using namespace qi::literals;

int main(int argc, char** argv)
{
    try
    {
        std::string_view where;
        auto sender = example::http_sender(argc, argv, qi::protocol_version::v2, where);
        auto buffer = sender.new_buffer();

        // A 4x3 row-major matrix: one (price, size, orders) row per level.
        const double levels[] = {
            2615.54, 0.5, 3.0,
            2615.60, 1.25, 1.0,
            2615.70, 3.0, 7.0,
            2615.80, 0.75, 2.0,
        };
        using view = qi::array::strided_view<double, qi::array::strides_mode::elements>;
        // Every other level, the first two columns: [i][j] at levels[i * 6 + j].
        const uintptr_t bids_shape[] = {2, 2};
        const intptr_t bids_strides[] = {6, 1};
        // The price column of every level (1-D, stride 3).
        const uintptr_t prices_shape[] = {4};
        const intptr_t prices_strides[] = {3};

        buffer.table("market_orders"_tn)
            .symbol("symbol"_cn, "ETH-USD"_utf8)
            .column("bids"_cn, view{2, bids_shape, bids_strides, levels, 12})
            .column("prices"_cn, view{1, prices_shape, prices_strides, levels, 12})
            .at(qi::timestamp_nanos{1700000000000000000});
        example::flush(sender, buffer, where);
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
