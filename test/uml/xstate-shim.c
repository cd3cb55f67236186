/*
 * LD_PRELOAD shim for /usr/bin/linux.uml (Debian 6.1) on hosts whose CPUs have
 * a large XSAVE area (AMX: ~11 KiB). UML 6.1 moves guest FP state with
 * PTRACE_{GET,SET}REGSET(NT_X86_XSTATE) through a fixed 4 KiB buffer, but the
 * host kernel only accepts a SETREGSET of exactly the full XSAVE size and
 * fails with EFAULT ("userspace - ptrace set fp regs failed, errno = 14",
 * then "Attempted to kill init"). The shim reads the full state, overlays the
 * part UML knows about (legacy, AVX, AVX-512: everything below 4 KiB) and
 * writes the full size back. Newer UML kernels size the buffer dynamically.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef long (*ptrace_fn)(int, pid_t, void *, void *);

long ptrace(enum __ptrace_request req, ...) {
  static ptrace_fn real;
  static __thread unsigned char full[1 << 16] __attribute__((aligned(64)));
  va_list ap;
  va_start(ap, req);
  pid_t pid = va_arg(ap, pid_t);
  void *addr = va_arg(ap, void *);
  void *data = va_arg(ap, void *);
  va_end(ap);
  if (!real) real = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
  if ((req == PTRACE_GETREGSET || req == PTRACE_SETREGSET) && (long)addr == NT_X86_XSTATE && data) {
    struct iovec *iov = data;
    struct iovec whole = { full, sizeof full };
    long r = real(PTRACE_GETREGSET, pid, addr, &whole);
    if (r < 0) return r;
    size_t n = iov->iov_len < whole.iov_len ? iov->iov_len : whole.iov_len;
    if (req == PTRACE_GETREGSET) {
      memcpy(iov->iov_base, full, n);
      iov->iov_len = n;
      return r;
    }
    memcpy(full, iov->iov_base, n);
    return real(PTRACE_SETREGSET, pid, addr, &whole);
  }
  return real(req, pid, addr, data);
}
