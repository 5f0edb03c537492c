/* The sender and options C API against in-process mock servers: what goes on
 * the wire, what comes back as errors, and that failures keep the buffer. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "check.h"
#include "rows.h"
#include "mock_server.h"

#include <stdlib.h>

static char conf_text[256];

static line_sender_utf8 conf_for(const char* fmt, uint16_t port)
{
    snprintf(conf_text, sizeof conf_text, fmt, (unsigned)port);
    return u8(conf_text);
}

static void add_row_of(line_sender_buffer* b, const char* table)
{
    OK(line_sender_buffer_table(b, tbl(table), &err));
    OK(line_sender_buffer_column_bool(b, col("ok"), true, &err));
    OK(line_sender_buffer_at_nanos(b, 1, &err));
}

static void expect_received(const mock_server* m, const char* exp, size_t n)
{
    if (m->received_len != n || memcmp(m->received, exp, n) != 0) {
        dump("expected", (const uint8_t*)exp, n);
        dump("received", (const uint8_t*)m->received, m->received_len);
        fprintf(stderr, "connections accepted: %d\n", m->connections);
        CHECK(false);
    }
}

static void test_tcp_from_conf_sends_the_buffer_bytes(void)
{
    mock_server* m = mock_start(MOCK_TCP, NULL, 0);
    line_sender* s;
    line_sender_buffer* b;
    mock_serve(m);
    s = line_sender_from_conf(conf_for("tcp::addr=127.0.0.1:%u;", m->port), &err);
    CHECK(s != NULL);
    CHECK(line_sender_get_protocol_version(s) == line_sender_protocol_version_1);
    CHECK(line_sender_get_max_name_len(s) == 127);
    CHECK(!line_sender_must_close(s));
    b = line_sender_buffer_new_for_sender(s);
    add_rows(b);
    EXPECT_BYTES(b, V1_ROWS);
    OK(line_sender_flush(s, b, &err));
    CHECK(line_sender_buffer_size(b) == 0);
    OK(line_sender_flush(s, b, &err)); /* empty: a no-op success */
    line_sender_buffer_free(b);
    line_sender_close(s);
    mock_stop(m);
    expect_received(m, V1_ROWS, sizeof V1_ROWS - 1);
    mock_free(m);
}

static void test_tcp_from_opts_checks_before_sending(void)
{
    mock_server* m = mock_start(MOCK_TCP, NULL, 0);
    line_sender_opts* opts;
    line_sender_opts* copy;
    line_sender* s;
    line_sender_buffer* b;
    size_t kept;
    mock_serve(m);
    opts = line_sender_opts_new(line_sender_protocol_tcp, u8("127.0.0.1"), m->port);
    CHECK(opts != NULL);
    OK(line_sender_opts_protocol_version(opts, line_sender_protocol_version_2, &err));
    OK(line_sender_opts_max_buf_size(opts, 1024, &err));
    OK(line_sender_opts_bind_interface(opts, u8("127.0.0.1"), &err));
    EXPECT_ERR(line_sender_opts_retry_timeout(opts, 5, &err),
               line_sender_error_config_error, "retry_timeout");
    EXPECT_ERR(line_sender_opts_max_buf_size(opts, 4096, &err),
               line_sender_error_config_error, "already specified");
    EXPECT_ERR(line_sender_opts_max_name_len(opts, 3, &err),
               line_sender_error_config_error, "max_name_len");
    copy = line_sender_opts_clone(opts);
    line_sender_opts_free(opts);
    s = line_sender_build(copy, &err); /* failed setters changed nothing */
    CHECK(s != NULL);
    line_sender_opts_free(copy);
    CHECK(line_sender_get_protocol_version(s) == line_sender_protocol_version_2);

    b = line_sender_buffer_new_for_sender(s);
    add_row_of(b, "t");
    OK(line_sender_flush_and_keep(s, b, &err));
    kept = line_sender_buffer_size(b);
    CHECK(kept > 0);
    EXPECT_ERR(line_sender_flush_and_keep_with_flags(s, b, true, &err),
               line_sender_error_invalid_api_call, "not supported for ILP over TCP");
    while (line_sender_buffer_size(b) <= 1024)
        add_row_of(b, "t");
    kept = line_sender_buffer_size(b);
    EXPECT_ERR(line_sender_flush(s, b, &err), line_sender_error_invalid_api_call,
               "exceeds maximum configured allowed size of 1024 bytes");
    CHECK(line_sender_buffer_size(b) == kept);
    line_sender_buffer_free(b);

    b = line_sender_buffer_new(line_sender_protocol_version_1);
    add_row_of(b, "t");
    EXPECT_ERR(line_sender_flush(s, b, &err), line_sender_error_protocol_version_error,
               "protocol version");
    line_sender_buffer_free(b);
    line_sender_close(s);
    mock_stop(m);
    CHECK(m->received_len > 0 && m->received[0] == 't');
    mock_free(m);
}

