/* Sends two rows over ILP/TCP, building the sender from options.
 * Usage: line_sender_c_example [host [port]]   (default localhost 9009) */
#include "example_common.h"

#include <stdlib.h>

int main(int argc, char** argv)
{
    const char* host = argc > 1 ? argv[1] : "localhost";
    uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 9009);
    line_sender_error* err = NULL;
    line_sender_utf8 host_utf8 = {0, NULL};
    if (!line_sender_utf8_init(&host_utf8, strlen(host), host, &err))
        return example_fail("bad host", err);

    line_sender_opts* opts = line_sender_opts_new(line_sender_protocol_tcp, host_utf8, port);
    line_sender* sender = line_sender_build(opts, &err);
    line_sender_opts_free(opts); /* build does not take the options */
    if (!sender)
        return example_fail("could not connect", err);

    return example_send_trades(sender, host);
}
