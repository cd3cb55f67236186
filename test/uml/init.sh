#!/bin/sh
# PID 1 of the user-mode Linux guest (see boot.sh). The root file system is a
# test world (the locked Debian unstable root, or the host's / for the oldest
# lane; hostfs, mounted read-only); the repository is mounted again
# read-write so results and caches land in the working tree. Everything else
# the guest writes goes to guest-private tmpfs, so the host is never touched.
# Kernel command-line K=V arguments arrive here as environment variables:
#   UML_RUN_DIR  host directory (inside the repo) with cmd.sh; receives rc, output.log
#   UML_REPO     repository path (mounted read-write)
#   UML_NET      "vde" to configure eth0 as 10.0.2.15/24 behind slirpvde
#   EVPN_STACK    current | oldest (which root this is; exported to the command)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
grep -q ' /dev devtmpfs' /proc/mounts || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
uptime_init=$(cut -d' ' -f1 /proc/uptime)
for d in /run /tmp /var/tmp /var/log /var/lib /var/cache /etc/frr /etc/openvswitch /etc/ovn /root; do
  [ -d "$d" ] && mount -t tmpfs tmpfs "$d"
done
mkdir -p /run/lock /run/netns /var/lib/frr /var/log/frr /var/run/frr /var/lib/openvswitch /var/log/openvswitch
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null

# The repository, read-write (a second hostfs mount of the same host path).
# The mount point may sit under a directory just covered by tmpfs (a clone in
# /tmp, say): create it there first.
mkdir -p "$UML_REPO"
mount -t hostfs -o "$UML_REPO" hostfs "$UML_REPO" || { echo "init: cannot mount $UML_REPO read-write"; }
# A git worktree whose .cache and node_modules are symlinks into another
# checkout: run directories, artifacts and vite's temporary config land there,
# so mount their targets read-write too.
for link in "$UML_REPO/.cache" "$UML_REPO/node_modules"; do
  [ -L "$link" ] || continue
  target=$(readlink -f "$link")
  mkdir -p "$target"
  mount -t hostfs -o "$target" hostfs "$target" || echo "init: cannot mount $target read-write"
done

# The kernel is the host's UML 6.1, so its modules come from the host.
if [ ! -d "/usr/lib/uml/modules/$(uname -r)" ]; then
  mount -t hostfs -o /usr/lib/uml/modules hostfs /usr/lib/uml/modules || echo "init: cannot mount the UML modules"
fi

# Module autoload: the kernel calls /proc/sys/kernel/modprobe for `type vrf`
# etc.; the wrapper points modprobe at the UML modules shipped by Debian.
mkdir -p /tmp/mroot/lib/modules /tmp/bin
ln -s "/usr/lib/uml/modules/$(uname -r)" "/tmp/mroot/lib/modules/$(uname -r)"
printf '#!/bin/sh\nexec /usr/sbin/modprobe -d /tmp/mroot "$@"\n' > /tmp/bin/modprobe
chmod +x /tmp/bin/modprobe
echo /tmp/bin/modprobe > /proc/sys/kernel/modprobe
export PATH=/tmp/bin:$PATH
# IPv6 is built in on real nodes; here it is a module nothing autoloads
# (IFLA_AF_SPEC AF_INET6, e.g. addrgenmode, fails with EAFNOSUPPORT without it).
modprobe ipv6

echo uml > /proc/sys/kernel/hostname
export EVPN_STACK
ip link set lo up
if [ "$UML_NET" = vde ]; then
  ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
fi

out="$UML_RUN_DIR/output.log"
echo "uptime_at_init=$uptime_init" > "$UML_RUN_DIR/guest-timing.txt"
if [ -f "$UML_RUN_DIR/cmd.sh" ]; then
  ( cd "$UML_REPO" && bash "$UML_RUN_DIR/cmd.sh" ) > "$out" 2>&1 < /dev/null
  rc=$?
else
  echo "init: no $UML_RUN_DIR/cmd.sh" > "$out"; rc=127
fi
echo "uptime_at_end=$(cut -d' ' -f1 /proc/uptime)" >> "$UML_RUN_DIR/guest-timing.txt"
echo "$rc" > "$UML_RUN_DIR/rc"
sync
halt -f || poweroff -f || echo o > /proc/sysrq-trigger
