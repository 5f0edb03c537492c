/* TLS (tcps, https), TCP ECDSA authentication and their options, through the
 * C API only, against the `tls_sink` example program: a one-connection TLS
 * server with a throw-away CA that prints what it decrypted (see
 * tests/support/tls_sink.rs). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "check.h"
#include "rows.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef QDB_TLS_SINK
#error "QDB_TLS_SINK must be the path of the built tls_sink example"
#endif

/* The sample key set of the official examples (test credentials only). */
#define KID "admin"
#define KEY_D "5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48"
#define KEY_X "fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU"
#define KEY_Y "Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac"
/* The public half of another valid P-256 key: not the pair of KEY_D. */
#define OTHER_X "Wax-zlGXhZsmqMsi5-fCxSkSEGUw8g0nEmP7281SqOQ"
#define OTHER_Y "lfCMtfBWES3r0Y9qY3i-AN3X_BaVEgiuMPS7P3TxJ94"

static char dir[64];
static char ca_path[128];

typedef struct sink {
    FILE* out;
    uint16_t port;
} sink;

/* One line of the sink's output, without its '\n'. */
static void sink_line(sink* s, char* line, size_t size)
{
    size_t n;
    CHECK(fgets(line, (int)size, s->out) != NULL);
    n = strlen(line);
    CHECK(n > 0 && line[n - 1] == '\n');
    line[n - 1] = '\0';
}

/* Starts `tls_sink <dir> <args>`; it has written <dir>/ca.pem once it
 * prints its port. */
static sink sink_start(const char* args)
{
    sink s;
    char cmd[1024];
    char line[64];
    unsigned port = 0;
    snprintf(cmd, sizeof cmd, "'%s' '%s' %s", QDB_TLS_SINK, dir, args);
    s.out = popen(cmd, "r");
    CHECK(s.out != NULL);
    s.port = 0;
    sink_line(&s, line, sizeof line);
    CHECK(sscanf(line, "PORT %u", &port) == 1);
    CHECK(port > 0 && port < 65536);
    s.port = (uint16_t)port;
    return s;
}

/* The next `BYTES <n>` record must hold exactly `exp`. */
static void sink_expect_bytes(sink* s, const char* exp, size_t n)
{
    char line[64];
    unsigned long len = 0;
    char* got;
    sink_line(s, line, sizeof line);
    if (sscanf(line, "BYTES %lu", &len) != 1) {
        fprintf(stderr, "sink said \"%s\", not BYTES\n", line);
        CHECK(false);
    }
    got = (char*)malloc(len + 1);
    CHECK(got != NULL);
    CHECK(fread(got, 1, len, s->out) == len);
    if (len != n || memcmp(got, exp, n) != 0) {
        dump("sent    ", (const uint8_t*)exp, n);
        dump("received", (const uint8_t*)got, len);
        CHECK(false);
    }
    free(got);
}

/* The next line must start with `prefix`. */
static void sink_expect_line(sink* s, const char* prefix)
{
    char line[1024];
    sink_line(s, line, sizeof line);
    if (strncmp(line, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "sink said \"%s\", expected \"%s...\"\n", line, prefix);
        CHECK(false);
    }
}

