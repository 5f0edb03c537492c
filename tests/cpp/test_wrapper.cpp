// C++ wrapper tests: buffer bytes through every column overload, the deleted
// overloads, literals, timestamps, arrays (built-in and ADL user types),
// decimals, copies and moves, opts, and a sender against the C mock server.
#include <questdb/ingress/line_sender.hpp>

#include "../c/mock_server.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

// The C API's typedefs (qi::line_sender, qi::line_sender_buffer, qi::line_sender_error)
// share names with the C++ classes: qualify those, import the rest.
namespace qi = questdb::ingress;
using namespace questdb::ingress::literals;
using qi::column_name_view;
using qi::decimal::decimal_str_view;
using qi::decimal::operator""_decimal;
using qi::decimal_view;
using qi::opts;
using qi::protocol;
using qi::protocol_version;
using qi::table_name_view;
using qi::timestamp_micros;
using qi::timestamp_nanos;
using qi::utf8_view;
namespace array = qi::array;

#define REQUIRE(expr)                                                        \
    do {                                                                     \
        if (!(expr)) {                                                       \
            std::fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__,    \
                         __LINE__, #expr);                                   \
            std::exit(1);                                                    \
        }                                                                    \
    } while (0)

namespace user
{
// A user array type: three doubles in a struct.
struct vec3
{
    double xyz[3];
};

inline array::row_major_1d_holder<double> to_array_view_state_impl(const vec3& v)
{
    return array::row_major_1d_holder<double>{v.xyz, 3};
}

// A user decimal type: cents as a 16-bit value, scale 2.
struct cents
{
    uint8_t be[2];
};

inline decimal_view to_decimal_view_state_impl(const cents& c)
{
    return decimal_view{2, c.be, 2};
}
} // namespace user

static std::string bytes_of(const qi::line_sender_buffer& buf)
{
    auto view = buf.peek();
    return std::string{reinterpret_cast<const char*>(view.data()), view.size()};
}

template <typename T, typename = void>
struct accepts : std::false_type
{
};

template <typename T>
struct accepts<
    T,
    std::void_t<decltype(std::declval<qi::line_sender_buffer&>().column(
        std::declval<column_name_view>(), std::declval<T>()))>> : std::true_type
{
};

static_assert(accepts<bool>::value && accepts<int64_t>::value && accepts<double>::value);
static_assert(accepts<std::string>::value && accepts<std::string_view>::value);
static_assert(accepts<const char (&)[3]>::value && accepts<utf8_view>::value);
static_assert(accepts<std::vector<double>>::value && accepts<user::vec3>::value);
static_assert(accepts<user::cents>::value && accepts<decimal_str_view>::value);
static_assert(!accepts<int>::value && !accepts<float>::value && !accepts<unsigned>::value);
static_assert(!accepts<const char*>::value && !accepts<long double>::value);
static_assert(!accepts<char>::value && !accepts<short>::value);

static void test_v1_columns_and_timestamps()
{
    qi::line_sender_buffer buf{protocol_version::v1};
    REQUIRE(buf.size() == 0 && buf.row_count() == 0 && !buf.transactional());
    std::string s = "std::string";
    buf.table("t"_tn)
        .symbol("sym"_cn, "a b"_utf8)
        .column("b"_cn, true)
        .column("i"_cn, int64_t{-42})
        .column("f"_cn, 1.5)
        .column("lit"_cn, "x\"y")
        .column("sv"_cn, std::string_view{"sv"})
        .column("s"_cn, s)
        .column("tn"_cn, timestamp_nanos{1000})
        .column("tu"_cn, timestamp_micros{7})
        .at(timestamp_nanos{1700000000000000000});
    buf.table(table_name_view{"u", 1})
        .column(column_name_view{std::string{"c"}}, int64_t{1})
        .at(timestamp_micros{std::chrono::time_point<std::chrono::system_clock,
                                                     std::chrono::microseconds>{
            std::chrono::microseconds{5}}});
    REQUIRE(bytes_of(buf) ==
            "t,sym=a\\ b b=t,i=-42i,f=1.5,lit=\"x\\\"y\",sv=\"sv\",s=\"std::string\","
            "tn=1t,tu=7t 1700000000000000000\n"
            "u c=1i 5000\n");
    REQUIRE(buf.row_count() == 2);
    REQUIRE(!buf.transactional());
}

