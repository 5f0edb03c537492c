/* Builds a few rows with the C API and prints the ILP they produce.
 * Usage: line_sender_c_example_print [1|2|3]   (protocol version, default 1)
 * Protocol 1 is text; 2 and 3 contain binary doubles, printed escaped. */
#include <questdb/ingress/line_sender.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(line_sender_error* err)
{
    size_t len = 0;
    const char* msg = line_sender_error_msg(err, &len);
    fprintf(stderr, "error %d: %.*s\n",
            (int)line_sender_error_get_code(err), (int)len, msg);
    line_sender_error_free(err);
    return 1;
}

static void print_ilp(line_sender_buffer_view view)
{
    for (size_t i = 0; i < view.len; ++i)
    {
        unsigned char c = view.buf[i];
        if (c == '\n' || isprint(c))
            putchar(c);
        else
            printf("\\x%02x", c);
    }
}

static bool add_rows(line_sender_buffer* buf, line_sender_error** err)
{
    line_sender_table_name trades = QDB_TABLE_NAME_LITERAL("trades");
    line_sender_column_name symbol = QDB_COLUMN_NAME_LITERAL("symbol");
    line_sender_column_name side = QDB_COLUMN_NAME_LITERAL("side");
    line_sender_column_name price = QDB_COLUMN_NAME_LITERAL("price");
    line_sender_column_name amount = QDB_COLUMN_NAME_LITERAL("amount");
    line_sender_column_name note = QDB_COLUMN_NAME_LITERAL("note");
    const int64_t ts = 1700000000000000000LL;

    return line_sender_buffer_table(buf, trades, err) &&
           line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("ETH-USD"), err) &&
           line_sender_buffer_symbol(buf, side, QDB_UTF8_LITERAL("sell"), err) &&
           line_sender_buffer_column_f64(buf, price, 2615.54, err) &&
           line_sender_buffer_column_f64(buf, amount, 0.00044, err) &&
           line_sender_buffer_at_nanos(buf, ts, err) &&
           line_sender_buffer_table(buf, trades, err) &&
           line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("BTC USD"), err) &&
           line_sender_buffer_column_f64(buf, price, 39269.98, err) &&
           line_sender_buffer_column_str(buf, note, QDB_UTF8_LITERAL("said \"hi\""), err) &&
           line_sender_buffer_at_nanos(buf, ts + 1000, err);
}

int main(int argc, char** argv)
{
    int version = argc > 1 ? atoi(argv[1]) : 1;
    if (version < 1 || version > 3)
    {
        fprintf(stderr, "usage: %s [1|2|3]\n", argv[0]);
        return 2;
    }
    line_sender_buffer* buf =
        line_sender_buffer_new((line_sender_protocol_version)version);
    line_sender_error* err = NULL;
    if (!add_rows(buf, &err))
    {
        line_sender_buffer_free(buf);
        return fail(err);
    }
    printf("%zu rows, %zu bytes of ILP (protocol %d):\n",
           line_sender_buffer_row_count(buf), line_sender_buffer_size(buf), version);
    print_ilp(line_sender_buffer_peek(buf));
    line_sender_buffer_free(buf);
    return 0;
}
