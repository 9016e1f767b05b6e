// Ends one expansion of the table in kernels.def: undefines the macros a user of the table defines
// before including it (the entry, enum and info lines and the parameter kinds), so that the next
// expansion can define them afresh. Included after each `#include "kernels.def"`, never guarded.
#undef DLF_KERNEL
#undef DLF_ENUM
#undef DLF_INFO
#undef F32
#undef F32_OPT
#undef SIZE
#undef NUM
#undef BOOL
#undef I32
#undef I32S
#undef U8