static const char QUESTDB_ERROR[] =
    "{\"code\":\"invalid\",\"message\":\"failed to parse line protocol\","
    "\"line\":1,\"errorId\":\"9b1d-42\"}";

static void test_http_error_keeps_the_buffer_and_retry_sends_it(void)
{
    mock_reply replies[] = {
        {400, "application/json; charset=utf-8", QUESTDB_ERROR},
        {204, NULL, NULL},
    };
    mock_server* m = mock_start(MOCK_HTTP, replies, 2);
    line_sender* s;
    line_sender_buffer* b;
    mock_serve(m);
    s = line_sender_from_conf(
        conf_for("http::addr=127.0.0.1:%u;protocol_version=1;retry_timeout=0;", m->port),
        &err);
    CHECK(s != NULL);
    b = line_sender_buffer_new_for_sender(s);
    add_rows(b);
    EXPECT_ERR(line_sender_flush(s, b, &err), line_sender_error_server_flush_error,
               "Could not flush buffer: failed to parse line protocol "
               "[id: 9b1d-42, code: invalid, line: 1]");
    EXPECT_BYTES(b, V1_ROWS);
    OK(line_sender_flush(s, b, &err));
    CHECK(line_sender_buffer_size(b) == 0);
    line_sender_buffer_free(b);
    line_sender_close(s);
    mock_stop(m);
    CHECK(m->posts == 2);
    CHECK(m->settings_requests == 0);
    CHECK(strcmp(m->last_request_line, "POST /write?precision=n HTTP/1.1") == 0);
    CHECK(m->received_len == 2 * (sizeof V1_ROWS - 1));
    CHECK(memcmp(m->received + sizeof V1_ROWS - 1, V1_ROWS, sizeof V1_ROWS - 1) == 0);
    mock_free(m);
}

static void test_http_transactional_and_auth(void)
{
    mock_reply replies[] = {{401, "text/plain", "bad creds"}};
    mock_server* m = mock_start(MOCK_HTTP, replies, 1);
    line_sender* s;
    line_sender_buffer* b;
    mock_serve(m);
    s = line_sender_from_conf(
        conf_for("http::addr=127.0.0.1:%u;protocol_version=1;retry_timeout=0;"
                 "username=u;password=p;", m->port),
        &err);
    CHECK(s != NULL);
    b = line_sender_buffer_new_for_sender(s);
    add_row_of(b, "a");
    add_row_of(b, "b");
    EXPECT_ERR(line_sender_flush_and_keep_with_flags(s, b, true, &err),
               line_sender_error_invalid_api_call, "multiple tables");
    EXPECT_ERR(line_sender_flush_and_keep_with_flags(s, b, false, &err),
               line_sender_error_auth_error, "bad creds [code: 401]");
    line_sender_buffer_clear(b);
    add_row_of(b, "a");
    OK(line_sender_flush_and_keep_with_flags(s, b, true, &err));
    CHECK(line_sender_buffer_size(b) > 0);
    line_sender_buffer_free(b);
    line_sender_close(s);
    mock_stop(m);
    CHECK(m->posts == 2);
    CHECK(strcmp(m->last_authorization, "Basic dTpw") == 0);
    mock_free(m);
}

static void test_http_detects_version_and_name_length(void)
{
    mock_server* m = mock_start(MOCK_HTTP, NULL, 0);
    line_sender* s;
    line_sender_buffer* b;
    m->settings.status = 200;
    m->settings.content_type = "application/json";
    m->settings.body =
        "{\"config\":{\"line.proto.support.versions\":[1,2],"
        "\"cairo.max.file.name.length\":64}}";
    mock_serve(m);
    s = line_sender_from_conf(conf_for("http::addr=127.0.0.1:%u;", m->port), &err);
    CHECK(s != NULL);
    CHECK(line_sender_get_protocol_version(s) == line_sender_protocol_version_2);
    CHECK(line_sender_get_max_name_len(s) == 64);
    b = line_sender_buffer_new_for_sender(s);
    add_row_of(b, "t");
    OK(line_sender_flush(s, b, &err));
    line_sender_buffer_free(b);
    line_sender_close(s);
    mock_stop(m);
    CHECK(m->settings_requests == 1);
    CHECK(m->posts == 1);
    mock_free(m);
}

