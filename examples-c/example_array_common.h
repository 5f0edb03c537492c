/* Shared by the array and decimal examples: the config string with an
 * explicit protocol version (arrays need 2, decimals 3). */
#ifndef QUESTDB_CLIENT_EXAMPLE_ARRAY_COMMON_H
#define QUESTDB_CLIENT_EXAMPLE_ARRAY_COMMON_H

#include "example_common.h"

/* `http::addr=host:port;protocol_version=V;` from `[host [port]]`
 * (default localhost 9000), or argv[1] itself when it is a config string. */
static inline const char* example_conf_version(
    char* out, size_t size, int argc, char** argv, int version)
{
    if (argc > 1 && strstr(argv[1], "::") != NULL)
        return argv[1];
    const char* host = argc > 1 ? argv[1] : "localhost";
    const char* port = argc > 2 ? argv[2] : "9000";
    snprintf(out, size, "http::addr=%s:%s;protocol_version=%d;", host, port, version);
    return out;
}

/* Builds a sender from `conf`; NULL (after printing the error) on failure. */
static inline line_sender* example_sender(const char* conf)
{
    line_sender_error* err = NULL;
    line_sender_utf8 conf_utf8 = {0, NULL};
    if (!line_sender_utf8_init(&conf_utf8, strlen(conf), conf, &err))
    {
        example_fail("bad config string", err);
        return NULL;
    }
    line_sender* sender = line_sender_from_conf(conf_utf8, &err);
    if (!sender)
        example_fail(conf, err);
    return sender;
}

/* Flushes `buf` with `sender`, frees both. Exit status. */
static inline int example_flush(line_sender* sender, line_sender_buffer* buf,
                                const char* where, size_t rows)
{
    line_sender_error* err = NULL;
    int status = 0;
    if (!line_sender_flush(sender, buf, &err))
        status = example_fail(where, err);
    else
        printf("sent %zu rows to %s (protocol version %d)\n", rows, where,
               (int)line_sender_get_protocol_version(sender));
    line_sender_buffer_free(buf);
    line_sender_close(sender);
    return status;
}

#endif
