/*
 * questdb-client C++17 wrapper: errors, enums, validated views, literals,
 * timestamps and the pre-C++20 buffer view. Header-only over the C API of
 * line_sender.h; every failure throws `line_sender_error`.
 */
#pragma once

#include "line_sender.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace questdb::ingress
{

constexpr const char* inaddr_any = "0.0.0.0";

/** The C error codes, same order and values. */
enum class line_sender_error_code
{
    could_not_resolve_addr,
    invalid_api_call,
    socket_error,
    invalid_utf8,
    invalid_name,
    invalid_timestamp,
    auth_error,
    tls_error,
    http_not_supported,
    server_flush_error,
    config_error,
    array_error,
    protocol_version_error,
    invalid_decimal,
};

enum class protocol
{
    tcp,
    tcps,
    http,
    https,
};

enum class protocol_version
{
    v1 = 1,
    v2 = 2,
    v3 = 3,
};

/** Where TLS roots come from. */
enum class ca
{
    webpki_roots,
    os_roots,
    webpki_and_os_roots,
    pem_file,
};

/** Every failure of the wrapper: the C error's code and message. */
class line_sender_error : public std::runtime_error
{
public:
    line_sender_error(line_sender_error_code code, const std::string& what)
        : std::runtime_error{what}
        , _code{code}
    {
    }

    line_sender_error_code code() const noexcept
    {
        return _code;
    }

private:
    line_sender_error_code _code;
};

namespace detail
{
/** Converts a C error into the exception, freeing the C error. */
[[noreturn]] inline void throw_c_error(::line_sender_error* c_err)
{
    if (c_err == nullptr)
        throw line_sender_error{
            line_sender_error_code::invalid_api_call, "unknown error"};
    size_t len = 0;
    const char* msg = ::line_sender_error_msg(c_err, &len);
    const auto code = static_cast<line_sender_error_code>(
        static_cast<int>(::line_sender_error_get_code(c_err)));
    std::string what{msg, len};
    ::line_sender_error_free(c_err);
    throw line_sender_error{code, what};
}

/** Calls `f(args..., &err)`; throws when it returns false or NULL. */
template <typename F, typename... Args>
inline auto call(F f, Args&&... args)
{
    ::line_sender_error* c_err = nullptr;
    auto result = f(std::forward<Args>(args)..., &c_err);
    if (!result)
        throw_c_error(c_err);
    return result;
}
} // namespace detail

/** A borrowed string validated at construction (throws on failure). */
template <
    typename T,
    bool (*F)(T*, size_t, const char*, ::line_sender_error**)>
class basic_view
{
public:
    basic_view(const char* buf, size_t len)
        : _impl{0, nullptr}
    {
        detail::call(F, &_impl, len, buf);
    }

    template <size_t N>
    basic_view(const char (&buf)[N])
        : basic_view{buf, N - 1}
    {
    }

    basic_view(std::string_view s)
        : basic_view{s.data(), s.size()}
    {
    }

    basic_view(const std::string& s)
        : basic_view{s.data(), s.size()}
    {
    }

    size_t size() const noexcept
    {
        return _impl.len;
    }

    const char* data() const noexcept
    {
        return _impl.buf;
    }

    std::string_view to_string_view() const noexcept
    {
        return std::string_view{_impl.buf, _impl.len};
    }

    const T& c_view() const noexcept
    {
        return _impl;
    }

private:
    T _impl;
};

using utf8_view = basic_view<::line_sender_utf8, ::line_sender_utf8_init>;
using table_name_view =
    basic_view<::line_sender_table_name, ::line_sender_table_name_init>;
using column_name_view =
    basic_view<::line_sender_column_name, ::line_sender_column_name_init>;

namespace literals
{
inline utf8_view operator"" _utf8(const char* str, size_t len)
{
    return utf8_view{str, len};
}

inline table_name_view operator"" _tn(const char* str, size_t len)
{
    return table_name_view{str, len};
}

inline column_name_view operator"" _cn(const char* str, size_t len)
{
    return column_name_view{str, len};
}
} // namespace literals

class timestamp_micros
{
public:
    template <typename Clock, typename Duration>
    explicit timestamp_micros(std::chrono::time_point<Clock, Duration> tp)
        : _ts{std::chrono::duration_cast<std::chrono::microseconds>(
                  tp.time_since_epoch())
                  .count()}
    {
    }

    explicit timestamp_micros(int64_t ts) noexcept
        : _ts{ts}
    {
    }

    int64_t as_micros() const noexcept
    {
        return _ts;
    }

    static timestamp_micros now() noexcept
    {
        return timestamp_micros{::line_sender_now_micros()};
    }

private:
    int64_t _ts;
};

class timestamp_nanos
{
public:
    template <typename Clock, typename Duration>
    explicit timestamp_nanos(std::chrono::time_point<Clock, Duration> tp)
        : _ts{std::chrono::duration_cast<std::chrono::nanoseconds>(
                  tp.time_since_epoch())
                  .count()}
    {
    }

    explicit timestamp_nanos(int64_t ts) noexcept
        : _ts{ts}
    {
    }

    int64_t as_nanos() const noexcept
    {
        return _ts;
    }

    static timestamp_nanos now() noexcept
    {
        return timestamp_nanos{::line_sender_now_nanos()};
    }

private:
    int64_t _ts;
};

#if __cplusplus < 202002L
/** The bytes of a buffer (C++20 uses std::span<const std::byte>). */
class buffer_view final
{
public:
    buffer_view() noexcept = default;

    buffer_view(const std::byte* data, size_t size) noexcept
        : _data{data}
        , _size{size}
    {
    }

    const std::byte* data() const noexcept
    {
        return _data;
    }

    size_t size() const noexcept
    {
        return _size;
    }

    bool empty() const noexcept
    {
        return _size == 0;
    }

    friend bool operator==(const buffer_view& a, const buffer_view& b) noexcept
    {
        return a._size == b._size &&
               (a._size == 0 || std::memcmp(a._data, b._data, a._size) == 0);
    }

    friend bool operator!=(const buffer_view& a, const buffer_view& b) noexcept
    {
        return !(a == b);
    }

private:
    const std::byte* _data = nullptr;
    size_t _size = 0;
};
#endif

} // namespace questdb::ingress
