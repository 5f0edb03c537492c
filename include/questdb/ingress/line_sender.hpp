/*
 * questdb-client C++17 API: header-only wrapper over line_sender.h, source
 * compatible with QuestDB's official line_sender.hpp (client 6.1).
 *
 *     auto sender = line_sender::from_conf("http::addr=localhost:9000;");
 *     auto buffer = sender.new_buffer();
 *     buffer.table("trades"_tn).symbol("symbol"_cn, "ETH-USD"_utf8)
 *         .column("price"_cn, 2615.54).at(timestamp_nanos::now());
 *     sender.flush(buffer);  // throws line_sender_error on failure
 */
#pragma once

#include "line_sender.h"
#include "line_sender_array.hpp"
#include "line_sender_core.hpp"
#include "line_sender_decimal.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#if __cplusplus >= 202002L
#include <span>
#endif

namespace questdb::ingress
{

namespace detail
{
inline constexpr const char* cpp_user_agent = "questdb-client/c++/0.1.0";

template <typename T>
inline constexpr bool is_forbidden_column_type_v =
    (std::is_integral_v<T> && !std::is_same_v<T, bool> &&
     !std::is_same_v<T, int64_t>) ||
    (std::is_floating_point_v<T> && !std::is_same_v<T, double>) ||
    std::is_pointer_v<T>;
} // namespace detail

class line_sender;

/** Rows for one protocol version. The C buffer is created on first use. */
class line_sender_buffer
{
public:
#if __cplusplus >= 202002L
    using buffer_view = std::span<const std::byte>;
#else
    using buffer_view = ::questdb::ingress::buffer_view;
#endif

    explicit line_sender_buffer(
        protocol_version version,
        size_t init_buf_size = 64 * 1024,
        size_t max_name_len = 127) noexcept
        : _version{version}
        , _init_buf_size{init_buf_size}
        , _max_name_len{max_name_len}
    {
    }

    line_sender_buffer(const line_sender_buffer& other)
        : _impl{other._impl ? ::line_sender_buffer_clone(other._impl) : nullptr}
        , _version{other._version}
        , _init_buf_size{other._init_buf_size}
        , _max_name_len{other._max_name_len}
    {
    }

    line_sender_buffer(line_sender_buffer&& other) noexcept
        : _impl{std::exchange(other._impl, nullptr)}
        , _version{other._version}
        , _init_buf_size{other._init_buf_size}
        , _max_name_len{other._max_name_len}
    {
    }

    line_sender_buffer& operator=(const line_sender_buffer& other)
    {
        if (this != &other)
        {
            ::line_sender_buffer* copy =
                other._impl ? ::line_sender_buffer_clone(other._impl) : nullptr;
            ::line_sender_buffer_free(_impl);
            _impl = copy;
            _version = other._version;
            _init_buf_size = other._init_buf_size;
            _max_name_len = other._max_name_len;
        }
        return *this;
    }

    line_sender_buffer& operator=(line_sender_buffer&& other) noexcept
    {
        if (this != &other)
        {
            ::line_sender_buffer_free(_impl);
            _impl = std::exchange(other._impl, nullptr);
            _version = other._version;
            _init_buf_size = other._init_buf_size;
            _max_name_len = other._max_name_len;
        }
        return *this;
    }

    ~line_sender_buffer() noexcept
    {
        ::line_sender_buffer_free(_impl);
    }

    void reserve(size_t additional)
    {
        ::line_sender_buffer_reserve(c_buffer(), additional);
    }

    size_t capacity() const noexcept
    {
        return _impl ? ::line_sender_buffer_capacity(_impl) : 0;
    }

    size_t size() const noexcept
    {
        return _impl ? ::line_sender_buffer_size(_impl) : 0;
    }

    size_t row_count() const noexcept
    {
        return _impl ? ::line_sender_buffer_row_count(_impl) : 0;
    }

    /** False until first used, as in the official wrapper. */
    bool transactional() const noexcept
    {
        return _impl && ::line_sender_buffer_transactional(_impl);
    }

    buffer_view peek() const noexcept
    {
        if (!_impl)
            return {};
        ::line_sender_buffer_view view = ::line_sender_buffer_peek(_impl);
        return buffer_view{reinterpret_cast<const std::byte*>(view.buf), view.len};
    }

    void set_marker()
    {
        detail::call(::line_sender_buffer_set_marker, c_buffer());
    }

    void rewind_to_marker()
    {
        detail::call(::line_sender_buffer_rewind_to_marker, c_buffer());
    }

    void clear_marker() noexcept
    {
        if (_impl)
            ::line_sender_buffer_clear_marker(_impl);
    }

    void clear() noexcept
    {
        if (_impl)
            ::line_sender_buffer_clear(_impl);
    }