static void test_errors_throw_with_code()
{
    try {
        table_name_view bad{"a.b..c", 6};
        REQUIRE(false);
    } catch (const qi::line_sender_error& e) {
        REQUIRE(e.code() == qi::line_sender_error_code::invalid_name);
        REQUIRE(std::strstr(e.what(), "a.b..c") != nullptr);
    }
    qi::line_sender_buffer buf{protocol_version::v1};
    try {
        buf.column("x"_cn, 1.0); // no table yet
        REQUIRE(false);
    } catch (const qi::line_sender_error& e) {
        REQUIRE(e.code() == qi::line_sender_error_code::invalid_api_call);
    }
    try {
        std::vector<double> v{1.0};
        buf.table("t"_tn).column("a"_cn, v); // arrays need v2
        REQUIRE(false);
    } catch (const qi::line_sender_error& e) {
        REQUIRE(e.code() == qi::line_sender_error_code::protocol_version_error);
    }
    REQUIRE(bytes_of(buf) == "t");
}

static void test_arrays_and_decimals()
{
    qi::line_sender_buffer buf{protocol_version::v3};
    std::vector<double> vec{1.0, 2.0};
    std::array<double, 2> arr{{3.0, 4.0}};
    double grid[4] = {1, 2, 3, 4};
    uintptr_t shape[2] = {2, 2};
    intptr_t elem_strides[2] = {1, 2}; // column-major walk
    intptr_t byte_strides[2] = {8, 16};
    user::vec3 v3{{5.0, 6.0, 7.0}};
    user::cents c{{0x01, 0x02}};
    uint8_t raw[1] = {0x7b};
    buf.table("a"_tn)
        .column("vec"_cn, vec)
        .column("arr"_cn, arr)
        .column("rm"_cn, array::row_major_view<double>{2, shape, grid, 4})
        .column("es"_cn,
                array::strided_view<double, array::strides_mode::elements>{
                    2, shape, elem_strides, grid, 4})
        .column("bs"_cn,
                array::strided_view<double, array::strides_mode::bytes>{
                    2, shape, byte_strides, grid, 4})
        .column("v3"_cn, v3)
        .column("d1"_cn, "12.34"_decimal)
        .column("d2"_cn, decimal_str_view{"-0.5"})
        .column("d3"_cn, c)
        .column("d4"_cn, decimal_view{1, raw})
        .at_now();
    qi::line_sender_buffer expected{protocol_version::v3};
    {
        // The same columns through the C API directly.
        ::line_sender_buffer* e = ::line_sender_buffer_new(line_sender_protocol_version_3);
        ::line_sender_error* er = nullptr;
        uintptr_t s1[1] = {2};
        uintptr_t s3[1] = {3};
        double col_major[4] = {1, 3, 2, 4};
        REQUIRE(::line_sender_buffer_table(e, QDB_TABLE_NAME_LITERAL("a"), &er));
        REQUIRE(::line_sender_buffer_column_f64_arr_c_major(e, QDB_COLUMN_NAME_LITERAL("vec"), 1, s1, vec.data(), 2, &er));
        REQUIRE(::line_sender_buffer_column_f64_arr_c_major(e, QDB_COLUMN_NAME_LITERAL("arr"), 1, s1, arr.data(), 2, &er));
        REQUIRE(::line_sender_buffer_column_f64_arr_c_major(e, QDB_COLUMN_NAME_LITERAL("rm"), 2, shape, grid, 4, &er));
        REQUIRE(::line_sender_buffer_column_f64_arr_c_major(e, QDB_COLUMN_NAME_LITERAL("es"), 2, shape, col_major, 4, &er));
        REQUIRE(::line_sender_buffer_column_f64_arr_c_major(e, QDB_COLUMN_NAME_LITERAL("bs"), 2, shape, col_major, 4, &er));
        REQUIRE(::line_sender_buffer_column_f64_arr_c_major(e, QDB_COLUMN_NAME_LITERAL("v3"), 1, s3, v3.xyz, 3, &er));
        REQUIRE(::line_sender_buffer_column_dec_str(e, QDB_COLUMN_NAME_LITERAL("d1"), "12.34", 5, &er));
        REQUIRE(::line_sender_buffer_column_dec_str(e, QDB_COLUMN_NAME_LITERAL("d2"), "-0.5", 4, &er));
        REQUIRE(::line_sender_buffer_column_dec(e, QDB_COLUMN_NAME_LITERAL("d3"), 2, c.be, 2, &er));
        REQUIRE(::line_sender_buffer_column_dec(e, QDB_COLUMN_NAME_LITERAL("d4"), 1, raw, 1, &er));
        ::line_sender_buffer_view ev = ::line_sender_buffer_peek(e);
        std::string got = bytes_of(buf);
        std::string want{reinterpret_cast<const char*>(ev.buf), ev.len};
        // Ours ends with " <now>n\n"/"\n"; compare up to the timestamp.
        REQUIRE(got.compare(0, want.size(), want) == 0);
        REQUIRE(got.back() == '\n');
        ::line_sender_buffer_free(e);
    }
}

