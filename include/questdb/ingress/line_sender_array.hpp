/*
 * questdb-client C++17 wrapper: array views (protocol 2+) and the ADL
 * extension point `to_array_view_state_impl` for user array types.
 */
#pragma once

#include "line_sender_core.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>
#if __cplusplus >= 202002L
#include <span>
#endif

namespace questdb::ingress::array
{

enum class strides_mode
{
    /** Strides count bytes. */
    bytes,
    /** Strides count elements. */
    elements,
};

/** An array of any layout: shape and strides per dimension. Borrowed. */
template <typename T, strides_mode M>
class strided_view
{
public:
    using element_type = T;
    static constexpr strides_mode stride_size_mode = M;

    strided_view(
        size_t rank,
        const uintptr_t* shape,
        const intptr_t* strides,
        const T* data,
        size_t data_size) noexcept
        : _rank{rank}
        , _shape{shape}
        , _strides{strides}
        , _data{data}
        , _data_size{data_size}
    {
    }

    size_t rank() const noexcept
    {
        return _rank;
    }

    const uintptr_t* shape() const noexcept
    {
        return _shape;
    }

    const intptr_t* strides() const noexcept
    {
        return _strides;
    }

    const T* data() const noexcept
    {
        return _data;
    }

    size_t data_size() const noexcept
    {
        return _data_size;
    }

    const strided_view<T, M>& view() const noexcept
    {
        return *this;
    }

private:
    size_t _rank;
    const uintptr_t* _shape;
    const intptr_t* _strides;
    const T* _data;
    size_t _data_size;
};

/** A contiguous array in row-major (C) order. Borrowed. */
template <typename T>
class row_major_view
{
public:
    using element_type = T;

    row_major_view(
        size_t rank, const uintptr_t* shape, const T* data, size_t data_size) noexcept
        : _rank{rank}
        , _shape{shape}
        , _data{data}
        , _data_size{data_size}
    {
    }

    size_t rank() const noexcept
    {
        return _rank;
    }

    const uintptr_t* shape() const noexcept
    {
        return _shape;
    }

    const T* data() const noexcept
    {
        return _data;
    }

    size_t data_size() const noexcept
    {
        return _data_size;
    }

    const row_major_view<T>& view() const noexcept
    {
        return *this;
    }

private:
    size_t _rank;
    const uintptr_t* _shape;
    const T* _data;
    size_t _data_size;
};

/** Keeps the one-element shape of a 1-D container alive for its view. */
template <typename T>
class row_major_1d_holder
{
public:
    row_major_1d_holder(const T* data, size_t size) noexcept
        : _shape{static_cast<uintptr_t>(size)}
        , _data{data}
        , _size{size}
    {
    }

    row_major_view<T> view() const noexcept
    {
        return row_major_view<T>{1, &_shape, _data, _size};
    }

private:
    uintptr_t _shape;
    const T* _data;
    size_t _size;
};

template <typename T>
inline row_major_1d_holder<T> to_array_view_state_impl(const std::vector<T>& vec)
{
    return row_major_1d_holder<T>{vec.data(), vec.size()};
}

template <typename T, size_t N>
inline row_major_1d_holder<T> to_array_view_state_impl(const std::array<T, N>& arr)
{
    return row_major_1d_holder<T>{arr.data(), N};
}

#if __cplusplus >= 202002L
template <typename T, size_t E>
inline row_major_1d_holder<std::remove_cv_t<T>> to_array_view_state_impl(
    const std::span<T, E>& s)
{
    return row_major_1d_holder<std::remove_cv_t<T>>{s.data(), s.size()};
}
#endif

/** The function object that finds `to_array_view_state_impl` by ADL. */
struct to_array_view_state_fn
{
    template <typename T>
    auto operator()(const T& value) const
        -> decltype(to_array_view_state_impl(value))
    {
        return to_array_view_state_impl(value);
    }
};

inline constexpr to_array_view_state_fn to_array_view_state{};

template <typename T, typename = void>
struct has_array_view_state : std::false_type
{
};

template <typename T>
struct has_array_view_state<
    T,
    std::void_t<decltype(to_array_view_state(std::declval<const T&>()))>>
    : std::true_type
{
};

template <typename T>
inline constexpr bool has_array_view_state_v = has_array_view_state<T>::value;

} // namespace questdb::ingress::array
