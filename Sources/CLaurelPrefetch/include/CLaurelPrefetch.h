#ifndef CLAUREL_PREFETCH_H
#define CLAUREL_PREFETCH_H

/// Asks the CPU to bring the cache line holding `address` in for reading,
/// without waiting for it: unlike a load, a prefetch retires at once, so
/// many can be in flight while the engine keeps working. Swift has no
/// prefetch of its own; this is the one C function Laurel needs.
static inline void laurel_prefetch(const void *address) {
  __builtin_prefetch(address, 0, 3);
}

#endif
