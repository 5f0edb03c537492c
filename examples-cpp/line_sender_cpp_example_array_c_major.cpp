// Sends two rows with a 2-D f64 array column stored contiguously in
// row-major (C) order, over ILP/HTTP with protocol version 2.
// Usage: line_sender_cpp_example_array_c_major [host [port]]
//        (default localhost 9000)
#include "example_v2_common.hpp"

#include <vector>

namespace qi = questdb::ingress;
using namespace qi::literals;

int main(int argc, char** argv)
{
    try
    {
        std::string_view where;
        auto sender = example::http_sender(argc, argv, qi::protocol_version::v2, where);
        auto buffer = sender.new_buffer();

        // Two levels of (price, size): element [i][j] at data[i * 2 + j].
        const uintptr_t shape[] = {2, 2};
        const double eth[] = {2615.54, 0.5, 2615.60, 1.25};
        const std::vector<double> btc{39269.98, 0.01, 39270.50, 0.2};
        // A 1-D std::vector (or std::array, or std::span in C++20) works as is.
        const std::vector<double> recent{2615.50, 2615.52, 2615.54};

        buffer.table("market_orders"_tn)
            .symbol("symbol"_cn, "ETH-USD"_utf8)
            .column("order_book"_cn, qi::array::row_major_view<double>{2, shape, eth, 4})
            .column("recent"_cn, recent)
            .at(qi::timestamp_nanos{1700000000000000000});
        buffer.table("market_orders"_tn)
            .symbol("symbol"_cn, "BTC-USD"_utf8)
            .column("order_book"_cn,
                    qi::array::row_major_view<double>{2, shape, btc.data(), btc.size()})
            .at(qi::timestamp_nanos{1700000000000001000});
        example::flush(sender, buffer, where);
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
