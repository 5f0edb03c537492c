/* Compile-time check of the C API surface (C_API.md sections 2-4):
 * every function is assigned to a pointer of exactly the spec'd type. */
#include <questdb/ingress/line_sender.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
#define STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

STATIC_ASSERT(line_sender_error_could_not_resolve_addr == 0, "code 0");
STATIC_ASSERT(line_sender_error_invalid_api_call == 1, "code 1");
STATIC_ASSERT(line_sender_error_socket_error == 2, "code 2");
STATIC_ASSERT(line_sender_error_invalid_utf8 == 3, "code 3");
STATIC_ASSERT(line_sender_error_invalid_name == 4, "code 4");
STATIC_ASSERT(line_sender_error_invalid_timestamp == 5, "code 5");
STATIC_ASSERT(line_sender_error_auth_error == 6, "code 6");
STATIC_ASSERT(line_sender_error_tls_error == 7, "code 7");
STATIC_ASSERT(line_sender_error_http_not_supported == 8, "code 8");
STATIC_ASSERT(line_sender_error_server_flush_error == 9, "code 9");
STATIC_ASSERT(line_sender_error_config_error == 10, "code 10");
STATIC_ASSERT(line_sender_error_array_error == 11, "code 11");
STATIC_ASSERT(line_sender_error_protocol_version_error == 12, "code 12");
STATIC_ASSERT(line_sender_error_invalid_decimal == 13, "code 13");

STATIC_ASSERT(line_sender_protocol_version_1 == 1, "v1");
STATIC_ASSERT(line_sender_protocol_version_2 == 2, "v2");
STATIC_ASSERT(line_sender_protocol_version_3 == 3, "v3");

STATIC_ASSERT(line_sender_protocol_tcp == 0, "tcp");
STATIC_ASSERT(line_sender_protocol_tcps == 1, "tcps");
STATIC_ASSERT(line_sender_protocol_http == 2, "http");
STATIC_ASSERT(line_sender_protocol_https == 3, "https");

STATIC_ASSERT(line_sender_ca_webpki_roots == 0, "webpki");
STATIC_ASSERT(line_sender_ca_os_roots == 1, "os");
STATIC_ASSERT(line_sender_ca_webpki_and_os_roots == 2, "both");
STATIC_ASSERT(line_sender_ca_pem_file == 3, "pem");

