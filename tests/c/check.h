/* Checks shared by the C tests: each failed check prints where and exits 1. */
#ifndef QDB_TEST_CHECK_H
#define QDB_TEST_CHECK_H
#include <questdb/ingress/line_sender.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(expr)                                                          \
    do {                                                                     \
        if (!(expr)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #expr);                                                  \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

static line_sender_error* err = NULL;

static inline bool msg_contains(const line_sender_error* e, const char* frag)
{
    size_t len = 0;
    const char* msg = line_sender_error_msg(e, &len);
    size_t flen = strlen(frag);
    size_t i;
    if (msg == NULL)
        return false;
    for (i = 0; i + flen <= len; ++i)
        if (memcmp(msg + i, frag, flen) == 0)
            return true;
    fprintf(stderr, "error message \"%.*s\" lacks \"%s\"\n", (int)len, msg,
            frag);
    return false;
}

/* The call must fail with `code` and a message containing `frag`. */
#define EXPECT_ERR(call, code, frag)                                         \
    do {                                                                     \
        err = NULL;                                                          \
        CHECK(!(call));                                                      \
        CHECK(err != NULL);                                                  \
        CHECK(line_sender_error_get_code(err) == (code));                    \
        CHECK(msg_contains(err, (frag)));                                    \
        line_sender_error_free(err);                                         \
        err = NULL;                                                          \
    } while (0)

#define OK(call)                                                             \
    do {                                                                     \
        err = NULL;                                                          \
        if (!(call)) {                                                       \
            size_t l_ = 0;                                                   \
            const char* m_ = err ? line_sender_error_msg(err, &l_) : "";     \
            fprintf(stderr, "%s:%d: call failed: %s: %.*s\n", __FILE__,      \
                    __LINE__, #call, (int)l_, m_);                           \
            exit(1);                                                         \
        }                                                                    \
        CHECK(err == NULL);                                                  \
    } while (0)

static inline void dump(const char* what, const uint8_t* p, size_t n)
{
    size_t i;
    fprintf(stderr, "%s (%zu bytes):", what, n);
    for (i = 0; i < n; ++i) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            fprintf(stderr, "%c", p[i]);
        else
            fprintf(stderr, "\\x%02x", p[i]);
    }
    fprintf(stderr, "\n");
}

static inline bool bytes_eq(const line_sender_buffer* b, const char* exp, size_t n)
{
    line_sender_buffer_view v = line_sender_buffer_peek(b);
    if (line_sender_buffer_size(b) == n && v.len == n &&
        (n == 0 || memcmp(v.buf, exp, n) == 0))
        return true;
    dump("expected", (const uint8_t*)exp, n);
    dump("actual  ", v.buf, v.len);
    return false;
}

/* For string literals (may contain NUL bytes). */
#define EXPECT_BYTES(b, lit) CHECK(bytes_eq((b), (lit), sizeof(lit) - 1))

static inline line_sender_column_name col(const char* s)
{
    line_sender_column_name c;
    OK(line_sender_column_name_init(&c, strlen(s), s, &err));
    return c;
}

static inline line_sender_table_name tbl(const char* s)
{
    line_sender_table_name t;
    OK(line_sender_table_name_init(&t, strlen(s), s, &err));
    return t;
}

static inline line_sender_utf8 u8(const char* s)
{
    line_sender_utf8 u;
    OK(line_sender_utf8_init(&u, strlen(s), s, &err));
    return u;
}

#endif
