/* Sends two rows with a sender configured by the QDB_CLIENT_CONF
 * environment variable, e.g. QDB_CLIENT_CONF='http::addr=localhost:9000;'.
 * Usage: line_sender_c_example_from_env */
#include "example_common.h"

#include <stdlib.h>

int main(void)
{
    const char* conf = getenv("QDB_CLIENT_CONF");
    line_sender_error* err = NULL;
    line_sender* sender = line_sender_from_env(&err);
    if (!sender)
        return example_fail(conf ? conf : "QDB_CLIENT_CONF", err);

    return example_send_trades(sender, conf);
}
