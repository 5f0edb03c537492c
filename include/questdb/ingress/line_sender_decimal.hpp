/*
 * questdb-client C++17 wrapper: decimal views (protocol 3) and the ADL
 * extension point `to_decimal_view_state_impl` for user decimal types.
 */
#pragma once

#include "line_sender_core.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>
#if __cplusplus >= 202002L
#include <span>
#endif

namespace questdb::ingress::decimal
{

/** A decimal as text, e.g. "-12.345"; checked by the C call. Borrowed. */
class decimal_str_view
{
public:
    decimal_str_view(const char* buf, size_t len) noexcept
        : _data{buf}
        , _size{len}
    {
    }

    /** A literal: its terminating NUL is not part of the number. */
    template <size_t N>
    decimal_str_view(const char (&buf)[N]) noexcept
        : decimal_str_view{buf, N - 1}
    {
    }

    decimal_str_view(std::string_view s) noexcept
        : decimal_str_view{s.data(), s.size()}
    {
    }

    decimal_str_view(const std::string& s) noexcept
        : decimal_str_view{s.data(), s.size()}
    {
    }

    const char* data() const noexcept
    {
        return _data;
    }

    size_t size() const noexcept
    {
        return _size;
    }

private:
    const char* _data;
    size_t _size;
};

inline decimal_str_view operator"" _decimal(const char* str, size_t len) noexcept
{
    return decimal_str_view{str, len};
}

/** A binary decimal: big-endian two's complement unscaled value and scale. */
class decimal_view
{
public:
    decimal_view(uint32_t scale, const uint8_t* data, size_t data_size) noexcept
        : _scale{scale}
        , _data{data}
        , _data_size{data_size}
    {
    }

    template <size_t N>
    decimal_view(uint32_t scale, const uint8_t (&data)[N]) noexcept
        : decimal_view{scale, data, N}
    {
    }

    template <size_t N>
    decimal_view(uint32_t scale, const std::array<uint8_t, N>& data) noexcept
        : decimal_view{scale, data.data(), N}
    {
    }

    decimal_view(uint32_t scale, const std::vector<uint8_t>& data) noexcept
        : decimal_view{scale, data.data(), data.size()}
    {
    }

#if __cplusplus >= 202002L
    decimal_view(uint32_t scale, const std::span<uint8_t>& data) noexcept
        : decimal_view{scale, data.data(), data.size()}
    {
    }
#endif

    uint32_t scale() const noexcept
    {
        return _scale;
    }

    const uint8_t* data() const noexcept
    {
        return _data;
    }

    size_t data_size() const noexcept
    {
        return _data_size;
    }

    const decimal_view& view() const noexcept
    {
        return *this;
    }

private:
    uint32_t _scale;
    const uint8_t* _data;
    size_t _data_size;
};

/** The function object that finds `to_decimal_view_state_impl` by ADL. */
struct to_decimal_view_state_fn
{
    template <typename T>
    auto operator()(const T& value) const
        -> decltype(to_decimal_view_state_impl(value))
    {
        return to_decimal_view_state_impl(value);
    }
};

inline constexpr to_decimal_view_state_fn to_decimal_view_state{};

template <typename T, typename = void>
struct has_decimal_view_state : std::false_type
{
};

template <typename T>
struct has_decimal_view_state<
    T,
    std::void_t<decltype(to_decimal_view_state(std::declval<const T&>()))>>
    : std::true_type
{
};

template <typename T>
inline constexpr bool has_decimal_view_state_v =
    has_decimal_view_state<T>::value;

} // namespace questdb::ingress::decimal

namespace questdb::ingress
{
using decimal::decimal_view;
} // namespace questdb::ingress