    line_sender_buffer& table(table_name_view name)
    {
        detail::call(::line_sender_buffer_table, c_buffer(), name.c_view());
        return *this;
    }

    line_sender_buffer& symbol(column_name_view name, utf8_view value)
    {
        detail::call(
            ::line_sender_buffer_symbol, c_buffer(), name.c_view(), value.c_view());
        return *this;
    }

    // Only bool, int64_t and double: other arithmetic types and pointers
    // would convert silently (an `int` to `bool`, a pointer to `bool`).
    template <typename T>
    std::enable_if_t<detail::is_forbidden_column_type_v<T>, line_sender_buffer&>
    column(column_name_view name, T value) = delete;

    line_sender_buffer& column(column_name_view name, bool value)
    {
        detail::call(::line_sender_buffer_column_bool, c_buffer(), name.c_view(), value);
        return *this;
    }

    line_sender_buffer& column(column_name_view name, int64_t value)
    {
        detail::call(::line_sender_buffer_column_i64, c_buffer(), name.c_view(), value);
        return *this;
    }

    line_sender_buffer& column(column_name_view name, double value)
    {
        detail::call(::line_sender_buffer_column_f64, c_buffer(), name.c_view(), value);
        return *this;
    }

    line_sender_buffer& column(column_name_view name, utf8_view value)
    {
        detail::call(
            ::line_sender_buffer_column_str, c_buffer(), name.c_view(), value.c_view());
        return *this;
    }

    template <size_t N>
    line_sender_buffer& column(column_name_view name, const char (&value)[N])
    {
        return column(name, utf8_view{value});
    }

    line_sender_buffer& column(column_name_view name, std::string_view value)
    {
        return column(name, utf8_view{value});
    }

    line_sender_buffer& column(column_name_view name, const std::string& value)
    {
        return column(name, utf8_view{value});
    }

    line_sender_buffer& column(column_name_view name, decimal::decimal_str_view value)
    {
        detail::call(
            ::line_sender_buffer_column_dec_str,
            c_buffer(),
            name.c_view(),
            value.data(),
            value.size());
        return *this;
    }

    line_sender_buffer& column(column_name_view name, const decimal::decimal_view& value)
    {
        detail::call(
            ::line_sender_buffer_column_dec,
            c_buffer(),
            name.c_view(),
            static_cast<unsigned int>(value.scale()),
            value.data(),
            value.data_size());
        return *this;
    }

    template <typename T, array::strides_mode M>
    line_sender_buffer& column(
        column_name_view name, const array::strided_view<T, M>& array)
    {
        static_assert(std::is_same_v<T, double>, "only double arrays are supported");
        auto fn = M == array::strides_mode::bytes
                      ? ::line_sender_buffer_column_f64_arr_byte_strides
                      : ::line_sender_buffer_column_f64_arr_elem_strides;
        detail::call(
            fn,
            c_buffer(),
            name.c_view(),
            array.rank(),
            array.shape(),
            array.strides(),
            array.data(),
            array.data_size());
        return *this;
    }

    template <typename T>
    line_sender_buffer& column(
        column_name_view name, const array::row_major_view<T>& array)
    {
        static_assert(std::is_same_v<T, double>, "only double arrays are supported");
        detail::call(
            ::line_sender_buffer_column_f64_arr_c_major,
            c_buffer(),
            name.c_view(),
            array.rank(),
            array.shape(),
            array.data(),
            array.data_size());
        return *this;
    }

    /** User array types with `to_array_view_state_impl` (and std containers). */
    template <
        typename T,
        std::enable_if_t<array::has_array_view_state_v<T>, int> = 0>
    line_sender_buffer& column(column_name_view name, const T& value)
    {
        const auto state = array::to_array_view_state(value);
        return column(name, state.view());
    }

    /** User decimal types with `to_decimal_view_state_impl`. */
    template <
        typename T,
        std::enable_if_t<
            decimal::has_decimal_view_state_v<T> && !array::has_array_view_state_v<T>,
            int> = 0>
    line_sender_buffer& column(column_name_view name, const T& value)
    {
        const auto state = decimal::to_decimal_view_state(value);
        return column(name, state.view());
    }

    line_sender_buffer& column(column_name_view name, timestamp_nanos value)
    {
        detail::call(
            ::line_sender_buffer_column_ts_nanos, c_buffer(), name.c_view(), value.as_nanos());
        return *this;
    }

    line_sender_buffer& column(column_name_view name, timestamp_micros value)
    {
        detail::call(
            ::line_sender_buffer_column_ts_micros,
            c_buffer(),
            name.c_view(),
            value.as_micros());
        return *this;
    }