static void test_from_env(void)
{
    mock_server* m = mock_start(MOCK_TCP, NULL, 0);
    line_sender* s;
    mock_serve(m);
    snprintf(conf_text, sizeof conf_text, "tcp::addr=127.0.0.1:%u;", (unsigned)m->port);
    CHECK(setenv("QDB_CLIENT_CONF", conf_text, 1) == 0);
    s = line_sender_from_env(&err);
    CHECK(s != NULL);
    line_sender_close(s);
    CHECK(unsetenv("QDB_CLIENT_CONF") == 0);
    err = NULL;
    CHECK(line_sender_from_env(&err) == NULL);
    CHECK(line_sender_error_get_code(err) == line_sender_error_config_error);
    CHECK(msg_contains(err, "QDB_CLIENT_CONF"));
    line_sender_error_free(err);
    err = NULL;
    CHECK(line_sender_opts_from_env(&err) == NULL);
    CHECK(line_sender_error_get_code(err) == line_sender_error_config_error);
    line_sender_error_free(err);
    mock_stop(m);
    mock_free(m);
}

static void test_bad_calls_fail_cleanly(void)
{
    line_sender_buffer* b = line_sender_buffer_new(line_sender_protocol_version_1);
    mock_server* closed = mock_start(MOCK_TCP, NULL, 0);
    uint16_t closed_port = closed->port;
    close(closed->listen_fd); /* nothing listens there any more */
    mock_free(closed);

    err = NULL;
    CHECK(line_sender_from_conf(u8("bogus::addr=x;"), &err) == NULL);
    CHECK(line_sender_error_get_code(err) == line_sender_error_config_error);
    CHECK(msg_contains(err, "bogus"));
    line_sender_error_free(err);
    err = NULL;
    CHECK(line_sender_opts_from_conf(u8("tcp::addr=x;retry_timeout=1;"), &err) == NULL);
    CHECK(line_sender_error_get_code(err) == line_sender_error_config_error);
    line_sender_error_free(err);
    err = NULL;
    CHECK(line_sender_from_conf(conf_for("tcp::addr=127.0.0.1:%u;", closed_port), &err) == NULL);
    CHECK(line_sender_error_get_code(err) == line_sender_error_socket_error);
    CHECK(msg_contains(err, "127.0.0.1"));
    line_sender_error_free(err);
    err = NULL;
    CHECK(line_sender_build(NULL, &err) == NULL);
    CHECK(line_sender_error_get_code(err) == line_sender_error_invalid_api_call);
    line_sender_error_free(err);
    CHECK(line_sender_from_conf(u8("tcp::"), NULL) == NULL); /* NULL err_out is fine */

    add_row_of(b, "t");
    EXPECT_ERR(line_sender_flush(NULL, b, &err), line_sender_error_invalid_api_call, "NULL");
    EXPECT_ERR(line_sender_flush_and_keep(NULL, b, &err), line_sender_error_invalid_api_call,
               "NULL");
    EXPECT_ERR(line_sender_opts_username(NULL, u8("u"), &err),
               line_sender_error_invalid_api_call, "NULL");
    CHECK(line_sender_must_close(NULL));
    CHECK(line_sender_buffer_new_for_sender(NULL) == NULL);
    CHECK(line_sender_opts_clone(NULL) == NULL);
    line_sender_close(NULL);
    line_sender_opts_free(NULL);
    line_sender_buffer_free(b);
}

int main(void)
{
    test_tcp_from_conf_sends_the_buffer_bytes();
    test_tcp_from_opts_checks_before_sending();
    test_http_error_keeps_the_buffer_and_retry_sends_it();
    test_http_transactional_and_auth();
    test_http_detects_version_and_name_length();
    test_from_env();
    test_bad_calls_fail_cleanly();
    printf("test_sender: all checks passed\n");
    return 0;
}
