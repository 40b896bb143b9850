// The target's only function is inline, in include/CLaurelPrefetch.h;
// SwiftPM wants a source file in every C target.
#include "CLaurelPrefetch.h"
