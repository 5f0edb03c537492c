// Sends a 2-D f64 array column whose data is in column-major (Fortran)
// order, described by strides counted in bytes, over ILP/HTTP with
// protocol version 2.
// Usage: line_sender_cpp_example_array_byte_strides [host [port]]
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

        // A 2x3 matrix (row 0: prices, row 1: sizes) stored column by column:
        // element [i][j] is at byte offset i * 8 + j * 16.
        const uintptr_t shape[] = {2, 3};
        const intptr_t strides[] = {sizeof(double), 2 * sizeof(double)};
        const double data[] = {2615.54, 0.5, 2615.60, 1.25, 2615.70, 3.0};
        using view = qi::array::strided_view<double, qi::array::strides_mode::bytes>;

        buffer.table("market_orders"_tn)
            .symbol("symbol"_cn, "ETH-USD"_utf8)
            .column("order_book"_cn, view{2, shape, strides, data, 6})
            .at(qi::timestamp_nanos{1700000000000000000});
        example::flush(sender, buffer, where);
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
