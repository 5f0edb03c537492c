/* The two rows the C sender tests send, and their protocol-1 bytes. */
#ifndef QDB_TEST_ROWS_H
#define QDB_TEST_ROWS_H
#include "check.h"

static const char V1_ROWS[] =
    "trades,symbol=ETH-USD price=2615.54 1700000000000000000\n"
    "trades,symbol=BTC-USD qty=7i 1700000000000001000\n";

static inline void add_rows(line_sender_buffer* b)
{
    OK(line_sender_buffer_table(b, tbl("trades"), &err));
    OK(line_sender_buffer_symbol(b, col("symbol"), u8("ETH-USD"), &err));
    OK(line_sender_buffer_column_f64(b, col("price"), 2615.54, &err));
    OK(line_sender_buffer_at_nanos(b, 1700000000000000000LL, &err));
    OK(line_sender_buffer_table(b, tbl("trades"), &err));
    OK(line_sender_buffer_symbol(b, col("symbol"), u8("BTC-USD"), &err));
    OK(line_sender_buffer_column_i64(b, col("qty"), 7, &err));
    OK(line_sender_buffer_at_nanos(b, 1700000000000001000LL, &err));
}
#endif