static void test_copy_move_marker()
{
    qi::line_sender_buffer a{protocol_version::v1};
    qi::line_sender_buffer unused_copy{a}; // copying a never-used buffer is fine
    REQUIRE(unused_copy.size() == 0);
    a.table("t"_tn).column("x"_cn, int64_t{1}).at(timestamp_nanos{1});
    qi::line_sender_buffer b{a};
    REQUIRE(bytes_of(b) == "t x=1i 1\n");
    b.set_marker();
    b.table("u"_tn).column("y"_cn, false);
    b.rewind_to_marker();
    REQUIRE(bytes_of(b) == "t x=1i 1\n");
    qi::line_sender_buffer c{std::move(b)};
    REQUIRE(b.size() == 0 && c.size() == 9);
    b = c;
    REQUIRE(bytes_of(b) == bytes_of(c));
    c.clear();
    REQUIRE(c.size() == 0 && b.size() == 9);
    c.check_can_flush();
    qi::line_sender_buffer never{protocol_version::v2};
    never.check_can_flush(); // empty: fine
#if __cplusplus >= 202002L
    std::span<const std::byte> view = a.peek();
    REQUIRE(view.size() == 9);
#else
    qi::buffer_view view = a.peek();
    REQUIRE(view.size() == 9 && !view.empty() && view == b.peek());
#endif
}

static void test_opts_and_sender_over_http()
{
    static const mock_reply replies[] = {
        {400, "application/json; charset=utf-8",
         "{\"code\":\"invalid\",\"message\":\"bad\",\"line\":1,\"errorId\":\"c-1\"}"},
        {204, nullptr, nullptr},
    };
    mock_server* m = mock_start(MOCK_HTTP, replies, 2);
    mock_serve(m);
    {
        opts o{protocol::http, "127.0.0.1"_utf8, m->port};
        o.protocol_version(protocol_version::v1).retry_timeout(0).max_name_len(64);
        opts copy = o;
        try {
            o.max_name_len(100);
            REQUIRE(false);
        } catch (const qi::line_sender_error& e) {
            REQUIRE(e.code() == qi::line_sender_error_code::config_error);
        }
        qi::line_sender sender{copy};
        REQUIRE(sender.protocol_version() == protocol_version::v1);
        REQUIRE(sender.max_name_len() == 64);
        auto buf = sender.new_buffer();
        sender.flush(buf); // never written: no-op
        buf.table("t"_tn).column("x"_cn, int64_t{1}).at(timestamp_nanos{2});
        try {
            sender.flush(buf);
            REQUIRE(false);
        } catch (const qi::line_sender_error& e) {
            REQUIRE(e.code() == qi::line_sender_error_code::server_flush_error);
            REQUIRE(std::string{e.what()} ==
                    "Could not flush buffer: bad [id: c-1, code: invalid, line: 1]");
        }
        REQUIRE(buf.size() == 9);
        sender.flush_and_keep(buf);
        REQUIRE(buf.size() == 9);
        REQUIRE(!sender.must_close());
        qi::line_sender moved{std::move(sender)};
        moved.close();
        moved.close();
        try {
            moved.flush(buf);
            REQUIRE(false);
        } catch (const qi::line_sender_error& e) {
            REQUIRE(e.code() == qi::line_sender_error_code::invalid_api_call);
            REQUIRE(std::string{e.what()} == "Sender closed.");
        }
    }
    mock_stop(m);
    REQUIRE(m->posts == 2);
    mock_free(m);
    try {
        qi::line_sender::from_conf("nope::addr=x;");
        REQUIRE(false);
    } catch (const qi::line_sender_error& e) {
        REQUIRE(e.code() == qi::line_sender_error_code::config_error);
    }
}

int main()
{
    test_v1_columns_and_timestamps();
    test_errors_throw_with_code();
    test_arrays_and_decimals();
    test_copy_move_marker();
    test_opts_and_sender_over_http();
    std::printf("C++ wrapper (C++%ld): ok\n", static_cast<long>(__cplusplus / 100 % 100));
    return 0;
}
