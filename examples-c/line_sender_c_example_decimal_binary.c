/* Sends decimal columns in binary form (unscaled value as big-endian two's
 * complement bytes, plus a scale) over ILP/HTTP with protocol version 3.
 * Usage: line_sender_c_example_decimal_binary [host [port] | config-string]
 *        (default localhost 9000) */
#include "example_array_common.h"

int main(int argc, char** argv)
{
    char conf_text[512];
    const char* conf = example_conf_version(conf_text, sizeof conf_text, argc, argv, 3);
    line_sender* sender = example_sender(conf);
    if (!sender)
        return 1;

    line_sender_error* err = NULL;
    line_sender_buffer* buf = line_sender_buffer_new_for_sender(sender);
    line_sender_table_name trades = QDB_TABLE_NAME_LITERAL("trades");
    line_sender_column_name symbol = QDB_COLUMN_NAME_LITERAL("symbol");
    line_sender_column_name side = QDB_COLUMN_NAME_LITERAL("side");
    line_sender_column_name price = QDB_COLUMN_NAME_LITERAL("price");
    line_sender_column_name amount = QDB_COLUMN_NAME_LITERAL("amount");
    line_sender_column_name fee = QDB_COLUMN_NAME_LITERAL("fee");

    /* 2615.54 = 261554 (0x03FDB2) with scale 2. */
    const uint8_t eth_price[] = {0x03, 0xFD, 0xB2};
    /* 0.00044 = 44 (0x2C) with scale 5. */
    const uint8_t eth_amount[] = {0x2C};
    /* 39269.98 = 3926998 (0x3BEBD6) with scale 2. */
    const uint8_t btc_price[] = {0x3B, 0xEB, 0xD6};
    /* 0.001 = 1 with scale 3. */
    const uint8_t btc_amount[] = {0x01};
    /* -0.25 = -25 (0xE7 in one byte of two's complement) with scale 2. */
    const uint8_t rebate[] = {0xE7};

    bool ok = line_sender_buffer_table(buf, trades, &err) &&
              line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("ETH-USD"), &err) &&
              line_sender_buffer_symbol(buf, side, QDB_UTF8_LITERAL("sell"), &err) &&
              line_sender_buffer_column_dec(buf, price, 2, eth_price, sizeof eth_price, &err) &&
              line_sender_buffer_column_dec(buf, amount, 5, eth_amount, sizeof eth_amount, &err) &&
              line_sender_buffer_column_dec(buf, fee, 2, rebate, sizeof rebate, &err) &&
              line_sender_buffer_at_nanos(buf, 1700000000000000000LL, &err) &&
              line_sender_buffer_table(buf, trades, &err) &&
              line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("BTC-USD"), &err) &&
              line_sender_buffer_symbol(buf, side, QDB_UTF8_LITERAL("buy"), &err) &&
              line_sender_buffer_column_dec(buf, price, 2, btc_price, sizeof btc_price, &err) &&
              line_sender_buffer_column_dec(buf, amount, 3, btc_amount, sizeof btc_amount, &err) &&
              /* NULL data means zero. */
              line_sender_buffer_column_dec(buf, fee, 2, NULL, 0, &err) &&
              line_sender_buffer_at_nanos(buf, 1700000000000001000LL, &err);
    if (!ok)
    {
        line_sender_buffer_free(buf);
        line_sender_close(sender);
        return example_fail("could not build rows", err);
    }
    return example_flush(sender, buf, conf, 2);
}
