/* Shared by the sender examples: the rows they send, how they turn the
 * command line into a config string, and how they report an error. */
#ifndef QUESTDB_CLIENT_EXAMPLE_COMMON_H
#define QUESTDB_CLIENT_EXAMPLE_COMMON_H

#include <questdb/ingress/line_sender.h>

#include <stdio.h>
#include <string.h>

/* Two rows of a `trades` table, timestamped now. */
static inline bool example_add_trades(line_sender_buffer* buf, line_sender_error** err)
{
    line_sender_table_name trades = QDB_TABLE_NAME_LITERAL("trades");
    line_sender_column_name symbol = QDB_COLUMN_NAME_LITERAL("symbol");
    line_sender_column_name side = QDB_COLUMN_NAME_LITERAL("side");
    line_sender_column_name price = QDB_COLUMN_NAME_LITERAL("price");
    line_sender_column_name amount = QDB_COLUMN_NAME_LITERAL("amount");
    const int64_t now = line_sender_now_nanos();

    return line_sender_buffer_table(buf, trades, err) &&
           line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("ETH-USD"), err) &&
           line_sender_buffer_symbol(buf, side, QDB_UTF8_LITERAL("sell"), err) &&
           line_sender_buffer_column_f64(buf, price, 2615.54, err) &&
           line_sender_buffer_column_f64(buf, amount, 0.00044, err) &&
           line_sender_buffer_at_nanos(buf, now, err) &&
           line_sender_buffer_table(buf, trades, err) &&
           line_sender_buffer_symbol(buf, symbol, QDB_UTF8_LITERAL("BTC-USD"), err) &&
           line_sender_buffer_symbol(buf, side, QDB_UTF8_LITERAL("buy"), err) &&
           line_sender_buffer_column_f64(buf, price, 39269.98, err) &&
           line_sender_buffer_column_f64(buf, amount, 0.001, err) &&
           line_sender_buffer_at_nanos(buf, now + 1000, err);
}

/* The config string for `schema`: argv[1] itself when it is one
 * ("http::addr=..."), else built from `[host [port]]` with defaults. */
static inline const char* example_conf(
    char* out, size_t size, int argc, char** argv,
    const char* schema, const char* default_port)
{
    if (argc > 1 && strstr(argv[1], "::") != NULL)
        return argv[1];
    const char* host = argc > 1 ? argv[1] : "localhost";
    const char* port = argc > 2 ? argv[2] : default_port;
    snprintf(out, size, "%s::addr=%s:%s;", schema, host, port);
    return out;
}

/* Prints the error in one line (plus how to start QuestDB when nothing
 * listens), frees it, and gives the exit status. */
static inline int example_fail(const char* what, line_sender_error* err)
{
    size_t len = 0;
    const char* msg = line_sender_error_msg(err, &len);
    char text[2048];
    snprintf(text, sizeof text, "%.*s", (int)len, msg);
    if (strstr(text, "Connection refused") != NULL)
        fprintf(stderr,
                "%s: nothing is listening there (connection refused); start QuestDB "
                "first, e.g. `docker run -p 9000:9000 -p 9009:9009 questdb/questdb`, "
                "or point QDB_CLIENT_CONF at your server. "
                "Details: %s\n",
                what, text);
    else
        fprintf(stderr, "%s: error %d: %s\n",
                what, (int)line_sender_error_get_code(err), text);
    line_sender_error_free(err);
    return 1;
}

/* Sends the trades rows with `sender`, then closes it. Exit status. */
static inline int example_send_trades(line_sender* sender, const char* where)
{
    line_sender_error* err = NULL;
    line_sender_buffer* buf = line_sender_buffer_new_for_sender(sender);
    int status = 0;
    if (!example_add_trades(buf, &err))
        status = example_fail("could not build rows", err);
    else if (!line_sender_flush(sender, buf, &err))
        status = example_fail(where, err);
    else
        printf("sent %d rows to %s (protocol version %d)\n", 2, where,
               (int)line_sender_get_protocol_version(sender));
    line_sender_buffer_free(buf);
    line_sender_close(sender);
    return status;
}

#endif
