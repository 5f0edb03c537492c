// Sends a user-defined matrix type as an array column: the wrapper finds
// `to_array_view_state_impl` for it by argument-dependent lookup. Over
// ILP/HTTP with protocol version 2.
// Usage: line_sender_cpp_example_array_custom [host [port]]
//        (default localhost 9000)
#include "example_v2_common.hpp"

#include <cstddef>
#include <vector>

namespace qi = questdb::ingress;
using namespace qi::literals;

namespace market
{
// An application's own type: a dense row-major matrix of doubles.
class matrix
{
public:
    matrix(size_t rows, size_t cols, std::vector<double> values)
        : _rows{rows}
        , _cols{cols}
        , _values{std::move(values)}
    {
    }

    size_t rows() const noexcept { return _rows; }
    size_t cols() const noexcept { return _cols; }
    const std::vector<double>& values() const noexcept { return _values; }

private:
    size_t _rows;
    size_t _cols;
    std::vector<double> _values;
};

// What the wrapper keeps while it writes the column: it must own the shape
// (the view only borrows it) and give the view with `view()`.
class matrix_view_state
{
public:
    explicit matrix_view_state(const matrix& m) noexcept
        : _shape{m.rows(), m.cols()}
        , _data{m.values().data()}
        , _size{m.values().size()}
    {
    }

    qi::array::row_major_view<double> view() const noexcept
    {
        return {2, _shape, _data, _size};
    }

private:
    uintptr_t _shape[2];
    const double* _data;
    size_t _size;
};

// Found by ADL because it lives in the namespace of `matrix`.
inline matrix_view_state to_array_view_state_impl(const matrix& m)
{
    return matrix_view_state{m};
}
} // namespace market

int main(int argc, char** argv)
{
    try
    {
        std::string_view where;
        auto sender = example::http_sender(argc, argv, qi::protocol_version::v2, where);
        auto buffer = sender.new_buffer();

        const market::matrix eth{2, 3, {2615.54, 2615.60, 2615.70, 0.5, 1.25, 3.0}};
        const market::matrix btc{2, 1, {39269.98, 0.01}};
        buffer.table("market_orders"_tn)
            .symbol("symbol"_cn, "ETH-USD"_utf8)
            .column("order_book"_cn, eth)
            .at(qi::timestamp_nanos{1700000000000000000});
        buffer.table("market_orders"_tn)
            .symbol("symbol"_cn, "BTC-USD"_utf8)
            .column("order_book"_cn, btc)
            .at(qi::timestamp_nanos{1700000000000001000});
        example::flush(sender, buffer, where);
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