#define CHECK_LAYOUT(T, BUF_T)                                               \
    STATIC_ASSERT(offsetof(T, len) == 0, #T ".len at offset 0");             \
    STATIC_ASSERT(offsetof(T, buf) >= sizeof(size_t), #T ".buf after len");  \
    STATIC_ASSERT(offsetof(T, buf) == sizeof(size_t), #T ".buf follows len");\
    STATIC_ASSERT(sizeof(((T*)0)->len) == sizeof(size_t), #T ".len size_t"); \
    STATIC_ASSERT(sizeof(((T*)0)->buf) == sizeof(BUF_T), #T ".buf pointer"); \
    STATIC_ASSERT(sizeof(T) == sizeof(size_t) + sizeof(BUF_T), #T " size")

CHECK_LAYOUT(line_sender_utf8, const char*);
CHECK_LAYOUT(line_sender_table_name, const char*);
CHECK_LAYOUT(line_sender_column_name, const char*);
CHECK_LAYOUT(line_sender_buffer_view, const uint8_t*);

/* Field types: assigning to a pointer of the exact type must compile. */
static void field_types(void)
{
    line_sender_utf8 u = {0, NULL};
    line_sender_table_name t = {0, NULL};
    line_sender_column_name c = {0, NULL};
    line_sender_buffer_view v = {0, NULL};
    size_t* ul = &u.len; const char** ub = &u.buf;
    size_t* tl = &t.len; const char** tb = &t.buf;
    size_t* cl = &c.len; const char** cb = &c.buf;
    size_t* vl = &v.len; const uint8_t** vb = &v.buf;
    (void)ul; (void)ub; (void)tl; (void)tb; (void)cl; (void)cb;
    (void)vl; (void)vb;
}

#define CHECK(expr)                                                          \
    do {                                                                     \
        if (!(expr)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #expr);                                                  \
            return 1;                                                        \
        }                                                                    \
    } while (0)

int main(void)
{
    /* Errors */
    line_sender_error_code (*p_err_get_code)(const line_sender_error*) =
        &line_sender_error_get_code;
    const char* (*p_err_msg)(const line_sender_error*, size_t*) =
        &line_sender_error_msg;
    void (*p_err_free)(line_sender_error*) = &line_sender_error_free;

    /* Strings and names */
    bool (*p_utf8_init)(line_sender_utf8*, size_t, const char*,
                        line_sender_error**) = &line_sender_utf8_init;
    line_sender_utf8 (*p_utf8_assert)(size_t, const char*) =
        &line_sender_utf8_assert;
    bool (*p_table_name_init)(line_sender_table_name*, size_t, const char*,
                              line_sender_error**) =
        &line_sender_table_name_init;
    line_sender_table_name (*p_table_name_assert)(size_t, const char*) =
        &line_sender_table_name_assert;
    bool (*p_column_name_init)(line_sender_column_name*, size_t, const char*,
                               line_sender_error**) =
        &line_sender_column_name_init;
    line_sender_column_name (*p_column_name_assert)(size_t, const char*) =
        &line_sender_column_name_assert;

    /* Buffer */
    line_sender_buffer* (*p_new)(line_sender_protocol_version) =
        &line_sender_buffer_new;
    line_sender_buffer* (*p_with_max_name_len)(line_sender_protocol_version,
                                               size_t) =
        &line_sender_buffer_with_max_name_len;
    void (*p_free)(line_sender_buffer*) = &line_sender_buffer_free;
    line_sender_buffer* (*p_clone)(const line_sender_buffer*) =
        &line_sender_buffer_clone;
    void (*p_reserve)(line_sender_buffer*, size_t) =
        &line_sender_buffer_reserve;
    size_t (*p_capacity)(const line_sender_buffer*) =
        &line_sender_buffer_capacity;
    bool (*p_set_marker)(line_sender_buffer*, line_sender_error**) =
        &line_sender_buffer_set_marker;
    bool (*p_rewind_to_marker)(line_sender_buffer*, line_sender_error**) =
        &line_sender_buffer_rewind_to_marker;
    void (*p_clear_marker)(line_sender_buffer*) =
        &line_sender_buffer_clear_marker;
    void (*p_clear)(line_sender_buffer*) = &line_sender_buffer_clear;
    size_t (*p_size)(const line_sender_buffer*) = &line_sender_buffer_size;
    size_t (*p_row_count)(const line_sender_buffer*) =
        &line_sender_buffer_row_count;
    bool (*p_transactional)(const line_sender_buffer*) =
        &line_sender_buffer_transactional;
    line_sender_buffer_view (*p_peek)(const line_sender_buffer*) =
        &line_sender_buffer_peek;
    bool (*p_table)(line_sender_buffer*, line_sender_table_name,
                    line_sender_error**) = &line_sender_buffer_table;
    bool (*p_symbol)(line_sender_buffer*, line_sender_column_name,
                     line_sender_utf8, line_sender_error**) =
        &line_sender_buffer_symbol;
    bool (*p_column_bool)(line_sender_buffer*, line_sender_column_name, bool,
                          line_sender_error**) =
        &line_sender_buffer_column_bool;
    bool (*p_column_i64)(line_sender_buffer*, line_sender_column_name, int64_t,
                         line_sender_error**) = &line_sender_buffer_column_i64;
    bool (*p_column_f64)(line_sender_buffer*, line_sender_column_name, double,
                         line_sender_error**) = &line_sender_buffer_column_f64;
    bool (*p_column_str)(line_sender_buffer*, line_sender_column_name,
                         line_sender_utf8, line_sender_error**) =
        &line_sender_buffer_column_str;
    bool (*p_column_dec_str)(line_sender_buffer*, line_sender_column_name,
                             const char*, size_t, line_sender_error**) =
        &line_sender_buffer_column_dec_str;
    bool (*p_column_dec)(line_sender_buffer*, line_sender_column_name,
                         const unsigned int, const uint8_t*, size_t,
                         line_sender_error**) = &line_sender_buffer_column_dec;
    bool (*p_arr_c_major)(line_sender_buffer*, line_sender_column_name, size_t,
                          const uintptr_t*, const double*, size_t,
                          line_sender_error**) =
        &line_sender_buffer_column_f64_arr_c_major;
    bool (*p_arr_byte_strides)(line_sender_buffer*, line_sender_column_name,
                               size_t, const uintptr_t*, const intptr_t*,
                               const double*, size_t, line_sender_error**) =
        &line_sender_buffer_column_f64_arr_byte_strides;
    bool (*p_arr_elem_strides)(line_sender_buffer*, line_sender_column_name,
                               size_t, const uintptr_t*, const intptr_t*,
                               const double*, size_t, line_sender_error**) =
        &line_sender_buffer_column_f64_arr_elem_strides;
    bool (*p_ts_nanos)(line_sender_buffer*, line_sender_column_name, int64_t,
                       line_sender_error**) =
        &line_sender_buffer_column_ts_nanos;
    bool (*p_ts_micros)(line_sender_buffer*, line_sender_column_name, int64_t,
                        line_sender_error**) =
        &line_sender_buffer_column_ts_micros;
    bool (*p_at_nanos)(line_sender_buffer*, int64_t, line_sender_error**) =
        &line_sender_buffer_at_nanos;
    bool (*p_at_micros)(line_sender_buffer*, int64_t, line_sender_error**) =
        &line_sender_buffer_at_micros;
    bool (*p_at_now)(line_sender_buffer*, line_sender_error**) =
        &line_sender_buffer_at_now;
    bool (*p_check_can_flush)(const line_sender_buffer*, line_sender_error**) =
        &line_sender_buffer_check_can_flush;

    /* Options and sender */
    line_sender_opts* (*p_opts_from_conf)(line_sender_utf8, line_sender_error**) =
        &line_sender_opts_from_conf;
    line_sender_opts* (*p_opts_from_env)(line_sender_error**) =
        &line_sender_opts_from_env;
    line_sender_opts* (*p_opts_new)(line_sender_protocol, line_sender_utf8, uint16_t) =
        &line_sender_opts_new;
    line_sender_opts* (*p_opts_new_service)(line_sender_protocol, line_sender_utf8, line_sender_utf8) =
        &line_sender_opts_new_service;
    bool (*p_opts_bind_interface)(line_sender_opts*, line_sender_utf8, line_sender_error**) =
        &line_sender_opts_bind_interface;
    bool (*p_opts_username)(line_sender_opts*, line_sender_utf8, line_sender_error**) =
        &line_sender_opts_username;
    bool (*p_opts_password)(line_sender_opts*, line_sender_utf8, line_sender_error**) =
        &line_sender_opts_password;
    bool (*p_opts_token)(line_sender_opts*, line_sender_utf8, line_sender_error**) =
        &line_sender_opts_token;
    bool (*p_opts_token_x)(line_sender_opts*, line_sender_utf8, line_sender_error**) =
        &line_sender_opts_token_x;
    bool (*p_opts_token_y)(line_sender_opts*, line_sender_utf8, line_sender_error**) =
        &line_sender_opts_token_y;
    bool (*p_opts_tls_roots)(line_sender_opts*, line_sender_utf8, line_sender_error**) =
        &line_sender_opts_tls_roots;
    bool (*p_opts_user_agent)(line_sender_opts*, line_sender_utf8, line_sender_error**) =
        &line_sender_opts_user_agent;
    bool (*p_opts_protocol_version)(line_sender_opts*, line_sender_protocol_version, line_sender_error**) =
        &line_sender_opts_protocol_version;
    bool (*p_opts_auth_timeout)(line_sender_opts*, uint64_t, line_sender_error**) =
        &line_sender_opts_auth_timeout;
    bool (*p_opts_tls_verify)(line_sender_opts*, bool, line_sender_error**) =
        &line_sender_opts_tls_verify;
    bool (*p_opts_tls_ca)(line_sender_opts*, line_sender_ca, line_sender_error**) =
        &line_sender_opts_tls_ca;
    bool (*p_opts_max_buf_size)(line_sender_opts*, size_t, line_sender_error**) =
        &line_sender_opts_max_buf_size;
    bool (*p_opts_max_name_len)(line_sender_opts*, size_t, line_sender_error**) =
        &line_sender_opts_max_name_len;
    bool (*p_opts_retry_timeout)(line_sender_opts*, uint64_t, line_sender_error**) =
        &line_sender_opts_retry_timeout;
    bool (*p_opts_request_min_throughput)(line_sender_opts*, uint64_t, line_sender_error**) =
        &line_sender_opts_request_min_throughput;
    bool (*p_opts_request_timeout)(line_sender_opts*, uint64_t, line_sender_error**) =
        &line_sender_opts_request_timeout;
    line_sender_opts* (*p_opts_clone)(line_sender_opts*) =
        &line_sender_opts_clone;
    void (*p_opts_free)(line_sender_opts*) =
        &line_sender_opts_free;
    line_sender* (*p_build)(const line_sender_opts*, line_sender_error**) =
        &line_sender_build;
    line_sender* (*p_from_conf)(line_sender_utf8, line_sender_error**) =
        &line_sender_from_conf;
    line_sender* (*p_from_env)(line_sender_error**) =
        &line_sender_from_env;
    line_sender_protocol_version (*p_get_protocol_version)(const line_sender*) =
        &line_sender_get_protocol_version;
    size_t (*p_get_max_name_len)(const line_sender*) =
        &line_sender_get_max_name_len;
    line_sender_buffer* (*p_buffer_new_for_sender)(const line_sender*) =
        &line_sender_buffer_new_for_sender;
    bool (*p_must_close)(const line_sender*) =
        &line_sender_must_close;
    void (*p_close)(line_sender*) =
        &line_sender_close;
    bool (*p_flush)(line_sender*, line_sender_buffer*, line_sender_error**) =
        &line_sender_flush;
    bool (*p_flush_and_keep)(line_sender*, const line_sender_buffer*, line_sender_error**) =
        &line_sender_flush_and_keep;
    bool (*p_flush_and_keep_with_flags)(line_sender*, line_sender_buffer*, bool, line_sender_error**) =
        &line_sender_flush_and_keep_with_flags;

    /* Clock */
    int64_t (*p_now_nanos)(void) = &line_sender_now_nanos;
    int64_t (*p_now_micros)(void) = &line_sender_now_micros;

    field_types();

    CHECK(p_opts_from_conf != NULL);
    CHECK(p_opts_from_env != NULL);
    CHECK(p_opts_new != NULL);
    CHECK(p_opts_new_service != NULL);
    CHECK(p_opts_bind_interface != NULL);
    CHECK(p_opts_username != NULL);
    CHECK(p_opts_password != NULL);
    CHECK(p_opts_token != NULL);
    CHECK(p_opts_token_x != NULL);
    CHECK(p_opts_token_y != NULL);
    CHECK(p_opts_tls_roots != NULL);
    CHECK(p_opts_user_agent != NULL);
    CHECK(p_opts_protocol_version != NULL);
    CHECK(p_opts_auth_timeout != NULL);
    CHECK(p_opts_tls_verify != NULL);
    CHECK(p_opts_tls_ca != NULL);
    CHECK(p_opts_max_buf_size != NULL);
    CHECK(p_opts_max_name_len != NULL);
    CHECK(p_opts_retry_timeout != NULL);
    CHECK(p_opts_request_min_throughput != NULL);
    CHECK(p_opts_request_timeout != NULL);
    CHECK(p_opts_clone != NULL);
    CHECK(p_opts_free != NULL);
    CHECK(p_build != NULL);
    CHECK(p_from_conf != NULL);
    CHECK(p_from_env != NULL);
    CHECK(p_get_protocol_version != NULL);
    CHECK(p_get_max_name_len != NULL);
    CHECK(p_buffer_new_for_sender != NULL);
    CHECK(p_must_close != NULL);
    CHECK(p_close != NULL);
    CHECK(p_flush != NULL);
    CHECK(p_flush_and_keep != NULL);
    CHECK(p_flush_and_keep_with_flags != NULL);
    CHECK(p_err_get_code != NULL);
    CHECK(p_err_msg != NULL);
    CHECK(p_err_free != NULL);
    CHECK(p_utf8_init != NULL);
    CHECK(p_utf8_assert != NULL);
    CHECK(p_table_name_init != NULL);
    CHECK(p_table_name_assert != NULL);
    CHECK(p_column_name_init != NULL);
    CHECK(p_column_name_assert != NULL);
    CHECK(p_new != NULL);
    CHECK(p_with_max_name_len != NULL);
    CHECK(p_free != NULL);
    CHECK(p_clone != NULL);
    CHECK(p_reserve != NULL);
    CHECK(p_capacity != NULL);
    CHECK(p_set_marker != NULL);
    CHECK(p_rewind_to_marker != NULL);
    CHECK(p_clear_marker != NULL);
    CHECK(p_clear != NULL);
    CHECK(p_size != NULL);
    CHECK(p_row_count != NULL);
    CHECK(p_transactional != NULL);
    CHECK(p_peek != NULL);
    CHECK(p_table != NULL);
    CHECK(p_symbol != NULL);
    CHECK(p_column_bool != NULL);
    CHECK(p_column_i64 != NULL);
    CHECK(p_column_f64 != NULL);
    CHECK(p_column_str != NULL);
    CHECK(p_column_dec_str != NULL);
    CHECK(p_column_dec != NULL);
    CHECK(p_arr_c_major != NULL);
    CHECK(p_arr_byte_strides != NULL);
    CHECK(p_arr_elem_strides != NULL);
    CHECK(p_ts_nanos != NULL);
    CHECK(p_ts_micros != NULL);
    CHECK(p_at_nanos != NULL);
    CHECK(p_at_micros != NULL);
    CHECK(p_at_now != NULL);
    CHECK(p_check_can_flush != NULL);
    CHECK(p_now_nanos != NULL);
    CHECK(p_now_micros != NULL);
    return 0;
}