    template <typename Clock>
    line_sender_buffer& column(
        column_name_view name,
        std::chrono::time_point<Clock, std::chrono::nanoseconds> tp)
    {
        return column(name, timestamp_nanos{tp});
    }

    template <typename Clock, typename Duration>
    std::enable_if_t<
        !std::is_same_v<Duration, std::chrono::nanoseconds>,
        line_sender_buffer&>
    column(column_name_view name, std::chrono::time_point<Clock, Duration> tp)
    {
        return column(name, timestamp_micros{tp});
    }

    void at(timestamp_nanos timestamp)
    {
        detail::call(::line_sender_buffer_at_nanos, c_buffer(), timestamp.as_nanos());
    }

    void at(timestamp_micros timestamp)
    {
        detail::call(::line_sender_buffer_at_micros, c_buffer(), timestamp.as_micros());
    }

    void at_now()
    {
        detail::call(::line_sender_buffer_at_now, c_buffer());
    }

    /** A never-written buffer is empty, and an empty buffer may be flushed. */
    void check_can_flush() const
    {
        if (_impl)
            detail::call(::line_sender_buffer_check_can_flush, _impl);
    }

private:
    friend class line_sender;

    ::line_sender_buffer* c_buffer()
    {
        if (!_impl)
        {
            _impl = ::line_sender_buffer_with_max_name_len(
                static_cast<::line_sender_protocol_version>(static_cast<int>(_version)),
                _max_name_len);
            if (!_impl)
                throw line_sender_error{
                    line_sender_error_code::invalid_api_call,
                    "Could not create a buffer (bad protocol version or max_name_len)."};
            ::line_sender_buffer_reserve(_impl, _init_buf_size);
        }
        return _impl;
    }

    ::line_sender_buffer* _impl = nullptr;
    protocol_version _version;
    size_t _init_buf_size;
    size_t _max_name_len;
};

/** Sender options: from a config string, the environment, or setters. */
class opts
{
public:
    static opts from_conf(utf8_view conf)
    {
        return opts{detail::call(::line_sender_opts_from_conf, conf.c_view())};
    }

    static opts from_env()
    {
        opts o{detail::call(::line_sender_opts_from_env)};
        o.set_user_agent();
        return o;
    }

    opts(protocol p, utf8_view host, uint16_t port) noexcept
        : _impl{::line_sender_opts_new(
              static_cast<::line_sender_protocol>(static_cast<int>(p)),
              host.c_view(),
              port)}
    {
        set_user_agent();
    }

    opts(protocol p, utf8_view host, utf8_view port) noexcept
        : _impl{::line_sender_opts_new_service(
              static_cast<::line_sender_protocol>(static_cast<int>(p)),
              host.c_view(),
              port.c_view())}
    {
        set_user_agent();
    }

    opts(const opts& other)
        : _impl{other._impl ? ::line_sender_opts_clone(other._impl) : nullptr}
    {
    }

    opts(opts&& other) noexcept
        : _impl{std::exchange(other._impl, nullptr)}
    {
    }

    opts& operator=(const opts& other)
    {
        if (this != &other)
        {
            ::line_sender_opts* copy =
                other._impl ? ::line_sender_opts_clone(other._impl) : nullptr;
            ::line_sender_opts_free(_impl);
            _impl = copy;
        }
        return *this;
    }

    opts& operator=(opts&& other) noexcept
    {
        if (this != &other)
        {
            ::line_sender_opts_free(_impl);
            _impl = std::exchange(other._impl, nullptr);
        }
        return *this;
    }

    ~opts() noexcept
    {
        ::line_sender_opts_free(_impl);
    }

    opts& bind_interface(utf8_view bind_interface)
    {
        detail::call(::line_sender_opts_bind_interface, _impl, bind_interface.c_view());
        return *this;
    }

    opts& username(utf8_view username)
    {
        detail::call(::line_sender_opts_username, _impl, username.c_view());
        return *this;
    }

    opts& password(utf8_view password)
    {
        detail::call(::line_sender_opts_password, _impl, password.c_view());
        return *this;
    }

    opts& token(utf8_view token)
    {
        detail::call(::line_sender_opts_token, _impl, token.c_view());
        return *this;
    }

    opts& token_x(utf8_view token_x)
    {
        detail::call(::line_sender_opts_token_x, _impl, token_x.c_view());
        return *this;
    }

    opts& token_y(utf8_view token_y)
    {
        detail::call(::line_sender_opts_token_y, _impl, token_y.c_view());
        return *this;
    }

    opts& auth_timeout(uint64_t millis)
    {
        detail::call(::line_sender_opts_auth_timeout, _impl, millis);
        return *this;
    }

    opts& tls_verify(bool verify)
    {
        detail::call(::line_sender_opts_tls_verify, _impl, verify);
        return *this;
    }

