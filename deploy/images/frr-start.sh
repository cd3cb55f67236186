#!/bin/bash
# Entry point of the FRR image: watchfrr in the foreground starts and watches
# the daemons enabled in /etc/frr/daemons (which the chart's node-init container
# writes), as the upstream FRR image's docker-start does. SIGTERM stops watchfrr
# and its daemons.
# Not -u: frrcommon.sh reads unset variables (FRR_PATHSPACE).
set -eo pipefail
# shellcheck source=/dev/null
. /usr/lib/frr/frrcommon.sh
# shellcheck disable=SC2046 # daemon_list prints one word per daemon
exec /usr/lib/frr/watchfrr $(daemon_list)