/* The sink must have nothing more to say and exit 0. */
static void sink_finish(sink* s)
{
    int status;
    char extra[256];
    size_t n = fread(extra, 1, sizeof extra, s->out);
    if (n != 0)
        dump("unexpected sink output", (const uint8_t*)extra, n);
    CHECK(n == 0);
    status = pclose(s->out);
    CHECK(status != -1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Adds the two rows, checks them, flushes (which clears the buffer). */
static void send_rows(line_sender* s)
{
    line_sender_buffer* b = line_sender_buffer_new_for_sender(s);
    CHECK(b != NULL);
    add_rows(b);
    EXPECT_BYTES(b, V1_ROWS);
    OK(line_sender_flush(s, b, &err));
    CHECK(line_sender_buffer_size(b) == 0);
    line_sender_buffer_free(b);
}

static line_sender_opts* opts_for(line_sender_protocol protocol, uint16_t port)
{
    line_sender_opts* opts = line_sender_opts_new(protocol, u8("127.0.0.1"), port);
    CHECK(opts != NULL);
    return opts;
}

static void set_ecdsa(line_sender_opts* opts, const char* d, const char* x, const char* y)
{
    OK(line_sender_opts_username(opts, u8(KID), &err));
    OK(line_sender_opts_token(opts, u8(d), &err));
    OK(line_sender_opts_token_x(opts, u8(x), &err));
    OK(line_sender_opts_token_y(opts, u8(y), &err));
}

/* Builds a sender from `opts` (then frees them), sends the rows, closes. */
static void build_send_close(line_sender_opts* opts)
{
    line_sender* s = line_sender_build(opts, &err);
    if (s == NULL) {
        size_t l = 0;
        const char* m = line_sender_error_msg(err, &l);
        fprintf(stderr, "build failed: %.*s\n", (int)l, m);
        CHECK(false);
    }
    line_sender_opts_free(opts);
    CHECK(line_sender_get_protocol_version(s) == line_sender_protocol_version_1);
    CHECK(!line_sender_must_close(s));
    send_rows(s);
    line_sender_close(s);
}

/* (a) tcps trusting only the sink's CA: the sink decrypts the buffer bytes. */
static void test_tcps_with_tls_roots(void)
{
    sink k = sink_start("");
    line_sender_opts* opts = opts_for(line_sender_protocol_tcps, k.port);
    OK(line_sender_opts_tls_roots(opts, u8(ca_path), &err));
    build_send_close(opts);
    sink_expect_bytes(&k, V1_ROWS, sizeof V1_ROWS - 1);
    sink_finish(&k);
}

/* (a) the same from a config string, by host name (the certificate names
 * both localhost and 127.0.0.1). */
static void test_tcps_from_conf_by_name(void)
{
    sink k = sink_start("");
    char conf[512];
    line_sender* s;
    snprintf(conf, sizeof conf, "tcps::addr=localhost:%u;tls_roots=%s;tls_verify=on;",
             (unsigned)k.port, ca_path);
    s = line_sender_from_conf(u8(conf), &err);
    CHECK(s != NULL);
    send_rows(s);
    line_sender_close(s);
    sink_expect_bytes(&k, V1_ROWS, sizeof V1_ROWS - 1);
    sink_finish(&k);
}

/* tls_verify off: the unknown CA is accepted (testing only). */
static void test_tcps_without_verification(void)
{
    sink k = sink_start("");
    line_sender_opts* opts = opts_for(line_sender_protocol_tcps, k.port);
    OK(line_sender_opts_tls_verify(opts, false, &err));
    OK(line_sender_opts_tls_verify(opts, false, &err)); /* same value again: fine */
    build_send_close(opts);
    sink_expect_bytes(&k, V1_ROWS, sizeof V1_ROWS - 1);
    sink_finish(&k);
}

/* (b) tcps + ECDSA: the sink checks the signature of its challenge. */
static void test_tcps_with_ecdsa(void)
{
    sink k = sink_start("--ecdsa " KEY_X " " KEY_Y);
    line_sender_opts* opts = opts_for(line_sender_protocol_tcps, k.port);
    OK(line_sender_opts_tls_roots(opts, u8(ca_path), &err));
    OK(line_sender_opts_auth_timeout(opts, 10000, &err));
    set_ecdsa(opts, KEY_D, KEY_X, KEY_Y);
    build_send_close(opts);
    sink_expect_bytes(&k, V1_ROWS, sizeof V1_ROWS - 1);
    sink_finish(&k);
}

/* ECDSA over plain TCP (no TLS): the same challenge, in clear. */
static void test_tcp_with_ecdsa(void)
{
    sink k = sink_start("--plain --ecdsa " KEY_X " " KEY_Y);
    line_sender_opts* opts = opts_for(line_sender_protocol_tcp, k.port);
    set_ecdsa(opts, KEY_D, KEY_X, KEY_Y);
    build_send_close(opts);
    sink_expect_bytes(&k, V1_ROWS, sizeof V1_ROWS - 1);
    sink_finish(&k);
}

/* (b) a server that knows another public key for the key id rejects the
 * signature; the client cannot tell until it writes, so build succeeds. */
static void test_tcps_ecdsa_rejected_by_the_server(void)
{
    sink k = sink_start("--ecdsa " OTHER_X " " OTHER_Y);
    line_sender_opts* opts = opts_for(line_sender_protocol_tcps, k.port);
    line_sender* s;
    OK(line_sender_opts_tls_roots(opts, u8(ca_path), &err));
    set_ecdsa(opts, KEY_D, KEY_X, KEY_Y);
    s = line_sender_build(opts, &err);
    CHECK(s != NULL);
    line_sender_opts_free(opts);
    sink_expect_line(&k, "AUTH FAILED");
    line_sender_close(s);
    sink_finish(&k);
}

/* (c) https trusting the sink's CA, protocol version 1 (no /settings): two
 * flushes, two POSTs on the one keep-alive connection the sink accepts. */
static void test_https_with_tls_roots(void)
{
    sink k = sink_start("--http");
    line_sender_opts* opts = opts_for(line_sender_protocol_https, k.port);
    line_sender* s;
    OK(line_sender_opts_tls_roots(opts, u8(ca_path), &err));
    OK(line_sender_opts_protocol_version(opts, line_sender_protocol_version_1, &err));
    OK(line_sender_opts_retry_timeout(opts, 0, &err));
    s = line_sender_build(opts, &err);
    CHECK(s != NULL);
    line_sender_opts_free(opts);
    CHECK(line_sender_get_protocol_version(s) == line_sender_protocol_version_1);
    send_rows(s);
    sink_expect_bytes(&k, V1_ROWS, sizeof V1_ROWS - 1);
    send_rows(s);
    sink_expect_bytes(&k, V1_ROWS, sizeof V1_ROWS - 1);
    line_sender_close(s);
    sink_finish(&k);
}

/* https with version detection: the sink answers /settings with 404, which
 * means protocol version 1. */
static void test_https_detects_version_1(void)
{
    sink k = sink_start("--http");
    char conf[512];
    line_sender* s;
    snprintf(conf, sizeof conf, "https::addr=127.0.0.1:%u;tls_roots=%s;retry_timeout=0;",
             (unsigned)k.port, ca_path);
    s = line_sender_from_conf(u8(conf), &err);
    CHECK(s != NULL);
    CHECK(line_sender_get_protocol_version(s) == line_sender_protocol_version_1);
    send_rows(s);
    sink_expect_bytes(&k, V1_ROWS, sizeof V1_ROWS - 1);
    line_sender_close(s);
    sink_finish(&k);
}

/* (d) the sink's CA is in no public root store. */
static void test_unknown_ca_is_a_tls_error(void)
{
    sink k = sink_start("");
    line_sender_opts* opts = opts_for(line_sender_protocol_tcps, k.port);
    OK(line_sender_opts_tls_ca(opts, line_sender_ca_webpki_roots, &err));
    EXPECT_ERR(line_sender_build(opts, &err) != NULL, line_sender_error_tls_error,
               "certificate");
    line_sender_opts_free(opts);
    sink_expect_line(&k, "TLS FAILED");
    sink_finish(&k);

    /* The default roots (webpki and OS) do not have it either. */
    k = sink_start("");
    opts = opts_for(line_sender_protocol_tcps, k.port);
    EXPECT_ERR(line_sender_build(opts, &err) != NULL, line_sender_error_tls_error,
               "certificate");
    line_sender_opts_free(opts);
    sink_expect_line(&k, "TLS FAILED");
    sink_finish(&k);
}

/* (d) over https the handshake happens at the first request. */
static void test_https_unknown_ca_is_a_tls_error(void)
{
    sink k = sink_start("--http");
    line_sender_opts* opts = opts_for(line_sender_protocol_https, k.port);
    line_sender* s;
    line_sender_buffer* b;
    OK(line_sender_opts_tls_ca(opts, line_sender_ca_webpki_roots, &err));
    OK(line_sender_opts_protocol_version(opts, line_sender_protocol_version_1, &err));
    OK(line_sender_opts_retry_timeout(opts, 0, &err));
    s = line_sender_build(opts, &err);
    CHECK(s != NULL);
    line_sender_opts_free(opts);
    b = line_sender_buffer_new_for_sender(s);
    add_rows(b);
    EXPECT_ERR(line_sender_flush(s, b, &err), line_sender_error_tls_error, "certificate");
    EXPECT_BYTES(b, V1_ROWS); /* kept on error */
    line_sender_buffer_free(b);
    line_sender_close(s);
    sink_expect_line(&k, "TLS FAILED");
    sink_finish(&k);
}

/* A port that accepts connections (into the backlog) but never answers. */
static int silent_listener(uint16_t* port)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    CHECK(bind(fd, (struct sockaddr*)&a, sizeof a) == 0);
    CHECK(listen(fd, 8) == 0);
    CHECK(getsockname(fd, (struct sockaddr*)&a, &alen) == 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* The error of a build that must fail; its message must not show the
 * private key. Free it. */
static line_sender_error* build_error(const line_sender_opts* opts)
{
    size_t len = 0;
    const char* msg;
    char* copy;
    line_sender_error* e = NULL;
    CHECK(line_sender_build(opts, &e) == NULL);
    CHECK(e != NULL);
    msg = line_sender_error_msg(e, &len);
    copy = (char*)malloc(len + 1); /* msg is not NUL-terminated */
    CHECK(copy != NULL);
    memcpy(copy, msg, len);
    copy[len] = '\0';
    CHECK(strstr(copy, KEY_D) == NULL);
    CHECK(strstr(copy, "5UjEMuA0") == NULL);
    free(copy);
    return e;
}

static void expect_code(line_sender_error* e, line_sender_error_code code, const char* frag)
{
    size_t len = 0;
    const char* msg = line_sender_error_msg(e, &len);
    if (line_sender_error_get_code(e) != code)
        fprintf(stderr, "error %d: %.*s\n", (int)line_sender_error_get_code(e), (int)len, msg);
    CHECK(line_sender_error_get_code(e) == code);
    CHECK(msg_contains(e, frag));
}

/* The build must fail with `code` and `frag`, without showing the key. */
static void expect_build_err(const line_sender_opts* opts, line_sender_error_code code,
                             const char* frag)
{
    line_sender_error* e = build_error(opts);
    expect_code(e, code, frag);
    line_sender_error_free(e);
}

/* (e) each credential/TLS setter with good and bad values. A failed setter
 * changes nothing. */
static void test_setters(void)
{
    line_sender_opts* tcps = opts_for(line_sender_protocol_tcps, 1);
    line_sender_opts* tcp = opts_for(line_sender_protocol_tcp, 1);
    line_sender_opts* https = opts_for(line_sender_protocol_https, 1);
    line_sender_opts* copy;

    /* Strings: control characters, a different second value, NULL opts. */
    OK(line_sender_opts_username(tcps, u8(KID), &err));
    OK(line_sender_opts_username(tcps, u8(KID), &err)); /* same again: fine */
    EXPECT_ERR(line_sender_opts_username(tcps, u8("bob"), &err),
               line_sender_error_config_error, "\"username\" is already specified");
    EXPECT_ERR(line_sender_opts_username(tcp, u8("ad\nmin"), &err),
               line_sender_error_config_error, "username");
    EXPECT_ERR(line_sender_opts_username(NULL, u8(KID), &err),
               line_sender_error_invalid_api_call, "NULL");

    OK(line_sender_opts_password(https, u8("s3cr;et"), &err));
    EXPECT_ERR(line_sender_opts_password(https, u8("other"), &err),
               line_sender_error_config_error, "\"password\" is already specified");
    EXPECT_ERR(line_sender_opts_password(tcp, u8("pa\x01ss"), &err),
               line_sender_error_config_error, "password");
    EXPECT_ERR(line_sender_opts_password(NULL, u8("p"), &err),
               line_sender_error_invalid_api_call, "NULL");

    OK(line_sender_opts_token(tcps, u8(KEY_D), &err));
    EXPECT_ERR(line_sender_opts_token(tcps, u8(KEY_X), &err),
               line_sender_error_config_error, "\"token\" is already specified");
    EXPECT_ERR(line_sender_opts_token(tcp, u8("tok\nen"), &err),
               line_sender_error_config_error, "token");
    EXPECT_ERR(line_sender_opts_token(NULL, u8(KEY_D), &err),
               line_sender_error_invalid_api_call, "NULL");

    OK(line_sender_opts_token_x(tcps, u8(KEY_X), &err));
    EXPECT_ERR(line_sender_opts_token_x(tcps, u8(KEY_Y), &err),
               line_sender_error_config_error, "\"token_x\" is already specified");
    EXPECT_ERR(line_sender_opts_token_x(tcp, u8("x\ty"), &err),
               line_sender_error_config_error, "token_x");
    EXPECT_ERR(line_sender_opts_token_x(NULL, u8(KEY_X), &err),
               line_sender_error_invalid_api_call, "NULL");

    OK(line_sender_opts_token_y(tcps, u8(KEY_Y), &err));
    EXPECT_ERR(line_sender_opts_token_y(tcps, u8(KEY_X), &err),
               line_sender_error_config_error, "\"token_y\" is already specified");
    EXPECT_ERR(line_sender_opts_token_y(tcp, u8("y\x7f"), &err),
               line_sender_error_config_error, "token_y");
    EXPECT_ERR(line_sender_opts_token_y(NULL, u8(KEY_Y), &err),
               line_sender_error_invalid_api_call, "NULL");

    /* auth_timeout: milliseconds > 0 (ours: 0 is an error). */
    EXPECT_ERR(line_sender_opts_auth_timeout(tcps, 0, &err),
               line_sender_error_config_error, "auth_timeout");
    OK(line_sender_opts_auth_timeout(tcps, 2500, &err));
    OK(line_sender_opts_auth_timeout(tcps, 2500, &err));
    EXPECT_ERR(line_sender_opts_auth_timeout(tcps, 3000, &err),
               line_sender_error_config_error, "\"auth_timeout\" is already specified");
    OK(line_sender_opts_auth_timeout(https, 1000, &err)); /* applies to all */
    EXPECT_ERR(line_sender_opts_auth_timeout(NULL, 1, &err),
               line_sender_error_invalid_api_call, "NULL");

    /* TLS settings exist only for tcps/https. */
    EXPECT_ERR(line_sender_opts_tls_verify(tcp, true, &err),
               line_sender_error_config_error, "tls_verify");
    EXPECT_ERR(line_sender_opts_tls_ca(tcp, line_sender_ca_os_roots, &err),
               line_sender_error_config_error, "tls_ca");
    EXPECT_ERR(line_sender_opts_tls_roots(tcp, u8(ca_path), &err),
               line_sender_error_config_error, "tls_roots");
    EXPECT_ERR(line_sender_opts_tls_verify(NULL, true, &err),
               line_sender_error_invalid_api_call, "NULL");
    EXPECT_ERR(line_sender_opts_tls_ca(NULL, line_sender_ca_os_roots, &err),
               line_sender_error_invalid_api_call, "NULL");
    EXPECT_ERR(line_sender_opts_tls_roots(NULL, u8(ca_path), &err),
               line_sender_error_invalid_api_call, "NULL");

    OK(line_sender_opts_tls_verify(tcps, true, &err));
    EXPECT_ERR(line_sender_opts_tls_verify(tcps, false, &err),
               line_sender_error_config_error, "\"tls_verify\" is already specified");

    /* tls_roots: the file must be readable now; it implies tls_ca=pem_file. */
    EXPECT_ERR(line_sender_opts_tls_roots(tcps, u8("/nonexistent/ca.pem"), &err),
               line_sender_error_config_error, "/nonexistent/ca.pem");
    EXPECT_ERR(line_sender_opts_tls_roots(tcps, u8(dir), &err), /* a directory */
               line_sender_error_config_error, dir);
    OK(line_sender_opts_tls_roots(tcps, u8(ca_path), &err));
    OK(line_sender_opts_tls_ca(tcps, line_sender_ca_pem_file, &err));
    EXPECT_ERR(line_sender_opts_tls_ca(tcps, line_sender_ca_webpki_roots, &err),
               line_sender_error_config_error, "\"tls_ca\" is already specified");

    OK(line_sender_opts_tls_ca(https, line_sender_ca_webpki_and_os_roots, &err));
    EXPECT_ERR(line_sender_opts_tls_roots(https, u8(ca_path), &err),
               line_sender_error_config_error, "tls_ca");
    EXPECT_ERR(line_sender_opts_tls_ca(https, line_sender_ca_os_roots, &err),
               line_sender_error_config_error, "\"tls_ca\" is already specified");

    /* The failed calls left the options as the good calls made them. */
    copy = line_sender_opts_clone(tcps);
    CHECK(copy != NULL);
    line_sender_opts_free(copy);

    line_sender_opts_free(tcps);
    line_sender_opts_free(tcp);
    line_sender_opts_free(https);
}

/* Every os/webpki root choice builds a working TLS config; only the chosen
 * one is used. Over https nothing connects at build time with a version set. */
static void test_tls_ca_choices_build(void)
{
    line_sender_ca cas[] = {line_sender_ca_webpki_roots, line_sender_ca_webpki_and_os_roots};
    size_t i;
    for (i = 0; i < sizeof cas / sizeof cas[0]; ++i) {
        line_sender_opts* opts = opts_for(line_sender_protocol_https, 1);
        line_sender* s;
        OK(line_sender_opts_tls_ca(opts, cas[i], &err));
        OK(line_sender_opts_protocol_version(opts, line_sender_protocol_version_2, &err));
        s = line_sender_build(opts, &err);
        CHECK(s != NULL);
        line_sender_opts_free(opts);
        line_sender_close(s);
    }
    {
        /* pem_file without a file to read. */
        line_sender_opts* opts = opts_for(line_sender_protocol_https, 1);
        OK(line_sender_opts_tls_ca(opts, line_sender_ca_pem_file, &err));
        OK(line_sender_opts_protocol_version(opts, line_sender_protocol_version_2, &err));
        expect_build_err(opts, line_sender_error_config_error, "tls_roots");
        line_sender_opts_free(opts);
    }
}

/* (e) which credentials add up to an authentication, checked at build. */
static void test_auth_combinations(void)
{
    uint16_t port = 0;
    int fd = silent_listener(&port);
    line_sender_opts* opts;

    /* tcp: ECDSA needs all four of username, token, token_x, token_y. */
    opts = opts_for(line_sender_protocol_tcp, port);
    OK(line_sender_opts_username(opts, u8(KID), &err));
    OK(line_sender_opts_token(opts, u8(KEY_D), &err));
    expect_build_err(opts, line_sender_error_config_error, "token_x");
    expect_build_err(opts, line_sender_error_config_error, "token_y");
    OK(line_sender_opts_token_x(opts, u8(KEY_X), &err));
    expect_build_err(opts, line_sender_error_config_error, "token_y");
    line_sender_opts_free(opts);

    /* tcp: a token alone, or basic auth, is HTTP's. */
    opts = opts_for(line_sender_protocol_tcp, port);
    OK(line_sender_opts_token(opts, u8("bearer"), &err));
    expect_build_err(opts, line_sender_error_config_error, "HTTP");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_tcps, port);
    OK(line_sender_opts_username(opts, u8("u"), &err));
    OK(line_sender_opts_password(opts, u8("p"), &err));
    expect_build_err(opts, line_sender_error_config_error, "HTTP");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_tcp, port);
    set_ecdsa(opts, KEY_D, KEY_X, KEY_Y);
    OK(line_sender_opts_password(opts, u8("p"), &err));
    expect_build_err(opts, line_sender_error_config_error, "password");
    line_sender_opts_free(opts);

    /* http: ECDSA keys are TCP's. */
    opts = opts_for(line_sender_protocol_http, port);
    set_ecdsa(opts, KEY_D, KEY_X, KEY_Y);
    expect_build_err(opts, line_sender_error_config_error, "ECDSA");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_https, port);
    OK(line_sender_opts_token_x(opts, u8(KEY_X), &err));
    OK(line_sender_opts_token_y(opts, u8(KEY_Y), &err));
    expect_build_err(opts, line_sender_error_config_error, "token_x");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_http, port);
    OK(line_sender_opts_username(opts, u8("u"), &err));
    expect_build_err(opts, line_sender_error_config_error, "\"password\" is missing");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_http, port);
    OK(line_sender_opts_password(opts, u8("p"), &err));
    expect_build_err(opts, line_sender_error_config_error, "\"username\" is missing");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_http, port);
    OK(line_sender_opts_username(opts, u8("u"), &err));
    OK(line_sender_opts_token(opts, u8("t"), &err));
    expect_build_err(opts, line_sender_error_config_error, "token");
    line_sender_opts_free(opts);

    /* Bad key material is an auth_error, and never quoted back. */
    opts = opts_for(line_sender_protocol_tcp, port);
    OK(line_sender_opts_auth_timeout(opts, 2000, &err));
    set_ecdsa(opts, KEY_D, "fLKYEaoEb9lrn3nkwLDA+M/xnuFOdSt9y0Z7/vWSHLU=", KEY_Y);
    expect_build_err(opts, line_sender_error_auth_error, "public key x");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_tcp, port);
    OK(line_sender_opts_auth_timeout(opts, 2000, &err));
    set_ecdsa(opts, KEY_D, KEY_X, "Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac=");
    expect_build_err(opts, line_sender_error_auth_error, "public key y");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_tcp, port);
    OK(line_sender_opts_auth_timeout(opts, 2000, &err));
    set_ecdsa(opts, KEY_D "!", KEY_X, KEY_Y);
    expect_build_err(opts, line_sender_error_auth_error, "private");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_tcps, port);
    OK(line_sender_opts_auth_timeout(opts, 2000, &err));
    OK(line_sender_opts_tls_roots(opts, u8(ca_path), &err));
    set_ecdsa(opts, KEY_D, KEY_X "AAAA", KEY_Y); /* 35 bytes */
    expect_build_err(opts, line_sender_error_auth_error, "too long");
    line_sender_opts_free(opts);
    opts = opts_for(line_sender_protocol_tcp, port);
    OK(line_sender_opts_auth_timeout(opts, 2000, &err));
    set_ecdsa(opts, KEY_D, OTHER_X, OTHER_Y); /* a valid point, not d's */
    expect_build_err(opts, line_sender_error_auth_error, "Misconfigured ILP authentication keys");
    line_sender_opts_free(opts);

    close(fd);
}

