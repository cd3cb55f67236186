#!/bin/bash
# Checks the optional guest networking (boot.sh -n vde): starts an HTTP server
# on the host's loopback, boots the guest on vde_switch + slirpvde and fetches
# from it as 10.0.2.2:PORT. Exit 0 when the guest received the host's reply.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PATH="$repo/.cache/node-v24.21.0/bin:$PATH"
token="uml-net-$$-$RANDOM"
portfile=$(mktemp)
node -e '
  const http = require("node:http");
  const srv = http.createServer((q, r) => r.end(process.argv[1] + " " + q.url));
  srv.listen(0, "127.0.0.1", () => require("node:fs").writeFileSync(process.argv[2], String(srv.address().port)));
  setTimeout(() => process.exit(0), 120_000).unref();
  process.stdin.on("end", () => process.exit(0)); process.stdin.resume();
' "$token" "$portfile" < <(sleep 130) &
srv=$!
trap 'kill $srv 2>/dev/null || true; rm -f "$portfile"' EXIT
for _ in $(seq 100); do [[ -s $portfile ]] && break; sleep 0.05; done
port=$(cat "$portfile")
out=$(UML_TIMEOUT=120 "$here/boot.sh" -n vde -- sh -c "
  t0=\$(date +%s%N)
  for i in 1 2 3 4 5 6 7 8 9 10; do
    r=\$(curl -s -m 3 http://10.0.2.2:$port/from-guest) && break; sleep 0.3
  done
  echo \"reply: \$r (\$(( (\$(date +%s%N) - t0) / 1000000 )) ms)\"")
echo "$out"
if grep -q "reply: $token /from-guest" <<<"$out"; then
  echo "net-check: OK, guest reached host 127.0.0.1:$port as 10.0.2.2:$port"
else
  echo "net-check: FAILED"; exit 1
fi
