/* Sends two rows over ILP/HTTP. The protocol version is asked from the server.
 * Usage: line_sender_c_example_http [host [port] | config-string]
 *        (default localhost 9000; a config string looks like http::addr=h:p;) */
#include "example_common.h"

int main(int argc, char** argv)
{
    char conf_text[512];
    const char* conf = example_conf(conf_text, sizeof conf_text, argc, argv, "http", "9000");
    line_sender_error* err = NULL;
    line_sender_utf8 conf_utf8 = {0, NULL};
    if (!line_sender_utf8_init(&conf_utf8, strlen(conf), conf, &err))
        return example_fail("bad config string", err);

    line_sender* sender = line_sender_from_conf(conf_utf8, &err);
    if (!sender)
        return example_fail(conf, err);

    return example_send_trades(sender, conf);
}
