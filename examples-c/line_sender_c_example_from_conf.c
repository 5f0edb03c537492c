/* Sends two rows with a sender built from a config string.
 * Usage: line_sender_c_example_from_conf [config-string | host [port]]
 *        (default tcp::addr=localhost:9009;) */
#include "example_common.h"

int main(int argc, char** argv)
{
    char conf_text[512];
    const char* conf = example_conf(conf_text, sizeof conf_text, argc, argv, "tcp", "9009");
    line_sender_error* err = NULL;
    line_sender_utf8 conf_utf8 = {0, NULL};
    if (!line_sender_utf8_init(&conf_utf8, strlen(conf), conf, &err))
        return example_fail("bad config string", err);

    /* Options first, so settings can be added in code before building. */
    line_sender_opts* opts = line_sender_opts_from_conf(conf_utf8, &err);
    if (!opts)
        return example_fail(conf, err);
    if (!line_sender_opts_max_name_len(opts, 127, &err))
    {
        line_sender_opts_free(opts);
        return example_fail(conf, err);
    }
    line_sender* sender = line_sender_build(opts, &err);
    line_sender_opts_free(opts);
    if (!sender)
        return example_fail(conf, err);

    return example_send_trades(sender, conf);
}