/* A TCP server for the challenge step: accepts one connection, reads the
 * key id line, sends `reply` (NULL: nothing), then closes, or with `linger`
 * keeps the connection open in silence until the client goes away. */
typedef struct challenge_server {
    int listen_fd;
    uint16_t port;
    const char* reply;
    bool linger;
    char key_id[64];
    pthread_t thread;
} challenge_server;

static void* challenge_serve(void* arg)
{
    challenge_server* c = (challenge_server*)arg;
    size_t n = 0;
    char ch;
    int fd = accept(c->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    while (n + 1 < sizeof c->key_id && recv(fd, &ch, 1, 0) == 1 && ch != '\n')
        c->key_id[n++] = ch;
    c->key_id[n] = '\0';
    if (c->reply != NULL && send(fd, c->reply, strlen(c->reply), MSG_NOSIGNAL) < 0)
        perror("challenge_serve: send");
    if (c->linger)
        while (recv(fd, &ch, 1, 0) == 1) {
        }
    close(fd);
    return NULL;
}

/* The error of a build with the sample keys against a challenge_server. */
static line_sender_error* challenge_error(const char* reply, bool linger)
{
    challenge_server c;
    line_sender_opts* opts;
    line_sender_error* e;
    memset(&c, 0, sizeof c);
    c.listen_fd = silent_listener(&c.port);
    c.reply = reply;
    c.linger = linger;
    CHECK(pthread_create(&c.thread, NULL, challenge_serve, &c) == 0);
    opts = opts_for(line_sender_protocol_tcp, c.port);
    OK(line_sender_opts_auth_timeout(opts, 300, &err));
    set_ecdsa(opts, KEY_D, KEY_X, KEY_Y);
    e = build_error(opts);
    line_sender_opts_free(opts);
    CHECK(pthread_join(c.thread, NULL) == 0);
    close(c.listen_fd);
    CHECK(strcmp(c.key_id, KID) == 0);
    return e;
}

/* (e) a server that does not play the challenge (PROTOCOL.md 5.1 step 2). */
static void test_challenge_failures(void)
{
    line_sender_error* e;
    /* Closed without a word: not an authenticating server. */
    e = challenge_error(NULL, false);
    expect_code(e, line_sender_error_auth_error, "Did not receive auth challenge");
    line_sender_error_free(e);
    /* Silent until auth_timeout: the same auth_error (PROTOCOL.md 5.1). */
    e = challenge_error(NULL, true);
    expect_code(e, line_sender_error_auth_error, "No challenge arrived within auth_timeout");
    line_sender_error_free(e);
    /* Some bytes, then EOF before the newline. */
    e = challenge_error("abc", false);
    expect_code(e, line_sender_error_auth_error, "incomplete");
    line_sender_error_free(e);
}

int main(void)
{
    strcpy(dir, "/tmp/qdb_test_tls_XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);

    test_tcps_with_tls_roots();
    test_tcps_from_conf_by_name();
    test_tcps_without_verification();
    test_tcps_with_ecdsa();
    test_tcps_ecdsa_rejected_by_the_server();
    test_tcp_with_ecdsa();
    test_https_with_tls_roots();
    test_https_detects_version_1();
    test_unknown_ca_is_a_tls_error();
    test_https_unknown_ca_is_a_tls_error();
    test_setters(); /* needs ca.pem, which the sinks above wrote */
    test_tls_ca_choices_build();
    test_auth_combinations();
    test_challenge_failures();

    CHECK(unlink(ca_path) == 0);
    CHECK(rmdir(dir) == 0);
    printf("test_tls: all checks passed\n");
    return 0;
}
