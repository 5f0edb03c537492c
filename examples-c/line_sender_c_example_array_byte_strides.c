/* Sends a 2-D f64 array column whose data is in column-major (Fortran)
 * order, described by strides counted in bytes, over ILP/HTTP with
 * protocol version 2.
 * Usage: line_sender_c_example_array_byte_strides [host [port] | config-string]
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

    /* A 2x3 matrix (row 0: prices, row 1: sizes) stored column by column:
     * element [i][j] is at byte offset i * 8 + j * 16. */
    const uintptr_t shape[] = {2, 3};
    const intptr_t strides[] = {(intptr_t)sizeof(double), 2 * (intptr_t)sizeof(double)};
    const double data[] = {2615.54, 0.5, 2615.60, 1.25, 2615.70, 3.0};

    bool ok = line_sender_buffer_table(buf, table, &err) &&
              line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("ETH-USD"), &err) &&
              line_sender_buffer_column_f64_arr_byte_strides(
                  buf, book, 2, shape, strides, data, 6, &err) &&
              line_sender_buffer_at_nanos(buf, 1700000000000000000LL, &err);
    if (!ok)
    {
        line_sender_buffer_free(buf);
        line_sender_close(sender);
        return example_fail("could not build rows", err);
    }
    return example_flush(sender, buf, conf, 1);
}
