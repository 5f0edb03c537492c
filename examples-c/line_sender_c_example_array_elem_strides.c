/* Sends f64 array columns that are views into a larger matrix, described
 * by strides counted in elements, over ILP/HTTP with protocol version 2.
 * Usage: line_sender_c_example_array_elem_strides [host [port] | config-string]
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
    line_sender_column_name bids = QDB_COLUMN_NAME_LITERAL("bids");
    line_sender_column_name prices = QDB_COLUMN_NAME_LITERAL("prices");

    /* A 4x3 row-major matrix: one (price, size, orders) row per level. */
    const double levels[] = {
        2615.54, 0.5, 3.0,
        2615.60, 1.25, 1.0,
        2615.70, 3.0, 7.0,
        2615.80, 0.75, 2.0,
    };
    /* Every other level, the first two columns: shape {2, 2}, element
     * [i][j] at levels[i * 6 + j]. */
    const uintptr_t bids_shape[] = {2, 2};
    const intptr_t bids_strides[] = {6, 1};
    /* The price column of all levels (1-D, stride 3): the transpose trick. */
    const uintptr_t prices_shape[] = {4};
    const intptr_t prices_strides[] = {3};

    bool ok = line_sender_buffer_table(buf, table, &err) &&
              line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("ETH-USD"), &err) &&
              line_sender_buffer_column_f64_arr_elem_strides(
                  buf, bids, 2, bids_shape, bids_strides, levels, 12, &err) &&
              line_sender_buffer_column_f64_arr_elem_strides(
                  buf, prices, 1, prices_shape, prices_strides, levels, 12, &err) &&
              line_sender_buffer_at_nanos(buf, 1700000000000000000LL, &err);
    if (!ok)
    {
        line_sender_buffer_free(buf);
        line_sender_close(sender);
        return example_fail("could not build rows", err);
    }
    return example_flush(sender, buf, conf, 1);
}