    opts& tls_ca(ca authority)
    {
        detail::call(
            ::line_sender_opts_tls_ca,
            _impl,
            static_cast<::line_sender_ca>(static_cast<int>(authority)));
        return *this;
    }

    opts& tls_roots(utf8_view path)
    {
        detail::call(::line_sender_opts_tls_roots, _impl, path.c_view());
        return *this;
    }

    opts& max_buf_size(size_t max_buf_size)
    {
        detail::call(::line_sender_opts_max_buf_size, _impl, max_buf_size);
        return *this;
    }

    opts& max_name_len(size_t max_name_len)
    {
        detail::call(::line_sender_opts_max_name_len, _impl, max_name_len);
        return *this;
    }

    opts& retry_timeout(uint64_t millis)
    {
        detail::call(::line_sender_opts_retry_timeout, _impl, millis);
        return *this;
    }

    opts& request_min_throughput(uint64_t bytes_per_sec)
    {
        detail::call(::line_sender_opts_request_min_throughput, _impl, bytes_per_sec);
        return *this;
    }

    opts& request_timeout(uint64_t millis)
    {
        detail::call(::line_sender_opts_request_timeout, _impl, millis);
        return *this;
    }

    /** Throws on conflict (the official wrapper terminates instead). */
    opts& protocol_version(::questdb::ingress::protocol_version version)
    {
        detail::call(
            ::line_sender_opts_protocol_version,
            _impl,
            static_cast<::line_sender_protocol_version>(static_cast<int>(version)));
        return *this;
    }

private:
    friend class line_sender;

    explicit opts(::line_sender_opts* impl) noexcept
        : _impl{impl}
    {
    }

    void set_user_agent() noexcept
    {
        if (!_impl)
            return;
        ::line_sender_utf8 agent{
            std::char_traits<char>::length(detail::cpp_user_agent),
            detail::cpp_user_agent};
        ::line_sender_error* c_err = nullptr;
        if (!::line_sender_opts_user_agent(_impl, agent, &c_err))
            ::line_sender_error_free(c_err);
    }

    ::line_sender_opts* _impl;
};

/** Sends buffers to one server; move-only; closes on destruction. */
class line_sender
{
public:
    static line_sender from_conf(utf8_view conf)
    {
        return line_sender{opts::from_conf(conf)};
    }

    static line_sender from_env()
    {
        return line_sender{opts::from_env()};
    }

    line_sender(const opts& options)
        : _impl{detail::call(::line_sender_build, options._impl)}
    {
    }

    line_sender(const line_sender&) = delete;
    line_sender& operator=(const line_sender&) = delete;

    line_sender(line_sender&& other) noexcept
        : _impl{std::exchange(other._impl, nullptr)}
    {
    }

    line_sender& operator=(line_sender&& other) noexcept
    {
        if (this != &other)
        {
            close();
            _impl = std::exchange(other._impl, nullptr);
        }
        return *this;
    }

    ~line_sender() noexcept
    {
        close();
    }

    ::questdb::ingress::protocol_version protocol_version() const noexcept
    {
        return static_cast<::questdb::ingress::protocol_version>(
            static_cast<int>(::line_sender_get_protocol_version(_impl)));
    }

    size_t max_name_len() const noexcept
    {
        return ::line_sender_get_max_name_len(_impl);
    }

    line_sender_buffer new_buffer(size_t init_buf_size = 64 * 1024) noexcept
    {
        return line_sender_buffer{protocol_version(), init_buf_size, max_name_len()};
    }

    void flush(line_sender_buffer& buffer)
    {
        ensure_open();
        if (buffer._impl)
            detail::call(::line_sender_flush, _impl, buffer._impl);
        // A never-written buffer is empty: flushing it is a no-op.
    }

    void flush_and_keep(const line_sender_buffer& buffer)
    {
        ensure_open();
        if (buffer._impl)
            detail::call(::line_sender_flush_and_keep, _impl, buffer._impl);
    }

    void flush_and_keep_with_flags(const line_sender_buffer& buffer, bool transactional)
    {
        ensure_open();
        if (buffer._impl)
            detail::call(
                ::line_sender_flush_and_keep_with_flags,
                _impl,
                buffer._impl,
                transactional);
    }

    bool must_close() const noexcept
    {
        return _impl ? ::line_sender_must_close(_impl) : false;
    }

    /** Idempotent. */
    void close() noexcept
    {
        ::line_sender_close(std::exchange(_impl, nullptr));
    }

private:
    void ensure_open() const
    {
        if (!_impl)
            throw line_sender_error{
                line_sender_error_code::invalid_api_call, "Sender closed."};
    }

    ::line_sender* _impl;
};

} // namespace questdb::ingress
