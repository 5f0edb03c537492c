/* Sends two rows with a 2-D f64 array column stored contiguously in
 * row-major (C) order, over ILP/HTTP with protocol version 2.
 * Usage: line_sender_c_example_array_c_major [host [port] | config-string]
 *        (default localhost 9000) */
#include "example_array_common.h"

int main(int argc, char** argv)
{
    char conf_text[512];
    const char* conf = example_conf_version(conf_text, sizeof conf_text, argc, argv, 2);
    line_sender* sender = example_sender(conf);
    if (!sender)
        return 1;

    line_sender_error* err = NULL;
    line_sender_buffer* buf = line_sender_buffer_new_for_sender(sender);
    line_sender_table_name table = QDB_TABLE_NAME_LITERAL("market_orders");
    line_sender_column_name symbol = QDB_COLUMN_NAME_LITERAL("symbol");
    line_sender_column_name book = QDB_COLUMN_NAME_LITERAL("order_book");

    /* Two levels of (price, size): shape {2, 2}, element [i][j] at
     * data[i * 2 + j]. */
    const uintptr_t shape[] = {2, 2};
    const double eth[] = {2615.54, 0.5, 2615.60, 1.25};
    const double btc[] = {39269.98, 0.01, 39270.50, 0.2};

    bool ok = line_sender_buffer_table(buf, table, &err) &&
              line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("ETH-USD"), &err) &&
              line_sender_buffer_column_f64_arr_c_major(buf, book, 2, shape, eth, 4, &err) &&
              line_sender_buffer_at_nanos(buf, 1700000000000000000LL, &err) &&
              line_sender_buffer_table(buf, table, &err) &&
              line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("BTC-USD"), &err) &&
              line_sender_buffer_column_f64_arr_c_major(buf, book, 2, shape, btc, 4, &err) &&
              line_sender_buffer_at_nanos(buf, 1700000000000001000LL, &err);
    if (!ok)
    {
        line_sender_buffer_free(buf);
        line_sender_close(sender);
        return example_fail("could not build rows", err);
    }
    return example_flush(sender, buf, conf, 2);
}
