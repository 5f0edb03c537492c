/* Builds two rows through the installed C API and checks the bytes. No server
 * needed. Exits 0 on success. */
#include <questdb/ingress/line_sender.h>

#include <stdio.h>
#include <string.h>

static const char expected[] =
    "trades,symbol=ETH-USD price=2615.54,amount=3i 1000000000\n"
    "trades,symbol=BTC-USD price=39269.98,amount=-1i 2000000000\n";

static int fail(const char* what, line_sender_error* err) {
    size_t len = 0;
    const char* msg = err ? line_sender_error_msg(err, &len) : "";
    fprintf(stderr, "%s failed: %.*s\n", what, (int)len, msg);
    line_sender_error_free(err);
    return 1;
}

int main(void) {
    line_sender_error* err = NULL;
    line_sender_buffer* buf = line_sender_buffer_new(line_sender_protocol_version_1);
    if (!buf)
        return fail("line_sender_buffer_new", NULL);
    const char* syms[] = {"ETH-USD", "BTC-USD"};
    const double prices[] = {2615.54, 39269.98};
    const int64_t amounts[] = {3, -1};
    for (int i = 0; i < 2; i++) {
        line_sender_utf8 sym;
        if (!line_sender_utf8_init(&sym, strlen(syms[i]), syms[i], &err))
            return fail("line_sender_utf8_init", err);
        if (!(line_sender_buffer_table(buf, QDB_TABLE_NAME_LITERAL("trades"), &err)
              && line_sender_buffer_symbol(buf, QDB_COLUMN_NAME_LITERAL("symbol"), sym, &err)
              && line_sender_buffer_column_f64(buf, QDB_COLUMN_NAME_LITERAL("price"), prices[i], &err)
              && line_sender_buffer_column_i64(buf, QDB_COLUMN_NAME_LITERAL("amount"), amounts[i], &err)
              && line_sender_buffer_at_nanos(buf, (int64_t)(i + 1) * 1000000000, &err))) {
            line_sender_buffer_free(buf);
            return fail("building a row", err);
        }
    }
    line_sender_buffer_view view = line_sender_buffer_peek(buf);
    int ok = view.len == sizeof(expected) - 1
             && memcmp(view.buf, expected, view.len) == 0
             && line_sender_buffer_row_count(buf) == 2;
    if (!ok)
        fprintf(stderr, "unexpected buffer (%zu bytes):\n%.*s", view.len, (int)view.len,
                (const char*)view.buf);
    line_sender_buffer_free(buf);
    if (ok)
        printf("c consumer: ok (%zu bytes)\n", sizeof(expected) - 1);
    return ok ? 0 : 1;
}
